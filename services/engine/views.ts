// Records as the API shows them: snake_case fields, ISO 8601 times, and the derived parts
// (a plan's progress, a window's next opening, a plan's before/after picture of the hosts).
import { placementCapacity } from '../../core/capacity.js';
import { nextOccurrence, occurrenceAt } from '../../core/policy/power-saving-window.js';
import type { PlanDocument } from '../../core/plan/format.js';
import type { ActionState } from '../../core/plan/states.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import type { ActionPlanRecord, ActionRecord, AuditRecord, PolicyRecord, ServerExemptionRecord, SnapshotRecord, WindowRecord } from '../db/index.js';
import type { ActionPlanView, ActionView, AuditView, PlanDoneView, ExemptionView, HostLoad, HostPicture, PolicyView, SnapshotView, WindowView } from '../../core/api/records.js';

export function policyView(record: PolicyRecord): PolicyView {
  return { id: record.id, name: record.name, description: record.description, document: record.document, created_at: record.createdAt, updated_at: record.updatedAt };
}

export function windowView(record: WindowRecord, policyName: string, now: number): WindowView {
  const open = occurrenceAt(record.window, now);
  const next = open ?? nextOccurrence(record.window, now);
  const iso = (epochMs: number) => new Date(epochMs).toISOString();
  return {
    id: record.id, policy_id: record.policyId, policy_name: policyName, window: record.window,
    next: next ? { opens_at: iso(next.opensAt), stop_new_waves_at: iso(next.stopNewWavesAt), restore_at: iso(next.restoreAt), closes_at: iso(next.closesAt), open_now: open !== null } : null,
    created_at: record.createdAt, updated_at: record.updatedAt,
  };
}

const TRIGGERS: Record<string, string> = { manual: 'operator', window: 'window', overload: 'monitor' };

export function auditView(record: AuditRecord): AuditView {
  return {
    id: record.id, policy_id: record.policyId, policy_name: record.policyName, window_id: record.windowId, goal: record.goal,
    triggered_by: TRIGGERS[record.triggeredBy] ?? record.triggeredBy,
    state: record.state === 'CANCELLED' ? 'FAILED' : record.state,
    snapshot_id: record.snapshotId, action_plan_id: record.actionPlanId, failure_reason: record.failureReason,
    created_at: record.createdAt, started_at: record.startedAt, finished_at: record.finishedAt,
  };
}

export function actionView(record: ActionRecord): ActionView {
  return {
    id: record.id, action_plan_id: record.actionPlanId, index: record.planIndex, wave: record.wave, type: record.type,
    server: record.server, server_name: record.serverName, host: record.host, source: record.source, destination: record.destination,
    temporary: record.temporary, state: record.state, reason: record.reason, attempts: record.attempts,
    nova_migration_id: record.novaMigrationId, request_id: record.requestId, error: record.error,
    started_at: record.startedAt, finished_at: record.finishedAt,
  };
}

export function actionPlanView(record: ActionPlanRecord, actions: ActionRecord[]): ActionPlanView {
  const counts = { PENDING: 0, ONGOING: 0, SUCCEEDED: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 0 } as Record<ActionState, number>;
  let currentWave: number | null = null;
  for (const action of actions) {
    counts[action.state]++;
    if (action.state !== 'PENDING' && action.state !== 'CANCELLED') currentWave = Math.max(currentWave ?? 0, action.wave);
  }
  return {
    id: record.id, audit_id: record.auditId, goal: record.document.meta.goal as ActionPlanView['goal'], state: record.state,
    stale: record.stale, stale_reason: record.staleReason, failure_reason: record.failureReason, metrics: record.metrics,
    progress: {
      waves: new Set(actions.map((action) => action.wave)).size,
      current_wave: currentWave,
      counts,
      transfers: actions.filter((action) => action.state === 'ONGOING' && action.type === 'live_migrate')
        .map((action) => ({ server: action.serverName ?? action.server ?? '', source: action.source ?? '', destination: action.destination ?? '' })),
      done: doneOf(actions),
    },
    resumptions: record.resumptions,
    created_at: record.createdAt, started_at: record.startedAt, finished_at: record.finishedAt,
  };
}

/** What a plan did, from its verified actions: a skipped power-off is not a powered-off host. */
export function doneOf(actions: readonly ActionRecord[]): PlanDoneView {
  const count = (type: string) => actions.filter((action) => action.type === type && action.state === 'SUCCEEDED').length;
  return {
    migrations: count('live_migrate'), hosts_disabled: count('disable_compute'), hosts_powered_off: count('power_off'),
    hosts_powered_on: count('power_on'), hosts_enabled: count('enable_compute'),
  };
}

export function exemptionView(record: ServerExemptionRecord): ExemptionView {
  return { id: record.id, server_id: record.serverId, kind: record.kind, windows: record.windows, tag: record.tag, reason: record.reason, created_at: record.createdAt };
}

export function snapshotView(record: SnapshotRecord & { document?: Snapshot }): SnapshotView {
  const document = record.document;
  const activeHosts = document ? new Set(document.servers.map((server) => server.host)).size : 0;
  const metrics = document?.metrics as { servers_without_fresh_metrics?: unknown[] } | undefined;
  return {
    id: record.id, collected_at: record.collectedAt, hosts: record.summary.hosts, servers: record.summary.servers,
    active_hosts: activeHosts, servers_without_metrics: metrics?.servers_without_fresh_metrics?.length ?? 0, created_at: record.createdAt,
  };
}

/** Each host's load in a placement (server id -> host name), as fractions of its capacity. */
export function hostLoads(snapshot: Snapshot, hostOf: Map<string, string>): Map<string, HostLoad> {
  const loads = new Map<string, HostLoad & { vcpus: number; memory: number; cpu: number; used: number }>();
  for (const host of snapshot.hosts) loads.set(host.name, { servers: [], vcpu_allocation: 0, memory_allocation: 0, cpu_usage: 0, memory_usage: 0, vcpus: 0, memory: 0, cpu: 0, used: 0 });
  for (const server of snapshot.servers) {
    const load = loads.get(hostOf.get(server.id) ?? server.host);
    if (!load) continue;
    load.servers.push(server.name ?? server.id);
    load.vcpus += server.flavor.vcpus;
    load.memory += server.flavor.memory_mb;
    load.cpu += server.usage.cpu_cores;
    load.used += server.usage.memory_mb;
  }
  const out = new Map<string, HostLoad>();
  const round = (value: number) => Math.round(value * 1000) / 1000;
  for (const host of snapshot.hosts) {
    const load = loads.get(host.name)!;
    out.set(host.name, {
      servers: load.servers.sort(),
      vcpu_allocation: round(load.vcpus / placementCapacity(host.vcpus, host.reserved_vcpus, host.vcpu_allocation_ratio)),
      memory_allocation: round(load.memory / placementCapacity(host.memory_mb, host.reserved_memory_mb, host.memory_allocation_ratio)),
      cpu_usage: round(load.cpu / host.vcpus),
      memory_usage: round(load.used / host.memory_mb),
    });
  }
  return out;
}

/** The hosts before and after the plan, as the panel draws them. */
export function planPicture(snapshot: Snapshot, document: PlanDocument): HostPicture[] {
  const after = new Map<string, string>();
  for (const action of document.actions) if (action.type === 'live_migrate') after.set(action.server, action.destination);
  const before = hostLoads(snapshot, new Map());
  const planned = hostLoads(snapshot, after);
  return snapshot.hosts.map((host) => ({ host: host.name, before: before.get(host.name)!, after: planned.get(host.name)! }));
}
