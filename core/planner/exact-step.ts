// Consolidation's exact step: where the planner was given a solver, the exact model's placement
// replaces the heuristic one when it frees more hosts at a price the planner accepts, and only
// with a complete, capacity-safe order of moves to it (the reach_target path search).
import { chooseOutcome } from './consolidate-variants.js';
import type { PlanContext } from './context.js';
import { exactConsolidation } from './exact-consolidation.js';
import { Placement } from './placement.js';
import { reachTargetSchedule } from './target.js';
import type { Schedule } from './waves.js';

/**
 * The schedule to the exact model's placement, or null when there is no solver, the model
 * finds nothing better than `heuristic` (the placement the heuristic plan reaches), or no path
 * to it was found. On success `context` holds the reasons of the exact plan's moves.
 */
export function exactConsolidationSchedule(heuristic: Placement, context: PlanContext): Schedule | null {
  const solver = context.exactSolver;
  if (!solver) return null;
  const cluster = heuristic.cluster;
  const goal = exactConsolidation(heuristic, solver);
  if (!goal) return null;
  const exact = new Placement(cluster, goal);
  // The planner's one rule for trading hosts against migrations (consolidate-variants.ts).
  const activeBefore = new Placement(cluster).activeHostCount();
  const outcomes = [heuristic, exact].map((placement) => ({ active: placement.activeHostCount(), cost: movingCost(placement) }));
  if (chooseOutcome(outcomes, activeBefore, cluster.policy.spareCapacityHosts) !== 1) return null;

  const trial = context.fork();
  for (const server of [...trial.moveReasons.keys()]) trial.moveReasons.delete(server);
  for (let server = 0; server < cluster.serverCount; server++) {
    const home = cluster.initialHost[server];
    if (goal[server] === home) continue;
    trial.because(server, exact.isActive(home)
      ? `consolidate: make room on ${cluster.hostNames[goal[server]]} (exact placement)`
      : `consolidate: empty ${cluster.hostNames[home]}`);
  }
  const schedule = reachTargetSchedule(exact, trial);
  if (trial.infeasible || schedule.stuck.length || schedule.moves.length === 0) return null;
  // Hosts the heuristic could not empty and the exact placement empties are no longer blocked.
  const stays = trial.blocked.filter((entry) => exact.isActive(cluster.hostIndex.get(entry.host)!) && goal[cluster.serverIndex.get(entry.server)!] === cluster.initialHost[cluster.serverIndex.get(entry.server)!]);
  trial.blocked.splice(0, trial.blocked.length, ...stays);
  trial.notes.push(`the exact model of the cluster (fewest active hosts, then fewest migrations) frees ${activeBefore - outcomes[1].active} host(s) where the heuristic plan freed ${activeBefore - outcomes[0].active}`);
  context.adopt(trial);
  return schedule;
}

/** The migrations a placement implies, each weighted by its server's moving cost. */
function movingCost(placement: Placement): number {
  const cluster = placement.cluster;
  let cost = 0;
  for (let server = 0; server < cluster.serverCount; server++) if (placement.hostOf[server] !== cluster.initialHost[server]) cost += cluster.moveCost[server];
  return cost;
}
