// Reads everything a snapshot is built from out of Nova and Placement, with bounded parallelism;
// turning it into a snapshot is left to the pure builders beside this file.
import type { Cloud } from '../../openstack/cloud.js';
import { listAggregates, type NovaAggregate } from '../../openstack/nova/aggregates.js';
import { listAvailabilityZones, type AvailabilityZone } from '../../openstack/nova/availability-zones.js';
import { listHypervisors, type NovaHypervisor } from '../../openstack/nova/hypervisors.js';
import { listMigrations, type NovaMigration } from '../../openstack/nova/migrations.js';
import { listServerGroups, type NovaServerGroup } from '../../openstack/nova/server-groups.js';
import { listServers, type NovaServer } from '../../openstack/nova/servers.js';
import { listComputeServices, type ComputeService } from '../../openstack/nova/services.js';
import { mapWithLimit } from '../../openstack/parallel.js';
import { getInventories, getProviderAllocations, listResourceProviders, type Inventory, type ResourceProvider, type Resources } from '../../openstack/placement.js';

export interface CloudInventory {
  hypervisors: NovaHypervisor[];
  services: ComputeService[];
  zones: AvailabilityZone[];
  aggregates: NovaAggregate[];
  servers: NovaServer[];
  serverGroups: NovaServerGroup[];
  /** Live migrations changed since the cooldown began, to tell when a server last moved. */
  recentMigrations: NovaMigration[];
  providers: ResourceProvider[];
  /** Provider UUID -> resource class -> inventory (compute hosts' providers only). */
  inventories: Map<string, Record<string, Inventory>>;
  /** Provider UUID -> consumer UUID -> resources. */
  allocations: Map<string, Record<string, Resources>>;
}

export interface ReadOptions {
  /** Requests in flight at once for per-host reads (default 8). */
  concurrency?: number;
  /** Migrations since this instant are read (ISO 8601). */
  migrationsSince: string;
}

export async function readCloud(cloud: Cloud, options: ReadOptions): Promise<CloudInventory> {
  const { nova, placement } = cloud;
  const concurrency = options.concurrency ?? 8;
  const inventories = new Map<string, Record<string, Inventory>>();
  const allocations = new Map<string, Record<string, Resources>>();
  // The per-provider reads (two calls a compute host, the bulk of the calls) need only the
  // hypervisors and the providers: they start as soon as those are in, while Nova still pages
  // through the servers.
  const computeTrees = Promise.all([listHypervisors(nova), listResourceProviders(placement)]).then(async ([hypervisors, providers]) => {
    // Only the trees of compute nodes matter: a compute node's UUID is its root provider's UUID
    // (and its name the hypervisor's name, for clouds where the two UUIDs differ).
    const computeRoots = new Set(hypervisors.map((hypervisor) => hypervisor.id));
    const computeNames = new Set(hypervisors.map((hypervisor) => hypervisor.hypervisor_hostname));
    const relevant = providers.filter((provider) => computeRoots.has(provider.root_provider_uuid) || computeNames.has(provider.name));
    await mapWithLimit(relevant, concurrency, async (provider) => {
      const [inventory, allocation] = await Promise.all([getInventories(placement, provider.uuid), getProviderAllocations(placement, provider.uuid)]);
      inventories.set(provider.uuid, inventory);
      allocations.set(provider.uuid, allocation);
    });
    return { hypervisors, providers };
  });
  const [{ hypervisors, providers }, services, zones, aggregates, servers, serverGroups, recentMigrations] = await Promise.all([
    computeTrees,
    listComputeServices(nova),
    listAvailabilityZones(nova),
    listAggregates(nova),
    listServers(nova, { allProjects: true }),
    listServerGroups(nova, { allProjects: true }),
    listMigrations(nova, { migrationType: 'live-migration', status: 'completed', changesSince: options.migrationsSince }),
  ]);
  return { hypervisors, services, zones, aggregates, servers, serverGroups, recentMigrations, providers, inventories, allocations };
}
