// plan(snapshot, policy, now) -> ulm-plan/1: the pure, deterministic planner every part of ulm
// calls (CLI, scheduler, API, benchmark). No I/O, no clock, no randomness.
import { Cluster } from '../cluster.js';
import { Constraint } from '../constraints.js';
import type { PlanDocument } from '../plan/format.js';
import { resolvePolicy, type Policy } from '../policy/schema.js';
import type { Snapshot } from '../snapshot/format.js';
import { policyReferenceIssues } from '../snapshot/read.js';
import { ValidationError } from '../validation.js';
import { consolidateBest } from './consolidate-variants.js';
import { PlanContext } from './context.js';
import { buildPlanDocument } from './document.js';
import { drain } from './drain.js';
import { Placement } from './placement.js';
import { relieveOverloads } from './relieve.js';
import { dropUselessMoves } from './stability.js';
import { dropStuckServers, reachTarget } from './target.js';
import { bestSchedule } from './waves.js';

export interface PlanRequest {
  snapshot: Snapshot;
  /** The policy to plan with (already validated). */
  policy: Policy;
  /** The instant to plan for, in milliseconds since the epoch. */
  now: number;
  /** Name and version written into the plan's `planner` field. */
  planner: string;
}

export function plan({ snapshot, policy, now, planner }: PlanRequest): PlanDocument {
  const issues = policyReferenceIssues(policy, snapshot);
  if (issues.length) throw new ValidationError('the policy does not fit the snapshot', issues);
  const cluster = new Cluster(snapshot, resolvePolicy(policy), now);
  let placement = new Placement(cluster);
  const context = new PlanContext(cluster);

  switch (cluster.policy.goal) {
    case 'consolidate':
      relieveOverloads(placement, context, { destinations: 'fit' });
      placement = consolidateBest(placement, context);
      break;
    case 'balance':
      relieveOverloads(placement, context, { destinations: 'spread' });
      break;
    case 'drain':
      drain(placement, context);
      relieveOverloads(placement, context, { destinations: 'spread' });
      break;
    case 'reach_target':
      reachTarget(placement, context);
      break;
  }
  if (cluster.policy.goal !== 'reach_target') dropUselessMoves(placement);

  let schedule = bestSchedule(cluster, placement.hostOf);
  if (cluster.policy.goal === 'reach_target' && schedule.stuck.length && cluster.policy.partialTarget) {
    schedule = dropStuckServers(placement, context, schedule, (hostOf) => bestSchedule(cluster, hostOf));
  } else if (cluster.policy.goal === 'reach_target' && schedule.stuck.length) {
    // A target no capacity-safe order of moves reaches is infeasible: propose no half-way moves.
    const first = schedule.stuck[0];
    context.infeasible = `no capacity-safe order of moves reaches the target: ${cluster.serverNames[first.server]} cannot reach ${cluster.hostNames[first.destination]} (${first.reason})${schedule.stuck.length > 1 ? `, and ${schedule.stuck.length - 1} more server(s)` : ''}`;
    for (const { server, destination, reason } of schedule.stuck) context.block(server, Constraint.noSafePath, `could not reach ${cluster.hostNames[destination]}: ${reason}`);
    schedule = { moves: [], waveCount: 0, stuck: [] };
  }
  return buildPlanDocument({ cluster, context, schedule, planner });
}
