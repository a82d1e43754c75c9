// Placement: resource providers, their inventories (total, reserved, allocation ratio,
// max_unit), usages and allocations: the capacity Nova's scheduler really enforces.
import { placementCapacity } from '../core/capacity.js';
import type { KeystoneSession } from './keystone.js';
import { ServiceClient } from './service-client.js';

/** 1.14 (Queens) gives nested providers' root and parent; 1.28 adds consumer generations. */
export const PLACEMENT_MICROVERSIONS = { minimum: '1.14', wanted: '1.28' } as const;

export type PlacementClient = ServiceClient;

export async function openPlacement(session: KeystoneSession): Promise<PlacementClient> {
  const placement = new ServiceClient(session, { name: 'Placement', serviceType: 'placement', microversionService: 'placement' });
  await placement.negotiate(PLACEMENT_MICROVERSIONS);
  return placement;
}

export interface ResourceProvider {
  uuid: string;
  name: string;
  generation: number;
  root_provider_uuid: string;
  parent_provider_uuid: string | null;
}

export interface Inventory {
  total: number;
  reserved: number;
  allocation_ratio: number;
  min_unit: number;
  max_unit: number;
  step_size: number;
}

/** Resource class (VCPU, MEMORY_MB, DISK_GB, ...) -> amount. */
export type Resources = Record<string, number>;

export async function listResourceProviders(placement: PlacementClient, filters: { name?: string } = {}): Promise<ResourceProvider[]> {
  const body = await placement.get<{ resource_providers: ResourceProvider[] }>('/resource_providers', { name: filters.name });
  return body.resource_providers.map((provider) => ({
    uuid: provider.uuid,
    name: provider.name,
    generation: provider.generation,
    root_provider_uuid: provider.root_provider_uuid ?? provider.uuid,
    parent_provider_uuid: provider.parent_provider_uuid ?? null,
  }));
}

export async function getInventories(placement: PlacementClient, providerUuid: string): Promise<Record<string, Inventory>> {
  const body = await placement.get<{ inventories: Record<string, Inventory> }>(`/resource_providers/${encodeURIComponent(providerUuid)}/inventories`);
  return body.inventories;
}

export async function getUsages(placement: PlacementClient, providerUuid: string): Promise<Resources> {
  const body = await placement.get<{ usages: Resources }>(`/resource_providers/${encodeURIComponent(providerUuid)}/usages`);
  return body.usages;
}

/** Consumer (server or migration UUID) -> what it holds on this provider. */
export async function getProviderAllocations(placement: PlacementClient, providerUuid: string): Promise<Record<string, Resources>> {
  const body = await placement.get<{ allocations: Record<string, { resources: Resources }> }>(`/resource_providers/${encodeURIComponent(providerUuid)}/allocations`);
  return Object.fromEntries(Object.entries(body.allocations).map(([consumer, allocation]) => [consumer, allocation.resources]));
}

/** Provider UUID -> what one consumer (a server) holds there. */
export async function getConsumerAllocations(placement: PlacementClient, consumerUuid: string): Promise<Record<string, Resources>> {
  const body = await placement.get<{ allocations: Record<string, { resources: Resources }> }>(`/allocations/${encodeURIComponent(consumerUuid)}`);
  return Object.fromEntries(Object.entries(body.allocations).map(([provider, allocation]) => [provider, allocation.resources]));
}

/** Placement's capacity of one inventory, by the one formula in core/capacity.ts. */
export function capacityOf(inventory: Inventory): number {
  return placementCapacity(inventory.total, inventory.reserved, inventory.allocation_ratio);
}
