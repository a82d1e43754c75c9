// The host plans ulm makes itself, run by the applier and journaled like any plan: bringing
// hosts back from maintenance (power on, enable, optionally moving servers back onto them) and
// powering hosts off at a set time. No process outside the applier changes the cloud, so a crash
// anywhere leaves a plan to resume, never a host half restored with nothing to say so.
import type { PlanDocument, PlanGoal } from '../../core/plan/format.js';
import { planPowerOff } from '../../core/planner/power-off.js';
import { planRestore } from '../../core/planner/restore.js';
import type { Policy } from '../../core/policy/schema.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import { ensureApplierAvailable } from '../applier/availability.js';
import type { ActionPlanRecord } from '../db/index.js';
import { withExemptions } from './exemptions.js';
import { startApprovedPlan, type PlanStartDependencies } from './plan-start.js';

export interface HostPlanDependencies extends PlanStartDependencies {
  collect: (policy: Policy, generator?: Record<string, unknown>) => Promise<Snapshot>;
  now: () => number;
  planner: string;
}

/** What an undrain did for each named host; `restored` only once the host is in service. */
export interface UndrainResult {
  host: string;
  restored: boolean;
  detail: string;
}

export interface HostPlanOutcome {
  results: UndrainResult[];
  /** The plan the applier runs, or null when there was nothing to do. */
  actionPlanId: string | null;
}

/** Hosts need no metrics to come back: allocations stand in for missing ones. */
const COLLECTION_POLICY: Policy = { goal: 'consolidate', metrics: { missing: 'use_allocations' } };

/** Stores the snapshot, an audit of the host plan and the plan itself, APPROVED, and starts it. */
async function storeAndStart(deps: HostPlanDependencies, goal: PlanGoal, snapshot: Snapshot, document: PlanDocument, triggeredBy: 'manual' | 'window', parameters: Record<string, unknown>): Promise<ActionPlanRecord> {
  const { repositories } = deps;
  const stored = await repositories.snapshots.create(snapshot);
  const audit = await repositories.audits.create({ policyId: null, policyName: `ulm ${goal}`, goal, triggeredBy, parameters });
  await repositories.audits.updateState(audit.id, 'ONGOING');
  const plan = await repositories.actionPlans.create({ auditId: audit.id, document, state: 'APPROVED' });
  await repositories.audits.updateState(audit.id, 'SUCCEEDED', { snapshotId: stored.id });
  await startApprovedPlan(deps, plan.id);
  return plan;
}

/** Where the servers that plans moved off `hosts` came from: the target to move them back. */
async function placementBefore(deps: HostPlanDependencies, hosts: string[]): Promise<Record<string, string>> {
  const target: Record<string, string> = {};
  const plans = await deps.repositories.actionPlans.list({ states: ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'], limit: 50 });
  for (const record of plans.reverse()) {
    for (const action of record.document.actions) {
      if (action.type === 'live_migrate' && !action.temporary && hosts.includes(action.source)) target[action.server] = action.source;
      else if (action.type === 'live_migrate' && target[action.server] === action.destination) delete target[action.server];
    }
  }
  return target;
}

/**
 * Brings the named hosts that ulm put into maintenance back, as a restore plan the applier runs;
 * with `rebalance`, the servers drained off them move back where they can (the others are listed
 * in the plan with their reasons). Hosts ulm does not hold are reported and left alone.
 */
export async function restoreHosts(deps: HostPlanDependencies, hosts: string[], options: { rebalance?: Policy; triggeredBy?: 'manual' | 'window' } = {}): Promise<HostPlanOutcome> {
  const { repositories } = deps;
  // Refused before anything is stored when no applier would run the plan.
  await ensureApplierAvailable(deps.bus);
  const snapshot = await deps.collect(options.rebalance ?? COLLECTION_POLICY, { tool: deps.planner });
  const held = new Map((await repositories.hostStates.list()).map((record) => [record.host, record]));
  const results: UndrainResult[] = [];
  const toRestore: string[] = [];
  for (const name of hosts) {
    const host = snapshot.hosts.find((candidate) => candidate.name === name);
    const record = held.get(name);
    if (!host) results.push({ host: name, restored: false, detail: `${name} is not a compute host of this cloud` });
    else if (host.enabled) {
      if (record?.disabled) await repositories.hostStates.recordEnabled(name);
      results.push({ host: name, restored: true, detail: `${name} is in service (its nova-compute service is enabled)` });
    } else if (!record?.disabled && !/^ulm/.test(host.disabled_reason ?? '')) {
      results.push({ host: name, restored: false, detail: `ulm did not disable ${name} (${host.disabled_reason ?? 'no reason given'}); left alone` });
    } else toRestore.push(name);
  }
  if (!toRestore.length) return { results, actionPlanId: null };

  const poweredOff = toRestore.filter((name) => held.get(name)?.poweredOff);
  let planned = { snapshot, policy: options.rebalance ?? COLLECTION_POLICY };
  let rebalance: { target: Record<string, string>; policy: Policy } | undefined;
  if (options.rebalance) {
    planned = withExemptions(snapshot, options.rebalance, await repositories.serverExemptions.list());
    rebalance = { target: await placementBefore(deps, toRestore), policy: planned.policy };
  }
  const document = planRestore({ snapshot: planned.snapshot, hosts: toRestore, poweredOff, rebalance, now: deps.now(), planner: deps.planner });
  const plan = await storeAndStart(deps, document.meta.goal as PlanGoal, snapshot, document, options.triggeredBy ?? 'manual', { hosts: toRestore, rebalance: Boolean(options.rebalance) });
  for (const name of toRestore) {
    const steps = [poweredOff.includes(name) ? 'power on' : null, 'wait for nova-compute', 'enable'].filter(Boolean).join(', ');
    results.push({ host: name, restored: false, detail: `restoring (${steps}): action plan ${plan.id}` });
  }
  return { results, actionPlanId: plan.id };
}

/** Powers off the named hosts ulm holds empty and disabled (a scheduled maintenance's start), as a plan. */
export async function powerOffHosts(deps: HostPlanDependencies, hosts: string[]): Promise<ActionPlanRecord | null> {
  await ensureApplierAvailable(deps.bus);
  const snapshot = await deps.collect(COLLECTION_POLICY, { tool: deps.planner });
  const document = planPowerOff({ snapshot, hosts, now: deps.now(), planner: deps.planner });
  if (!document.actions.length) return null;
  return storeAndStart(deps, 'power_off', snapshot, document, 'manual', { hosts });
}
