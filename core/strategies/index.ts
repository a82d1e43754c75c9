// The strategies, one per goal: the registry the planner looks a policy's goal up in. Adding a
// goal is a folder beside these (about.ts and index.ts), a line in names.ts and a line here.
import { balance } from './balance/index.js';
import { consolidate } from './consolidate/index.js';
import { drain } from './drain/index.js';
import type { Goal } from './names.js';
import { reachTarget } from './reach-target/index.js';
import type { Strategy } from './strategy.js';

// Keyed by goal, so that a goal of names.ts without its strategy (or under another name) does
// not compile.
const STRATEGIES: { readonly [Name in Goal]: Strategy<Name> } = {
  consolidate,
  balance,
  drain,
  reach_target: reachTarget,
};

/** The strategy that plans for `goal`. */
export function strategyFor(goal: Goal): Strategy {
  return STRATEGIES[goal];
}
