// Drain (goal `drain`): every server that may move leaves the drained hosts, each in one move,
// and nothing else moves. Destinations are the active hosts first (best fit), then idle ones.
import type { ConstraintCode } from '../constraints.js';
import type { PlanContext } from './context.js';
import { BlockerTally, bestFit, chooseDestination } from './destinations.js';
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
  for (const server of servers) {
    const host = placement.hostOf[server];
    if (cluster.pinned[server]) {
      context.block(server, cluster.pinned[server] as ConstraintCode, `${cluster.hostNames[host]} stays enabled: ${cluster.pinDetail.get(server) ?? 'the server may not move'}`);
      continue;
    }
    tally.reset();
    const destination = chooseDestination(placement, server, [active, idle], fit, tally);
    if (destination < 0) {
      context.block(server, tally.main());
      continue;
    }
    if (!placement.isActive(destination)) {
      idle.splice(idle.indexOf(destination), 1);
      active.push(destination);
    }
    placement.move(server, destination);
    context.because(server, `drain ${cluster.hostNames[host]} for maintenance`);
  }
}
