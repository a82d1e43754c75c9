// Runs one action through its kind's life cycle and journals every step: precondition against
// fresh state (skip with the reason, or accept an effect already in place), ONGOING before the
// call, the call, the verification of its effect, the final state. After a restart, an ONGOING
// action is reconciled with the cloud first and called again only if the call never arrived.
import type { ActionState } from '../../../core/plan/states.js';
import type { ActionKind, ActionRun, Outcome } from './kind.js';

export async function runAction(kind: ActionKind, run: ActionRun): Promise<ActionState> {
  const { context, action } = run;
  const { repositories, logger } = context;
  const precondition = await kind.precondition(run);
  if (precondition.verdict === 'skip') {
    await repositories.actions.skip(action.id, precondition.reason);
    logger.warn({ action: action.id, plan: action.actionPlanId }, `${kind.describe(action)} skipped: ${precondition.reason}`);
    return 'SKIPPED';
  }
  if (precondition.verdict === 'done') {
    const problem = await kind.verify(run);
    if (!problem) {
      await repositories.actions.alreadyDone(action.id);
      logger.info({ action: action.id, plan: action.actionPlanId }, `${kind.describe(action)}: ${precondition.detail}; nothing to call`);
      return 'SUCCEEDED';
    }
  }
  const started = await repositories.actions.start(action.id);
  const outcome = await kind.execute({ ...run, action: started });
  run.callEnded?.(outcome);
  return finish(kind, { ...run, action: started }, outcome);
}

/** An action that was ONGOING when a previous applier stopped. */
export async function resumeAction(kind: ActionKind, run: ActionRun): Promise<ActionState> {
  const reconciled = await kind.reconcile(run);
  if (reconciled.verdict === 'call') {
    const current = await run.context.repositories.actions.get(run.action.id);
    return finish(kind, { ...run, action: current }, await kind.execute({ ...run, action: current }, true));
  }
  return finish(kind, run, reconciled);
}

async function finish(kind: ActionKind, run: ActionRun, outcome: Outcome): Promise<ActionState> {
  const { context, action } = run;
  let final = outcome;
  if (outcome.state === 'SUCCEEDED' && !outcome.verified) {
    const problem = await kind.verify(run);
    if (problem) final = { state: 'FAILED', error: `not verified: ${problem}` };
  }
  await context.repositories.actions.finish(action.id, final.state, { error: final.error });
  const fields = { action: action.id, plan: action.actionPlanId, ...(final.error ? { reason: final.error } : {}) };
  if (final.state === 'SUCCEEDED') context.logger.info(fields, `${kind.describe(action)} verified`);
  else if (final.state === 'CANCELLED') context.logger.warn(fields, `${kind.describe(action)} aborted`);
  else context.logger.error(fields, `${kind.describe(action)} failed`);
  return final.state;
}
