// Restoring hosts from maintenance as an action plan: power on the hosts ulm powered off, enable
// the nova-compute services ulm disabled, then (optionally) live-migrate servers back to where
// they were before ulm moved them, planned as a partial reach_target on the restored cluster.
import type { EnableComputeAction, LiveMigrateAction, PlanAction, PlanDocument, PlanStatus, PowerOnAction } from '../plan/format.js';
import type { Policy } from '../policy/schema.js';
import type { Host, Snapshot } from '../snapshot/format.js';
import { ValidationError, type Issue } from '../validation.js';
import { plan } from './index.js';

export interface RestoreRequest {
  /** The cloud now (`ulm-cluster/1`). */
  snapshot: Snapshot;
  /** Hosts to bring back into service. */
  hosts: string[];
  /** Those of `hosts` that ulm powered off: they are powered on before they are enabled. */
  poweredOff?: string[];
  /** Move servers back: where each was before ulm moved it, and the limits to plan that with. */
  rebalance?: {
    /** Server id -> host name. Servers or hosts that no longer exist are left out (and noted). */
    target: Record<string, string>;
    /** Its goal is replaced by reach_target; `partial_target` defaults to true here. */
    policy: Policy;
  };
  /** The instant to plan for, in milliseconds since the epoch. */
  now: number;
  /** Name and version written into the plan's `planner` field. */
  planner: string;
}

/** Nova's disabled reason of a host ulm put into maintenance (the scorer's rule: `ulm` first). */
const ULM_REASON = /^ulm\b/;

export function planRestore(request: RestoreRequest): PlanDocument {
  const { snapshot } = request;
  const named = namedHosts(request);
  const notes: string[] = [];
  const leftAlone: string[] = [];
  const restored = new Set<string>();
  // Snapshot order, not request order: the same hosts always give the same plan.
  for (const host of snapshot.hosts) {
    if (!named.has(host.name)) continue;
    if (host.enabled) {
      notes.push(`${host.name} is not in maintenance (its nova-compute service is enabled): nothing to restore`);
    } else if (!ULM_REASON.test(host.disabled_reason ?? '')) {
      leftAlone.push(host.name);
      notes.push(`${host.name} was disabled by someone else (disabled_reason ${JSON.stringify(host.disabled_reason ?? null)}): ulm leaves it alone`);
    } else {
      restored.add(host.name);
    }
  }

  const poweredOff = new Set(request.poweredOff ?? []);
  const actions: PlanAction[] = [];
  for (const host of snapshot.hosts) {
    if (!restored.has(host.name) || !poweredOff.has(host.name)) continue;
    actions.push({ wave: 0, type: 'power_on', host: host.name, reason: `bring ${host.name} back from maintenance: ulm powered it off` } satisfies PowerOnAction);
  }
  // A host receives servers only from the wave after its enable_compute, and is enabled only
  // after the wave that powered it on has completed.
  const enableWave = actions.length ? 1 : 0;
  for (const host of snapshot.hosts) {
    if (!restored.has(host.name)) continue;
    actions.push({ wave: enableWave, type: 'enable_compute', host: host.name, reason: `bring ${host.name} back into service: ulm disabled it (${host.disabled_reason})` } satisfies EnableComputeAction);
  }
  const firstMigrationWave = restored.size ? enableWave + 1 : 0;

  const rebalance = rebalancePlan(request, restored, notes);
  const migrations = rebalance.actions.map((action) => ({ ...action, wave: action.wave + firstMigrationWave }) as LiveMigrateAction);
  actions.push(...migrations);

  let status: PlanStatus;
  let infeasible = rebalance.meta.infeasible;
  if (actions.length === 0 && leftAlone.length) {
    status = 'infeasible';
    infeasible = `no host can be restored: ${leftAlone.join(', ')} ${leftAlone.length === 1 ? 'was' : 'were'} disabled by someone else`;
  } else if (actions.length === 0) {
    status = rebalance.meta.status === 'infeasible' ? 'infeasible' : 'nothing_to_do';
  } else if (leftAlone.length || rebalance.meta.status === 'partial' || rebalance.meta.status === 'infeasible') {
    status = 'partial';
  } else {
    status = 'complete';
  }

  return {
    format: rebalance.format,
    instance: snapshot.name ?? null,
    planner: request.planner,
    meta: {
      goal: migrations.length ? 'rebalance' : 'restore',
      status,
      now: rebalance.meta.now,
      metrics: { ...rebalance.meta.metrics, waves: new Set(actions.map((action) => action.wave)).size },
      blocked: rebalance.meta.blocked,
      notes: [...notes, ...rebalance.meta.notes],
      ...(infeasible ? { infeasible } : {}),
    },
    actions,
  };
}

/** The named hosts, checked: every name is a host of the snapshot, powered-off ones among them. */
function namedHosts(request: RestoreRequest): Set<string> {
  const known = new Set(request.snapshot.hosts.map((host) => host.name));
  const issues: Issue[] = [];
  if (!request.hosts.length) issues.push({ path: 'hosts', message: 'is empty: name at least one host to bring back' });
  request.hosts.forEach((name, index) => {
    if (!known.has(name)) issues.push({ path: `hosts[${index}]`, message: `"${name}" is not one of the snapshot's hosts` });
  });
  const named = new Set(request.hosts);
  (request.poweredOff ?? []).forEach((name, index) => {
    if (!named.has(name)) issues.push({ path: `powered_off[${index}]`, message: `"${name}" is not among the hosts to restore: add it to hosts, or leave it out here` });
  });
  if (issues.length) throw new ValidationError('invalid restore', issues);
  return named;
}

/**
 * The moves back, planned by the pure planner as a partial reach_target on a copy of the
 * snapshot in which the restored hosts are enabled and up. Without a rebalance target, the same
 * call with an empty target: no moves, and the plan's metrics.
 */
function rebalancePlan(request: RestoreRequest, restored: Set<string>, notes: string[]): PlanDocument {
  const { snapshot } = request;
  const hosts: Host[] = snapshot.hosts.map((host) => (restored.has(host.name) ? { ...host, enabled: true, disabled_reason: null, state: 'up' } : host));
  const target: Record<string, string> = {};
  let policy: Policy = { goal: 'reach_target' };
  if (request.rebalance) {
    const servers = new Set(snapshot.servers.map((server) => server.id));
    const hostNames = new Set(snapshot.hosts.map((host) => host.name));
    let gone = 0;
    for (const [server, host] of Object.entries(request.rebalance.target).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (servers.has(server) && hostNames.has(host)) target[server] = host;
      else gone++;
    }
    if (gone) notes.push(`${gone} server(s) of the rebalance target no longer exist, or their host does not: left out`);
    const { drain_hosts: _drained, ...limits } = request.rebalance.policy;
    policy = { ...limits, goal: 'reach_target', partial_target: limits.partial_target ?? true };
  }
  return plan({ snapshot: { ...snapshot, hosts, target }, policy, now: request.now, planner: request.planner });
}
