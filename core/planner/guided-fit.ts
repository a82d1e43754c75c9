// First fit steered by the kind guide: a server goes to the kinds of host the guide gives its
// shape, while that kind's share of the shape is not used up, first fit in keep order within
// the kind; the caller falls back to plain first fit when none takes it.
import { HostIndex, type MemoryClasses } from './host-index.js';
import type { KindGuide } from './kind-guide.js';
import type { Placement } from './placement.js';

export class GuidedFit {
  private readonly guide: KindGuide;
  private readonly placement: Placement;
  /** One index per kind: a kind lies in one zone, and a shape's kinds are within its zone. */
  private readonly indexes: HostIndex[];
  /** Servers of each shape on the kept hosts of each kind: placed[shape * kindCount + kind]. */
  private readonly placed: Float64Array;
  /** Landings since `mark()`: shape * kindCount + kind, to take back on a rollback. */
  private readonly landings: number[] = [];

  /** `order`: hosts in keep order; each kind's index keeps that order. */
  constructor(placement: Placement, guide: KindGuide, order: number[], classes: MemoryClasses) {
    this.guide = guide;
    this.placement = placement;
    const byKind: number[][] = Array.from({ length: guide.kindCount }, () => []);
    for (const host of order) if (guide.kindOfHost[host] >= 0) byKind[guide.kindOfHost[host]].push(host);
    this.indexes = byKind.map((hosts) => new HostIndex(placement, hosts, classes));
    this.placed = new Float64Array(guide.quota.length);
  }

  /** Counts what the kept hosts hold at the start (servers that stay count against the shares). */
  countKept(isKept: (host: number) => boolean): void {
    const { shapeOfServer, kindOfHost, kindCount } = this.guide;
    for (let server = 0; server < shapeOfServer.length; server++) {
      const host = this.placement.hostOf[server];
      if (shapeOfServer[server] < 0 || kindOfHost[host] < 0 || !isKept(host)) continue;
      this.placed[shapeOfServer[server] * kindCount + kindOfHost[host]]++;
    }
  }

  include(host: number, included: boolean): void {
    const kind = this.guide.kindOfHost[host];
    if (kind >= 0) this.indexes[kind].include(host, included);
  }

  refresh(host: number): void {
    const kind = this.guide.kindOfHost[host];
    if (kind >= 0) this.indexes[kind].refresh(host);
  }

  /** A kept host of a kind whose share of the server's shape is not used up, or -1. */
  first(server: number): number {
    const { shapeOfServer, kindCount, quota, preference } = this.guide;
    const shape = shapeOfServer[server];
    if (shape < 0) return -1;
    for (const kind of preference[shape]) {
      if (this.placed[shape * kindCount + kind] + 1 > quota[shape * kindCount + kind] + 0.5) continue;
      const host = this.indexes[kind].first(server);
      if (host >= 0) return host;
    }
    return -1;
  }

  /** Records that `server` landed on kept host `host` (counts against its kind's share). */
  landed(server: number, host: number): void {
    const shape = this.guide.shapeOfServer[server];
    const kind = this.guide.kindOfHost[host];
    if (shape < 0 || kind < 0) return;
    const key = shape * this.guide.kindCount + kind;
    this.placed[key]++;
    this.landings.push(key);
  }

  mark(): number {
    return this.landings.length;
  }

  rollback(mark: number): void {
    while (this.landings.length > mark) this.placed[this.landings.pop()!]--;
  }
}
