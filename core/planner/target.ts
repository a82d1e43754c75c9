// Reach target (goal `reach_target`): checks that the given placement is a valid end state and
// sets it as the placement to reach; the wave orderer finds the capacity-safe path to it. With
// the policy's `partial_target`, the servers that cannot reach their target stay where they are
// (each listed with its reason) and the others move.
import { fitsCapacity, withinUsageLimit } from '../capacity.js';
import type { Cluster } from '../cluster.js';
import { Constraint, type ConstraintCode } from '../constraints.js';
import type { PlanContext } from './context.js';
import { DEFAULT_SEARCH_BUDGET, exactSearchCovers, searchPath, type PathSearchResult } from './path-search.js';
import { pathWaves } from './path-waves.js';
import type { Placement } from './placement.js';
import { bestSchedule, type Schedule } from './waves.js';

/** A plan the wave orderer found is shortened with this fraction (1 / n) of the search budget. */
const IMPROVEMENT_SHARE = 4;

/** Moves every server to its target; returns false (placement untouched) when infeasible. */
export function reachTarget(placement: Placement, context: PlanContext): boolean {
  const cluster = placement.cluster;
  const target = cluster.target;
  if (!target) return false;
  const partial = cluster.policy.partialTarget;
  const problems: string[] = [];
  const moving: number[] = [];
  for (let server = 0; server < cluster.serverCount; server++) {
    const host = target[server];
    if (host < 0 || host === placement.hostOf[server]) continue;
    const problem = moveProblem(cluster, server, host);
    if (!problem) {
      moving.push(server);
      continue;
    }
    context.block(server, problem.code, problem.detail);
    problems.push(`${cluster.serverNames[server]}: ${problem.detail}`);
  }
  if (partial) {
    for (const server of moving) placement.move(server, target[server]);
    settleReceivers(placement, context);
    explainMoves(placement, context);
    return true;
  }
  if (problems.length) return infeasible(context, problems);

  const mark = placement.mark();
  for (const server of moving) placement.move(server, target[server]);
  const receivers = new Set(moving.map((server) => target[server]));
  for (const host of [...receivers].sort((a, b) => a - b)) {
    const name = cluster.hostNames[host];
    const over = (resource: string, used: number, capacity: number) => problems.push(`${name}: ${resource} ${round(used)} allocated > capacity ${round(capacity)} in the target`);
    if (!fitsCapacity(placement.allocatedMemory[host], 0, cluster.memoryCapacity[host])) over('MEMORY_MB', placement.allocatedMemory[host], cluster.memoryCapacity[host]);
    if (!fitsCapacity(placement.allocatedVcpus[host], 0, cluster.vcpuCapacity[host])) over('VCPU', placement.allocatedVcpus[host], cluster.vcpuCapacity[host]);
    if (!fitsCapacity(placement.allocatedDisk[host], 0, cluster.diskCapacity[host])) over('DISK_GB', placement.allocatedDisk[host], cluster.diskCapacity[host]);
  }
  for (const server of moving) {
    for (const groupNumber of cluster.groupsOf(server)) {
      const group = cluster.groups[groupNumber];
      if (group.policy === 'anti-affinity' && placement.membersOn(groupNumber, target[server]) > group.maxPerHost) {
        context.block(server, group.fromTag ? Constraint.antiAffinityTag : Constraint.antiAffinity);
        problems.push(`${cluster.serverNames[server]}: the target puts ${placement.membersOn(groupNumber, target[server])} members of anti-affinity group ${group.name} on ${cluster.hostNames[target[server]]}`);
      }
    }
  }
  for (let host = 0; host < cluster.hostCount; host++) {
    if (!placement.isActive(host) || placement.withinUsageLimits(host) || !receivers.has(host)) continue;
    problems.push(`${cluster.hostNames[host]}: the target puts it over the usage limits (max_host_cpu / max_host_memory)`);
  }
  if (problems.length) {
    placement.rollback(mark);
    return infeasible(context, problems);
  }
  explainMoves(placement, context);
  return true;
}

export interface ReachTargetOptions {
  /** Placements the search may examine (default: the search's own budget). */
  searchBudget?: number;
}

/**
 * The waves from the start to the placement `reachTarget` set. The wave orderer's schedule
 * first (fast, and enough on most clusters); where it leaves servers stuck, or parks servers on a
 * cluster small enough for an exact search, the search over placements, keeping the plan with
 * fewer migrations. When neither reaches the target: infeasible only with the search's proof,
 * otherwise the servers are listed as beyond the search limit (a partial plan that moves
 * nothing). With partial_target the stuck servers stay where they are and the others move.
 */
export function reachTargetSchedule(placement: Placement, context: PlanContext, options: ReachTargetOptions = {}): Schedule {
  const cluster = placement.cluster;
  const fast = bestSchedule(cluster, placement.hostOf);
  if (context.infeasible) return fast;
  if (cluster.policy.partialTarget) {
    return fast.stuck.length ? dropStuckServers(placement, context, fast, (hostOf) => bestSchedule(cluster, hostOf)) : fast;
  }
  const parks = fast.moves.some((move) => move.temporary);
  if (!fast.stuck.length && !(parks && exactSearchCovers(cluster))) return fast;

  const goal = Int32Array.from(placement.hostOf);
  // Shortening a plan that already works is worth a smaller share of the work than finding one.
  const budget = options.searchBudget ?? (fast.stuck.length ? DEFAULT_SEARCH_BUDGET : DEFAULT_SEARCH_BUDGET / IMPROVEMENT_SHARE);
  const result = searchPath(cluster, cluster.initialHost, goal, { budget });
  if (result.outcome === 'found') {
    const searched = pathWaves(cluster, cluster.initialHost, goal, result.moves);
    if (fast.stuck.length || searched.moves.length < fast.moves.length) {
      for (const move of searched.moves) {
        if (!move.temporary && move.destination === cluster.initialHost[move.server]) context.because(move.server, `back to ${cluster.hostNames[move.destination]} after making room`);
      }
      return searched;
    }
    return fast;
  }
  if (!fast.stuck.length) return fast;
  const empty: Schedule = { moves: [], waveCount: 0, stuck: [] };
  const why = searchVerdict(result);
  const stuckText = fast.stuck.slice(0, 5).map(({ server, destination }) => `${cluster.serverNames[server]} to ${cluster.hostNames[destination]}`).join(', ');
  const more = fast.stuck.length > 5 ? ` and ${fast.stuck.length - 5} more` : '';
  if (result.outcome === 'unreachable') {
    // A proof: every placement reachable from the start was visited.
    context.infeasible = `no order of live migrations reaches the target: ${why} (servers that cannot reach their target: ${stuckText}${more})`;
  } else {
    context.notes.push(`${why}: ${fast.stuck.length} server(s) not brought to their target (${stuckText}${more}); nothing is proposed, and the target is not proven infeasible`);
  }
  for (const { server, destination } of fast.stuck) context.block(server, Constraint.noSafePath, `could not reach ${cluster.hostNames[destination]}: ${why}`);
  return empty;
}

/** What the search established, for the operator. */
function searchVerdict(result: Exclude<PathSearchResult, { outcome: 'found' }>): string {
  if (result.outcome === 'limit') return `no path found within the search limit (${result.examined} placements examined)`;
  if (result.reachable <= 1) return 'no single migration is possible from the start';
  return `the search visited all ${result.reachable} placements reachable from the start and none is the target`;
}

/**
 * partial_target: the servers the wave orderer could not bring to their target stay where they
 * are, listed with the host they could not reach; the others are ordered again. Returns the
 * schedule that reaches what is left of the target.
 */
export function dropStuckServers(placement: Placement, context: PlanContext, schedule: Schedule, order: (hostOf: Int32Array) => Schedule): Schedule {
  const cluster = placement.cluster;
  while (schedule.stuck.length) {
    for (const { server, destination, reason } of schedule.stuck) {
      context.block(server, Constraint.noSafePath, `could not reach ${cluster.hostNames[destination]}: ${reason}`);
      placement.move(server, cluster.initialHost[server]);
    }
    // A server that stays may hold the room another one was to take on its host.
    settleReceivers(placement, context);
    schedule = order(placement.hostOf);
  }
  return schedule;
}

/** Why a server can never reach `host`, whatever the others do; null when it may. */
function moveProblem(cluster: Cluster, server: number, host: number): { code: ConstraintCode; detail: string } | null {
  if (cluster.pinned[server]) return { code: cluster.pinned[server] as ConstraintCode, detail: `cannot move (${cluster.pinDetail.get(server) ?? 'pinned'})` };
  const name = cluster.hostNames[host];
  if (!cluster.inScopeHost[host]) return { code: Constraint.outOfScope, detail: `target ${name}: ${cluster.outOfScopeDetail.get(host)}` };
  if (!cluster.enabled[host]) return { code: Constraint.hostNotReceiving, detail: `target ${name} is disabled or down and cannot receive servers` };
  if (cluster.requestedZone[server] !== null && cluster.zone[host] !== cluster.requestedZone[server]) {
    return { code: Constraint.availabilityZone, detail: `target ${name} is outside its availability zone ${cluster.requestedZone[server]}` };
  }
  if (cluster.flavorMemory[server] > cluster.memoryTotal[host] || cluster.flavorVcpus[server] > cluster.vcpuTotal[host] || cluster.flavorDisk[server] > cluster.diskTotal[host]) {
    return { code: Constraint.maxUnit, detail: `its flavor exceeds ${name}'s total (Placement max_unit)` };
  }
  return null;
}

/**
 * partial_target: every host that receives servers must hold them beside the servers that stay
 * on it (Placement capacity, usage limits, anti-affinity). On a host that cannot, the arriving
 * servers are admitted again one by one in server order and the rest stay home, which can
 * overfill their own host in turn: repeated until no host is over.
 */
function settleReceivers(placement: Placement, context: PlanContext): void {
  const cluster = placement.cluster;
  for (let changed = true; changed;) {
    changed = false;
    const arriving = new Map<number, number[]>();
    for (let server = 0; server < cluster.serverCount; server++) {
      const host = placement.hostOf[server];
      if (host === cluster.initialHost[server]) continue;
      const list = arriving.get(host);
      if (list) list.push(server); else arriving.set(host, [server]);
    }
    for (const host of [...arriving.keys()].sort((a, b) => a - b)) {
      const servers = arriving.get(host)!;
      if (holdsArrivals(placement, host, servers)) continue;
      for (const server of servers) placement.move(server, cluster.initialHost[server]);
      for (const server of servers) {
        const code = arrivalBlocker(placement, server, host);
        if (code === Constraint.none) {
          placement.move(server, host);
          continue;
        }
        context.block(server, code, `target ${cluster.hostNames[host]} has no room for it beside the servers that stay there (${blockerText(code)})`);
        changed = true;
      }
    }
  }
}

function holdsArrivals(placement: Placement, host: number, servers: number[]): boolean {
  const cluster = placement.cluster;
  if (!fitsCapacity(placement.allocatedMemory[host], 0, cluster.memoryCapacity[host])) return false;
  if (!fitsCapacity(placement.allocatedVcpus[host], 0, cluster.vcpuCapacity[host])) return false;
  if (!fitsCapacity(placement.allocatedDisk[host], 0, cluster.diskCapacity[host])) return false;
  if (!placement.withinUsageLimits(host)) return false;
  for (const server of servers) {
    for (const group of cluster.groupsOf(server)) {
      if (cluster.groups[group].policy === 'anti-affinity' && placement.membersOn(group, host) > cluster.groups[group].maxPerHost) return false;
    }
  }
  return true;
}

/** What keeps a server from joining `host` as it stands now (Constraint.none when nothing). */
function arrivalBlocker(placement: Placement, server: number, host: number): ConstraintCode {
  const cluster = placement.cluster;
  if (!fitsCapacity(placement.allocatedMemory[host], cluster.flavorMemory[server], cluster.memoryCapacity[host])) return Constraint.memoryCapacity;
  if (!fitsCapacity(placement.allocatedVcpus[host], cluster.flavorVcpus[server], cluster.vcpuCapacity[host])) return Constraint.vcpuCapacity;
  if (!fitsCapacity(placement.allocatedDisk[host], cluster.flavorDisk[server], cluster.diskCapacity[host])) return Constraint.diskCapacity;
  if (!withinUsageLimit(placement.usedCpu[host], cluster.cpuUsage[server], cluster.cpuLimit[host])) return Constraint.cpuUsageLimit;
  if (!withinUsageLimit(placement.usedMemory[host], cluster.memoryUsage[server], cluster.memoryLimit[host])) return Constraint.memoryUsageLimit;
  return placement.groupBlocker(server, host);
}

function blockerText(code: ConstraintCode): string {
  switch (code) {
    case Constraint.memoryCapacity: return 'MEMORY_MB capacity';
    case Constraint.vcpuCapacity: return 'VCPU capacity';
    case Constraint.diskCapacity: return 'DISK_GB capacity';
    case Constraint.cpuUsageLimit: return 'max_host_cpu';
    case Constraint.memoryUsageLimit: return 'max_host_memory';
    case Constraint.antiAffinityTag: return 'a server with the same anti-affinity tag is there';
    default: return 'a member of its anti-affinity server group is there';
  }
}

function explainMoves(placement: Placement, context: PlanContext): void {
  const cluster = placement.cluster;
  for (let server = 0; server < cluster.serverCount; server++) {
    if (placement.hostOf[server] !== cluster.initialHost[server]) context.because(server, `reach target: ${cluster.hostNames[placement.hostOf[server]]}`);
  }
}

function infeasible(context: PlanContext, problems: string[]): false {
  context.infeasible = `the target placement is infeasible: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`;
  return false;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
