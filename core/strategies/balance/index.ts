// balance: move servers off hosts over the usage limits, spreading them over the others.
import { relieveOverloads } from '../../planner/relieve.js';
import type { Strategy } from '../strategy.js';
import { scheduleUsefulMoves } from '../useful-moves.js';
import { about } from './about.js';

export const balance: Strategy<typeof about.name> = {
  ...about,
  plan(placement, context) {
    relieveOverloads(placement, context, { destinations: 'spread' });
    return scheduleUsefulMoves(placement);
  },
};
