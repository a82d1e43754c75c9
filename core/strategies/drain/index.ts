// drain: empty the policy's drain_hosts, then relieve any host the drain left over the limits.
import { drain as drainHosts } from '../../planner/drain.js';
import { relieveOverloads } from '../../planner/relieve.js';
import type { Strategy } from '../strategy.js';
import { scheduleUsefulMoves } from '../useful-moves.js';
import { about } from './about.js';

export const drain: Strategy<typeof about.name> = {
  ...about,
  plan(placement, context) {
    drainHosts(placement, context);
    relieveOverloads(placement, context, { destinations: 'spread' });
    return scheduleUsefulMoves(placement);
  },
};
