// Builds the snapshot's hosts from what Nova and Placement said: capacity from the Placement
// inventories (totals, reserved, allocation ratios), maintenance state from the nova-compute
// service, availability zone and aggregates from Nova.
import type { Host } from '../../core/snapshot/format.js';
import { zoneOfHosts } from '../../openstack/nova/availability-zones.js';
import type { Inventory, ResourceProvider } from '../../openstack/placement.js';
import type { CloudInventory } from './read-cloud.js';

export interface BuiltHosts {
  hosts: Host[];
  /** Host name -> its root resource provider UUID, to find servers' allocations. */
  providerOfHost: Map<string, string>;
  /** Why a compute host is not in the snapshot (operator-readable). */
  skipped: string[];
}

/** Hypervisor types that are not live-migration targets (whole machines, not hosts of servers). */
const NOT_HOSTS = new Set(['ironic']);

export function buildHosts(inventory: CloudInventory): BuiltHosts {
  const skipped: string[] = [];
  const serviceOf = new Map(inventory.services.map((service) => [service.host, service]));
  const zoneOf = zoneOfHosts(inventory.zones);
  const providersByUuid = new Map(inventory.providers.map((provider) => [provider.uuid, provider]));
  const providersByName = new Map(inventory.providers.map((provider) => [provider.name, provider]));
  const hypervisorsByHost = new Map<string, CloudInventory['hypervisors']>();
  for (const hypervisor of inventory.hypervisors) {
    if (NOT_HOSTS.has(hypervisor.hypervisor_type ?? '')) continue;
    const list = hypervisorsByHost.get(hypervisor.service.host) ?? [];
    list.push(hypervisor);
    hypervisorsByHost.set(hypervisor.service.host, list);
  }
  const hosts: Host[] = [];
  const providerOfHost = new Map<string, string>();
  for (const [name, hypervisors] of [...hypervisorsByHost].sort(([left], [right]) => left.localeCompare(right))) {
    if (hypervisors.length > 1) {
      skipped.push(`host ${name}: ${hypervisors.length} compute nodes behind one nova-compute service (e.g. a VMware cluster): live migration to a named host cannot choose the node`);
      continue;
    }
    const hypervisor = hypervisors[0];
    const provider: ResourceProvider | undefined = providersByUuid.get(hypervisor.id) ?? providersByName.get(hypervisor.hypervisor_hostname);
    if (!provider) {
      skipped.push(`host ${name}: no Placement resource provider for compute node ${hypervisor.hypervisor_hostname} (${hypervisor.id}); is nova-compute reporting to Placement?`);
      continue;
    }
    const inventories = inventory.inventories.get(provider.uuid) ?? {};
    const vcpu = inventories.VCPU;
    const memory = inventories.MEMORY_MB;
    if (!vcpu || !memory) {
      skipped.push(`host ${name}: its resource provider ${provider.uuid} has no ${!vcpu ? 'VCPU' : 'MEMORY_MB'} inventory`);
      continue;
    }
    const disk: Inventory | undefined = inventories.DISK_GB;
    const service = serviceOf.get(name);
    const enabled = (service?.status ?? hypervisor.status) === 'enabled';
    const up = (service?.state ?? hypervisor.state) === 'up' && !service?.forced_down;
    hosts.push({
      name,
      vcpus: vcpu.total,
      memory_mb: memory.total,
      // No DISK_GB inventory: the disks are on shared storage, which Placement accounts elsewhere.
      disk_gb: disk?.total ?? 0,
      reserved_vcpus: vcpu.reserved,
      reserved_memory_mb: memory.reserved,
      reserved_disk_gb: disk?.reserved ?? 0,
      vcpu_allocation_ratio: vcpu.allocation_ratio,
      memory_allocation_ratio: memory.allocation_ratio,
      disk_allocation_ratio: disk?.allocation_ratio ?? 1,
      aggregates: inventory.aggregates.filter((aggregate) => aggregate.hosts.includes(name)).map((aggregate) => aggregate.name).sort(),
      availability_zone: zoneOf.get(name) ?? service?.zone ?? null,
      enabled,
      disabled_reason: enabled ? null : (service?.disabled_reason ?? hypervisor.service.disabled_reason ?? null),
      state: up ? 'up' : 'down',
    });
    providerOfHost.set(name, provider.uuid);
  }
  return { hosts, providerOfHost, skipped };
}
