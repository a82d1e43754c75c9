// reach_target: move every server to the host the snapshot's target names, in capacity-safe
// waves; a target no such order reaches is refused whole, or with partial_target reached in part.
import { Constraint } from '../../constraints.js';
import { dropStuckServers, reachTarget as placeOnTargets } from '../../planner/target.js';
import { bestSchedule } from '../../planner/waves.js';
import type { Strategy } from '../strategy.js';
import { about } from './about.js';

export const reachTarget: Strategy<typeof about.name> = {
  ...about,
  plan(placement, context) {
    const cluster = placement.cluster;
    // Every move here is asked for by the target: none is dropped as useless.
    placeOnTargets(placement, context);
    const schedule = bestSchedule(cluster, placement.hostOf);
    if (!schedule.stuck.length) return schedule;
    if (cluster.policy.partialTarget) return dropStuckServers(placement, context, schedule, (hostOf) => bestSchedule(cluster, hostOf));
    // A target no capacity-safe order of moves reaches is infeasible: propose no half-way moves.
    const first = schedule.stuck[0];
    context.infeasible = `no capacity-safe order of moves reaches the target: ${cluster.serverNames[first.server]} cannot reach ${cluster.hostNames[first.destination]} (${first.reason})${schedule.stuck.length > 1 ? `, and ${schedule.stuck.length - 1} more server(s)` : ''}`;
    for (const { server, destination, reason } of schedule.stuck) context.block(server, Constraint.noSafePath, `could not reach ${cluster.hostNames[destination]}: ${reason}`);
    return { moves: [], waveCount: 0, stuck: [] };
  },
};
