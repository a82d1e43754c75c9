// The drain goal's name and description.
export const about = { name: 'drain', description: 'empty drain_hosts' } as const;
