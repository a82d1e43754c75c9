// Consolidation (goal `consolidate`): empty as many hosts as the constraints allow, moving as
// few servers as possible. Hosts are ranked by how much they are worth keeping (size in the
// dimensions that bind, load, servers on them); the least worth keeping are emptied first into
// the planned keepers. A host is emptied completely or not at all: a move must buy a freed host.
import type { Cluster } from '../cluster.js';
import { Constraint, type ConstraintCode } from '../constraints.js';
import type { PlanContext } from './context.js';
import { BlockerTally, bestFit, chooseDestination, type FitRule, type HostScore } from './destinations.js';
import { GuidedFit } from './guided-fit.js';
import { memoryClasses, ZonedHostIndex } from './host-index.js';
import type { KindGuide } from './kind-guide.js';
import { makeRoom, type RoomEffort } from './make-room.js';
import { Placement } from './placement.js';
import { spareCapacityHolds } from './spare-capacity.js';

/** Slack on the planned keepers' capacity, for the room bin packing always loses. */
const KEEPER_MARGIN = 0.03;
/**
 * Work making room may spend (hosts examined, and ranges examined looking for where a server
 * moved aside goes): per host of the cluster, at least a base. Counted, not timed, so that plans
 * stay deterministic.
 */
const ROOM_EFFORT_PER_HOST = 1000;
const ROOM_EFFORT_BASE = 100_000;

interface Dimension {
  demand: (server: number) => number;
  capacity: (host: number) => number;
  used: (host: number) => number;
}

function dimensions(cluster: Cluster, placement: Placement): Dimension[] {
  return [
    { demand: (s) => cluster.flavorMemory[s], capacity: (h) => cluster.memoryCapacity[h], used: (h) => placement.allocatedMemory[h] },
    { demand: (s) => cluster.flavorVcpus[s], capacity: (h) => cluster.vcpuCapacity[h], used: (h) => placement.allocatedVcpus[h] },
    { demand: (s) => cluster.flavorDisk[s], capacity: (h) => cluster.diskCapacity[h], used: (h) => placement.allocatedDisk[h] },
    { demand: (s) => cluster.cpuUsage[s], capacity: (h) => cluster.cpuLimit[h], used: (h) => placement.usedCpu[h] },
    { demand: (s) => cluster.memoryUsage[s], capacity: (h) => cluster.memoryLimit[h], used: (h) => placement.usedMemory[h] },
  ];
}

/**
 * One way of weighing hosts and fits. Which works best depends on the cluster's shape, so the
 * planner tries several (consolidate-variants.ts) and keeps the best result.
 */
export interface ConsolidationVariant {
  /** Weight of a host's size (capacity in the dimensions that bind) in its keep score. */
  size: number;
  /** Weight of its load (what it holds). */
  load: number;
  /** Weight of its servers' moving cost: hosts with many servers are costly to empty. */
  servers: number;
  fit: FitRule;
  /**
   * How a host's size is measured: `weighted` sums its capacities weighted by how tight each
   * resource is overall; `bottleneck` counts how many average servers its scarcest resource
   * holds (on mixed hardware, a host rich in memory but poor in vCPUs is not big).
   */
  sizeBy?: 'weighted' | 'bottleneck';
  /** Added to each host's keep score: a search over which hosts to empty steers with it. */
  keepBonus?: Float64Array;
  /** Mixed hardware: which server shapes go to which kind of host (kind-guide.ts, guided-fit.ts); with fit `keep-order` only. */
  guide?: KindGuide;
}

export const DEFAULT_VARIANT: ConsolidationVariant = { size: 1, load: 1, servers: 1, fit: 'fullest' };

/** How much each host is worth keeping on, and each server's size, in one common scale. */
export interface HostRanking {
  keepScore: Float64Array;
  serverSize: Float64Array;
  /** Hosts that stay active whatever the plan does (a server on them never moves). */
  forced: Uint8Array;
}

export function rankHosts(placement: Placement, variant: ConsolidationVariant = DEFAULT_VARIANT): HostRanking {
  const cluster = placement.cluster;
  const dims = dimensions(cluster, placement);
  const hosts = cluster.hostCount;
  const weights: number[] = [];
  const meanCapacity: number[] = [];
  for (const dim of dims) {
    let demand = 0;
    for (let server = 0; server < cluster.serverCount; server++) demand += dim.demand(server);
    let capacity = 0;
    let counted = 0;
    for (let host = 0; host < hosts; host++) {
      if (!cluster.enabled[host] && !placement.isActive(host)) continue;
      capacity += cluster.enabled[host] ? dim.capacity(host) : dim.used(host);
      counted++;
    }
    const tightness = capacity > 0 ? demand / capacity : 0;
    weights.push(tightness * tightness);
    meanCapacity.push(counted > 0 && capacity > 0 ? capacity / counted : 1);
  }
  const weightSum = weights.reduce((a, b) => a + b, 0) || 1;
  const weight = weights.map((value) => value / weightSum);

  const forced = new Uint8Array(hosts);
  for (let server = 0; server < cluster.serverCount; server++) if (cluster.pinned[server]) forced[placement.hostOf[server]] = 1;

  let totalCost = 0;
  let activeHosts = 0;
  const cost = new Float64Array(hosts);
  for (let host = 0; host < hosts; host++) {
    if (!placement.isActive(host)) continue;
    activeHosts++;
    for (const server of placement.serversOn(host)) cost[host] += cluster.moveCost[server];
    totalCost += cost[host];
  }
  const meanCost = activeHosts ? totalCost / activeHosts : 1;

  // Average server, per resource, for the bottleneck measure.
  const meanDemand = dims.map((dim) => {
    let total = 0;
    for (let server = 0; server < cluster.serverCount; server++) total += dim.demand(server);
    return cluster.serverCount ? total / cluster.serverCount : 1;
  });
  const bottleneck = (host: number) => {
    let servers = Infinity;
    dims.forEach((dim, index) => { if (weight[index] > 0.01 && meanDemand[index] > 0) servers = Math.min(servers, dim.capacity(host) / meanDemand[index]); });
    return servers;
  };
  let meanBottleneck = 0;
  let counted = 0;
  for (let host = 0; host < hosts; host++) if (cluster.enabled[host]) { meanBottleneck += bottleneck(host); counted++; }
  meanBottleneck = counted && Number.isFinite(meanBottleneck) && meanBottleneck > 0 ? meanBottleneck / counted : 1;

  const keepScore = new Float64Array(hosts);
  for (let host = 0; host < hosts; host++) {
    let size = 0;
    let load = 0;
    dims.forEach((dim, index) => {
      size += weight[index] * dim.capacity(host) / meanCapacity[index];
      load += weight[index] * dim.used(host) / meanCapacity[index];
    });
    if (variant.sizeBy === 'bottleneck') size = bottleneck(host) / meanBottleneck;
    // Disabled hosts cannot receive: they are the first to empty.
    // The moving cost always breaks ties: of two alike hosts, the one cheaper to empty goes.
    const servers = (variant.servers + 0.001) * cost[host] / meanCost;
    keepScore[host] = cluster.enabled[host] ? variant.size * size + variant.load * load + servers + (variant.keepBonus?.[host] ?? 0) : -1e9 + load;
  }
  const serverSize = new Float64Array(cluster.serverCount);
  for (let server = 0; server < cluster.serverCount; server++) {
    let size = 0;
    dims.forEach((dim, index) => { size = Math.max(size, weight[index] * dim.demand(server) / meanCapacity[index]); });
    serverSize[server] = size;
  }
  return { keepScore, serverSize, forced };
}

interface Emptying {
  host: number;
  /** Journal mark after the host was emptied. */
  mark: number;
}

export function consolidate(placement: Placement, context: PlanContext, variant: ConsolidationVariant = DEFAULT_VARIANT): void {
  const cluster = placement.cluster;
  const policy = cluster.policy;
  const hosts = cluster.hostCount;
  const { keepScore, serverSize, forced } = rankHosts(placement, variant);
  const start = placement.mark();
  // Whether N+k holds so far. A cluster that starts without it may reach it by consolidating
  // (a host packed full leaves another with room for a large server): until then emptyings are
  // not held to it; from then on each must keep it.
  let spareCapacityHeld = policy.spareCapacityHosts > 0 && spareCapacityHolds(placement);

  // Tier 0: hosts that stay on (forced, planned keepers, hosts that could not be emptied).
  const tier = new Uint8Array(hosts).fill(1);
  const byKeepScore = Array.from({ length: hosts }, (_, host) => host)
    .filter((host) => placement.isActive(host))
    .sort((a, b) => keepScore[b] - keepScore[a] || a - b);
  for (const host of byKeepScore) if (forced[host]) tier[host] = 0;
  planKeepers(placement, byKeepScore, forced, tier);

  const candidates = byKeepScore.filter((host) => !forced[host]).reverse();
  const emptied = new Uint8Array(hosts);
  const emptyings: Emptying[] = [];
  const tally = new BlockerTally();
  const keepFirst: HostScore = (host) => keepScore[host];
  const fit = variant.fit === 'keep-order' ? keepFirst : bestFit(placement, variant.fit);
  // First fit in keep order runs on two indexes of free room (keepers, then the others).
  const indexed = variant.fit === 'keep-order';
  const classes = indexed ? memoryClasses(cluster.flavorMemory) : null;
  const keeperIndex = classes ? new ZonedHostIndex(placement, byKeepScore, classes) : null;
  const otherIndex = classes ? new ZonedHostIndex(placement, byKeepScore, classes) : null;
  const guided = classes && variant.guide ? new GuidedFit(placement, variant.guide, byKeepScore) : null;
  guided?.countKept((host) => tier[host] === 0);
  const setTier = (host: number) => {
    const included = !emptied[host] && placement.receiving[host] === 1;
    keeperIndex?.include(host, included && tier[host] === 0);
    otherIndex?.include(host, included && tier[host] === 1);
    guided?.include(host, included && tier[host] === 0);
  };
  let tierHosts: [number[], number[]] | null = null;
  const destinationTiers = (): [number[], number[]] => {
    if (tierHosts) return tierHosts;
    const keepers: number[] = [];
    const others: number[] = [];
    for (const host of byKeepScore) {
      if (emptied[host] || !placement.receiving[host]) continue;
      (tier[host] === 0 ? keepers : others).push(host);
    }
    return (tierHosts = [keepers, others]);
  };

  if (indexed) {
    for (const host of byKeepScore) setTier(host);
    placement.onHostChange = (host) => {
      keeperIndex!.refresh(host);
      otherIndex!.refresh(host);
    };
  }

  const keeperDestination = (server: number) => {
    if (!indexed) return chooseDestination(placement, server, [destinationTiers()[0]], fit);
    const steps = keeperIndex!.searchSteps;
    const destination = keeperIndex!.first(server);
    roomEffort.remaining -= keeperIndex!.searchSteps - steps;
    return destination;
  };

  const failures = new Map<number, { server: number; blocker: ConstraintCode }>();
  // Looking for room is bounded, so that large clusters stay fast.
  const roomEffort: RoomEffort = { remaining: Math.max(ROOM_EFFORT_PER_HOST * hosts, ROOM_EFFORT_BASE) };
  // Servers moved aside to make room: the reason holds if the server is still where it went.
  const madeRoom = new Map<number, { destination: number; reason: string }>();
  const tryEmpty = (host: number): boolean => {
    const servers = placement.serversOn(host).sort((a, b) => serverSize[b] - serverSize[a] || a - b);
    const shortOf = indexed
      ? shortfallAgainst(placement, host, keeperIndex!.totalRoom(), otherIndex!.totalRoom())
      : roomShortfall(placement, host, destinationTiers());
    if (shortOf !== Constraint.none) {
      failures.set(host, { server: servers[0], blocker: shortOf });
      return false;
    }
    const newMigrations = servers.filter((server) => cluster.initialHost[server] === host).length;
    if (placement.migrations + newMigrations > policy.maxMigrations) {
      failures.set(host, { server: servers[0], blocker: Constraint.migrationBudget });
      return false;
    }
    const mark = placement.mark();
    const guidedMark = guided?.mark() ?? 0;
    const wasReceiving = placement.receiving[host];
    placement.receiving[host] = 0;
    setTier(host);
    // The lists of hosts cost a pass over every host: built (once) only when a server needs them.
    for (const server of servers) {
      tally.reset();
      let destination: number;
      if (indexed) {
        guided?.leaving(server);
        // Guided, a server beyond its shape's shares tries a host not kept (which then stays on)
        // before the kept hosts: there it takes room the shares keep for other servers.
        destination = guided ? guided.destination(server) : keeperIndex!.first(server);
        if (destination < 0) destination = otherIndex!.first(server);
        if (destination < 0 && guided) destination = keeperIndex!.first(server);
        if (destination >= 0 && guided && tier[destination] === 0) guided.landed(server, destination);
      } else {
        destination = chooseDestination(placement, server, [destinationTiers()[0]], fit, tally);
        if (destination < 0) destination = chooseDestination(placement, server, [destinationTiers()[1]], keepFirst, tally);
      }
      if (destination >= 0) {
        placement.move(server, destination);
        continue;
      }
      const [keepers, others] = destinationTiers();
      // Guided, no room is made: servers moved aside by plain first fit would undo the shares
      // (1,000 hosts of four generations: the same 264 active hosts, in 0.2 s less).
      const roomOn = guided ? -1 : makeRoom(placement, server, keepers, serverSize, keeperDestination, (moved, destination) => {
        madeRoom.set(moved, { destination, reason: `consolidate: make room for ${cluster.serverNames[server]} (emptying ${cluster.hostNames[host]})` });
      }, roomEffort);
      if (roomOn < 0) {
        // The tally says why nothing fits (the index does not count blockers).
        if (indexed) chooseDestination(placement, server, [keepers, others], fit, tally);
        placement.rollback(mark);
        guided?.rollback(guidedMark);
        placement.receiving[host] = wasReceiving;
        setTier(host);
        failures.set(host, { server, blocker: tally.main() });
        return false;
      }
    }
    // N+k is checked after each host, not once at the end: a host whose emptying breaks it stays
    // on, and the hosts after it still get their turn (a smaller one may well fit).
    if (policy.spareCapacityHosts > 0) {
      const holds = spareCapacityHolds(placement);
      if (spareCapacityHeld && !holds) {
        placement.rollback(mark);
        guided?.rollback(guidedMark);
        placement.receiving[host] = wasReceiving;
        setTier(host);
        failures.set(host, { server: servers[0], blocker: Constraint.spareCapacity });
        return false;
      }
      spareCapacityHeld = holds;
    }
    emptied[host] = 1;
    setTier(host);
    tierHosts = null;
    emptyings.push({ host, mark: placement.mark() });
    return true;
  };

  // First the hosts planned for emptying, least worth keeping first; then the keepers, in
  // case the plan of keepers was too cautious.
  // Only hosts planned for emptying are reported when they cannot be: keepers are meant to stay.
  const plannedForEmptying = new Set<number>();
  for (const pass of [1, 0]) {
    for (const host of candidates) {
      if (tier[host] !== pass || emptied[host] || !placement.isActive(host)) continue;
      if (pass === 1) plannedForEmptying.add(host);
      if (!tryEmpty(host)) {
        tier[host] = 0;
        setTier(host);
        tierHosts = null;
      }
    }
  }
  placement.onHostChange = null;

  if (policy.spareCapacityHosts > 0) keepSpareCapacity(placement, context, emptyings, start, emptied);

  const freed = emptyings.filter(({ host }) => emptied[host]).length;
  if (freed > 0 && freed < policy.minHostsFreed) {
    placement.rollback(start);
    for (const { host } of emptyings) placement.receiving[host] = cluster.enabled[host];
    context.notes.push(`consolidation would free ${freed} host(s), fewer than min_hosts_freed ${policy.minHostsFreed}: nothing to gain`);
    return;
  }
  for (let server = 0; server < cluster.serverCount; server++) {
    const home = cluster.initialHost[server];
    if (placement.hostOf[server] === home) continue;
    if (emptied[home]) context.because(server, `consolidate: empty ${cluster.hostNames[home]}`);
    else if (madeRoom.get(server)?.destination === placement.hostOf[server]) context.because(server, madeRoom.get(server)!.reason);
    else if (!context.moveReasons.has(server)) context.because(server, `consolidate: make room on ${cluster.hostNames[home]} for a server of a host being emptied`);
  }
  // Explained: hosts planned for emptying that stay on, or every host when nothing was freed.
  const nothingFreed = emptyings.every(({ host }) => !emptied[host]);
  for (const [host, failure] of failures) {
    if (emptied[host] || !placement.isActive(host)) continue;
    // A keeper that N+k keeps on is reported too: the operator asked for that spare room.
    if (!plannedForEmptying.has(host) && !nothingFreed && failure.blocker !== Constraint.spareCapacity) continue;
    // The server reported is one of the host's own that stays; the detail names the blocker.
    const native = placement.serversOn(host).filter((server) => cluster.initialHost[server] === host);
    const reported = native.includes(failure.server) ? failure.server : native.sort((a, b) => serverSize[b] - serverSize[a] || a - b)[0];
    if (reported === undefined) continue;
    context.block(reported, failure.blocker, `${cluster.hostNames[host]} cannot be emptied: ${describe(cluster, failure)}`, host);
  }
  for (let host = 0; host < hosts; host++) {
    // Hosts outside the policy's scope are not part of the plan: nothing to explain about them.
    if (!forced[host] || !placement.isActive(host) || !cluster.inScopeHost[host]) continue;
    const pinned = placement.serversOn(host).find((server) => cluster.pinned[server]);
    if (pinned !== undefined) context.block(pinned, cluster.pinned[pinned] as ConstraintCode);
  }
}

/**
 * A cheap necessary condition: the receiving hosts together have room for everything on the
 * host, in every resource. Returns the resource that is short, or none.
 */
function roomShortfall(placement: Placement, host: number, tiers: number[][]): ConstraintCode {
  const cluster = placement.cluster;
  let memory = 0;
  let vcpus = 0;
  let cpu = 0;
  let usedMemory = 0;
  for (const hosts of tiers) {
    for (const other of hosts) {
      if (other === host) continue;
      memory += Math.max(0, cluster.memoryCapacity[other] - placement.allocatedMemory[other]);
      vcpus += Math.max(0, cluster.vcpuCapacity[other] - placement.allocatedVcpus[other]);
      cpu += Math.max(0, cluster.cpuLimit[other] - placement.usedCpu[other]);
      usedMemory += Math.max(0, cluster.memoryLimit[other] - placement.usedMemory[other]);
    }
  }
  if (memory < placement.allocatedMemory[host]) return Constraint.memoryCapacity;
  if (vcpus < placement.allocatedVcpus[host]) return Constraint.vcpuCapacity;
  if (cpu < placement.usedCpu[host]) return Constraint.cpuUsageLimit;
  if (usedMemory < placement.usedMemory[host]) return Constraint.memoryUsageLimit;
  return Constraint.none;
}

/** The same check with the receiving hosts' room already summed (by the indexes); `host` is among them. */
function shortfallAgainst(placement: Placement, host: number, ...rooms: number[][]): ConstraintCode {
  const cluster = placement.cluster;
  const own = placement.receiving[host] ? [
    Math.max(0, cluster.memoryCapacity[host] - placement.allocatedMemory[host]), Math.max(0, cluster.vcpuCapacity[host] - placement.allocatedVcpus[host]), 0,
    Math.max(0, cluster.cpuLimit[host] - placement.usedCpu[host]), Math.max(0, cluster.memoryLimit[host] - placement.usedMemory[host]),
  ] : [0, 0, 0, 0, 0];
  const room = (resource: number) => rooms.reduce((total, sums) => total + sums[resource], 0) - own[resource];
  if (room(0) < placement.allocatedMemory[host]) return Constraint.memoryCapacity;
  if (room(1) < placement.allocatedVcpus[host]) return Constraint.vcpuCapacity;
  if (room(3) < placement.usedCpu[host]) return Constraint.cpuUsageLimit;
  if (room(4) < placement.usedMemory[host]) return Constraint.memoryUsageLimit;
  return Constraint.none;
}

function describe(cluster: Cluster, failure: { server: number; blocker: ConstraintCode }): string {
  if (failure.blocker === Constraint.spareCapacity) return `emptying it would leave too little room for the servers of ${cluster.policy.spareCapacityHosts} failed host(s) (N+${cluster.policy.spareCapacityHosts} spare capacity)`;
  return `no host can take ${cluster.serverNames[failure.server]} (${CONSTRAINT_LABEL[failure.blocker] ?? 'constraint'})`;
}

const CONSTRAINT_LABEL: Partial<Record<ConstraintCode, string>> = {
  [Constraint.memoryCapacity]: 'Placement MEMORY_MB capacity',
  [Constraint.vcpuCapacity]: 'Placement VCPU capacity',
  [Constraint.diskCapacity]: 'Placement DISK_GB capacity',
  [Constraint.cpuUsageLimit]: 'max_host_cpu',
  [Constraint.memoryUsageLimit]: 'max_host_memory',
  [Constraint.antiAffinity]: 'anti-affinity server group',
  [Constraint.antiAffinityTag]: 'anti-affinity tag',
  [Constraint.availabilityZone]: 'availability zone',
  [Constraint.maxUnit]: 'Placement max_unit',
  [Constraint.forecastOverload]: 'usage forecast',
  [Constraint.migrationBudget]: 'max_migrations',
  [Constraint.hostNotReceiving]: 'no enabled host left',
};

/**
 * Marks as keepers (tier 0) the hosts most worth keeping until, with the forced hosts, they
 * can hold every server in every dimension.
 */
function planKeepers(placement: Placement, byKeepScore: number[], forced: Uint8Array, tier: Uint8Array): void {
  const cluster = placement.cluster;
  const dims = dimensions(cluster, placement);
  const demand = dims.map((dim) => {
    let total = 0;
    for (let server = 0; server < cluster.serverCount; server++) total += dim.demand(server);
    return total * (1 + KEEPER_MARGIN);
  });
  const covered = dims.map(() => 0);
  const holds = (host: number) => {
    dims.forEach((dim, index) => {
      covered[index] += cluster.enabled[host] ? Math.max(dim.capacity(host), dim.used(host)) : dim.used(host);
    });
  };
  for (const host of byKeepScore) if (forced[host]) holds(host);
  for (const host of byKeepScore) {
    if (covered.every((value, index) => value >= demand[index])) break;
    if (forced[host] || !cluster.enabled[host]) continue;
    tier[host] = 0;
    holds(host);
  }
}

/**
 * N+k, when the cluster did not have it at the start and consolidating never gave it: every
 * emptying is undone and reported (emptyings that keep N+k were already checked one by one).
 */
function keepSpareCapacity(placement: Placement, context: PlanContext, emptyings: Emptying[], start: number, emptied: Uint8Array): void {
  const cluster = placement.cluster;
  if (spareCapacityHolds(placement)) return;
  placement.rollback(start);
  for (const { host } of emptyings) {
    emptied[host] = 0;
    placement.receiving[host] = cluster.enabled[host];
    const server = placement.serversOn(host)[0];
    if (server !== undefined) context.block(server, Constraint.spareCapacity, `${cluster.hostNames[host]} stays on: N+${cluster.policy.spareCapacityHosts} spare capacity needs it`);
  }
  emptyings.length = 0;
}
