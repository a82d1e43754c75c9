// Tries several consolidation variants on the same start and keeps the best plan: most hosts
// freed, then fewest migrations. The number of variants depends only on the snapshot's size,
// so the result stays deterministic and large clusters stay within the time budget. On small
// clusters it also searches the choices of hosts to empty (searchHostsToEmpty).
import type { Cluster } from '../cluster.js';
import { consolidate, type ConsolidationVariant } from './consolidate.js';
import type { PlanContext } from './context.js';
import { kindGuide } from './kind-guide.js';
import { Placement } from './placement.js';
import { consolidateToLastSafeMove, type EmptyingOrder } from './spare-capacity-cut.js';

/**
 * Packs hardest (moving costs only break ties); then packing with moving costs weighed in a
 * little, which on large clusters frees nearly as many hosts for noticeably fewer migrations;
 * the next two weigh moving costs in more, on uniform and on mixed hardware.
 */
const TIGHTEST: ConsolidationVariant = { size: 1, load: 1, servers: 0, fit: 'keep-order' };
const PACKING: ConsolidationVariant = { size: 1, load: 1, servers: 0.1, fit: 'keep-order' };
const SPARING: ConsolidationVariant = { size: 1, load: 1, servers: 0.6, fit: 'keep-order' };
const LOAD_LED: ConsolidationVariant = { size: 0, load: 1, servers: 0.3, fit: 'keep-order' };
const EVEN: ConsolidationVariant = { size: 1, load: 1, servers: 1, fit: 'keep-order' };
/**
 * Mixed hardware: keeps the largest hosts and, among them, those with the most servers, whatever
 * their load. Packing by size alone frees the most hosts but empties busy small hosts at a high
 * price; led by load, it keeps busy small hosts and frees far fewer (fragmented, 1,000 hosts: 370
 * active hosts with 8,067 migrations, 426 with 5,111, and 381 with 6,918 for this one).
 */
const SIZE_LED: ConsolidationVariant = { size: 1, load: 0, servers: 0.375, fit: 'keep-order' };

/** Every variant, for small snapshots. */
const VARIANTS: ConsolidationVariant[] = [
  TIGHTEST,
  PACKING,
  SPARING,
  LOAD_LED,
  EVEN,
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
 * Small snapshots try every variant. Large ones try two: one that packs and one that spares
 * migrations — on mixed hardware led by size and by load, where weighing hosts by size and load
 * together neither packs nor spares best — and the very largest a third. Hosts of unlike shapes,
 * with a solver: the packing guided by kind of host instead (guidedVariant).
 */
function variantsFor(cluster: Cluster, guided: ConsolidationVariant | null): ConsolidationVariant[] {
  if (cluster.serverCount <= LARGE_SNAPSHOT_SERVERS) return VARIANTS;
  // The guided packing runs alone, at every size: on four generations of hosts it leaves 264
  // active hosts of 1,000 where the load-led variant leaves 300, and on 5,000 the other two
  // variants never won (the same plan, in 4.5 s instead of 6.2 s).
  if (guided) return [guided];
  const pair = hasMixedHardware(cluster) ? [SIZE_LED, LOAD_LED] : [PACKING, SPARING];
  // The largest snapshots have the most time per server: a third, evenly weighted variant.
  return cluster.serverCount > 50_000 ? [...pair, EVEN] : pair;
}

/**
 * A plan that frees fewer hosts wins when the hosts the other frees in addition cost more than
 * this many times its own migrations per freed host: the last hosts are not worth any price.
 * Under N+k every freed host must also leave room for the servers of failed ones, so the last
 * hosts cost more by nature, and stopping early there is the collapse N+k planning must avoid
 * (fragmented, 30 hosts, seed 11, N+2: ulm kept 11 hosts of its 14, where a baseline cut at its
 * last N+2-safe wave frees 13).
 */
const MARGINAL_COST_RATIO = 3;
const MARGINAL_COST_RATIO_UNDER_SPARE_CAPACITY = 6;
/**
 * ...unless the plan that frees more hosts costs at most this much more per freed host over all:
 * then its last hosts are dear but the plan as a whole is not, and it is kept (anti-affinity, 5,000
 * hosts: 20 more hosts freed for 3,119 more migrations, 12.98 migrations per freed host instead
 * of 11.80).
 */
const AVERAGE_COST_TOLERANCE = 1 / 3;

interface Outcome {
  active: number;
  cost: number;
}

/** Index of the outcome to keep: most hosts freed, unless the last ones cost too much (`spareCapacityHosts`: the policy's N+k). */
export function chooseOutcome(outcomes: Outcome[], activeBefore: number, spareCapacityHosts = 0): number {
  const ratio = spareCapacityHosts > 0 ? MARGINAL_COST_RATIO_UNDER_SPARE_CAPACITY : MARGINAL_COST_RATIO;
  const averageCost = (outcome: Outcome) => outcome.cost / Math.max(1, activeBefore - outcome.active);
  // Whether `cheaper`, freeing at most as many hosts, is worth more than `plan`.
  const beats = (cheaper: Outcome, plan: Outcome) => {
    if (cheaper.cost >= plan.cost || cheaper.active < plan.active) return false;
    // A plan that frees nothing has no cost per freed host to compare with: it never wins so.
    if (cheaper.active >= activeBefore) return false;
    const extraHosts = cheaper.active - plan.active;
    if (extraHosts === 0) return true;
    const marginal = (plan.cost - cheaper.cost) / extraHosts;
    const average = averageCost(cheaper);
    return marginal > ratio * average && averageCost(plan) > (1 + AVERAGE_COST_TOLERANCE) * average;
  };
  const order = outcomes.map((_, index) => index).sort((a, b) => outcomes[a].active - outcomes[b].active || outcomes[a].cost - outcomes[b].cost || a - b);
  // The plan freeing the most hosts that no cheaper plan beats: each is weighed against every
  // cheaper one, so that a plan in between is not dropped for the sake of the packing one.
  return order.find((index) => !order.some((other) => beats(outcomes[other], outcomes[index]))) ?? order[0];
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

interface Trial extends Outcome {
  placement: Placement;
  context: PlanContext;
}

function runVariant(placement: Placement, context: PlanContext, variant: ConsolidationVariant): Trial {
  const trial = placement.clone();
  const trialContext = context.fork();
  consolidate(trial, trialContext, variant);
  return { placement: trial, context: trialContext, active: trial.activeHostCount(), cost: movingCost(trial) };
}

function runCutAtSpareCapacity(placement: Placement, context: PlanContext, order: EmptyingOrder): Trial {
  const trial = placement.clone();
  const trialContext = context.fork();
  const freed = consolidateToLastSafeMove(trial, trialContext, order);
  const spare = placement.cluster.policy.spareCapacityHosts;
  trialContext.notes.push(`consolidation stopped at its last move after which the servers of any ${spare} failed host(s) still fit on the others (N+${spare}): ${freed} host(s) freed`);
  return { placement: trial, context: trialContext, active: trial.activeHostCount(), cost: movingCost(trial) };
}

/**
 * Large clusters of mixed hardware, when the planner has a solver: packing led by size, with the
 * hosts to keep and the kind of host for each server shape from the kind guide's program. Not
 * under N+k or a usage forecast, which the program does not hold.
 */
function guidedVariant(placement: Placement, context: PlanContext): ConsolidationVariant | null {
  const cluster = placement.cluster;
  if (!context.exactSolver || cluster.serverCount <= LARGE_SNAPSHOT_SERVERS || cluster.policy.spareCapacityHosts > 0 || cluster.forecastCpu || !hasUnlikeHostShapes(cluster)) return null;
  const guide = kindGuide(placement, context.exactSolver);
  if (!guide) return null;
  return { ...SIZE_LED, keepBonus: Float64Array.from(guide.keep, (kept) => (kept ? GUIDE_KEEP_BONUS : 0)), guide };
}

/**
 * Hosts whose vCPUs per GiB of memory (Placement capacities) differ by more than this factor
 * suit different servers: there, which server goes to which kind of host decides how many hosts
 * stay on. Generations alike in shape (two, with the same allocation ratios) pack well enough by
 * size (fragmented, 1,000 hosts: the guide frees 10 more hosts at 13.07 migrations per freed
 * host, above best fit decreasing's 12.30).
 */
const UNLIKE_SHAPES = 2;

function hasUnlikeHostShapes(cluster: Cluster): boolean {
  const shapes: number[] = [];
  for (let host = 0; host < cluster.hostCount; host++) if (cluster.enabled[host]) shapes.push(cluster.vcpuCapacity[host] / cluster.memoryCapacity[host]);
  return unlikeHostShapes(shapes);
}

/** Whether hosts of these shapes (vCPUs per MiB of memory, Placement capacities) suit different servers. */
export function unlikeHostShapes(vcpusPerMemory: number[]): boolean {
  let least = Infinity;
  let most = 0;
  for (const shape of vcpusPerMemory) {
    if (!Number.isFinite(shape)) continue;
    least = Math.min(least, shape);
    most = Math.max(most, shape);
  }
  return most > UNLIKE_SHAPES * least;
}

/** Snapshots with more servers than this try two or three variants rather than all (variantsFor). */
export const LARGE_SNAPSHOT_SERVERS = 6_000;

/** Above any keep score: the guide's hosts are the keepers. */
const GUIDE_KEEP_BONUS = 1_000;

/** Runs the variants from `placement`'s state and returns the winning placement. */
export function consolidateBest(placement: Placement, context: PlanContext): Placement {
  const activeBefore = placement.activeHostCount();
  const trials = variantsFor(placement.cluster, guidedVariant(placement, context)).map((variant) => runVariant(placement, context, variant));
  // Under N+k, also the plan that stops at its last N+k-safe move: it never collapses.
  if (placement.cluster.policy.spareCapacityHosts > 0) {
    const orders: EmptyingOrder[] = placement.cluster.serverCount <= 6_000 ? ['cpu', 'memory', 'servers'] : ['cpu'];
    for (const order of orders) trials.push(runCutAtSpareCapacity(placement, context, order));
  }
  const spare = placement.cluster.policy.spareCapacityHosts;
  trials.push(...searchHostsToEmpty(placement, context, trials[chooseOutcome(trials, activeBefore, spare)]));
  const best = trials[chooseOutcome(trials, activeBefore, spare)];
  context.adopt(best.context);
  return best.placement;
}

/** Clusters with at most this many active hosts get the search below. */
const SEARCH_HOSTS = 12;
/** Consolidation runs the search may spend: at most this many, and fewer on many servers. */
const SEARCH_RUNS = 300;
/** Servers placed over all runs (a run places each server at most about once). */
const SEARCH_SERVER_PLACEMENTS = 100_000;
/** The search steers a best-fit variant: fit matters most when the hosts to empty are given. */
const SEARCH_VARIANT: ConsolidationVariant = { size: 1, load: 1, servers: 1, fit: 'fullest' };

/**
 * Small clusters: the rankings can miss the one choice of hosts to empty that frees one more
 * host, or as many for fewer migrations. Each choice that could beat `best` — more hosts, or as
 * many holding fewer servers than its migrations (every server on an emptied host moves) — is
 * tried first in a run of the best-fit variant, most hosts then fewest servers first.
 */
function searchHostsToEmpty(placement: Placement, context: PlanContext, best: Outcome): Trial[] {
  const cluster = placement.cluster;
  const activeBefore = placement.activeHostCount();
  if (activeBefore > SEARCH_HOSTS) return [];
  const holdsPinned = new Uint8Array(cluster.hostCount);
  for (let server = 0; server < cluster.serverCount; server++) if (cluster.pinned[server]) holdsPinned[placement.hostOf[server]] = 1;
  const candidates: number[] = [];
  for (let host = 0; host < cluster.hostCount; host++) {
    if (placement.isActive(host) && cluster.enabled[host] && !holdsPinned[host]) candidates.push(host);
  }
  if (candidates.length === 0) return [];
  const runs = Math.min(SEARCH_RUNS, Math.floor(SEARCH_SERVER_PLACEMENTS / Math.max(1, cluster.serverCount)));

  // Every server on an emptied host moves: what emptying each candidate costs at least.
  const emptyingCost = candidates.map((host) => placement.serversOn(host).reduce((total, server) => total + cluster.moveCost[server], 0));
  const choices: { mask: number; hosts: number; cost: number }[] = [];
  for (let mask = 1; mask < 1 << candidates.length; mask++) {
    let hosts = 0;
    let cost = 0;
    candidates.forEach((_, index) => {
      if (!(mask & (1 << index))) return;
      hosts++;
      cost += emptyingCost[index];
    });
    choices.push({ mask, hosts, cost });
  }
  choices.sort((a, b) => b.hosts - a.hosts || a.cost - b.cost || a.mask - b.mask);

  const trials: Trial[] = [];
  let bestActive = best.active;
  let bestCost = best.cost;
  for (const choice of choices) {
    if (trials.length >= runs) break;
    const freedBest = activeBefore - bestActive;
    if (choice.hosts < freedBest) break;
    if (choice.hosts === freedBest && choice.cost >= bestCost) continue;
    const keepBonus = new Float64Array(cluster.hostCount);
    candidates.forEach((host, index) => { if (choice.mask & (1 << index)) keepBonus[host] = -1_000; });
    const trial = runVariant(placement, context, { ...SEARCH_VARIANT, keepBonus });
    trials.push(trial);
    if (trial.active < bestActive || (trial.active === bestActive && trial.cost < bestCost)) {
      bestActive = trial.active;
      bestCost = trial.cost;
    }
  }
  return trials;
}
