// reach_target: move every server to the host the snapshot's target names, in capacity-safe
// waves (the wave orderer, or a search over placements where it gets stuck); a target is refused
// as infeasible only with a proof, or with partial_target reached in part.
import { reachTargetSchedule, reachTarget as placeOnTargets } from '../../planner/target.js';
import type { Strategy } from '../strategy.js';
import { about } from './about.js';

export const reachTarget: Strategy<typeof about.name> = {
  ...about,
  plan(placement, context) {
    // Every move here is asked for by the target: none is dropped as useless.
    placeOnTargets(placement, context);
    return reachTargetSchedule(placement, context);
  },
};
