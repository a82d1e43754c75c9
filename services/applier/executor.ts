// Executes an approved action plan: every action through its kind's life cycle (actions/),
// journaled before and after it touches the cloud, each as soon as the actions it waits for on
// its hosts and server have ended (flow.ts). A failure or a cancel stops new work at once (no
// further action starts, in this wave or later ones; migrations in flight finish, or are
// aborted when asked), hosts still to be emptied stay enabled, and the plan's final state says
// what happened. On a restart, in-flight actions are reconciled with the cloud first.
import { outcomeOf } from '../../core/plan/states.js';
import type { ActionPlanRecord } from '../db/index.js';
import { actionIssues, actionKindOf } from './actions/registry.js';
import { resumeAction } from './actions/run.js';
import type { ApplierContext } from './context.js';
import { runFlow, type FlowOptions } from './flow.js';
import { PlanRun, type Stop } from './plan-run.js';
import { reportProgress } from './progress.js';

export * from './context.js';

export type ExecuteOptions = FlowOptions;

/** A plan that may not start: stale, or in a state from which it cannot run. */
export class PlanNotStartable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanNotStartable';
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
    const state = await resumeAction(actionKindOf(action.type), run.runOf(plan, action));
    run.ledger.incoming.delete(action.id);
    if (state === 'FAILED') run.markFailed();
  }

  const actions = await repositories.actions.list({ actionPlanId: planId });
  const waves = new Set(actions.map((action) => action.wave)).size;
  plan = await repositories.actionPlans.get(planId);
  const ended = (await run.stop()) ? 'stopped' : await runFlow(run, plan, actions, options);
  const stop = await run.stop();
  if (stop) return finishStopped(context, planId, stop, waves);
  if (ended === 'closing') {
    await repositories.actionPlans.requestCancel(planId, { abort: false });
    return finishCancelled(context, planId, 'the power-saving window is closing: no new wave starts');
  }
  const states = (await repositories.actions.list({ actionPlanId: planId })).map((action) => action.state);
  const outcome = outcomeOf(states, false);
  const skipped = states.filter((state) => state === 'SKIPPED').length;
  const finished = await repositories.actionPlans.updateState(planId, outcome, {
    ...(outcome === 'PARTIAL' ? { failureReason: `${skipped} action(s) skipped: the goal was met only in part; see their reasons` } : {}),
  });
  logger.info({ plan: planId, state: outcome, skipped }, 'action plan finished');
  await reportProgress(context, planId, waves, null, outcome.toLowerCase());
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
  await reportProgress(context, planId, waves, null, 'failed');
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
