// Keystone v3 of the stand-in cloud: any password gets a token whose catalog points back at the stand-in.
import type { Api } from './api.js';
import { notFound } from './api.js';

export const keystone: Api = (request) => {
  if (request.method === 'POST' && request.parts.join('/') === 'auth/tokens') {
    const endpoint = (type: string, name: string, path: string) => ({
      type, name, id: type,
      endpoints: ['public', 'internal', 'admin'].map((kind) => ({ id: `${type}-${kind}`, interface: kind, region_id: 'RegionOne', region: 'RegionOne', url: `${request.baseUrl}${path}` })),
    });
    return {
      status: 201,
      headers: { 'X-Subject-Token': 'stand-in-token' },
      kind: 'POST /v3/auth/tokens',
      body: {
        token: {
          expires_at: new Date(Date.now() + 3600_000).toISOString(), methods: ['password'],
          project: { id: 'admin-project', name: 'admin', domain: { id: 'default', name: 'Default' } },
          user: { id: 'admin-user', name: 'admin', domain: { id: 'default', name: 'Default' } },
          roles: [{ id: 'admin', name: 'admin' }],
          catalog: [
            endpoint('identity', 'keystone', '/identity/v3'),
            endpoint('compute', 'nova', '/compute/v2.1'),
            endpoint('placement', 'placement', '/placement'),
            endpoint('metric', 'gnocchi', '/metric'),
          ],
        },
      },
    };
  }
  return notFound(request, '/identity/v3');
};
