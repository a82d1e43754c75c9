// Opens Nova: the compute endpoint from the catalog and the microversion ulm will speak.
import type { KeystoneSession } from '../keystone.js';
import { ServiceClient } from '../service-client.js';

/**
 * 2.53 (Pike) is the floor: service and hypervisor UUIDs, which disable/enable and the
 * Placement mapping need. Wanted is the newest behaviour ulm reads: 2.96 adds the server's
 * pinned availability zone; 2.64 server group rules, 2.47 embedded flavors, 2.80 migration
 * filters come on the way. The Zed loopback cloud serves up to 2.93.
 */
export const NOVA_MICROVERSIONS = { minimum: '2.53', wanted: '2.96' } as const;

export type NovaClient = ServiceClient;

export async function openNova(session: KeystoneSession): Promise<NovaClient> {
  const nova = new ServiceClient(session, { name: 'Nova', serviceType: 'compute', microversionService: 'compute' });
  await nova.negotiate(NOVA_MICROVERSIONS);
  return nova;
}

/** Follows marker pagination: pages of `limit` until a page comes back short. */
export async function allPages<T extends { id: string }>(fetchPage: (marker: string | undefined) => Promise<T[]>, limit: number): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await fetchPage(marker);
    all.push(...page);
    if (page.length < limit || !page.length) return all;
    marker = page[page.length - 1].id;
  }
}
