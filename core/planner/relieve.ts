// Overload relief (goal `balance`, and the first step of every goal): bring every active host
// under the policy's usage limits with as few migrations as possible.
import { withinUsageLimit } from '../capacity.js';
import { Constraint } from '../constraints.js';
import type { PlanContext } from './context.js';
import { BlockerTally, bestFit, chooseDestination, mostRoom } from './destinations.js';
import type { Placement } from './placement.js';

export interface ReliefOptions {
  /** `spread` (balance: keep room everywhere) or `fit` (consolidate: keep hosts full). */
  destinations: 'spread' | 'fit';
}

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

export function relieveOverloads(placement: Placement, context: PlanContext, options: ReliefOptions): void {
  const cluster = placement.cluster;
  const overloaded: number[] = [];
  const severity = new Float64Array(cluster.hostCount);
  for (let host = 0; host < cluster.hostCount; host++) {
    // A host outside the policy's scope is not this plan's to relieve.
    if (!placement.isActive(host) || !cluster.inScopeHost[host] || placement.withinUsageLimits(host)) continue;
    overloaded.push(host);
    severity[host] = Math.max(placement.usedCpu[host] / cluster.cpuLimit[host], placement.usedMemory[host] / cluster.memoryLimit[host]);
  }
  overloaded.sort((a, b) => severity[b] - severity[a] || a - b);
  const isOverloaded = new Uint8Array(cluster.hostCount);
  for (const host of overloaded) isOverloaded[host] = 1;
  const score = options.destinations === 'spread' ? mostRoom(placement) : bestFit(placement);
  const tally = new BlockerTally();

  for (const host of overloaded) {
    const wasReceiving = placement.receiving[host];
    placement.receiving[host] = 0;
    const active: number[] = [];
    const idle: number[] = [];
    for (let other = 0; other < cluster.hostCount; other++) {
      if (other === host || isOverloaded[other] || !placement.receiving[other]) continue;
      (placement.isActive(other) ? active : idle).push(other);
    }
    const tiers = [active, idle];
    const reason = () => {
      const cpu = placement.usedCpu[host] / cluster.vcpuTotal[host];
      const memory = placement.usedMemory[host] / cluster.memoryTotal[host];
      return cpu > cluster.policy.maxHostCpu
        ? `relieve ${cluster.hostNames[host]}: CPU use ${percent(cpu)} over max_host_cpu ${percent(cluster.policy.maxHostCpu)}`
        : `relieve ${cluster.hostNames[host]}: memory use ${percent(memory)} over max_host_memory ${percent(cluster.policy.maxHostMemory)}`;
    };

    while (!placement.withinUsageLimits(host)) {
      const excessCpu = Math.max(0, placement.usedCpu[host] - cluster.cpuLimit[host]);
      const excessMemory = Math.max(0, placement.usedMemory[host] - cluster.memoryLimit[host]);
      const movable = placement.serversOn(host).filter((server) => !cluster.pinned[server]);
      if (movable.length === 0) {
        for (const server of placement.serversOn(host)) context.block(server, cluster.pinned[server] as typeof Constraint.notMigratable);
        context.notes.push(`${cluster.hostNames[host]} stays over its usage limits: none of its servers may move`);
        break;
      }
      if (placement.migrations >= cluster.policy.maxMigrations) {
        context.block(movable[0], Constraint.migrationBudget);
        break;
      }
      // One server that covers the whole excess, the cheapest to move; else the one that
      // covers most of it. Both keep the number of migrations low.
      const covers = (server: number) => withinUsageLimit(placement.usedCpu[host], -cluster.cpuUsage[server], cluster.cpuLimit[host]) &&
        withinUsageLimit(placement.usedMemory[host], -cluster.memoryUsage[server], cluster.memoryLimit[host]);
      const share = (server: number) => Math.max(
        excessCpu > 0 ? cluster.cpuUsage[server] / excessCpu : 0,
        excessMemory > 0 ? cluster.memoryUsage[server] / excessMemory : 0,
      ) / cluster.moveCost[server];
      const single = movable.filter(covers).sort((a, b) =>
        cluster.moveCost[a] - cluster.moveCost[b] || cluster.flavorMemory[a] - cluster.flavorMemory[b] || a - b);
      const largest = movable.filter((server) => !covers(server)).sort((a, b) => share(b) - share(a) || a - b);
      let moved = false;
      tally.reset();
      for (const server of [...single, ...largest]) {
        const destination = chooseDestination(placement, server, tiers, score, tally);
        if (destination < 0) continue;
        context.because(server, reason());
        placement.move(server, destination);
        moved = true;
        break;
      }
      if (!moved) {
        const blocker = tally.main();
        for (const server of movable) context.block(server, blocker);
        context.notes.push(`${cluster.hostNames[host]} stays over its usage limits: no host can take its servers`);
        break;
      }
    }
    placement.receiving[host] = wasReceiving;
  }
}
