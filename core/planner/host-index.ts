// First fit in a fixed host order in about log(hosts) steps: a segment tree keeps, for every
// range of hosts, the largest free room in each resource (Placement allocations and the usage
// limits). Ranges without room for a server are skipped; the full constraint check runs only on
// hosts that have the room.
//
// Per-resource maxima can come from different hosts: a range whose hosts have either memory or
// CPU headroom, never both, passes for a server that needs both, and a search that finds nothing
// then visits nearly every host. So each range also keeps, per class of flavor memory, the largest
// CPU headroom among its hosts with that much memory free: exact on the pair that binds together.
import { usageTolerance } from '../capacity.js';
import { Constraint } from '../constraints.js';
import type { Placement } from './placement.js';

const TOLERANCE = 1e-9;
/** Memory classes kept per range, at most: the flavors' memory sizes, thinned evenly beyond. */
const MEMORY_CLASSES = 16;

/**
 * Ascending memory thresholds: each server's class is the largest threshold not above its
 * flavor's memory, so a range that fails its class has no host for it.
 */
function memoryThresholds(flavorMemory: Float64Array): Float64Array {
  const sizes = [...new Set(flavorMemory)].sort((a, b) => a - b);
  if (sizes.length <= MEMORY_CLASSES) return Float64Array.from(sizes);
  return Float64Array.from({ length: MEMORY_CLASSES }, (_, index) => sizes[Math.floor(index * sizes.length / MEMORY_CLASSES)]);
}

/** The memory classes of a cluster's servers: computed once and shared by every index over it. */
export interface MemoryClasses {
  thresholds: Float64Array;
  /** Each server's memory class (-1: below every threshold). */
  ofServer: Int8Array;
}

export function memoryClasses(flavorMemory: Float64Array): MemoryClasses {
  const thresholds = memoryThresholds(flavorMemory);
  const ofServer = Int8Array.from(flavorMemory, (memory) => {
    let found = -1;
    for (let index = 0; index < thresholds.length; index++) if (thresholds[index] <= memory) found = index;
    return found;
  });
  return { thresholds, ofServer };
}

export class HostIndex {
  private readonly placement: Placement;
  private readonly size: number;
  private readonly position: Int32Array;
  private readonly hostAt: Int32Array;
  private readonly member: Uint8Array;
  private readonly memory: Float64Array;
  private readonly vcpus: Float64Array;
  private readonly disk: Float64Array;
  private readonly cpu: Float64Array;
  private readonly usedMemory: Float64Array;
  /** Sums of free room over each range (root: every included host), per resource. */
  private readonly sums: Float64Array[];
  private readonly thresholds: Float64Array;
  /** Per range (node × class): the largest CPU headroom of a host with the class's memory free. */
  private readonly cpuByMemoryClass: Float64Array;
  /** Each server's memory class (-1: below every threshold). */
  private readonly memoryClass: Int8Array;
  private readonly stack: Int32Array;
  /**
   * The usage limits' tolerance at the largest limit, doubled for rounding in the headroom: a
   * range is skipped only where no host can be within its limit as the capacity rule counts it (a
   * host brought exactly to max_host_cpu by fractional usages has a headroom a hair below the server's use).
   */
  private readonly cpuSlack: number;
  private readonly memorySlack: number;
  /** Ranges examined by every search so far: a measure of work that does not depend on the clock. */
  searchSteps = 0;

  /** `order`: every host that may ever take part, in the order first fit tries them. */
  constructor(placement: Placement, order: number[], classes: MemoryClasses = memoryClasses(placement.cluster.flavorMemory)) {
    this.placement = placement;
    let size = 1;
    while (size < Math.max(1, order.length)) size <<= 1;
    this.size = size;
    this.position = new Int32Array(placement.cluster.hostCount).fill(-1);
    this.hostAt = new Int32Array(size).fill(-1);
    order.forEach((host, index) => {
      this.position[host] = index;
      this.hostAt[index] = host;
    });
    this.member = new Uint8Array(placement.cluster.hostCount);
    const arrays = () => new Float64Array(2 * size).fill(-Infinity);
    this.memory = arrays();
    this.vcpus = arrays();
    this.disk = arrays();
    this.cpu = arrays();
    this.usedMemory = arrays();
    this.sums = [0, 1, 2, 3, 4].map(() => new Float64Array(2 * size));
    this.thresholds = classes.thresholds;
    this.cpuByMemoryClass = new Float64Array(2 * size * this.thresholds.length).fill(-Infinity);
    this.memoryClass = classes.ofServer;
    this.stack = new Int32Array(64);
    let cpuLimit = 0;
    let memoryLimit = 0;
    for (const host of order) {
      if (Number.isFinite(placement.cluster.cpuLimit[host])) cpuLimit = Math.max(cpuLimit, placement.cluster.cpuLimit[host]);
      if (Number.isFinite(placement.cluster.memoryLimit[host])) memoryLimit = Math.max(memoryLimit, placement.cluster.memoryLimit[host]);
    }
    this.cpuSlack = 2 * usageTolerance(cpuLimit);
    this.memorySlack = 2 * usageTolerance(memoryLimit);
  }

  /** Adds or removes a host from the hosts first fit may choose. */
  include(host: number, included: boolean): void {
    if (this.position[host] < 0) return;
    const was = this.member[host];
    this.member[host] = included ? 1 : 0;
    if (was || included) this.update(host);
  }

  /** Re-reads a host's free room after its load changed (nothing to do for a host left out). */
  refresh(host: number): void {
    if (this.member[host]) this.update(host);
  }

  private update(host: number): void {
    const index = this.position[host];
    if (index < 0) return;
    const cluster = this.placement.cluster;
    const placement = this.placement;
    let node = index + this.size;
    if (this.member[host]) {
      this.memory[node] = cluster.memoryCapacity[host] - placement.allocatedMemory[host];
      this.vcpus[node] = cluster.vcpuCapacity[host] - placement.allocatedVcpus[host];
      this.disk[node] = cluster.diskCapacity[host] - placement.allocatedDisk[host];
      this.cpu[node] = cluster.cpuLimit[host] - placement.usedCpu[host];
      this.usedMemory[node] = cluster.memoryLimit[host] - placement.usedMemory[host];
    } else {
      this.memory[node] = this.vcpus[node] = this.disk[node] = this.cpu[node] = this.usedMemory[node] = -Infinity;
    }
    const leaves = [this.memory, this.vcpus, this.disk, this.cpu, this.usedMemory];
    for (let resource = 0; resource < 5; resource++) this.sums[resource][node] = this.member[host] ? Math.max(0, leaves[resource][node]) : 0;
    const classes = this.thresholds.length;
    const byClass = this.cpuByMemoryClass;
    for (let index = 0; index < classes; index++) {
      byClass[node * classes + index] = this.memory[node] >= this.thresholds[index] * (1 - TOLERANCE) - TOLERANCE ? this.cpu[node] : -Infinity;
    }
    for (node >>= 1; node >= 1; node >>= 1) {
      const left = 2 * node;
      const right = left + 1;
      for (let resource = 0; resource < 5; resource++) this.sums[resource][node] = this.sums[resource][left] + this.sums[resource][right];
      this.memory[node] = Math.max(this.memory[left], this.memory[right]);
      this.vcpus[node] = Math.max(this.vcpus[left], this.vcpus[right]);
      this.disk[node] = Math.max(this.disk[left], this.disk[right]);
      this.cpu[node] = Math.max(this.cpu[left], this.cpu[right]);
      this.usedMemory[node] = Math.max(this.usedMemory[left], this.usedMemory[right]);
      for (let index = 0; index < classes; index++) {
        byClass[node * classes + index] = Math.max(byClass[left * classes + index], byClass[right * classes + index]);
      }
    }
  }

  /** Free room summed over the included hosts: memory, vCPUs, disk, CPU use and memory use headroom. */
  totalRoom(): [number, number, number, number, number] {
    return [this.sums[0][1], this.sums[1][1], this.sums[2][1], this.sums[3][1], this.sums[4][1]];
  }

  /** The first included host, in order, that may take the server; or -1. */
  first(server: number): number {
    const cluster = this.placement.cluster;
    const memory = cluster.flavorMemory[server] * (1 - TOLERANCE) - TOLERANCE;
    const vcpus = cluster.flavorVcpus[server] * (1 - TOLERANCE) - TOLERANCE;
    const disk = cluster.flavorDisk[server] * (1 - TOLERANCE) - TOLERANCE;
    const cpu = cluster.cpuUsage[server] - this.cpuSlack;
    const usedMemory = cluster.memoryUsage[server] - this.memorySlack;
    const classes = this.thresholds.length;
    const memoryClass = this.memoryClass[server];
    const byClass = this.cpuByMemoryClass;
    let stack = this.stack;
    let top = 0;
    stack[top++] = 1;
    while (top > 0) {
      const node = stack[--top];
      this.searchSteps++;
      if (this.memory[node] < memory || this.vcpus[node] < vcpus || this.disk[node] < disk || this.cpu[node] < cpu || this.usedMemory[node] < usedMemory) continue;
      if (memoryClass >= 0 && byClass[node * classes + memoryClass] < cpu) continue;
      if (node >= this.size) {
        const host = this.hostAt[node - this.size];
        if (host >= 0 && this.placement.blocker(server, host) === Constraint.none) return host;
        continue;
      }
      if (top + 2 > stack.length) {
        const grown = new Int32Array(stack.length * 2);
        grown.set(stack);
        stack = grown;
      }
      stack[top++] = 2 * node + 1;
      stack[top++] = 2 * node;
    }
    return -1;
  }
}

/**
 * The same index, plus one per availability zone for servers that requested a zone (their
 * search would otherwise descend into ranges whose room is in other zones).
 */
export class ZonedHostIndex {
  private readonly placement: Placement;
  private readonly all: HostIndex;
  private readonly byZone = new Map<string, HostIndex>();

  constructor(placement: Placement, order: number[], classes: MemoryClasses = memoryClasses(placement.cluster.flavorMemory)) {
    this.placement = placement;
    this.all = new HostIndex(placement, order, classes);
    const cluster = placement.cluster;
    const zones = new Set<string>();
    for (let server = 0; server < cluster.serverCount; server++) {
      const zone = cluster.requestedZone[server];
      if (zone !== null) zones.add(zone);
    }
    for (const zone of [...zones].sort()) {
      this.byZone.set(zone, new HostIndex(placement, order.filter((host) => cluster.zone[host] === zone), classes));
    }
  }

  include(host: number, included: boolean): void {
    this.all.include(host, included);
    const zone = this.placement.cluster.zone[host];
    if (zone !== null) this.byZone.get(zone)?.include(host, included);
  }

  refresh(host: number): void {
    this.all.refresh(host);
    const zone = this.placement.cluster.zone[host];
    if (zone !== null) this.byZone.get(zone)?.refresh(host);
  }

  totalRoom(): [number, number, number, number, number] {
    return this.all.totalRoom();
  }

  get searchSteps(): number {
    let steps = this.all.searchSteps;
    for (const index of this.byZone.values()) steps += index.searchSteps;
    return steps;
  }

  first(server: number): number {
    const zone = this.placement.cluster.requestedZone[server];
    if (zone === null) return this.all.first(server);
    return this.byZone.get(zone)?.first(server) ?? -1;
  }
}
