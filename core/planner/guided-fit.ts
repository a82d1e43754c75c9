// Placement steered by the kind guide: a server goes to the kinds of host the guide gives its
// shape, while that kind's share of the shape is not used up, and within the kind to the kept
// host whose free room lines up best with what the server needs (their dot product, each
// resource over the host's capacity). First fit in keep order filled each host in its first
// resource to run out: the 1 TiB hosts' vCPUs with small flavors, while the memory-heavy ones
// that belong there found no vCPUs left; lined up, a kind's hosts fill in all their resources
// together, as the guide's programs count them (1,000 hosts of four generations: 264 active
// hosts; about 282 with first fit in keep order within the kind).
import { Constraint } from '../constraints.js';
import type { KindGuide } from './kind-guide.js';
import type { Placement } from './placement.js';

/** A quick look only: the placement's own check (`blocker`) decides, with its tolerance. */
const SHORT = 1 - 1e-6;

/** What a resource's product of demand and free room weighs in the dot product: both over the capacity; nothing without a limit. */
function weightOf(capacity: number): number {
  return capacity > 0 && Number.isFinite(capacity) ? 1 / (capacity * capacity) : 0;
}

export class GuidedFit {
  private readonly guide: KindGuide;
  private readonly placement: Placement;
  /** Servers of each shape on the kept hosts of each kind: placed[shape * kindCount + kind]. */
  private readonly placed: Float64Array;
  /** Each kind's hosts, in keep order. */
  private readonly members: number[][];
  /** Kept hosts that may receive now. */
  private readonly included: Uint8Array;
  /** Per kind (its hosts' capacities are alike), each resource's capacity and weight: [kind * 5 + resource]. */
  private readonly capacities: Float64Array;
  private readonly weights: Float64Array;
  /** The kind each server is counted on in `placed` (-1: none): it is on a kept host of that kind. */
  private readonly countedOn: Int32Array;
  /** Changes since `mark()`, to take back on a rollback: pairs of a server and the kind it was counted on before. */
  private readonly changes: number[] = [];

  /** `order`: hosts in keep order (ties between equally lined-up hosts go to the first). */
  constructor(placement: Placement, guide: KindGuide, order: number[]) {
    this.guide = guide;
    this.placement = placement;
    this.members = Array.from({ length: guide.kindCount }, () => []);
    for (const host of order) if (guide.kindOfHost[host] >= 0) this.members[guide.kindOfHost[host]].push(host);
    this.included = new Uint8Array(placement.cluster.hostCount);
    this.placed = new Float64Array(guide.quota.length);
    this.countedOn = new Int32Array(guide.shapeOfServer.length).fill(-1);
    const cluster = placement.cluster;
    this.capacities = new Float64Array(guide.kindCount * 5);
    this.weights = new Float64Array(guide.kindCount * 5);
    this.members.forEach((hosts, kind) => {
      const host = hosts[0];
      if (host === undefined) return;
      [cluster.memoryCapacity[host], cluster.vcpuCapacity[host], cluster.diskCapacity[host], cluster.cpuLimit[host], cluster.memoryLimit[host]]
        .forEach((capacity, resource) => {
          this.capacities[kind * 5 + resource] = capacity;
          this.weights[kind * 5 + resource] = weightOf(capacity);
        });
    });
  }

  /** Counts what the kept hosts hold at the start (servers that stay count against the shares). */
  countKept(isKept: (host: number) => boolean): void {
    const { shapeOfServer, kindOfHost, kindCount } = this.guide;
    for (let server = 0; server < shapeOfServer.length; server++) {
      const host = this.placement.hostOf[server];
      if (shapeOfServer[server] < 0 || kindOfHost[host] < 0 || !isKept(host)) continue;
      this.placed[shapeOfServer[server] * kindCount + kindOfHost[host]]++;
      this.countedOn[server] = kindOfHost[host];
    }
  }

  include(host: number, included: boolean): void {
    this.included[host] = included ? 1 : 0;
  }

  /**
   * A kept host of a kind whose share of the server's shape is not used up, lined up best with
   * the server within the kind; or -1.
   */
  destination(server: number): number {
    const { shapeOfServer, kindCount, quota, preference } = this.guide;
    const shape = shapeOfServer[server];
    if (shape < 0) return -1;
    const cluster = this.placement.cluster;
    const placement = this.placement;
    const memory = cluster.flavorMemory[server];
    const vcpus = cluster.flavorVcpus[server];
    const disk = cluster.flavorDisk[server];
    const cpu = cluster.cpuUsage[server];
    const usedMemory = cluster.memoryUsage[server];
    // The hottest loop of a guided plan: the arrays it reads are taken out once.
    const { allocatedMemory, allocatedVcpus, allocatedDisk, usedCpu, usedMemory: memoryInUse } = placement;
    const { included, capacities, weights } = this;
    for (const kind of preference[shape]) {
      if (this.placed[shape * kindCount + kind] + 1 > quota[shape * kindCount + kind] + 0.5) continue;
      // A kind's hosts have alike capacities: the dot product of demand and free room is largest
      // where the demand weighs least on what the host already holds.
      const at = kind * 5;
      const memoryWeight = memory * weights[at];
      const vcpusWeight = vcpus * weights[at + 1];
      const diskWeight = disk * weights[at + 2];
      const cpuWeight = cpu * weights[at + 3];
      const usedMemoryWeight = usedMemory * weights[at + 4];
      const memoryAbove = capacities[at] - memory * SHORT;
      const vcpusAbove = capacities[at + 1] - vcpus * SHORT;
      const diskAbove = capacities[at + 2] - disk * SHORT;
      const cpuAbove = capacities[at + 3] - cpu * SHORT;
      const usedMemoryAbove = capacities[at + 4] - usedMemory * SHORT;
      let best = -1;
      let bestWeight = Infinity;
      for (const host of this.members[kind]) {
        if (!included[host]) continue;
        if (allocatedMemory[host] > memoryAbove || allocatedVcpus[host] > vcpusAbove || allocatedDisk[host] > diskAbove
          || usedCpu[host] > cpuAbove || memoryInUse[host] > usedMemoryAbove) continue;
        const weight = memoryWeight * allocatedMemory[host] + vcpusWeight * allocatedVcpus[host] + diskWeight * allocatedDisk[host]
          + cpuWeight * usedCpu[host] + usedMemoryWeight * memoryInUse[host];
        if (weight >= bestWeight) continue;
        if (placement.blocker(server, host) !== Constraint.none) continue;
        best = host;
        bestWeight = weight;
      }
      if (best >= 0) return best;
    }
    return -1;
  }

  /** Records that `server` landed on kept host `host` (counts against its kind's share). */
  landed(server: number, host: number): void {
    this.countOn(server, this.guide.kindOfHost[host]);
  }

  /** Records that `server` leaves the host it is on (a kept host being emptied after all gives its shares back). */
  leaving(server: number): void {
    this.countOn(server, -1);
  }

  private countOn(server: number, kind: number): void {
    const shape = this.guide.shapeOfServer[server];
    const before = this.countedOn[server];
    if (shape < 0 || before === kind) return;
    const { kindCount } = this.guide;
    if (before >= 0) this.placed[shape * kindCount + before]--;
    if (kind >= 0) this.placed[shape * kindCount + kind]++;
    this.countedOn[server] = kind;
    this.changes.push(server, before);
  }

  mark(): number {
    return this.changes.length;
  }

  rollback(mark: number): void {
    const { shapeOfServer, kindCount } = this.guide;
    while (this.changes.length > mark) {
      const before = this.changes.pop()!;
      const server = this.changes.pop()!;
      const shape = shapeOfServer[server];
      const now = this.countedOn[server];
      if (now >= 0) this.placed[shape * kindCount + now]--;
      if (before >= 0) this.placed[shape * kindCount + before]++;
      this.countedOn[server] = before;
    }
  }
}
