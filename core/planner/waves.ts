// The wave orderer: the path from the current placement to the planned one, as waves of live
// migrations started together. Every wave is valid when it starts, as Nova and Placement see
// it: a destination holds the allocations of all servers arriving in the wave on top of what
// it holds (a live migration keeps the source allocation until it completes), no host takes
// part in more than max_parallel_per_host migrations, no wave has more than
// max_parallel_migrations, and anti-affinity holds against where members are at the start.
// Where servers block each other (swaps, cycles between full hosts) one of them is parked on a
// third host for a while.
import { fitsCapacity } from '../capacity.js';
import type { Cluster } from '../cluster.js';

export interface ScheduledMove {
  wave: number;
  server: number;
  source: number;
  destination: number;
  /** A move to a third host, to make room; the server moves on later. */
  temporary: boolean;
  /** For a temporary move: the server it makes room for. */
  forServer: number;
}

export interface Schedule {
  moves: ScheduledMove[];
  waveCount: number;
  /** Servers that could not reach their planned host, and why. */
  stuck: { server: number; destination: number; reason: string }[];
}

/** A server is parked at most this often before the orderer gives up on it. */
const MAX_PARKINGS_PER_SERVER = 2;

/**
 * How many blockers one deadlocked wave parks: one per chain of moves the parking starts
 * (`chain`: more parallel, sometimes one parking more), or one per group of hosts that wait on
 * each other (`cycle`: fewest parkings, longer plans).
 */
export type ParkingPolicy = 'chain' | 'cycle';

/** What a schedule costs: migrations, and waves (plan duration) at a tenth of the weight. */
export function scheduleCost(schedule: Schedule): number {
  return schedule.moves.length + 0.1 * schedule.waveCount + 1000 * schedule.stuck.length;
}

/** The cheaper of the parking policies' schedules (only one is needed if nothing parks). */
export function bestSchedule(cluster: Cluster, finalHost: Int32Array): Schedule {
  const chain = scheduleWaves(cluster, finalHost, 'chain');
  if (!chain.moves.some((move) => move.temporary) && chain.stuck.length === 0) return chain;
  const cycle = scheduleWaves(cluster, finalHost, 'cycle');
  return scheduleCost(cycle) < scheduleCost(chain) ? cycle : chain;
}

export function scheduleWaves(cluster: Cluster, finalHost: Int32Array, parkingPolicy: ParkingPolicy = 'chain'): Schedule {
  const hosts = cluster.hostCount;
  const maxParallel = cluster.policy.maxParallelMigrations;
  const maxPerHost = cluster.policy.maxParallelPerHost;
  const current = Int32Array.from(cluster.initialHost);
  const heading = Int32Array.from(finalHost);
  const allocatedVcpus = new Float64Array(hosts);
  const allocatedMemory = new Float64Array(hosts);
  const allocatedDisk = new Float64Array(hosts);
  const finalMemory = new Float64Array(hosts);
  const finalCount = new Int32Array(hosts);
  for (let server = 0; server < cluster.serverCount; server++) {
    const host = current[server];
    allocatedVcpus[host] += cluster.flavorVcpus[server];
    allocatedMemory[host] += cluster.flavorMemory[server];
    allocatedDisk[host] += cluster.flavorDisk[server];
    finalMemory[finalHost[server]] += cluster.flavorMemory[server];
    finalCount[finalHost[server]]++;
  }
  // Members of hard anti-affinity groups per host (key group * hosts + host).
  const members = new Map<number, number>();
  const antiAffinityGroups = (server: number) => {
    const out: number[] = [];
    for (const group of cluster.groupsOf(server)) if (cluster.groups[group].policy === 'anti-affinity') out.push(group);
    return out;
  };
  const serverGroups = new Map<number, number[]>();
  for (let server = 0; server < cluster.serverCount; server++) {
    if (!cluster.hasGroups(server)) continue;
    const groups = antiAffinityGroups(server);
    if (!groups.length) continue;
    serverGroups.set(server, groups);
    for (const group of groups) {
      const key = group * hosts + current[server];
      members.set(key, (members.get(key) ?? 0) + 1);
    }
  }

  let pending = prioritise(cluster, current, finalHost);
  const moves: ScheduledMove[] = [];
  const parkings = new Uint8Array(cluster.serverCount);

  // Per-wave bookkeeping, reset through the list of touched hosts.
  const incomingVcpus = new Float64Array(hosts);
  const incomingMemory = new Float64Array(hosts);
  const incomingDisk = new Float64Array(hosts);
  const inWave = new Int32Array(hosts);
  const touched: number[] = [];
  const arrivals = new Set<number>();

  const roomFor = (server: number, host: number) =>
    fitsCapacity(allocatedMemory[host] + incomingMemory[host], cluster.flavorMemory[server], cluster.memoryCapacity[host]) &&
    fitsCapacity(allocatedVcpus[host] + incomingVcpus[host], cluster.flavorVcpus[server], cluster.vcpuCapacity[host]) &&
    fitsCapacity(allocatedDisk[host] + incomingDisk[host], cluster.flavorDisk[server], cluster.diskCapacity[host]);
  const groupsAllow = (server: number, host: number) => {
    const groups = serverGroups.get(server);
    if (!groups) return true;
    for (const group of groups) {
      const key = group * hosts + host;
      if ((members.get(key) ?? 0) >= cluster.groups[group].maxPerHost || arrivals.has(key)) return false;
    }
    return true;
  };
  const hostsFree = (source: number, destination: number) => inWave[source] < maxPerHost && inWave[destination] < maxPerHost;
  const touch = (host: number) => { if (inWave[host] === 0) touched.push(host); inWave[host]++; };
  const accept = (wave: ScheduledMove[], waveNumber: number, server: number, destination: number, temporary: boolean, forServer = -1) => {
    const source = current[server];
    touch(source);
    touch(destination);
    incomingVcpus[destination] += cluster.flavorVcpus[server];
    incomingMemory[destination] += cluster.flavorMemory[server];
    incomingDisk[destination] += cluster.flavorDisk[server];
    for (const group of serverGroups.get(server) ?? []) arrivals.add(group * hosts + destination);
    heading[server] = destination;
    wave.push({ wave: waveNumber, server, source, destination, temporary, forServer });
  };

  let waveNumber = 0;
  let stuck: Schedule['stuck'] = [];
  while (pending.length > 0) {
    const wave: ScheduledMove[] = [];
    for (const server of pending) {
      if (wave.length >= maxParallel) break;
      const destination = heading[server];
      if (!hostsFree(current[server], destination)) continue;
      if (!roomFor(server, destination) || !groupsAllow(server, destination)) continue;
      accept(wave, waveNumber, server, destination, false);
    }
    if (wave.length === 0) {
      parkBlockers(wave, waveNumber);
      if (wave.length === 0) {
        stuck = pending.map((server) => ({ server, destination: finalHost[server], reason: explainStuck(server) }));
        break;
      }
    }
    // The wave completes: sources release, destinations keep.
    for (const move of wave) {
      const { server, source, destination } = move;
      allocatedVcpus[source] -= cluster.flavorVcpus[server];
      allocatedMemory[source] -= cluster.flavorMemory[server];
      allocatedDisk[source] -= cluster.flavorDisk[server];
      allocatedVcpus[destination] += cluster.flavorVcpus[server];
      allocatedMemory[destination] += cluster.flavorMemory[server];
      allocatedDisk[destination] += cluster.flavorDisk[server];
      for (const group of serverGroups.get(server) ?? []) {
        const from = group * hosts + source;
        const left = (members.get(from) ?? 0) - 1;
        if (left > 0) members.set(from, left); else members.delete(from);
        const to = group * hosts + destination;
        members.set(to, (members.get(to) ?? 0) + 1);
      }
      current[server] = destination;
      heading[server] = finalHost[server];
      moves.push(move);
    }
    for (const host of touched) {
      inWave[host] = 0;
      incomingVcpus[host] = 0;
      incomingMemory[host] = 0;
      incomingDisk[host] = 0;
    }
    touched.length = 0;
    arrivals.clear();
    // A parked server moves on last: the room it waits for is what the cycle it left needs.
    const parked = wave.filter((move) => move.temporary).map((move) => move.server);
    pending = pending.filter((server) => current[server] !== finalHost[server] && !parked.includes(server)).concat(parked);
    waveNumber++;
  }
  return { moves, waveCount: waveNumber, stuck };

  /**
   * Nothing can move: every pending server waits for room (or for a group member to leave)
   * on its destination. Park one of the servers that must leave that destination anyway on a
   * third host with room, for each blocked destination, as far as the wave limits allow.
   */
  function parkBlockers(wave: ScheduledMove[], waveNumber: number): void {
    const leaving = new Map<number, number[]>();
    for (const server of pending) {
      const list = leaving.get(current[server]);
      if (list) list.push(server); else leaving.set(current[server], [server]);
    }
    // Room made on a host lets one waiting server in, whose leaving makes room on its own host,
    // and so on around the cycle: the next parking goes where this one does not reach. `chain`
    // follows the servers that fit in the room made; `cycle` takes every host that waits on it.
    const arriving = new Map<number, number[]>();
    for (const server of pending) {
      const list = arriving.get(heading[server]);
      if (list) list.push(server); else arriving.set(heading[server], [server]);
    }
    const unblocked = new Uint8Array(hosts);
    const served = new Set<number>();
    const waitingOn = new Map<number, number[]>();
    for (const server of pending) {
      const list = waitingOn.get(heading[server]);
      if (list) list.push(current[server]); else waitingOn.set(heading[server], [current[server]]);
    }
    const unblockCycle = (host: number) => {
      const queue = [host];
      unblocked[host] = 1;
      while (queue.length) {
        for (const waiting of waitingOn.get(queue.pop()!) ?? []) {
          if (!unblocked[waiting]) { unblocked[waiting] = 1; queue.push(waiting); }
        }
      }
    };
    const unblockChain = (host: number, freedBy: number) => {
      let room = [cluster.flavorMemory[freedBy], cluster.flavorVcpus[freedBy], cluster.flavorDisk[freedBy]];
      for (let at = host; at >= 0 && !unblocked[at];) {
        unblocked[at] = 1;
        const free = [cluster.memoryCapacity[at] - allocatedMemory[at], cluster.vcpuCapacity[at] - allocatedVcpus[at], cluster.diskCapacity[at] - allocatedDisk[at]];
        const next = (arriving.get(at) ?? []).find((server) => !served.has(server) &&
          fitsCapacity(0, cluster.flavorMemory[server], room[0] + free[0]) &&
          fitsCapacity(0, cluster.flavorVcpus[server], room[1] + free[1]) &&
          fitsCapacity(0, cluster.flavorDisk[server], room[2] + free[2]));
        if (next === undefined) break;
        served.add(next);
        room = [cluster.flavorMemory[next], cluster.flavorVcpus[next], cluster.flavorDisk[next]];
        at = current[next];
      }
    };
    const chosen = new Set<number>();
    for (const server of pending) {
      if (wave.length >= maxParallel) break;
      const destination = heading[server];
      if (unblocked[destination] || inWave[destination] >= maxPerHost) continue;
      const shortMemory = allocatedMemory[destination] + cluster.flavorMemory[server] - cluster.memoryCapacity[destination];
      const shortVcpus = allocatedVcpus[destination] + cluster.flavorVcpus[server] - cluster.vcpuCapacity[destination];
      const shortDisk = allocatedDisk[destination] + cluster.flavorDisk[server] - cluster.diskCapacity[destination];
      const blockingGroups = (serverGroups.get(server) ?? []).filter((group) => (members.get(group * hosts + destination) ?? 0) >= cluster.groups[group].maxPerHost);
      const candidates = (leaving.get(destination) ?? []).filter((other) => other !== server && !chosen.has(other) && parkings[other] < MAX_PARKINGS_PER_SERVER);
      const useful = (other: number) => blockingGroups.length
        ? (serverGroups.get(other) ?? []).some((group) => blockingGroups.includes(group))
        : cluster.flavorMemory[other] >= shortMemory && cluster.flavorVcpus[other] >= shortVcpus && cluster.flavorDisk[other] >= shortDisk;
      const ordered = candidates.filter(useful).sort((a, b) => cluster.flavorMemory[a] - cluster.flavorMemory[b] || a - b);
      if (!blockingGroups.length) ordered.push(...candidates.filter((other) => !useful(other)).sort((a, b) => cluster.flavorMemory[b] - cluster.flavorMemory[a] || a - b));
      for (const blocker of ordered) {
        const parking = parkingHost(blocker, destination);
        if (parking < 0) continue;
        chosen.add(blocker);
        parkings[blocker]++;
        accept(wave, waveNumber, blocker, parking, true, server);
        if (parkingPolicy === 'chain') unblockChain(destination, blocker); else unblockCycle(destination);
        break;
      }
    }
  }

  /** A third host with room now for the server, preferring hosts that stay on anyway. */
  function parkingHost(server: number, avoid: number): number {
    let best = -1;
    let bestScore = -Infinity;
    const source = current[server];
    const zone = cluster.requestedZone[server];
    for (let host = 0; host < hosts; host++) {
      if (host === avoid || host === source || host === finalHost[server] || !cluster.enabled[host] || cluster.drainHost[host]) continue;
      if (zone !== null && cluster.zone[host] !== zone) continue;
      if (cluster.flavorMemory[server] > cluster.memoryTotal[host] || cluster.flavorVcpus[server] > cluster.vcpuTotal[host] || cluster.flavorDisk[server] > cluster.diskTotal[host]) continue;
      if (!hostsFree(source, host) || !roomFor(server, host) || !groupsAllow(server, host)) continue;
      const memoryRoom = (cluster.memoryCapacity[host] - Math.max(allocatedMemory[host] + incomingMemory[host], finalMemory[host])) / cluster.memoryCapacity[host];
      const score = (finalCount[host] > 0 ? 1 : 0) + memoryRoom;
      if (score > bestScore) {
        best = host;
        bestScore = score;
      }
    }
    return best;
  }

  function explainStuck(server: number): string {
    const destination = heading[server];
    const name = cluster.hostNames[destination];
    if (!roomFor(server, destination)) return `${name} has no room for it until other servers leave, and no third host can take them for a while`;
    if (!groupsAllow(server, destination)) return `a member of its anti-affinity group holds ${name} and cannot be moved out of the way`;
    return `no valid order of moves reaches ${name}`;
  }
}

/**
 * Pending moves in an order that spreads each wave over many hosts: a host with d moves gets
 * its i-th move at position (i + 0.5) / d, so busy hosts take part in every wave.
 */
function prioritise(cluster: Cluster, current: Int32Array, finalHost: Int32Array): number[] {
  const pending: number[] = [];
  const degree = new Int32Array(cluster.hostCount);
  for (let server = 0; server < cluster.serverCount; server++) {
    if (current[server] === finalHost[server]) continue;
    pending.push(server);
    degree[current[server]]++;
    degree[finalHost[server]]++;
  }
  const largestFirst = (a: number, b: number) => cluster.flavorMemory[b] - cluster.flavorMemory[a] || a - b;
  const rankAt = (hostOf: Int32Array) => {
    const rank = new Float64Array(cluster.serverCount);
    const byHost = new Map<number, number[]>();
    for (const server of pending) {
      const list = byHost.get(hostOf[server]);
      if (list) list.push(server); else byHost.set(hostOf[server], [server]);
    }
    for (const [host, list] of byHost) list.sort(largestFirst).forEach((server, index) => { rank[server] = (index + 0.5) / degree[host]; });
    return rank;
  };
  const bySource = rankAt(current);
  const byDestination = rankAt(finalHost);
  const key = new Float64Array(cluster.serverCount);
  for (const server of pending) key[server] = Math.max(bySource[server], byDestination[server]);
  return pending.sort((a, b) => key[a] - key[b] || a - b);
}
