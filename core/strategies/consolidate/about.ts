// The consolidate goal's name and description.
export const about = { name: 'consolidate', description: 'fewest active hosts' } as const;
