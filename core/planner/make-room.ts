// Making room (an ejection chain of depth one): when a server fits on no host, take a host it
// nearly fits on and move smaller servers off that host to others, so that it fits. The
// caller rolls everything back unless the host it is emptying is emptied.
import { usageOverLimit } from '../capacity.js';
import { Constraint } from '../constraints.js';
import type { Placement } from './placement.js';

/** Hosts tried per server, nearest to fitting first. */
const HOSTS_TRIED = 6;
/** Servers moved off one host to make room, at most. */
const SERVERS_MOVED = 4;

interface Shortfall {
  memory: number;
  vcpus: number;
  disk: number;
  cpu: number;
  usedMemory: number;
}

/**
 * How much looking for room a plan may do, counted down (deterministic): each call spends the
 * hosts it examines; `destinationFor` may spend its own work here too.
 */
export interface RoomEffort {
  remaining: number;
}

/**
 * Moves servers off one of `hosts` so that `server` fits there, and moves `server` there.
 * Returns the host, or -1 (placement unchanged). `size` ranks servers: only servers smaller
 * than `server` are moved, so that making room never ping-pongs. `destinationFor` finds where a
 * moved-off server goes (-1: nowhere).
 */
export function makeRoom(
  placement: Placement, server: number, hosts: number[], size: Float64Array, destinationFor: (server: number) => number,
  onMovedAside?: (moved: number, destination: number) => void, effort: RoomEffort = { remaining: Infinity },
): number {
  const cluster = placement.cluster;
  if (effort.remaining <= 0) return -1;
  effort.remaining -= hosts.length;
  const shortfallOn = (host: number): Shortfall => ({
    memory: placement.allocatedMemory[host] + cluster.flavorMemory[server] - cluster.memoryCapacity[host],
    vcpus: placement.allocatedVcpus[host] + cluster.flavorVcpus[server] - cluster.vcpuCapacity[host],
    disk: placement.allocatedDisk[host] + cluster.flavorDisk[server] - cluster.diskCapacity[host],
    cpu: usageOverLimit(placement.usedCpu[host], cluster.cpuUsage[server], cluster.cpuLimit[host]),
    usedMemory: usageOverLimit(placement.usedMemory[host], cluster.memoryUsage[server], cluster.memoryLimit[host]),
  });
  // Hosts where only room is missing, nearest to fitting first (no allocation per host: this
  // loop runs over every keeper).
  const memory = cluster.flavorMemory[server];
  const vcpus = cluster.flavorVcpus[server] || 1;
  const cpu = cluster.cpuUsage[server] || 1;
  const used = cluster.memoryUsage[server] || 1;
  const zone = cluster.requestedZone[server];
  // Only the HOSTS_TRIED nearest are kept, sorted as the scan goes: sorting every keeper on
  // every call would cost more than the scan.
  const candidates: { host: number; need: number }[] = [];
  const nearestFirst = (a: { host: number; need: number }, b: { host: number; need: number }) => a.need - b.need || a.host - b.host;
  // Each term is checked as soon as it is known: most keepers are short of a whole server in
  // some resource, and this loop is the planner's hottest.
  const flavorVcpus = cluster.flavorVcpus[server];
  const cpuUsage = cluster.cpuUsage[server];
  const memoryUsage = cluster.memoryUsage[server];
  const home = placement.hostOf[server];
  for (const host of hosts) {
    if (!placement.receiving[host] || home === host) continue;
    const memoryNeed = (placement.allocatedMemory[host] + memory - cluster.memoryCapacity[host]) / (memory || 1);
    if (!(memoryNeed < 1)) continue;
    const vcpuNeed = (placement.allocatedVcpus[host] + flavorVcpus - cluster.vcpuCapacity[host]) / vcpus;
    if (!(vcpuNeed < 1)) continue;
    const cpuNeed = usageOverLimit(placement.usedCpu[host], cpuUsage, cluster.cpuLimit[host]) / cpu;
    if (!(cpuNeed < 1)) continue;
    const usedNeed = usageOverLimit(placement.usedMemory[host], memoryUsage, cluster.memoryLimit[host]) / used;
    if (!(usedNeed < 1)) continue;
    const need = Math.max(memoryNeed, vcpuNeed, cpuNeed, usedNeed);
    if (!(need > 0)) continue;
    if (candidates.length === HOSTS_TRIED) {
      const last = candidates[HOSTS_TRIED - 1];
      if (need > last.need || (need === last.need && host > last.host)) continue;
    }
    if (zone !== null && cluster.zone[host] !== zone) continue;
    if (memory > cluster.memoryTotal[host] || cluster.flavorVcpus[server] > cluster.vcpuTotal[host] || cluster.flavorDisk[server] > cluster.diskTotal[host]) continue;
    if (placement.groupBlocker(server, host) !== Constraint.none) continue;
    candidates.push({ host, need });
    candidates.sort(nearestFirst);
    if (candidates.length > HOSTS_TRIED) candidates.pop();
  }

  for (const { host } of candidates) {
    const mark = placement.mark();
    placement.receiving[host] = 0;
    const movable = placement.serversOn(host)
      .filter((other) => !cluster.pinned[other] && size[other] < size[server])
      .sort((a, b) => size[b] - size[a] || a - b);
    let moved = 0;
    for (const other of movable) {
      const short = shortfallOn(host);
      if (short.memory <= 0 && short.vcpus <= 0 && short.disk <= 0 && short.cpu <= 0 && short.usedMemory <= 0) break;
      if (moved >= SERVERS_MOVED) break;
      // Only servers that help with what is short.
      const helps = (short.memory > 0 && cluster.flavorMemory[other] > 0) || (short.vcpus > 0 && cluster.flavorVcpus[other] > 0) ||
        (short.disk > 0 && cluster.flavorDisk[other] > 0) || (short.cpu > 0 && cluster.cpuUsage[other] > 0) || (short.usedMemory > 0 && cluster.memoryUsage[other] > 0);
      if (!helps) continue;
      const destination = destinationFor(other);
      if (destination < 0) continue;
      placement.move(other, destination);
      onMovedAside?.(other, destination);
      moved++;
    }
    placement.receiving[host] = 1;
    if (placement.blocker(server, host) === Constraint.none) {
      placement.move(server, host);
      return host;
    }
    placement.rollback(mark);
  }
  return -1;
}
