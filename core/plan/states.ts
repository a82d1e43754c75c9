// The life cycle of action plans and of their actions, with every allowed transition written
// down. States never lie: a plan with a failed action ends FAILED, never SUCCEEDED; a plan that
// was running when a process stopped stays ONGOING and is resumed, not cancelled.

export const PLAN_STATES = [
  'RECOMMENDED', // planned, waiting for an operator (or the policy) to approve it
  'APPROVED', // approved, waiting to start
  'ONGOING', // the applier is executing it, wave by wave
  'CANCELLING', // cancel requested while running: no new wave starts
  'SUCCEEDED', // every action succeeded (skipped no-ops included)
  'FAILED', // an action failed: the plan stopped safely
  'CANCELLED', // cancelled before or while running
  'SUPERSEDED', // the cloud changed under it before it started (stale), or a newer plan replaced it
] as const;
export type PlanState = (typeof PLAN_STATES)[number];

export const ACTION_STATES = [
  'PENDING', // not started
  'ONGOING', // sent to Nova (or the power driver), not yet verified
  'SUCCEEDED', // verified done
  'FAILED', // Nova refused it, or it ended in error, or timed out
  'SKIPPED', // no longer valid when its wave started (reason recorded), or already done
  'CANCELLED', // its plan stopped before it started
] as const;
export type ActionState = (typeof ACTION_STATES)[number];

const PLAN_TRANSITIONS: Record<PlanState, readonly PlanState[]> = {
  RECOMMENDED: ['APPROVED', 'CANCELLED', 'SUPERSEDED'],
  APPROVED: ['ONGOING', 'CANCELLED', 'SUPERSEDED'],
  ONGOING: ['SUCCEEDED', 'FAILED', 'CANCELLING'],
  CANCELLING: ['CANCELLED', 'FAILED'],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
  SUPERSEDED: [],
};

const ACTION_TRANSITIONS: Record<ActionState, readonly ActionState[]> = {
  PENDING: ['ONGOING', 'SKIPPED', 'CANCELLED'],
  ONGOING: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: [],
  FAILED: [],
  SKIPPED: [],
  CANCELLED: [],
};

export function canTransitionPlan(from: PlanState, to: PlanState): boolean {
  return PLAN_TRANSITIONS[from].includes(to);
}

export function canTransitionAction(from: ActionState, to: ActionState): boolean {
  return ACTION_TRANSITIONS[from].includes(to);
}

export function isFinalPlanState(state: PlanState): boolean {
  return PLAN_TRANSITIONS[state].length === 0;
}

export function isFinalActionState(state: ActionState): boolean {
  return ACTION_TRANSITIONS[state].length === 0;
}

/** The state a finished plan gets from its actions: any failure makes it FAILED. */
export function outcomeOf(actions: readonly ActionState[], cancelled: boolean): PlanState {
  if (actions.some((state) => state === 'FAILED')) return 'FAILED';
  if (cancelled || actions.some((state) => state === 'CANCELLED' || state === 'PENDING')) return 'CANCELLED';
  return 'SUCCEEDED';
}

/** Thrown for a transition the life cycle does not allow (a conflict, HTTP 409 at the API). */
export class StateConflict extends Error {
  constructor(kind: 'action plan' | 'action', from: string, to: string) {
    super(`${kind} is ${from}; it cannot become ${to}`);
    this.name = 'StateConflict';
  }
}
