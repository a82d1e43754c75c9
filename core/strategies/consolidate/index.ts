// consolidate: relieve overloaded hosts, then pack servers onto the fewest active hosts.
import { consolidateBest } from '../../planner/consolidate-variants.js';
import { relieveOverloads } from '../../planner/relieve.js';
import type { Strategy } from '../strategy.js';
import { scheduleUsefulMoves } from '../useful-moves.js';
import { about } from './about.js';

export const consolidate: Strategy<typeof about.name> = {
  ...about,
  plan(placement, context) {
    relieveOverloads(placement, context, { destinations: 'fit' });
    return scheduleUsefulMoves(consolidateBest(placement, context));
  },
};
