// The balance goal's name and description.
export const about = { name: 'balance', description: 'every host under the usage limits' } as const;
