// Approving and starting an action plan: both re-check the plan against the cloud as it is now
// (the servers, hosts and services it touches), so a plan whose cloud changed is marked stale
// with what changed and cannot start, listener or not; and a start is accepted only where an
// applier will take it.
import type { Snapshot } from '../../core/snapshot/format.js';
import { StateConflict } from '../../core/plan/states.js';
import { ensureApplierAvailable } from '../applier/availability.js';
import type { ComputeOperations } from '../applier/compute.js';
import { PlanNotStartable } from '../applier/executor.js';
import { START_PLAN_QUEUE, type StartPlanJob } from '../applier/worker.js';
import type { Bus } from '../bus/index.js';
import type { ActionPlanRecord, Repositories } from '../db/index.js';
import { changesSincePlanned, markStale } from './freshness.js';

export interface PlanStartDependencies {
  repositories: Repositories;
  compute: () => Promise<ComputeOperations>;
  bus: Bus;
}

function staleRefusal(id: string, reason: string): PlanNotStartable {
  return new PlanNotStartable(`action plan ${id} is stale (${reason}); run a new audit`);
}

/** The snapshot the plan was made from, when it was stored. */
async function plannedFrom(repositories: Repositories, plan: ActionPlanRecord): Promise<Snapshot | null> {
  if (!plan.auditId) return null;
  const audit = await repositories.audits.get(plan.auditId);
  return audit.snapshotId ? (await repositories.snapshots.get(audit.snapshotId)).document : null;
}

/** Refuses a stale plan; marks it stale first when the cloud changed under what it touches. */
export async function refuseIfStale(deps: PlanStartDependencies, plan: ActionPlanRecord): Promise<void> {
  if (plan.stale) throw staleRefusal(plan.id, plan.staleReason ?? 'the cloud changed since it was made');
  const snapshot = await plannedFrom(deps.repositories, plan);
  if (!snapshot) return;
  const changes = await changesSincePlanned(await deps.compute(), snapshot, plan.document);
  if (changes.length) throw staleRefusal(plan.id, await markStale(deps.repositories, plan.id, changes));
}

/** Hands an APPROVED plan to an applier, after the checks; `stopNewWavesAt` for a window's plan. */
export async function startApprovedPlan(deps: PlanStartDependencies, id: string, stopNewWavesAt?: number): Promise<void> {
  const plan = await deps.repositories.actionPlans.get(id);
  if (plan.state === 'RECOMMENDED') throw new StateConflict('action plan', plan.state, 'ONGOING (approve it first)');
  if (plan.state !== 'APPROVED') throw new StateConflict('action plan', plan.state, 'ONGOING');
  await ensureApplierAvailable(deps.bus);
  await refuseIfStale(deps, plan);
  const job: StartPlanJob = { plan_id: id, stop_new_waves_at: stopNewWavesAt !== undefined ? new Date(stopNewWavesAt).toISOString() : null };
  await deps.bus.enqueue(START_PLAN_QUEUE, job);
}
