// Tries several consolidation variants on the same start and keeps the best plan: most hosts
// freed, then fewest migrations. The number of variants depends only on the snapshot's size,
// so the result stays deterministic and large clusters stay within the time budget.
import type { Cluster } from '../cluster.js';
import { consolidate, type ConsolidationVariant } from './consolidate.js';
import type { PlanContext } from './context.js';
import { Placement } from './placement.js';

/** Fast variants first: large snapshots try only the first ones. */
const VARIANTS: ConsolidationVariant[] = [
  { size: 1, load: 1, servers: 0, fit: 'keep-order' },
  { size: 0, load: 1, servers: 0.3, fit: 'keep-order' },
  { size: 1, load: 1, servers: 1, fit: 'keep-order' },
  { size: 1, load: 0.5, servers: 2, fit: 'keep-order' },
  { size: 1, load: 1, servers: 1, fit: 'fullest' },
  { size: 1, load: 1, servers: 1, fit: 'balanced' },
  { size: 1, load: 0.5, servers: 2, fit: 'fullest' },
  { size: 2, load: 1, servers: 0.5, fit: 'balanced' },
  { size: 1, load: 0, servers: 3, fit: 'balanced' },
  { size: 0.5, load: 1, servers: 1, fit: 'fullest' },
  { size: 1, load: 1, servers: 1, fit: 'fullest', sizeBy: 'bottleneck' },
  { size: 2, load: 1, servers: 0.5, fit: 'balanced', sizeBy: 'bottleneck' },
  { size: 1, load: 1, servers: 1, fit: 'keep-order', sizeBy: 'bottleneck' },
];

/**
 * Small snapshots try every variant. Large ones try the first; the second only on mixed
 * hardware, the one shape where weighing hosts by size alone misleads.
 */
function variantsFor(cluster: Cluster): ConsolidationVariant[] {
  if (cluster.serverCount <= 6_000) return VARIANTS;
  return hasMixedHardware(cluster) ? VARIANTS.slice(0, 2) : VARIANTS.slice(0, 1);
}

function hasMixedHardware(cluster: Cluster): boolean {
  const sizes = new Set<string>();
  for (let host = 0; host < cluster.hostCount; host++) {
    if (cluster.enabled[host]) sizes.add(`${cluster.memoryCapacity[host]}/${cluster.vcpuCapacity[host]}/${cluster.cpuLimit[host]}`);
  }
  return sizes.size > 1;
}

/** The migrations a placement implies, each weighted by its server's moving cost (cooldown). */
function movingCost(placement: Placement): number {
  const cluster = placement.cluster;
  let cost = 0;
  for (let server = 0; server < cluster.serverCount; server++) if (placement.hostOf[server] !== cluster.initialHost[server]) cost += cluster.moveCost[server];
  return cost;
}

/** Runs the variants from `placement`'s state and returns the winning placement. */
export function consolidateBest(placement: Placement, context: PlanContext): Placement {
  let best: { placement: Placement; context: PlanContext; active: number; cost: number } | null = null;
  for (const variant of variantsFor(placement.cluster)) {
    const trial = placement.clone();
    const trialContext = context.fork();
    consolidate(trial, trialContext, variant);
    const active = trial.activeHostCount();
    const cost = movingCost(trial);
    if (!best || active < best.active || (active === best.active && cost < best.cost)) {
      best = { placement: trial, context: trialContext, active, cost };
    }
  }
  context.adopt(best!.context);
  return best!.placement;
}
