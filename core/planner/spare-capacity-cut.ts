// Consolidation under N+k that cannot collapse: the least used hosts are emptied one by one by best fit onto the other active hosts, and the plan is kept up to its last move after which N+k holds.
//
// It is a fallback beside the ranked variants (consolidate-variants.ts): they pack hardest and
// check N+k per host, which can leave no host with the room a large server of a failed host
// needs. Stopping at the last safe move keeps what a partly emptied host offers: room.
import { Constraint } from '../constraints.js';
import type { PlanContext } from './context.js';
import { bestFit, chooseDestination } from './destinations.js';
import type { Placement } from './placement.js';
import { spareCapacityHolds } from './spare-capacity.js';

/** Up to this many servers N+k is checked after every move; above, after every emptied host. */
const CHECK_EVERY_MOVE_UP_TO_SERVERS = 6_000;

/** Which hosts go first: the least CPU-used, the least memory-allocated, or those with the fewest servers. */
export type EmptyingOrder = 'cpu' | 'memory' | 'servers';

/**
 * Empties hosts, least used first (`order`), each completely or not at all, then rolls back to
 * the last point where N+k held (most hosts freed, then fewest moves). Leaves the placement
 * unchanged when N+k holds at no point. Returns how many hosts the kept moves free.
 */
export function consolidateToLastSafeMove(placement: Placement, context: PlanContext, emptyingOrder: EmptyingOrder = 'cpu'): number {
  const cluster = placement.cluster;
  const policy = cluster.policy;
  const start = placement.mark();
  const everyMove = cluster.serverCount <= CHECK_EVERY_MOVE_UP_TO_SERVERS;

  const holdsPinned = new Uint8Array(cluster.hostCount);
  for (let server = 0; server < cluster.serverCount; server++) if (cluster.pinned[server]) holdsPinned[placement.hostOf[server]] = 1;
  const cpuShare = (host: number) => placement.usedCpu[host] / Math.max(cluster.cpuLimit[host], 1e-9);
  const memoryShare = (host: number) => placement.allocatedMemory[host] / Math.max(cluster.memoryCapacity[host], 1e-9);
  const order: number[] = [];
  for (let host = 0; host < cluster.hostCount; host++) {
    if (placement.isActive(host) && cluster.enabled[host] && cluster.inScopeHost[host] && !holdsPinned[host]) order.push(host);
  }
  const servers = (host: number) => placement.serverCount[host];
  const [first, second] = emptyingOrder === 'cpu' ? [cpuShare, memoryShare] : emptyingOrder === 'memory' ? [memoryShare, cpuShare] : [servers, memoryShare];
  order.sort((a, b) => first(a) - first(b) || second(a) - second(b) || a - b);

  const fit = bestFit(placement, 'fullest');
  const emptied: number[] = [];
  // The best safe point so far: a journal mark and the hosts freed there.
  let best: { mark: number; freed: number } | null = spareCapacityHolds(placement) ? { mark: start, freed: 0 } : null;
  const consider = () => {
    if ((!best || emptied.length > best.freed) && spareCapacityHolds(placement)) best = { mark: placement.mark(), freed: emptied.length };
  };

  for (const host of order) {
    if (!placement.isActive(host)) continue;
    const mark = placement.mark();
    placement.receiving[host] = 0;
    const destinations: number[] = [];
    for (let other = 0; other < cluster.hostCount; other++) if (placement.isActive(other) && placement.receiving[other]) destinations.push(other);
    const moving = placement.serversOn(host).sort((a, b) => cluster.cpuUsage[b] - cluster.cpuUsage[a] || cluster.flavorMemory[b] - cluster.flavorMemory[a] || a - b);
    let complete = true;
    for (const server of moving) {
      const destination = placement.migrations < policy.maxMigrations ? chooseDestination(placement, server, [destinations], fit) : -1;
      if (destination < 0) { complete = false; break; }
      placement.move(server, destination);
      if (everyMove) consider();
    }
    if (complete) {
      emptied.push(host);
      consider();
      continue;
    }
    placement.receiving[host] = cluster.enabled[host];
    if (best && best.mark > mark) break; // the best point is inside this attempt: it ends here
    placement.rollback(mark);
  }

  const kept: { mark: number; freed: number } = best ?? { mark: start, freed: 0 };
  placement.rollback(kept.mark);
  const spare = policy.spareCapacityHosts;
  for (const host of emptied) {
    placement.receiving[host] = placement.isActive(host) ? cluster.enabled[host] : 0;
    // Emptied past the last safe point, so undone: N+k is what keeps it on.
    const server = placement.isActive(host) ? placement.serversOn(host).find((candidate) => cluster.initialHost[candidate] === host) : undefined;
    if (server !== undefined) context.block(server, Constraint.spareCapacity, `${cluster.hostNames[host]} stays on: N+${spare} spare capacity needs it`, host);
  }
  return kept.freed;
}
