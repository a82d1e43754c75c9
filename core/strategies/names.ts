// The goals a policy can name, one per strategy, in the order the API, CLI and panel show them.
// Kept apart from the strategies' planning code so that the policy schema imports none of it;
// core/strategies/index.ts fails to compile unless every goal here has its strategy.
import { about as balance } from './balance/about.js';
import { about as consolidate } from './consolidate/about.js';
import { about as drain } from './drain/about.js';
import { about as reachTarget } from './reach-target/about.js';

export const STRATEGY_ABOUTS = [consolidate, balance, drain, reachTarget] as const;

type NamesOf<List extends readonly { name: string }[]> = { readonly [Index in keyof List]: List[Index]['name'] };

/** The goals' names, as a tuple of literal types (for the schema's union of goals). */
export const GOALS = STRATEGY_ABOUTS.map((strategy) => strategy.name) as unknown as NamesOf<typeof STRATEGY_ABOUTS>;
export type Goal = (typeof GOALS)[number];
