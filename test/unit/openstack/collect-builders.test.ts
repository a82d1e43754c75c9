// From what Nova and Placement said to snapshot hosts and servers: capacity from Placement
// inventories, maintenance state from the service, flavors from allocations, groups, zones.
import { strict as assert } from 'node:assert';
import type { Inventory } from '../../../openstack/placement.js';
import type { NovaServer } from '../../../openstack/nova/servers.js';
import { buildHosts } from '../../../services/collect/hosts.js';
import type { CloudInventory } from '../../../services/collect/read-cloud.js';
import { buildServers } from '../../../services/collect/servers.js';

const inventoryOf = (total: number, reserved = 0, ratio = 1): Inventory => ({ total, reserved, allocation_ratio: ratio, min_unit: 1, max_unit: total, step_size: 1 });

function novaServer(name: string, host: string | null, options: Partial<NovaServer> = {}): NovaServer {
  return {
    id: `id-${name}`, name, status: 'ACTIVE', project_id: 'p', host, hypervisor_hostname: host, availability_zone: 'az-1', pinned_availability_zone: undefined,
    flavor: { original_name: 'medium', vcpus: 2, ram: 2048, disk: 20, ephemeral: 0, swap: 0, extra_specs: {} }, flavor_id: undefined,
    tags: [], metadata: {}, task_state: null, vm_state: 'active', power_state: 1, ...options,
  };
}

/** Two KVM hosts (cmp-1 disabled for maintenance) and an Ironic node that is not a host. */
function cloud(servers: NovaServer[] = [], allocations: Record<string, Record<string, Record<string, number>>> = {}): CloudInventory {
  return {
    hypervisors: [
      { id: 'rp-1', hypervisor_hostname: 'cmp-1.example', hypervisor_type: 'QEMU', state: 'up', status: 'disabled', service: { id: 's1', host: 'cmp-1', disabled_reason: 'ulm: consolidated' } },
      { id: 'rp-2', hypervisor_hostname: 'cmp-2.example', hypervisor_type: 'QEMU', state: 'down', status: 'enabled', service: { id: 's2', host: 'cmp-2', disabled_reason: null } },
      { id: 'rp-bm', hypervisor_hostname: 'node-7', hypervisor_type: 'ironic', state: 'up', status: 'enabled', service: { id: 's3', host: 'ironic-1', disabled_reason: null } },
    ],
    services: [
      { id: 's1', host: 'cmp-1', zone: 'az-1', status: 'disabled', state: 'up', disabled_reason: 'ulm: consolidated', forced_down: false, updated_at: null },
      { id: 's2', host: 'cmp-2', zone: 'az-2', status: 'enabled', state: 'down', disabled_reason: null, forced_down: false, updated_at: null },
    ],
    zones: [{ name: 'az-1', available: true, computeHosts: ['cmp-1'] }, { name: 'az-2', available: true, computeHosts: ['cmp-2'] }],
    aggregates: [{ id: 1, name: 'gpu', availability_zone: null, hosts: ['cmp-2'], metadata: {} }, { id: 2, name: 'all', availability_zone: null, hosts: ['cmp-1', 'cmp-2'], metadata: {} }],
    servers,
    serverGroups: [{ id: 'g1', name: 'web', policy: 'anti-affinity', rules: { max_server_per_host: 2 }, members: ['id-vm-1'], project_id: 'p' }],
    recentMigrations: [
      { id: 1, uuid: 'm1', server_id: 'id-vm-1', migration_type: 'live-migration', status: 'completed', source_compute: 'cmp-2', dest_compute: 'cmp-1', created_at: '2026-11-22T19:30:00.000000', updated_at: '2026-11-22T19:31:00.000000' },
    ],
    providers: [
      { uuid: 'rp-1', name: 'cmp-1.example', generation: 1, root_provider_uuid: 'rp-1', parent_provider_uuid: null },
      { uuid: 'rp-2', name: 'cmp-2.example', generation: 1, root_provider_uuid: 'rp-2', parent_provider_uuid: null },
      { uuid: 'rp-2-gpu', name: 'cmp-2.example_pci', generation: 1, root_provider_uuid: 'rp-2', parent_provider_uuid: 'rp-2' },
    ],
    inventories: new Map<string, Record<string, Inventory>>([
      ['rp-1', { VCPU: inventoryOf(32, 2, 4), MEMORY_MB: inventoryOf(65536, 512, 1), DISK_GB: inventoryOf(2000, 0, 1) }],
      ['rp-2', { VCPU: inventoryOf(16, 0, 16), MEMORY_MB: inventoryOf(32768, 512, 1.5) }],
    ]),
    allocations: new Map(Object.entries(allocations)),
  };
}

describe('building the snapshot from Nova and Placement', () => {
  describe('hosts', () => {
    it('take sizes, reserved amounts and ratios from Placement, state from the nova-compute service', () => {
      const { hosts } = buildHosts(cloud());
      assert.deepEqual(hosts[0], {
        name: 'cmp-1', vcpus: 32, memory_mb: 65536, disk_gb: 2000, reserved_vcpus: 2, reserved_memory_mb: 512, reserved_disk_gb: 0,
        vcpu_allocation_ratio: 4, memory_allocation_ratio: 1, disk_allocation_ratio: 1, aggregates: ['all'], availability_zone: 'az-1',
        enabled: false, disabled_reason: 'ulm: consolidated', state: 'up',
      });
      assert.deepEqual([hosts[1].enabled, hosts[1].disabled_reason, hosts[1].state, hosts[1].availability_zone, hosts[1].aggregates], [true, null, 'down', 'az-2', ['all', 'gpu']]);
    });

    it('a host without DISK_GB inventory (shared storage) has no local disk capacity', () => {
      const cmp2 = buildHosts(cloud()).hosts[1];
      assert.deepEqual([cmp2.disk_gb, cmp2.disk_allocation_ratio], [0, 1]);
    });

    it('are named by the compute service host, which live migration targets; Ironic nodes are not hosts', () => {
      const { hosts, providerOfHost } = buildHosts(cloud());
      assert.deepEqual(hosts.map((host) => host.name), ['cmp-1', 'cmp-2']);
      assert.equal(providerOfHost.get('cmp-1'), 'rp-1');
    });

    it('a compute node without a resource provider is left out, and the note says why', () => {
      const inventory = cloud();
      inventory.providers = inventory.providers.filter((provider) => provider.uuid !== 'rp-2' && provider.uuid !== 'rp-2-gpu');
      const { hosts, skipped } = buildHosts(inventory);
      assert.deepEqual(hosts.map((host) => host.name), ['cmp-1']);
      assert.match(skipped[0], /host cmp-2: no Placement resource provider for compute node cmp-2\.example/);
    });
  });

  describe('servers', () => {
    it('take their flavor from their Placement allocations, summed over the provider tree', () => {
      const { servers } = buildServers(cloud([novaServer('vm-1', 'cmp-2')], {
        'rp-2': { 'id-vm-1': { VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 } },
        'rp-2-gpu': { 'id-vm-1': { VGPU: 1 } },
      }), new Set(['cmp-1', 'cmp-2']));
      assert.deepEqual(servers[0].flavor, { name: 'medium', vcpus: 2, memory_mb: 2048, disk_gb: 20 });
    });

    it('without an allocation, the flavor Nova embeds stands in (root + ephemeral + swap) and it is noted', () => {
      const server = novaServer('vm-1', 'cmp-1', { flavor: { original_name: 'big', vcpus: 4, ram: 8192, disk: 40, ephemeral: 10, swap: 2048, extra_specs: {} } });
      const { servers, flavorFromNova } = buildServers(cloud([server]), new Set(['cmp-1']));
      assert.deepEqual(servers[0].flavor, { name: 'big', vcpus: 4, memory_mb: 8192, disk_gb: 52 });
      assert.deepEqual(flavorFromNova, ['id-vm-1']);
    });

    it('carry group, metadata, tags, the time of their last live migration and their zone', () => {
      const server = novaServer('vm-1', 'cmp-1', { metadata: { owner: 'web' }, tags: ['tier:web'] });
      const { servers, serverGroups } = buildServers(cloud([server]), new Set(['cmp-1']));
      assert.equal(servers[0].server_group, 'g1');
      assert.deepEqual(serverGroups, [{ id: 'g1', name: 'web', policy: 'anti-affinity', rules: { max_server_per_host: 2 } }]);
      assert.deepEqual([servers[0].metadata, servers[0].tags], [{ owner: 'web' }, ['tier:web']]);
      assert.equal(servers[0].migrated_at, '2026-11-22T19:31:00.000Z');
      assert.equal(servers[0].availability_zone, 'az-1', 'below 2.96: the current zone');
    });

    it('Nova 2.96\'s pinned availability zone wins over the current zone, null included', () => {
      const pinned = buildServers(cloud([novaServer('vm-1', 'cmp-1', { pinned_availability_zone: 'az-9' }), novaServer('vm-2', 'cmp-1', { pinned_availability_zone: null })]), new Set(['cmp-1'])).servers;
      assert.deepEqual(pinned.map((server) => server.availability_zone), ['az-9', null]);
    });

    it('servers on no host, or on a host left out, are noted and not written', () => {
      const { servers, skipped } = buildServers(cloud([novaServer('shelved', null, { status: 'SHELVED_OFFLOADED' }), novaServer('bm', 'ironic-1')]), new Set(['cmp-1']));
      assert.deepEqual(servers, []);
      assert.match(skipped.join('\n'), /server shelved .*on no host/);
      assert.match(skipped.join('\n'), /server bm .*its host ironic-1 is not in the snapshot/);
    });
  });
});
