// Executes an approved action plan wave by wave: every action through its kind's life cycle
// (actions/), journaled before and after it touches the cloud. A failure or a cancel stops new
// work at once (no further action starts, in this wave or later ones; migrations in flight
// finish, or are aborted when asked), hosts still to be emptied stay enabled, and the plan's
// final state says what happened. On a restart, in-flight actions are reconciled with the cloud.
import { outcomeOf, type ActionState } from '../../core/plan/states.js';
import type { ActionPlanRecord, ActionRecord } from '../db/index.js';
import type { ActionRun, WaveLedger } from './actions/kind.js';
import { actionIssues, actionKindOf, AFTER_MIGRATIONS, BEFORE_MIGRATIONS } from './actions/registry.js';
import { resumeAction, runAction } from './actions/run.js';
import type { ApplierContext } from './context.js';
import { crashPoint } from './crash-points.js';

export * from './context.js';

export interface ExecuteOptions {
  /** No wave starts at or after this instant (a power-saving window is about to close). */
  stopNewWavesAt?: number;
}

/** A plan that may not start: stale, or in a state from which it cannot run. */
export class PlanNotStartable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanNotStartable';
  }
}

/** Why a plan stops taking new work: a failed action, or an operator's cancel (with or without abort). */
interface Stop {
  reason: 'failed' | 'cancelled';
  abort: boolean;
}

class PlanRun {
  private failed = false;

  constructor(readonly context: ApplierContext, readonly planId: string) {}

  markFailed(): void {
    this.failed = true;
  }

  /** Read before every action starts and between polls: the plan row is the truth across processes. */
  async stop(): Promise<Stop | null> {
    if (this.failed) return { reason: 'failed', abort: false };
    const plan = await this.context.repositories.actionPlans.get(this.planId);
    if (plan.state === 'CANCELLING') return { reason: 'cancelled', abort: plan.abortRequested };
    return null;
  }

  runOf(plan: ActionPlanRecord, action: ActionRecord, wave: WaveLedger): ActionRun {
    return { context: this.context, plan, action, wave, stopRequested: () => this.stop() };
  }
}

export async function executePlan(context: ApplierContext, planId: string, options: ExecuteOptions = {}): Promise<ActionPlanRecord> {
  const { repositories, logger } = context;
  let plan = await repositories.actionPlans.get(planId);
  if (plan.state === 'APPROVED') {
    if (plan.stale) throw new PlanNotStartable(`action plan ${planId} is stale (${plan.staleReason ?? 'the cloud changed since it was made'}); make a new audit instead`);
    const issues = actionIssues(plan.document);
    if (issues.length) throw new PlanNotStartable(`action plan ${planId} cannot start: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`);
    plan = await repositories.actionPlans.updateState(planId, 'ONGOING', { from: ['APPROVED'] });
    logger.info({ plan: planId }, 'action plan started');
  } else if (plan.state === 'ONGOING' || plan.state === 'CANCELLING') {
    await repositories.actionPlans.recordResumption(planId);
    logger.info({ plan: planId, state: plan.state, resumptions: plan.resumptions + 1 }, 'resuming action plan');
  } else {
    throw new PlanNotStartable(`action plan ${planId} is ${plan.state}: only an APPROVED plan starts (or an ONGOING one resumes)`);
  }
  const run = new PlanRun(context, planId);

  // Actions in flight when a previous applier stopped: settle them against the cloud first.
  for (const action of await repositories.actions.list({ actionPlanId: planId, states: ['ONGOING'] })) {
    const state = await resumeAction(actionKindOf(action.type), run.runOf(plan, action, { incoming: new Map() }));
    if (state === 'FAILED') run.markFailed();
  }

  const waves = [...new Set((await repositories.actions.list({ actionPlanId: planId })).map((action) => action.wave))].sort((a, b) => a - b);
  for (const wave of waves) {
    const stop = await run.stop();
    if (stop) return finishStopped(context, planId, stop, waves.length);
    const pending = await repositories.actions.list({ actionPlanId: planId, wave, states: ['PENDING'] });
    if (!pending.length) continue;
    if (options.stopNewWavesAt !== undefined && context.clock.now() >= options.stopNewWavesAt) {
      await repositories.actionPlans.requestCancel(planId, { abort: false });
      return finishCancelled(context, planId, 'the power-saving window is closing: no new wave starts');
    }
    plan = await repositories.actionPlans.get(planId);
    await runWave(run, plan, wave, pending, waves.length);
  }
  const stop = await run.stop();
  if (stop) return finishStopped(context, planId, stop, waves.length);
  const states = (await repositories.actions.list({ actionPlanId: planId })).map((action) => action.state);
  const outcome = outcomeOf(states, false);
  const skipped = states.filter((state) => state === 'SKIPPED').length;
  const finished = await repositories.actionPlans.updateState(planId, outcome, {
    ...(outcome === 'PARTIAL' ? { failureReason: `${skipped} action(s) skipped: the goal was met only in part; see their reasons` } : {}),
  });
  logger.info({ plan: planId, state: outcome, skipped }, 'action plan finished');
  await report(context, planId, waves.length, null, outcome.toLowerCase());
  return finished;
}

async function finishStopped(context: ApplierContext, planId: string, stop: Stop, waves: number): Promise<ActionPlanRecord> {
  if (stop.reason === 'cancelled') return finishCancelled(context, planId, 'cancelled by an operator');
  const { repositories, logger } = context;
  const failed = await repositories.actions.list({ actionPlanId: planId, states: ['FAILED'] });
  const reason = failed.map((action) => `${actionKindOf(action.type).describe(action)} failed: ${action.error ?? 'no reason given'}`).join('; ');
  await repositories.actions.cancelPending(planId, 'not started: an earlier action failed and the plan stopped');
  const plan = await repositories.actionPlans.get(planId);
  const finished = await repositories.actionPlans.updateState(planId, 'FAILED', { failureReason: `stopped: ${reason}`, from: [plan.state] });
  logger.error({ plan: planId, failed: failed.length }, 'action plan failed; hosts still to be emptied stay enabled');
  await report(context, planId, waves, null, 'failed');
  return finished;
}

async function finishCancelled(context: ApplierContext, planId: string, why: string): Promise<ActionPlanRecord> {
  const { repositories, logger } = context;
  await repositories.actions.cancelPending(planId, why);
  const failed = await repositories.actions.list({ actionPlanId: planId, states: ['FAILED'] });
  const finished = failed.length
    ? await repositories.actionPlans.updateState(planId, 'FAILED', { failureReason: `${why}; ${failed.length} action(s) had failed` })
    : await repositories.actionPlans.updateState(planId, 'CANCELLED', { failureReason: why });
  logger.warn({ plan: planId }, `action plan cancelled: ${why}`);
  return finished;
}

/** Host actions of one type in a wave, one after the other (a wave holds a handful of hosts). */
async function runHostActions(run: PlanRun, plan: ActionPlanRecord, actions: ActionRecord[], types: readonly string[], ledger: WaveLedger): Promise<void> {
  for (const type of types) {
    for (const action of actions.filter((candidate) => candidate.type === type)) {
      if (await run.stop()) return;
      const state = await runAction(actionKindOf(type), run.runOf(plan, action, ledger));
      if (state === 'FAILED') run.markFailed();
      if (type === 'disable_compute' && state === 'SUCCEEDED') crashPoint('maintenance.after-disable');
    }
  }
}

async function runWave(run: PlanRun, plan: ActionPlanRecord, wave: number, actions: ActionRecord[], waves: number): Promise<void> {
  const { context } = run;
  const migrations = actions.filter((action) => action.type === 'live_migrate');
  const hostActions = actions.filter((action) => action.type !== 'live_migrate');
  await report(context, plan.id, waves, wave, `wave ${wave + 1}: ${migrations.length} live migration(s), ${hostActions.length} host action(s)`);
  const ledger: WaveLedger = { incoming: new Map() };

  await runHostActions(run, plan, hostActions, BEFORE_MIGRATIONS, ledger);

  const waiting = [...migrations];
  const inFlight = new Map<string, ActionRecord>();
  // Never more out of one host than its nova-compute runs at once: Nova would only queue them,
  // and a queued migration's timeout would measure waiting, not the migration.
  const outOf = new Map<string, number>();
  const nextStartable = () => waiting.findIndex((action) => (outOf.get(action.source!) ?? 0) < context.settings.maxPerSourceHost);
  const sleeping = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...sleeping]) wake();
    sleeping.clear();
  };
  const worker = async () => {
    for (;;) {
      // A failure or a cancel: no new migration starts, in flight ones finish.
      if (!waiting.length || await run.stop()) return;
      const index = nextStartable();
      if (index < 0) {
        // Another worker's migration out of the same host is running: wait for one to end.
        await new Promise<void>((resolve) => sleeping.add(resolve));
        continue;
      }
      const [action] = waiting.splice(index, 1);
      outOf.set(action.source!, (outOf.get(action.source!) ?? 0) + 1);
      inFlight.set(action.id, action);
      try {
        await report(context, plan.id, waves, wave, `migrating ${action.serverName ?? action.server}`, inFlight);
        const state = await runAction(actionKindOf(action.type), run.runOf(plan, action, ledger));
        if (state === 'FAILED') run.markFailed();
      } catch (error) {
        // The journal or the cloud could not be read: start nothing more here; a resumed executor will.
        waiting.length = 0;
        throw error;
      } finally {
        inFlight.delete(action.id);
        outOf.set(action.source!, outOf.get(action.source!)! - 1);
        wakeAll();
      }
    }
  };
  // Every worker ends before an error is passed on: a worker left running after its plan's
  // executor gave up would race the executor that resumes the plan.
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(context.settings.maxParallelMigrations, waiting.length)) }, worker));
  const broken = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (broken) throw broken.reason;

  // Hosts are put into maintenance only after the wave's migrations are done and only if
  // nothing failed: a failure stops the plan with every remaining host enabled.
  if (await run.stop()) return;
  await runHostActions(run, plan, hostActions, AFTER_MIGRATIONS, ledger);
  await report(context, plan.id, waves, wave, `wave ${wave + 1} done`);
}

async function report(context: ApplierContext, planId: string, waves: number, wave: number | null, message: string, inFlight?: Map<string, ActionRecord>): Promise<void> {
  if (!context.onProgress) return;
  const plan = await context.repositories.actionPlans.get(planId);
  const counts = { PENDING: 0, ONGOING: 0, SUCCEEDED: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 0 } as Record<ActionState, number>;
  for (const action of await context.repositories.actions.list({ actionPlanId: planId })) counts[action.state]++;
  context.onProgress({
    planId, state: plan.state, wave, waves, counts, message,
    transfers: [...(inFlight?.values() ?? [])].map((action) => ({ server: action.serverName ?? action.server!, source: action.source!, destination: action.destination! })),
  });
}
