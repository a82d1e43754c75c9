// Tries several consolidation variants on the same start and keeps the best plan: most hosts
// freed, then fewest migrations. The number of variants depends only on the snapshot's size,
// so the result stays deterministic and large clusters stay within the time budget.
import { consolidate, type ConsolidationVariant } from './consolidate.js';
import type { PlanContext } from './context.js';
import { Placement } from './placement.js';

/** Fast variants first: large snapshots try only the first ones. */
const VARIANTS: ConsolidationVariant[] = [
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

/** Server-count thresholds: larger snapshots try fewer variants. */
function variantsFor(servers: number): ConsolidationVariant[] {
  if (servers <= 6_000) return VARIANTS;
  if (servers <= 30_000) return VARIANTS.slice(0, 2);
  return VARIANTS.slice(0, 1);
}

/** Runs the variants from `placement`'s state and returns the winning placement. */
export function consolidateBest(placement: Placement, context: PlanContext): Placement {
  let best: { placement: Placement; context: PlanContext; active: number; migrations: number } | null = null;
  for (const variant of variantsFor(placement.cluster.serverCount)) {
    const trial = placement.clone();
    const trialContext = context.fork();
    consolidate(trial, trialContext, variant);
    const active = trial.activeHostCount();
    if (!best || active < best.active || (active === best.active && trial.migrations < best.migrations)) {
      best = { placement: trial, context: trialContext, active, migrations: trial.migrations };
    }
  }
  context.adopt(best!.context);
  return best!.placement;
}
