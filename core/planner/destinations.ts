// Choosing where a server goes: the first tier of candidate hosts that has any valid host wins,
// and within a tier the best-scored host. When nothing fits, the tally of blockers says why.
import { withinUsageLimit } from '../capacity.js';
import { Constraint, type ConstraintCode } from '../constraints.js';
import type { Placement } from './placement.js';

/** Counts, per constraint, the candidate hosts it ruled out. */
export class BlockerTally {
  private readonly counts = new Int32Array(32);

  add(code: ConstraintCode): void {
    this.counts[code]++;
  }

  reset(): void {
    this.counts.fill(0);
  }

  /** The constraint that ruled out the most hosts (what an operator should look at first). */
  main(): ConstraintCode {
    let best: ConstraintCode = Constraint.hostNotReceiving;
    let bestCount = 0;
    for (let code = 1; code < this.counts.length; code++) {
      if (code === Constraint.sameHost || code === Constraint.hostNotReceiving) continue;
      if (this.counts[code] > bestCount) {
        best = code as ConstraintCode;
        bestCount = this.counts[code];
      }
    }
    return best;
  }
}

export type HostScore = (host: number, server: number) => number;

/**
 * How a fit is judged, from how full the host would be after receiving the server in the
 * dimensions that bind (allocations against Placement capacity, use against the policy limits):
 * `fullest` prefers the fullest host overall (sum of squares), `balanced` the host whose
 * dimensions fill evenly (less room stranded in one dimension while another is full).
 * `keep-order` is first fit in the order of the hosts most worth keeping (indexed: fast on
 * large clusters).
 */
export type FitRule = 'fullest' | 'balanced' | 'keep-order';

/** Best fit: fuller is better, it keeps room together on fewer hosts. */
export function bestFit(placement: Placement, rule: FitRule = 'fullest'): HostScore {
  const cluster = placement.cluster;
  return (host, server) => {
    const memory = (placement.allocatedMemory[host] + cluster.flavorMemory[server]) / cluster.memoryCapacity[host];
    const vcpus = (placement.allocatedVcpus[host] + cluster.flavorVcpus[server]) / cluster.vcpuCapacity[host];
    const cpu = (placement.usedCpu[host] + cluster.cpuUsage[server]) / cluster.cpuLimit[host];
    const used = (placement.usedMemory[host] + cluster.memoryUsage[server]) / cluster.memoryLimit[host];
    const soft = placement.softViolations(server, host);
    if (rule === 'balanced') {
      const spread = Math.max(memory, vcpus, cpu, used) - Math.min(memory, vcpus, cpu, used);
      return memory + vcpus + cpu + used - 2 * spread - soft;
    }
    return memory * memory + vcpus * vcpus + cpu * cpu + used * used - soft;
  };
}

/**
 * Spread: how much room the host would keep after receiving the server. Used to relieve
 * overload, so that a relieved server does not make the next hot spot.
 */
export function mostRoom(placement: Placement): HostScore {
  const cluster = placement.cluster;
  return (host, server) => {
    const cpu = (placement.usedCpu[host] + cluster.cpuUsage[server]) / cluster.cpuLimit[host];
    const used = (placement.usedMemory[host] + cluster.memoryUsage[server]) / cluster.memoryLimit[host];
    return -Math.max(cpu, used) - placement.softViolations(server, host);
  };
}

/**
 * The best valid host for the server among `tiers` (earlier tiers first), or -1. Blockers of
 * rejected hosts are counted in `tally` when given.
 */
export function chooseDestination(
  placement: Placement, server: number, tiers: ArrayLike<number>[], score: HostScore, tally?: BlockerTally,
): number {
  // Most hosts are ruled out by memory or CPU: check those inline before the full check.
  const cluster = placement.cluster;
  const memory = cluster.flavorMemory[server];
  const cpu = cluster.cpuUsage[server];
  const allocatedMemory = placement.allocatedMemory;
  const memoryCapacity = cluster.memoryCapacity;
  const usedCpu = placement.usedCpu;
  const cpuLimit = cluster.cpuLimit;
  for (const hosts of tiers) {
    let best = -1;
    let bestScore = -Infinity;
    for (let index = 0; index < hosts.length; index++) {
      const host = hosts[index];
      if (allocatedMemory[host] + memory > memoryCapacity[host] * (1 + 1e-9) + 1e-9) {
        tally?.add(Constraint.memoryCapacity);
        continue;
      }
      if (!withinUsageLimit(usedCpu[host], cpu, cpuLimit[host])) {
        tally?.add(Constraint.cpuUsageLimit);
        continue;
      }
      const blocker = placement.blocker(server, host);
      if (blocker !== Constraint.none) {
        tally?.add(blocker);
        continue;
      }
      const value = score(host, server);
      if (value > bestScore) {
        best = host;
        bestScore = value;
      }
    }
    if (best >= 0) return best;
  }
  return -1;
}
