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
import type { ActionPlanRecord, AuditRecord } from '../db/index.js';
import { withExemptions } from './exemptions.js';
import { startApprovedPlan, type PlanStartDependencies } from './plan-start.js';

export interface HostPlanDependencies extends PlanStartDependencies {
  collect: (policy: Policy, generator?: Record<string, unknown>) => Promise<Snapshot>;
  now: () => number;
  planner: string;
  /** Who runs the audits of host plans (as EngineDependencies.runner): named in an abandoned audit's reason. */
  runner?: string;
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

/** Stores the audit of a host plan, ONGOING: the record that says ulm is making the plan. */
async function openHostPlanAudit(deps: HostPlanDependencies, goal: PlanGoal, triggeredBy: 'manual' | 'window', parameters: Record<string, unknown>): Promise<AuditRecord> {
  const created = await deps.repositories.audits.create({ policyId: null, policyName: `ulm ${goal}`, goal, triggeredBy, parameters });
  return deps.repositories.audits.updateState(created.id, 'ONGOING', { runner: deps.runner ?? 'this process' });
}

/** Stores the snapshot and the plan, APPROVED, under its audit, ends the audit SUCCEEDED, and starts the plan. */
async function storeAndStart(deps: HostPlanDependencies, auditId: string, snapshot: Snapshot, document: PlanDocument): Promise<ActionPlanRecord> {
  const { repositories } = deps;
  const stored = await repositories.snapshots.create(snapshot);
  const plan = await repositories.actionPlans.create({ auditId, document, state: 'APPROVED' });
  await repositories.audits.updateState(auditId, 'SUCCEEDED', { snapshotId: stored.id });
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

export interface RestoreOptions {
  /** Move the servers drained off the hosts back, with this policy's limits. */
  rebalance?: Policy;
  triggeredBy?: 'manual' | 'window';
}

/** A restore whose hosts were sorted out and whose audit is stored ONGOING; `finishRestore` plans and starts it. */
export interface BegunRestore {
  /** Every named host's result; those being restored are `restored: false` until their enable ran. */
  results: UndrainResult[];
  toRestore: string[];
  poweredOff: string[];
  /** Null when no named host needed restoring: nothing to plan. */
  audit: AuditRecord | null;
}

/** What happens to a host being restored, and which record says how it goes. */
function restoringDetail(host: string, poweredOff: string[], where: string): string {
  const steps = [poweredOff.includes(host) ? 'power on' : null, 'wait for nova-compute', 'enable'].filter(Boolean).join(', ');
  return `restoring (${steps}): ${where}`;
}

/**
 * Sorts the named hosts out from their nova-compute services (one read each, no collection of
 * the cloud) and ulm's records: in service already, someone else's, unknown, or ulm's to bring
 * back. For the last, stores the restore's audit ONGOING: the record a caller polls while
 * `finishRestore` collects the cloud and plans.
 */
export async function beginRestore(deps: HostPlanDependencies, hosts: string[], options: RestoreOptions = {}): Promise<BegunRestore> {
  const { repositories } = deps;
  // Refused before anything is stored when no applier would run the plan.
  await ensureApplierAvailable(deps.bus);
  const compute = await deps.compute();
  const [services, records] = await Promise.all([Promise.all(hosts.map((host) => compute.computeService(host))), repositories.hostStates.list()]);
  const held = new Map(records.map((record) => [record.host, record]));
  const results: UndrainResult[] = [];
  const toRestore: string[] = [];
  for (const [index, name] of hosts.entries()) {
    const service = services[index];
    const record = held.get(name);
    if (!service) results.push({ host: name, restored: false, detail: `${name} is not a compute host of this cloud` });
    else if (service.enabled) {
      if (record?.disabled) await repositories.hostStates.recordEnabled(name);
      results.push({ host: name, restored: true, detail: `${name} is in service (its nova-compute service is enabled)` });
    } else if (!record?.disabled && !/^ulm/.test(service.disabledReason ?? '')) {
      results.push({ host: name, restored: false, detail: `ulm did not disable ${name} (${service.disabledReason ?? 'no reason given'}); left alone` });
    } else toRestore.push(name);
  }
  const poweredOff = toRestore.filter((name) => held.get(name)?.poweredOff);
  if (!toRestore.length) return { results, toRestore, poweredOff, audit: null };
  const goal: PlanGoal = options.rebalance ? 'rebalance' : 'restore';
  const audit = await openHostPlanAudit(deps, goal, options.triggeredBy ?? 'manual', { hosts: toRestore, rebalance: Boolean(options.rebalance) });
  for (const name of toRestore) results.push({ host: name, restored: false, detail: restoringDetail(name, poweredOff, `audit ${audit.id} plans it`) });
  return { results: hosts.map((name) => results.find((result) => result.host === name)!), toRestore, poweredOff, audit };
}

/**
 * Collects the cloud, plans the restore (power on, enable; with `rebalance` the servers drained
 * off the hosts move back where they can, the others listed with their reasons), stores the plan
 * under the begun restore's audit, APPROVED, and starts it. The audit ends SUCCEEDED, or FAILED
 * with the reason before the error is passed on.
 */
export async function finishRestore(deps: HostPlanDependencies, begun: BegunRestore, options: RestoreOptions = {}): Promise<ActionPlanRecord> {
  const { repositories } = deps;
  const audit = begun.audit!;
  try {
    const snapshot = await deps.collect(options.rebalance ?? COLLECTION_POLICY, { tool: deps.planner, audit: audit.id });
    let planned = { snapshot, policy: options.rebalance ?? COLLECTION_POLICY };
    let rebalance: { target: Record<string, string>; policy: Policy } | undefined;
    if (options.rebalance) {
      planned = withExemptions(snapshot, options.rebalance, await repositories.serverExemptions.list());
      rebalance = { target: await placementBefore(deps, begun.toRestore), policy: planned.policy };
    }
    const document = planRestore({ snapshot: planned.snapshot, hosts: begun.toRestore, poweredOff: begun.poweredOff, rebalance, now: deps.now(), planner: deps.planner });
    return await storeAndStart(deps, audit.id, snapshot, document);
  } catch (error) {
    const current = await repositories.audits.get(audit.id);
    if (current.state === 'ONGOING') await repositories.audits.updateState(audit.id, 'FAILED', { failureReason: `the restore could not be planned: ${(error as Error).message ?? String(error)}` });
    throw error;
  }
}

/**
 * Brings the named hosts that ulm put into maintenance back, as a restore plan the applier runs,
 * and answers once the plan is started. Hosts ulm does not hold are reported and left alone.
 */
export async function restoreHosts(deps: HostPlanDependencies, hosts: string[], options: RestoreOptions = {}): Promise<HostPlanOutcome> {
  const begun = await beginRestore(deps, hosts, options);
  if (!begun.audit) return { results: begun.results, actionPlanId: null };
  const plan = await finishRestore(deps, begun, options);
  const results = begun.results.map((result) => (begun.toRestore.includes(result.host) ? { ...result, detail: restoringDetail(result.host, begun.poweredOff, `action plan ${plan.id}`) } : result));
  return { results, actionPlanId: plan.id };
}

/** Powers off the named hosts ulm holds empty and disabled (a scheduled maintenance's start), as a plan. */
export async function powerOffHosts(deps: HostPlanDependencies, hosts: string[]): Promise<ActionPlanRecord | null> {
  await ensureApplierAvailable(deps.bus);
  const snapshot = await deps.collect(COLLECTION_POLICY, { tool: deps.planner });
  const document = planPowerOff({ snapshot, hosts, now: deps.now(), planner: deps.planner });
  if (!document.actions.length) return null;
  const audit = await openHostPlanAudit(deps, 'power_off', 'manual', { hosts });
  return storeAndStart(deps, audit.id, snapshot, document);
}
