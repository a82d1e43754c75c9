// plan(snapshot, policy, now) -> ulm-plan/1: the pure, deterministic planner every part of ulm
// calls (CLI, scheduler, API, benchmark). No I/O, no clock, no randomness.
import { placementCapacity } from '../capacity.js';
import { Cluster } from '../cluster.js';
import type { PlanDocument } from '../plan/format.js';
import { resolvePolicy, type Policy } from '../policy/schema.js';
import type { Snapshot } from '../snapshot/format.js';
import { policyReferenceIssues } from '../snapshot/read.js';
import { strategyFor } from '../strategies/index.js';
import { ValidationError } from '../validation.js';
import { LARGE_SNAPSHOT_SERVERS, unlikeHostShapes } from './consolidate-variants.js';
import { PlanContext } from './context.js';
import { buildPlanDocument } from './document.js';
import { exactStepMayImprove, type ExactSolver } from './exact-consolidation.js';
import { Placement } from './placement.js';

export interface PlanRequest {
  snapshot: Snapshot;
  /** The policy to plan with (already validated). */
  policy: Policy;
  /** The instant to plan for, in milliseconds since the epoch. */
  now: number;
  /** Name and version written into the plan's `planner` field. */
  planner: string;
  /**
   * A mixed-integer program solver (npm `highs`, loaded by the caller: it is WebAssembly and
   * loads asynchronously). With it, consolidation also solves small clusters exactly.
   */
  exactSolver?: ExactSolver;
}

export function plan({ snapshot, policy, now, planner, exactSolver }: PlanRequest): PlanDocument {
  const issues = policyReferenceIssues(policy, snapshot);
  if (issues.length) throw new ValidationError('the policy does not fit the snapshot', issues);
  const cluster = new Cluster(snapshot, resolvePolicy(policy), now);
  const context = new PlanContext(cluster, exactSolver ?? null);
  const schedule = strategyFor(cluster.policy.goal).plan(new Placement(cluster), context);
  return buildPlanDocument({ cluster, context, schedule, planner });
}

/**
 * Whether planning again with an exact solver may free more hosts than `document`, planned
 * without one: callers load the solver (WebAssembly) only then.
 */
export function exactSolverMayImprove({ snapshot, policy, now }: PlanRequest, document: PlanDocument): boolean {
  if (document.meta.status === 'infeasible') return false;
  const cluster = new Cluster(snapshot, resolvePolicy(policy), now);
  return exactStepMayImprove(new Placement(cluster), document.meta.metrics.active_hosts_after);
}

/**
 * Whether consolidation would use the solver for its kind guide (a large cluster of hosts of
 * unlike shapes, without N+k or usage series): callers then load it before planning, once.
 * Read from the snapshot alone, so that deciding costs nothing beside planning.
 */
export function kindGuideMayServe({ snapshot, policy }: PlanRequest): boolean {
  const resolved = resolvePolicy(policy);
  if (resolved.goal !== 'consolidate' || resolved.spareCapacityHosts > 0 || snapshot.servers.length <= LARGE_SNAPSHOT_SERVERS || snapshot.servers[0]?.series) return false;
  return unlikeHostShapes(snapshot.hosts.filter((host) => host.enabled && host.state !== 'down').map((host) =>
    placementCapacity(host.vcpus, host.reserved_vcpus, host.vcpu_allocation_ratio) / placementCapacity(host.memory_mb, host.reserved_memory_mb, host.memory_allocation_ratio)));
}
