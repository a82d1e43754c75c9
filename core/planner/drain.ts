// Drain (goal `drain`): every server that may move leaves the drained hosts, each in one move,
// and nothing else moves. Destinations are the active hosts first (best fit), then idle ones.
import type { ConstraintCode } from '../constraints.js';
import type { PlanContext } from './context.js';
import { BlockerTally, bestFit, chooseDestination } from './destinations.js';
import { ZonedHostIndex } from './host-index.js';
import type { Placement } from './placement.js';

export function drain(placement: Placement, context: PlanContext): void {
  const cluster = placement.cluster;
  for (let host = 0; host < cluster.hostCount; host++) if (cluster.drainHost[host]) placement.receiving[host] = 0;
  const active: number[] = [];
  const idle: number[] = [];
  for (let host = 0; host < cluster.hostCount; host++) {
    if (!placement.receiving[host]) continue;
    (placement.isActive(host) ? active : idle).push(host);
  }
  const servers: number[] = [];
  for (let host = 0; host < cluster.hostCount; host++) if (cluster.drainHost[host]) servers.push(...placement.serversOn(host));
  // Largest first: they are the hardest to place.
  servers.sort((a, b) => cluster.flavorMemory[b] - cluster.flavorMemory[a] || cluster.flavorVcpus[b] - cluster.flavorVcpus[a] || a - b);
  const fit = bestFit(placement);
  const tally = new BlockerTally();
  // Large clusters: first fit over the active hosts, fullest first (indexed), instead of
  // scoring every host for every server.
  const fullness = (host: number) => placement.allocatedMemory[host] / cluster.memoryCapacity[host];
  const index = servers.length * active.length > INDEXED_ABOVE
    ? new ZonedHostIndex(placement, [...active.sort((a, b) => fullness(b) - fullness(a) || a - b), ...idle])
    : null;
  if (index) {
    for (const host of active) index.include(host, true);
    placement.onHostChange = (host) => index.refresh(host);
  }
  for (const server of servers) {
    const host = placement.hostOf[server];
    if (cluster.pinned[server]) {
      context.block(server, cluster.pinned[server] as ConstraintCode, `${cluster.hostNames[host]} stays enabled: ${cluster.pinDetail.get(server) ?? 'the server may not move'}`);
      continue;
    }
    tally.reset();
    let destination = index ? index.first(server) : chooseDestination(placement, server, [active], fit, tally);
    if (destination < 0) destination = chooseDestination(placement, server, [idle], fit, tally);
    if (destination < 0) {
      if (index) chooseDestination(placement, server, [active], fit, tally);
      context.block(server, tally.main());
      continue;
    }
    if (!placement.isActive(destination)) {
      idle.splice(idle.indexOf(destination), 1);
      active.push(destination);
      index?.include(destination, true);
    }
    placement.move(server, destination);
    context.because(server, `drain ${cluster.hostNames[host]} for maintenance`);
  }
  placement.onHostChange = null;
}

/** Above this many server-host pairs, the indexed first fit replaces scoring every host. */
const INDEXED_ABOVE = 2_000_000;
