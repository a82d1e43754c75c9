// Placement (microversions up to 1.39) of the stand-in cloud: resource providers (one per compute
// node, unpaged as Placement serves them), their inventories, usages and allocations.
import type { Api } from './api.js';
import { notFound } from './api.js';
import type { Inventory } from './inventory.js';

export function placementApi(inventory: Inventory): Api {
  const hypervisorById = new Map(inventory.hypervisors.map((hypervisor) => [hypervisor.id, hypervisor]));
  return (request) => {
    const [first, uuid, what, extra] = request.parts;
    if (request.method !== 'GET') return notFound(request, '/placement');
    if (first === undefined) {
      return { status: 200, kind: 'GET /placement/', body: { versions: [{ id: 'v1.0', max_version: '1.39', min_version: '1.0', status: 'CURRENT', links: [] }] } };
    }
    if (first === 'resource_providers' && uuid === undefined) {
      const name = request.query.get('name');
      const providers = inventory.hypervisors.filter((hypervisor) => !name || hypervisor.host === name);
      return {
        status: 200, kind: 'GET /resource_providers',
        body: {
          resource_providers: providers.map((hypervisor) => ({
            uuid: hypervisor.id, name: hypervisor.host, generation: 1, root_provider_uuid: hypervisor.id, parent_provider_uuid: null,
            links: ['self', 'inventories', 'usages', 'allocations', 'traits', 'aggregates'].map((rel) => ({ rel, href: `/resource_providers/${hypervisor.id}${rel === 'self' ? '' : `/${rel}`}` })),
          })),
        },
      };
    }
    const hypervisor = first === 'resource_providers' && extra === undefined ? hypervisorById.get(uuid) : undefined;
    if (hypervisor && what === 'inventories') {
      const entry = (total: number, ratio: number, reserved = 0) => ({ total, reserved, allocation_ratio: ratio, min_unit: 1, max_unit: total, step_size: 1 });
      return {
        status: 200, kind: 'GET /resource_providers/{uuid}/inventories',
        body: { resource_provider_generation: 1, inventories: { VCPU: entry(hypervisor.vcpus, 4), MEMORY_MB: entry(hypervisor.memoryMb, 1, 4096), DISK_GB: entry(hypervisor.diskGb, 1) } },
      };
    }
    if (hypervisor && what === 'allocations') {
      const servers = inventory.serversOnHost.get(hypervisor.id) ?? [];
      return {
        status: 200, kind: 'GET /resource_providers/{uuid}/allocations',
        body: {
          resource_provider_generation: 1,
          allocations: Object.fromEntries(servers.map((server) => [server.id, { resources: { VCPU: server.flavor.vcpus, MEMORY_MB: server.flavor.ram, DISK_GB: server.flavor.disk } }])),
        },
      };
    }
    if (hypervisor && what === 'usages') {
      const servers = inventory.serversOnHost.get(hypervisor.id) ?? [];
      const sum = (pick: (server: (typeof servers)[number]) => number) => servers.reduce((total, server) => total + pick(server), 0);
      return { status: 200, kind: 'GET /resource_providers/{uuid}/usages', body: { resource_provider_generation: 1, usages: { VCPU: sum((server) => server.flavor.vcpus), MEMORY_MB: sum((server) => server.flavor.ram), DISK_GB: sum((server) => server.flavor.disk) } } };
    }
    if (first === 'allocations' && uuid !== undefined && what === undefined) {
      const server = inventory.serverById.get(uuid);
      return {
        status: 200, kind: 'GET /allocations/{consumer}',
        body: { allocations: server ? { [server.host.id]: { generation: 1, resources: { VCPU: server.flavor.vcpus, MEMORY_MB: server.flavor.ram, DISK_GB: server.flavor.disk } } } : {}, consumer_generation: server ? 1 : null, project_id: server?.projectId, user_id: 'admin-user' },
      };
    }
    return notFound(request, '/placement');
  };
}
