// The life cycles of action plans, their actions, audits and window runs, with every allowed transition
// written down: the one declaration the database, the API, the CLI and the panel read. States
// never claim more than happened: a plan is SUCCEEDED only when every action succeeded, a plan
// with skipped actions ends PARTIAL, one with a failed action FAILED; a plan that was running
// when a process stopped stays ONGOING and is resumed, not cancelled.

export const PLAN_STATES = [
  'RECOMMENDED', // planned, waiting for an operator (or the policy) to approve it
  'APPROVED', // approved, waiting to start
  'ONGOING', // the applier is executing it, wave by wave
  'CANCELLING', // cancel requested while running: no new action starts
  'SUCCEEDED', // every action succeeded
  'PARTIAL', // finished without a failure, but some actions were skipped: the goal was met only in part
  'FAILED', // an action failed: the plan stopped safely
  'CANCELLED', // cancelled before or while running
  'SUPERSEDED', // the cloud changed under it before it started (stale), or a newer plan replaced it
] as const;
export type PlanState = (typeof PLAN_STATES)[number];

export const ACTION_STATES = [
  'PENDING', // not started
  'ONGOING', // sent to Nova (or the power driver), not yet verified
  'SUCCEEDED', // its effect verified in place (by this call, or already there when its wave started)
  'FAILED', // Nova refused it, or it ended in error, or timed out, or its effect could not be verified
  'SKIPPED', // no longer valid when its wave started: the reason is recorded
  'CANCELLED', // its plan stopped before it started, or an operator aborted it while it ran
] as const;
export type ActionState = (typeof ACTION_STATES)[number];

export const AUDIT_STATES = ['PENDING', 'ONGOING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type AuditState = (typeof AUDIT_STATES)[number];

/** A power-saving window's run: its plan works while OPEN, its restore plan brings the hosts back while RESTORING. */
export const WINDOW_RUN_STATES = ['OPEN', 'RESTORING', 'CLOSED'] as const;
export type WindowRunState = (typeof WINDOW_RUN_STATES)[number];

const WINDOW_RUN_TRANSITIONS: Record<WindowRunState, readonly WindowRunState[]> = {
  OPEN: ['RESTORING', 'CLOSED'],
  RESTORING: ['CLOSED'],
  CLOSED: [],
};

/** A run's state from what its record holds: closed once its period ended, restoring once it has a restore plan. */
export function windowRunStateOf(run: { periodEnd: string | null; restorePlanId: string | null }): WindowRunState {
  if (run.periodEnd !== null) return 'CLOSED';
  return run.restorePlanId !== null ? 'RESTORING' : 'OPEN';
}

export function canTransitionWindowRun(from: WindowRunState, to: WindowRunState): boolean {
  return WINDOW_RUN_TRANSITIONS[from].includes(to);
}

const PLAN_TRANSITIONS: Record<PlanState, readonly PlanState[]> = {
  RECOMMENDED: ['APPROVED', 'CANCELLED', 'SUPERSEDED'],
  APPROVED: ['ONGOING', 'CANCELLED', 'SUPERSEDED'],
  ONGOING: ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLING', 'CANCELLED'],
  CANCELLING: ['CANCELLED', 'FAILED'],
  SUCCEEDED: [],
  PARTIAL: [],
  FAILED: [],
  CANCELLED: [],
  SUPERSEDED: [],
};

const ACTION_TRANSITIONS: Record<ActionState, readonly ActionState[]> = {
  PENDING: ['ONGOING', 'SUCCEEDED', 'SKIPPED', 'CANCELLED'],
  ONGOING: ['SUCCEEDED', 'FAILED', 'CANCELLED'],
  SUCCEEDED: [],
  FAILED: [],
  SKIPPED: [],
  CANCELLED: [],
};

const AUDIT_TRANSITIONS: Record<AuditState, readonly AuditState[]> = {
  PENDING: ['ONGOING', 'CANCELLED'],
  ONGOING: ['SUCCEEDED', 'FAILED', 'CANCELLED'],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
};

export function canTransitionPlan(from: PlanState, to: PlanState): boolean {
  return PLAN_TRANSITIONS[from].includes(to);
}

export function canTransitionAction(from: ActionState, to: ActionState): boolean {
  return ACTION_TRANSITIONS[from].includes(to);
}

export function canTransitionAudit(from: AuditState, to: AuditState): boolean {
  return AUDIT_TRANSITIONS[from].includes(to);
}

export function isFinalPlanState(state: PlanState): boolean {
  return PLAN_TRANSITIONS[state].length === 0;
}

export function isFinalActionState(state: ActionState): boolean {
  return ACTION_TRANSITIONS[state].length === 0;
}

export function isFinalAuditState(state: AuditState): boolean {
  return AUDIT_TRANSITIONS[state].length === 0;
}

/** Final plan states: the ones a wait ends on. */
export const FINAL_PLAN_STATES: readonly PlanState[] = PLAN_STATES.filter(isFinalPlanState);

/** Final audit states: the ones a wait for an audit's outcome ends on. */
export const FINAL_AUDIT_STATES: readonly AuditState[] = AUDIT_STATES.filter(isFinalAuditState);

/** Plans whose actions may still change the cloud. */
export const RUNNING_PLAN_STATES: readonly PlanState[] = ['ONGOING', 'CANCELLING'];

/**
 * The state a finished plan gets from its actions: any failure makes it FAILED; a stop before
 * every action ran, CANCELLED; a skipped action, PARTIAL; only all succeeded is SUCCEEDED.
 */
export function outcomeOf(actions: readonly ActionState[], cancelled: boolean): PlanState {
  if (actions.some((state) => state === 'FAILED')) return 'FAILED';
  if (cancelled || actions.some((state) => state === 'CANCELLED' || state === 'PENDING' || state === 'ONGOING')) return 'CANCELLED';
  if (actions.some((state) => state === 'SKIPPED')) return 'PARTIAL';
  return 'SUCCEEDED';
}

/** Thrown for a transition the life cycle does not allow (a conflict, HTTP 409 at the API). */
export class StateConflict extends Error {
  constructor(kind: 'action plan' | 'action' | 'audit', from: string, to: string) {
    super(`${kind} is ${from}; it cannot become ${to}`);
    this.name = 'StateConflict';
  }
}
