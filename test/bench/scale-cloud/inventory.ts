// The stand-in cloud's inventory, generated deterministically from its size: hypervisors with
// their services, zones and aggregates, flavors, servers spread over the hosts, server groups.
export interface ScaleSize {
  hosts: number;
  servers: number;
}

export const DEFAULT_SIZE: ScaleSize = { hosts: 1000, servers: 20_000 };

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
}

export interface Hypervisor {
  /** Compute node UUID, also its Placement resource provider's UUID. */
  id: string;
  /** nova-compute service UUID. */
  serviceId: string;
  host: string;
  zone: string;
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  disabled: boolean;
}

export interface Server {
  id: string;
  name: string;
  projectId: string;
  host: Hypervisor;
  flavor: Flavor;
  /** Index in creation order: Nova lists newest first. */
  index: number;
}

export interface ServerGroup {
  id: string;
  name: string;
  policy: 'anti-affinity' | 'affinity' | 'soft-anti-affinity';
  projectId: string;
  members: string[];
}

export interface Inventory {
  flavors: Flavor[];
  hypervisors: Hypervisor[];
  zones: string[];
  servers: Server[];
  serverGroups: ServerGroup[];
  serverById: Map<string, Server>;
  /** Provider UUID -> its servers. */
  serversOnHost: Map<string, Server[]>;
}

/** A UUID made from a kind and an index: the same inventory every run, and readable in logs. */
export function uuidOf(kind: number, index: number): string {
  const hex = index.toString(16).padStart(12, '0');
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

const FLAVORS: Flavor[] = [
  { id: 'f-small', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
  { id: 'f-medium', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40 },
  { id: 'f-large', name: 'm1.large', vcpus: 4, ram: 8192, disk: 80 },
  { id: 'f-xlarge', name: 'm1.xlarge', vcpus: 8, ram: 16384, disk: 160 },
];

export function generateInventory(size: ScaleSize = DEFAULT_SIZE): Inventory {
  const zones = ['az-1', 'az-2', 'az-3'];
  const hypervisors: Hypervisor[] = [];
  for (let index = 0; index < size.hosts; index++) {
    hypervisors.push({
      id: uuidOf(1, index), serviceId: uuidOf(2, index), host: `cmp-${String(index + 1).padStart(4, '0')}`,
      zone: zones[index % zones.length], vcpus: 64, memoryMb: 262_144, diskGb: 4000, disabled: index % 97 === 96,
    });
  }
  const servers: Server[] = [];
  const serversOnHost = new Map<string, Server[]>(hypervisors.map((hypervisor) => [hypervisor.id, []]));
  for (let index = 0; index < size.servers; index++) {
    // Round robin with a stride, so neighbours in the list land on different hosts.
    const host = hypervisors[(index * 7) % hypervisors.length];
    const server: Server = {
      id: uuidOf(3, index), name: `vm-${String(index + 1).padStart(5, '0')}`, projectId: uuidOf(4, index % 50).replace(/-/g, ''),
      host, flavor: FLAVORS[index % 3 === 0 ? (index % 4) : index % 2], index,
    };
    servers.push(server);
    serversOnHost.get(host.id)!.push(server);
  }
  const serverGroups: ServerGroup[] = [];
  const policies: ServerGroup['policy'][] = ['anti-affinity', 'soft-anti-affinity', 'affinity'];
  // A few groups, no server in two: an affinity group has two servers of one host, the others
  // three servers of hosts a third of the cloud apart.
  const grouped = new Set<string>();
  const take = (hostIndex: number) => {
    const server = serversOnHost.get(hypervisors[hostIndex % hypervisors.length].id)!.find((candidate) => !grouped.has(candidate.id));
    if (server) grouped.add(server.id);
    return server;
  };
  const third = Math.floor(hypervisors.length / 3);
  for (let index = 0; index < Math.min(30, hypervisors.length); index++) {
    const policy = policies[index % policies.length];
    const hostIndexes = policy === 'affinity' ? [index, index] : [...new Set([index, index + third, index + 2 * third].map((at) => at % hypervisors.length))];
    const members = hostIndexes.map(take).filter((server) => server !== undefined).map((server) => server.id);
    serverGroups.push({ id: uuidOf(5, index), name: `group-${index + 1}`, policy, projectId: uuidOf(4, 0).replace(/-/g, ''), members });
  }
  return { flavors: FLAVORS, hypervisors, zones, servers, serverGroups, serverById: new Map(servers.map((server) => [server.id, server])), serversOnHost };
}
