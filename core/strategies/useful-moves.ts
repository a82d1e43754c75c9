// Waves for the strategies that may plan moves that serve nothing in the end (a server moved
// away and back, or between two hosts that both stay active): those are dropped before ordering.
import type { Placement } from '../planner/placement.js';
import { dropUselessMoves } from '../planner/stability.js';
import { bestSchedule, type Schedule } from '../planner/waves.js';

export function scheduleUsefulMoves(placement: Placement): Schedule {
  dropUselessMoves(placement);
  return bestSchedule(placement.cluster, placement.hostOf);
}
