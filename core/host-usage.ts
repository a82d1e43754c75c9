// Host use where no host meter exists: the sum of its servers' observed use plus an overhead
// (hypervisor, agents), so clouds whose metrics are per server only can still be planned.
import type { HostObservation, ServerObservation, UsageQuery } from './datasource.js';

/** What a host uses beyond its servers (QEMU, libvirt, Nova and Neutron agents). */
export interface HostOverhead {
  cpu_cores: number;
  memory_mb: number;
}

/**
 * Every host of the query with an observation: the measured one where its host meter has a
 * sample, else one derived from its servers (marked `derived_from_servers`). A host with a
 * running server that has no CPU or memory figure is left without one: its use is unknown, and
 * the server is reported by the preflight anyway. A host without servers uses only the overhead.
 *
 * The sum of each server's statistic (e.g. p95) is at least the statistic of the sum: a derived
 * host is never shown emptier than it was.
 */
export function hostsWithDerivedUse(
  query: Pick<UsageQuery, 'servers' | 'hosts' | 'now'>,
  servers: Readonly<Record<string, ServerObservation>>,
  measured: Readonly<Record<string, HostObservation>>,
  overhead: HostOverhead,
): Record<string, HostObservation> {
  const serversByHost = new Map<string, string[]>();
  for (const server of query.servers) serversByHost.set(server.host, [...(serversByHost.get(server.host) ?? []), server.id]);
  const hosts: Record<string, HostObservation> = {};
  for (const host of query.hosts) {
    const own = measured[host.name];
    if (own?.newest_sample) {
      hosts[host.name] = own;
      continue;
    }
    const derived = deriveHost(host.vcpus, (serversByHost.get(host.name) ?? []).map((id) => servers[id]), overhead, query.now);
    if (derived) hosts[host.name] = derived;
  }
  return hosts;
}

function deriveHost(vcpus: number, servers: Array<ServerObservation | undefined>, overhead: HostOverhead, now: number): HostObservation | undefined {
  let cpuCores = overhead.cpu_cores;
  let memoryMb = overhead.memory_mb;
  let samples = 0;
  // The host is as fresh as its stalest server: the preflight's max age then applies to the host too.
  let oldestNewest = new Date(now).toISOString();
  for (const server of servers) {
    if (server?.cpu_cores === undefined || server.memory_mb === undefined || !server.newest_cpu_sample || !server.newest_memory_sample) return undefined;
    cpuCores += Math.max(0, server.cpu_cores);
    memoryMb += Math.max(0, server.memory_mb);
    samples += server.samples;
    for (const sample of [server.newest_cpu_sample, server.newest_memory_sample]) if (sample < oldestNewest) oldestNewest = sample;
  }
  return {
    ...(vcpus > 0 ? { cpu_percent: (100 * cpuCores) / vcpus } : {}),
    memory_mb: memoryMb,
    newest_sample: oldestNewest,
    samples,
    derived_from_servers: true,
  };
}
