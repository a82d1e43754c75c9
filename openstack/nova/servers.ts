// Nova servers across all projects, with what planning needs: host, flavor, tags, metadata,
// state and availability zone.
import { allPages, type NovaClient } from './client.js';

export interface EmbeddedFlavor {
  original_name: string;
  vcpus: number;
  ram: number;
  disk: number;
  ephemeral: number;
  swap: number;
  extra_specs: Record<string, string>;
}

export interface NovaServer {
  id: string;
  name: string;
  status: string;
  project_id: string | undefined;
  /** The compute service host (OS-EXT-SRV-ATTR:host); null when never scheduled or shelved. */
  host: string | null;
  hypervisor_hostname: string | null;
  /** The availability zone of the server's current host. */
  availability_zone: string | null;
  /** The zone the server is bound to (2.96+); undefined when the microversion does not tell. */
  pinned_availability_zone: string | null | undefined;
  /** The flavor embedded in the server (2.47+); null below that. */
  flavor: EmbeddedFlavor | null;
  /** The flavor's id (below 2.47 only). */
  flavor_id: string | undefined;
  tags: string[];
  metadata: Record<string, string>;
  task_state: string | null;
  vm_state: string | null;
  power_state: number | null;
}

interface RawServer {
  id: string;
  name?: string;
  status?: string;
  tenant_id?: string;
  'OS-EXT-SRV-ATTR:host'?: string | null;
  'OS-EXT-SRV-ATTR:hypervisor_hostname'?: string | null;
  'OS-EXT-AZ:availability_zone'?: string | null;
  pinned_availability_zone?: string | null;
  flavor?: Partial<EmbeddedFlavor> & { id?: string };
  tags?: string[];
  metadata?: Record<string, string>;
  'OS-EXT-STS:task_state'?: string | null;
  'OS-EXT-STS:vm_state'?: string | null;
  'OS-EXT-STS:power_state'?: number | null;
}

export function serverFromNova(raw: RawServer): NovaServer {
  const flavor = raw.flavor;
  const embedded = flavor && flavor.vcpus !== undefined && flavor.ram !== undefined
    ? {
      original_name: flavor.original_name ?? '', vcpus: flavor.vcpus, ram: flavor.ram, disk: flavor.disk ?? 0,
      ephemeral: flavor.ephemeral ?? 0, swap: Number(flavor.swap) || 0, extra_specs: flavor.extra_specs ?? {},
    }
    : null;
  return {
    id: raw.id,
    name: raw.name ?? '',
    // Servers in a cell that is down come back partial (2.69+): UNKNOWN and without details.
    status: raw.status ?? 'UNKNOWN',
    project_id: raw.tenant_id,
    host: raw['OS-EXT-SRV-ATTR:host'] ?? null,
    hypervisor_hostname: raw['OS-EXT-SRV-ATTR:hypervisor_hostname'] ?? null,
    availability_zone: raw['OS-EXT-AZ:availability_zone'] || null,
    pinned_availability_zone: 'pinned_availability_zone' in raw ? raw.pinned_availability_zone ?? null : undefined,
    flavor: embedded,
    flavor_id: embedded ? undefined : flavor?.id,
    tags: raw.tags ?? [],
    metadata: raw.metadata ?? {},
    task_state: raw['OS-EXT-STS:task_state'] ?? null,
    vm_state: raw['OS-EXT-STS:vm_state'] ?? null,
    power_state: raw['OS-EXT-STS:power_state'] ?? null,
  };
}

export interface ListServersOptions {
  /** Every project's servers (admin); default true. */
  allProjects?: boolean;
  /** Nova's default osapi_max_limit is 1000. */
  pageSize?: number;
  /** Extra Nova filters, e.g. { host: 'cmp-01' } or { name: '^vm-' }. */
  filters?: Record<string, string>;
}

export async function listServers(nova: NovaClient, options: ListServersOptions = {}): Promise<NovaServer[]> {
  const limit = options.pageSize ?? 1000;
  // Each page is reduced as it arrives: Nova's full server records (links, addresses, ...) of a
  // large cloud are never all held at once.
  return allPages<NovaServer>(async (marker) => (await nova.get<{ servers: RawServer[] }>('/servers/detail', {
    all_tenants: options.allProjects === false ? undefined : 1, limit, marker, ...options.filters,
  })).servers.map(serverFromNova), limit);
}

export async function getServer(nova: NovaClient, serverId: string): Promise<NovaServer> {
  const body = await nova.get<{ server: RawServer }>(`/servers/${encodeURIComponent(serverId)}`);
  return serverFromNova(body.server);
}
