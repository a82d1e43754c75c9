// Nova availability zones and the compute hosts in each.
import type { NovaClient } from './client.js';

export interface AvailabilityZone {
  name: string;
  available: boolean;
  /** Hosts that run nova-compute in this zone. */
  computeHosts: string[];
}

interface RawZone {
  zoneName: string;
  zoneState?: { available?: boolean };
  hosts?: Record<string, Record<string, unknown>> | null;
}

export async function listAvailabilityZones(nova: NovaClient): Promise<AvailabilityZone[]> {
  const body = await nova.get<{ availabilityZoneInfo: RawZone[] }>('/os-availability-zone/detail');
  return body.availabilityZoneInfo.map((zone) => ({
    name: zone.zoneName,
    available: zone.zoneState?.available ?? false,
    computeHosts: Object.entries(zone.hosts ?? {}).filter(([, services]) => 'nova-compute' in services).map(([host]) => host),
  }));
}

/** Compute host -> availability zone name. */
export function zoneOfHosts(zones: AvailabilityZone[]): Map<string, string> {
  const byHost = new Map<string, string>();
  for (const zone of zones) for (const host of zone.computeHosts) byHost.set(host, zone.name);
  return byHost;
}
