// What a strategy is: the plan for one goal, from the cluster as it is to ordered waves of moves.
import type { PlanContext } from '../planner/context.js';
import type { Placement } from '../planner/placement.js';
import type { Schedule } from '../planner/waves.js';
import type { Goal } from './names.js';

/** A goal's name and what it aims at, without its planning code (the policy schema reads these). */
export interface StrategyAbout<Name extends Goal = Goal> {
  /** The goal a policy names to use this strategy. */
  readonly name: Name;
  /** What the goal aims at, in one line for the operator. */
  readonly description: string;
}

export interface Strategy<Name extends Goal = Goal> extends StrategyAbout<Name> {
  /**
   * Moves servers in `placement` towards the goal, recording in `context` why each moves and
   * what blocked the others, and orders the moves into waves.
   */
  plan(placement: Placement, context: PlanContext): Schedule;
}
