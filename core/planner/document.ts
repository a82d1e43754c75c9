// Turns a schedule of moves into the ulm-plan/1 document: migrations wave by wave, each host the
// plan empties (or, consolidating, finds empty) disabled in the wave after its last migration,
// and powered off one wave later when the policy asks for it; plus the plan's metrics.
import { withinUsageLimit } from '../capacity.js';
import type { Cluster } from '../cluster.js';
import { Constraint } from '../constraints.js';
import { PLAN_FORMAT, type PlanAction, type PlanDocument, type PlanMetrics, type PlanStatus } from '../plan/format.js';
import type { PlanContext } from './context.js';
import { Placement } from './placement.js';
import { emptyHostsSpareCapacityNeeds } from './spare-capacity.js';
import type { Schedule } from './waves.js';

export function powerDraw(cluster: Cluster, host: number, cpuCores: number): number {
  const utilisation = Math.min(1, cpuCores / cluster.vcpuTotal[host]);
  return cluster.idleWatts[host] + (cluster.maxWatts[host] - cluster.idleWatts[host]) * utilisation;
}

interface HostSums {
  count: Int32Array;
  cpu: Float64Array;
  memory: Float64Array;
}

function sums(cluster: Cluster, hostOf: Int32Array): HostSums {
  const count = new Int32Array(cluster.hostCount);
  const cpu = new Float64Array(cluster.hostCount);
  const memory = new Float64Array(cluster.hostCount);
  for (let server = 0; server < cluster.serverCount; server++) {
    count[hostOf[server]]++;
    cpu[hostOf[server]] += cluster.cpuUsage[server];
    memory[hostOf[server]] += cluster.memoryUsage[server];
  }
  return { count, cpu, memory };
}

export interface DocumentInput {
  cluster: Cluster;
  context: PlanContext;
  schedule: Schedule;
  planner: string;
}

export function buildPlanDocument({ cluster, context, schedule, planner }: DocumentInput): PlanDocument {
  const policy = cluster.policy;
  const finalHost = Int32Array.from(cluster.initialHost);
  const lastWave = new Int32Array(cluster.hostCount).fill(-1);
  const actions: PlanAction[] = [];
  for (const move of schedule.moves) {
    finalHost[move.server] = move.destination;
    lastWave[move.source] = Math.max(lastWave[move.source], move.wave);
    lastWave[move.destination] = Math.max(lastWave[move.destination], move.wave);
    const reason = move.temporary
      ? `make room on ${cluster.hostNames[move.source]} for ${cluster.serverNames[move.forServer]} (temporary move)`
      : context.moveReasons.get(move.server) ?? 'planned placement';
    actions.push({
      wave: move.wave, type: 'live_migrate', server: cluster.serverIds[move.server], server_name: cluster.serverNames[move.server],
      source: cluster.hostNames[move.source], destination: cluster.hostNames[move.destination], reason,
      ...(move.temporary ? { temporary: true } : {}),
    });
  }
  const before = sums(cluster, cluster.initialHost);
  const after = sums(cluster, finalHost);
  const stuckServers = new Set(schedule.stuck.map(({ server }) => server));

  const offline = hostsToMaintain(cluster, context, before, after, finalHost, lastWave);
  for (const { host, wave } of offline) {
    actions.push({ wave, type: 'disable_compute', host: cluster.hostNames[host], reason: policy.disabledReason });
  }
  if (policy.powerOff) {
    for (const { host, wave } of offline) {
      actions.push({ wave: wave + 1, type: 'power_off', host: cluster.hostNames[host], reason: `${cluster.hostNames[host]} is empty and disabled` });
    }
  }
  // Stable order: by wave, migrations before maintenance actions, then as scheduled.
  const typeOrder: Record<PlanAction['type'], number> = { power_on: 0, enable_compute: 1, live_migrate: 2, disable_compute: 3, power_off: 4 };
  const ordered = actions.map((action, index) => ({ action, index }))
    .sort((a, b) => a.action.wave - b.action.wave || typeOrder[a.action.type] - typeOrder[b.action.type] || a.index - b.index)
    .map(({ action }) => action);

  for (const { server, destination, reason } of schedule.stuck) context.block(server, Constraint.noSafePath, `could not reach ${cluster.hostNames[destination]}: ${reason}`);

  const metrics = planMetrics(cluster, before, after, schedule, offline.length, policy.powerOff ? offline.length : 0);
  metrics.waves = new Set(ordered.map((action) => action.wave)).size;
  let status: PlanStatus = 'complete';
  if (context.infeasible) status = 'infeasible';
  else if (stuckServers.size > 0 || ((policy.goal === 'drain' || policy.goal === 'reach_target') && context.blocked.length > 0) || overLimitsInScope(cluster, after) > 0) status = 'partial';
  else if (ordered.length === 0) status = 'nothing_to_do';

  return {
    format: PLAN_FORMAT,
    instance: cluster.name,
    planner,
    meta: {
      goal: policy.goal,
      status,
      now: new Date(cluster.now).toISOString(),
      metrics,
      blocked: context.blocked,
      notes: context.notes,
      ...(context.infeasible ? { infeasible: context.infeasible } : {}),
    },
    actions: ordered,
  };
}

/**
 * Hosts to put into maintenance, each with its wave: enabled, up and empty after the plan, not
 * left holding a server the orderer could not move. Emptied by this plan, or drained; for a
 * consolidation also those that were empty already (a window opening on idle hosts saves their
 * power too), except the ones N+k spare capacity needs. Moving servers to a target is no
 * consolidation: reach_target puts no host into maintenance.
 */
function hostsToMaintain(cluster: Cluster, context: PlanContext, before: HostSums, after: HostSums, finalHost: Int32Array, lastWave: Int32Array): { host: number; wave: number }[] {
  const goal = cluster.policy.goal;
  if (goal === 'reach_target') return [];
  const offline: { host: number; wave: number }[] = [];
  const idle: number[] = [];
  for (let host = 0; host < cluster.hostCount; host++) {
    if (!cluster.enabled[host] || after.count[host] > 0) continue;
    if (before.count[host] === 0 && !cluster.drainHost[host]) {
      if (goal === 'consolidate') idle.push(host);
      continue;
    }
    offline.push({ host, wave: lastWave[host] + 1 });
  }
  const kept = new Set(idle.length && cluster.policy.spareCapacityHosts > 0 ? emptyHostsSpareCapacityNeeds(new Placement(cluster, finalHost), idle) : []);
  for (const host of idle) {
    if (!kept.has(host)) offline.push({ host, wave: lastWave[host] + 1 });
  }
  if (kept.size) {
    const names = [...kept].sort((a, b) => a - b).map((host) => cluster.hostNames[host]);
    context.notes.push(`${names.join(', ')} ${kept.size === 1 ? 'stays' : 'stay'} enabled though empty: the active hosts alone cannot take the servers of any ${cluster.policy.spareCapacityHosts} failed host(s) (N+${cluster.policy.spareCapacityHosts} spare capacity)`);
  }
  return offline.sort((a, b) => a.host - b.host);
}

function overLimits(cluster: Cluster, sum: HostSums, host: number): boolean {
  return !withinUsageLimit(sum.cpu[host], 0, cluster.cpuLimit[host]) || !withinUsageLimit(sum.memory[host], 0, cluster.memoryLimit[host]);
}

/** Hosts over the usage limits after the plan that the plan was to relieve: those in the policy's scope. */
function overLimitsInScope(cluster: Cluster, after: HostSums): number {
  let count = 0;
  for (let host = 0; host < cluster.hostCount; host++) if (cluster.inScopeHost[host] && overLimits(cluster, after, host)) count++;
  return count;
}

function planMetrics(cluster: Cluster, before: HostSums, after: HostSums, schedule: Schedule, disabled: number, poweredOff: number): PlanMetrics {
  let activeBefore = 0;
  let activeAfter = 0;
  let powerBefore = 0;
  let powerAfter = 0;
  let overBefore = 0;
  let overAfter = 0;
  const over = (sum: HostSums, host: number) => overLimits(cluster, sum, host);
  for (let host = 0; host < cluster.hostCount; host++) {
    if (before.count[host] > 0) {
      activeBefore++;
      powerBefore += powerDraw(cluster, host, before.cpu[host]);
      if (over(before, host)) overBefore++;
    }
    if (after.count[host] > 0) {
      activeAfter++;
      powerAfter += powerDraw(cluster, host, after.cpu[host]);
      if (over(after, host)) overAfter++;
    }
  }
  const migrated = new Set<number>();
  let memory = 0;
  let temporary = 0;
  for (const move of schedule.moves) {
    migrated.add(move.server);
    memory += cluster.flavorMemory[move.server];
    if (move.temporary) temporary++;
  }
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    active_hosts_before: activeBefore,
    active_hosts_after: activeAfter,
    hosts_freed: activeBefore - activeAfter,
    hosts_disabled: disabled,
    hosts_powered_off: poweredOff,
    migrations: schedule.moves.length,
    temporary_migrations: temporary,
    servers_migrated: migrated.size,
    waves: schedule.waveCount,
    memory_to_move_mb: memory,
    power_before_w: round(powerBefore),
    power_after_w: round(powerAfter),
    power_saved_w: round(powerBefore - powerAfter),
    hosts_over_limits_before: overBefore,
    hosts_over_limits_after: overAfter,
  };
}
