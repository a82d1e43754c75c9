// The reach_target goal's name and description.
export const about = { name: 'reach_target', description: 'reach the snapshot\'s target placement' } as const;
