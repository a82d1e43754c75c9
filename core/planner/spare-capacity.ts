// N+k spare capacity: after the plan, the servers of any k failed active hosts must be
// re-homed on the remaining active, enabled hosts by first-fit decreasing (memory, then vCPUs,
// then disk), hosts in snapshot order, Placement capacity only: the rule of FORMAT.md.
import { fitsCapacity } from '../capacity.js';
import type { Placement } from './placement.js';

/** Sets of failed hosts checked one by one when checking all of them would be too many. */
const EXHAUSTIVE_LIMIT = 5000;
const SLIDING_WINDOWS = 200;

/**
 * Free room per host in a segment tree, so that first fit over a fixed host order costs about
 * log(hosts) per server: subtrees without room in some resource are skipped.
 */
class FirstFitTree {
  private readonly size: number;
  private readonly vcpus: Float64Array;
  private readonly memory: Float64Array;
  private readonly disk: Float64Array;

  constructor(count: number) {
    let size = 1;
    while (size < Math.max(1, count)) size <<= 1;
    this.size = size;
    this.vcpus = new Float64Array(2 * size).fill(-Infinity);
    this.memory = new Float64Array(2 * size).fill(-Infinity);
    this.disk = new Float64Array(2 * size).fill(-Infinity);
  }

  set(position: number, vcpus: number, memory: number, disk: number): void {
    let node = position + this.size;
    this.vcpus[node] = vcpus;
    this.memory[node] = memory;
    this.disk[node] = disk;
    for (node >>= 1; node >= 1; node >>= 1) {
      this.vcpus[node] = Math.max(this.vcpus[2 * node], this.vcpus[2 * node + 1]);
      this.memory[node] = Math.max(this.memory[2 * node], this.memory[2 * node + 1]);
      this.disk[node] = Math.max(this.disk[2 * node], this.disk[2 * node + 1]);
    }
  }

  leaf(position: number): [number, number, number] {
    const node = position + this.size;
    return [this.vcpus[node], this.memory[node], this.disk[node]];
  }

  /** Leftmost position with room for the amounts that `accepts`, or -1. */
  first(vcpus: number, memory: number, disk: number, accepts: (position: number) => boolean): number {
    const roomFor = (node: number) => fitsCapacity(0, vcpus, this.vcpus[node]) && fitsCapacity(0, memory, this.memory[node]) && fitsCapacity(0, disk, this.disk[node]);
    const search = (node: number): number => {
      if (!roomFor(node)) return -1;
      if (node >= this.size) {
        const position = node - this.size;
        return accepts(position) ? position : -1;
      }
      const left = search(2 * node);
      return left >= 0 ? left : search(2 * node + 1);
    };
    return search(1);
  }
}

export interface SpareCapacityResult {
  holds: boolean;
  method: 'not requested' | 'exhaustive' | 'heuristic' | 'trivial';
  setsChecked: number;
  /** The failed hosts whose servers could not be re-homed, and the first such server. */
  failedHosts?: number[];
  unplacedServer?: number;
}

/**
 * `standby`: empty hosts kept enabled, counted as receivers too (the rule itself counts empty
 * hosts as off: they are spare capacity only when the plan leaves them in service).
 */
export function checkSpareCapacity(placement: Placement, spareHosts = placement.cluster.policy.spareCapacityHosts, standby: readonly number[] = []): SpareCapacityResult {
  const cluster = placement.cluster;
  if (spareHosts <= 0) return { holds: true, method: 'not requested', setsChecked: 0 };
  // With a scope, N+k is the scope's own: its hosts fail, and its hosts take their servers.
  const active: number[] = [];
  for (let host = 0; host < cluster.hostCount; host++) if (placement.isActive(host) && cluster.inScopeHost[host]) active.push(host);
  if (spareHosts >= active.length && standby.length === 0) return { holds: false, method: 'trivial', setsChecked: 0, failedHosts: active };
  const standing = new Uint8Array(cluster.hostCount);
  for (const host of standby) standing[host] = 1;
  const receivers: number[] = [];
  for (let host = 0; host < cluster.hostCount; host++) {
    if (cluster.enabled[host] && (placement.isActive(host) || standing[host])) receivers.push(host);
  }
  const position = new Int32Array(cluster.hostCount).fill(-1);
  receivers.forEach((host, index) => { position[host] = index; });
  const tree = new FirstFitTree(receivers.length);
  receivers.forEach((host, index) => tree.set(index,
    cluster.vcpuCapacity[host] - placement.allocatedVcpus[host],
    cluster.memoryCapacity[host] - placement.allocatedMemory[host],
    cluster.diskCapacity[host] - placement.allocatedDisk[host]));

  const { sets, method } = spareHosts >= active.length ? { sets: [active], method: 'exhaustive' as const } : failureSets(placement, active, spareHosts);
  const decreasing = (a: number, b: number) =>
    cluster.flavorMemory[b] - cluster.flavorMemory[a] || cluster.flavorVcpus[b] - cluster.flavorVcpus[a] || cluster.flavorDisk[b] - cluster.flavorDisk[a] || a - b;

  for (const failed of sets) {
    const saved = new Map<number, [number, number, number]>();
    const save = (index: number) => { if (!saved.has(index)) saved.set(index, tree.leaf(index)); };
    for (const host of failed) {
      if (position[host] < 0) continue;
      save(position[host]);
      tree.set(position[host], -Infinity, -Infinity, -Infinity);
    }
    const servers = failed.flatMap((host) => placement.serversOn(host)).sort(decreasing);
    let unplaced = -1;
    for (const server of servers) {
      const index = tree.first(cluster.flavorVcpus[server], cluster.flavorMemory[server], cluster.flavorDisk[server], (candidate) => {
        const host = receivers[candidate];
        return cluster.flavorVcpus[server] <= cluster.vcpuTotal[host] && cluster.flavorMemory[server] <= cluster.memoryTotal[host] && cluster.flavorDisk[server] <= cluster.diskTotal[host];
      });
      if (index < 0) { unplaced = server; break; }
      save(index);
      const [vcpus, memory, disk] = tree.leaf(index);
      tree.set(index, vcpus - cluster.flavorVcpus[server], memory - cluster.flavorMemory[server], disk - cluster.flavorDisk[server]);
    }
    for (const [index, [vcpus, memory, disk]] of saved) tree.set(index, vcpus, memory, disk);
    if (unplaced >= 0) return { holds: false, method, setsChecked: sets.length, failedHosts: failed, unplacedServer: unplaced };
  }
  return { holds: true, method, setsChecked: sets.length };
}

export function spareCapacityHolds(placement: Placement): boolean {
  return checkSpareCapacity(placement).holds;
}

/**
 * Which of the empty, enabled `candidates` must stay enabled for N+k to hold after the plan:
 * none when the active hosts suffice; else the fewest, largest memory first, that make it
 * hold; all of them when even that is not enough (the operator is then better served by every
 * spare host in service).
 */
export function emptyHostsSpareCapacityNeeds(placement: Placement, candidates: readonly number[]): number[] {
  const cluster = placement.cluster;
  if (cluster.policy.spareCapacityHosts <= 0 || candidates.length === 0 || spareCapacityHolds(placement)) return [];
  const largestFirst = [...candidates].sort((a, b) => cluster.memoryCapacity[b] - cluster.memoryCapacity[a] || a - b);
  const holdsWith = (count: number) => checkSpareCapacity(placement, cluster.policy.spareCapacityHosts, largestFirst.slice(0, count)).holds;
  if (!holdsWith(largestFirst.length)) return largestFirst;
  // More standby hosts only add room: the smallest count that holds is found by bisection.
  let low = 1;
  let high = largestFirst.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (holdsWith(middle)) high = middle; else low = middle + 1;
  }
  return largestFirst.slice(0, low);
}

function combinations(n: number, k: number): number {
  let count = 1;
  for (let index = 0; index < k; index++) {
    count = (count * (n - index)) / (index + 1);
    if (count > 1e7) return count;
  }
  return count;
}

/** Every set of k active hosts when that is few enough; else the likeliest worst sets. */
function failureSets(placement: Placement, active: number[], k: number): { sets: number[][]; method: 'exhaustive' | 'heuristic' } {
  // The most loaded hosts first: when N+k breaks, it breaks there, and the check stops sooner.
  if (k === 1) return { sets: active.slice().sort((a, b) => placement.allocatedMemory[b] - placement.allocatedMemory[a] || a - b).map((host) => [host]), method: 'exhaustive' };
  if (combinations(active.length, k) <= EXHAUSTIVE_LIMIT) {
    const sets: number[][] = [];
    const choose = (from: number, chosen: number[]) => {
      if (chosen.length === k) { sets.push(chosen.slice()); return; }
      for (let index = from; index < active.length; index++) {
        chosen.push(active[index]);
        choose(index + 1, chosen);
        chosen.pop();
      }
    };
    choose(0, []);
    return { sets, method: 'exhaustive' };
  }
  const sets: number[][] = [];
  const seen = new Set<string>();
  const addSet = (hosts: number[]) => {
    const key = hosts.slice().sort((a, b) => a - b).join(',');
    if (!seen.has(key)) { seen.add(key); sets.push(hosts); }
  };
  for (const load of [placement.allocatedVcpus, placement.allocatedMemory, placement.allocatedDisk, placement.serverCount]) {
    addSet(active.slice().sort((a, b) => load[b] - load[a] || a - b).slice(0, k));
  }
  const byMemory = active.slice().sort((a, b) => placement.allocatedMemory[b] - placement.allocatedMemory[a] || a - b);
  for (let index = 1; index + k <= byMemory.length && index < SLIDING_WINDOWS; index++) addSet(byMemory.slice(index, index + k));
  return { sets, method: 'heuristic' };
}
