// consolidate: relieve overloaded hosts, then pack servers onto the fewest active hosts (exactly,
// on small clusters, when the planner has a solver).
import { consolidateBest } from '../../planner/consolidate-variants.js';
import { exactConsolidationSchedule } from '../../planner/exact-step.js';
import { relieveOverloads } from '../../planner/relieve.js';
import type { Strategy } from '../strategy.js';
import { scheduleUsefulMoves } from '../useful-moves.js';
import { about } from './about.js';

export const consolidate: Strategy<typeof about.name> = {
  ...about,
  plan(placement, context) {
    relieveOverloads(placement, context, { destinations: 'fit' });
    const best = consolidateBest(placement, context);
    const heuristic = scheduleUsefulMoves(best);
    return exactConsolidationSchedule(best, context) ?? heuristic;
  },
};
