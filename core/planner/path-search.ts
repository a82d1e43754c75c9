// reach_target as a search over placements: finds a sequence of single live migrations, each
// valid on its own (Placement capacity of the destination, anti-affinity against where members
// are, enabled destination, availability zone, max_unit, migratable), from the start to the
// goal placement, or proves that none exists by visiting every placement reachable from the
// start. Bounded by a budget of placements examined (never a clock), so plans stay
// deterministic.
import { fitsCapacity } from '../capacity.js';
import type { Cluster } from '../cluster.js';

export interface PathMove {
  server: number;
  source: number;
  destination: number;
}

export type PathSearchResult =
  /** A path: its moves in order. */
  | { outcome: 'found'; moves: PathMove[]; examined: number }
  /** Proof that no path exists: every placement reachable from the start was visited. */
  | { outcome: 'unreachable'; examined: number; reachable: number }
  /** The budget ran out first: nothing is proven. */
  | { outcome: 'limit'; examined: number };

export interface PathSearchOptions {
  /** Placements examined at most (each one a migration leads to, new or seen before), over both phases. */
  budget?: number;
}

/** Placements examined by default: well under a second of search, and bounded memory. */
export const DEFAULT_SEARCH_BUDGET = 100_000;
/** The exact phase (shortest path, complete) gets this share of the budget on a cluster it can cover. */
const EXACT_SHARE = 0.6;
/** Hosts per server the focused phase considers for a temporary move besides its goal host. */
const PARKING_CHOICES = 3;
/** Weight of the servers still off their goal host in the focused phase (greedier than A*). */
const FOCUSED_WEIGHT = 3;
/** The exact phase runs when movable servers x hosts is at most this (it tries every move of every server). */
const EXACT_MOVES_LIMIT = 4000;

/**
 * A path from `start` to `goal` (host per server): first an exact best-first search (A*, with
 * the servers off their goal host as an admissible heuristic: each migration puts at most one
 * server on its goal), which finds a shortest path or proves there is none; when that runs out
 * of its share of the budget, a focused search that only moves the servers off their goal host
 * and those on the hosts they go to, each to its goal or to a few hosts with room.
 */
export function searchPath(cluster: Cluster, start: Int32Array, goal: Int32Array, options: PathSearchOptions = {}): PathSearchResult {
  const budget = Math.max(1, Math.floor(options.budget ?? DEFAULT_SEARCH_BUDGET));
  const exactBudget = Math.max(1, Math.floor(budget * EXACT_SHARE));
  if (!anyMigration(cluster, start)) return { outcome: 'unreachable', examined: 0, reachable: 1 };
  let examined = 0;
  if (exactSearchCovers(cluster)) {
    const exact = bestFirst(new SearchSpace(cluster, start, goal, null), exactBudget, 1);
    if (exact.outcome !== 'limit') return exact;
    examined = exact.examined;
  }
  const focused = bestFirst(new SearchSpace(cluster, start, goal, focusServers(cluster, start, goal)), Math.max(1, budget - examined), FOCUSED_WEIGHT);
  examined += focused.examined;
  // The focused search skips moves: running out of placements there proves nothing.
  return focused.outcome === 'found' ? { ...focused, examined } : { outcome: 'limit', examined };
}

/** Whether any single live migration is valid from `start` (stops at the first one found). */
function anyMigration(cluster: Cluster, start: Int32Array): boolean {
  const hosts = cluster.hostCount;
  const memory = new Float64Array(hosts);
  const vcpus = new Float64Array(hosts);
  const disk = new Float64Array(hosts);
  const members = new Map<number, number>();
  for (let server = 0; server < cluster.serverCount; server++) {
    const host = start[server];
    memory[host] += cluster.flavorMemory[server];
    vcpus[host] += cluster.flavorVcpus[server];
    disk[host] += cluster.flavorDisk[server];
    for (const group of cluster.groupsOf(server)) members.set(group * hosts + host, (members.get(group * hosts + host) ?? 0) + 1);
  }
  for (let server = 0; server < cluster.serverCount; server++) {
    if (cluster.pinned[server]) continue;
    const zone = cluster.requestedZone[server];
    for (let host = 0; host < hosts; host++) {
      if (host === start[server] || !cluster.enabled[host] || (zone !== null && cluster.zone[host] !== zone)) continue;
      if (cluster.flavorMemory[server] > cluster.memoryTotal[host] || cluster.flavorVcpus[server] > cluster.vcpuTotal[host] || cluster.flavorDisk[server] > cluster.diskTotal[host]) continue;
      if (!fitsCapacity(memory[host], cluster.flavorMemory[server], cluster.memoryCapacity[host])) continue;
      if (!fitsCapacity(vcpus[host], cluster.flavorVcpus[server], cluster.vcpuCapacity[host])) continue;
      if (!fitsCapacity(disk[host], cluster.flavorDisk[server], cluster.diskCapacity[host])) continue;
      const blocked = [...cluster.groupsOf(server)].some((group) => cluster.groups[group].policy === 'anti-affinity' && (members.get(group * hosts + host) ?? 0) >= cluster.groups[group].maxPerHost);
      if (!blocked) return true;
    }
  }
  return false;
}

/** True when the cluster is small enough for the exact phase, which tries every move of every server. */
export function exactSearchCovers(cluster: Cluster): boolean {
  let movable = 0;
  for (let server = 0; server < cluster.serverCount; server++) if (!cluster.pinned[server]) movable++;
  return movable * cluster.hostCount <= EXACT_MOVES_LIMIT;
}

/** Servers that are off their goal host, and the servers on the hosts those go to. */
function focusServers(cluster: Cluster, start: Int32Array, goal: Int32Array): number[] {
  const goalHosts = new Set<number>();
  for (let server = 0; server < cluster.serverCount; server++) if (start[server] !== goal[server]) goalHosts.add(goal[server]);
  const servers: number[] = [];
  for (let server = 0; server < cluster.serverCount; server++) {
    if (start[server] !== goal[server] || goalHosts.has(start[server])) servers.push(server);
  }
  return servers;
}

/**
 * The placements of the servers that may move, as strings of host numbers (one character per
 * server: exact keys, so two placements are only taken for one when they are one). The other
 * servers stay where they are.
 */
class SearchSpace {
  readonly cluster: Cluster;
  readonly goal: Int32Array;
  /** Servers the search moves, and each one's position in a key. */
  readonly movers: number[];
  /** Hosts each mover may ever be on: enabled, in its zone, within max_unit. */
  readonly destinations: number[][];
  readonly startKey: string;
  readonly goalKey: string;
  /** Allocations on each host of the servers that do not move. */
  private readonly fixedMemory: Float64Array;
  private readonly fixedVcpus: Float64Array;
  private readonly fixedDisk: Float64Array;
  /** Anti-affinity groups of each mover (group numbers), and the fixed members per group and host. */
  private readonly moverGroups: number[][];
  private readonly fixedMembers = new Map<number, number>();
  /** Focused: a bounded choice of temporary hosts per move. */
  readonly focused: boolean;

  constructor(cluster: Cluster, start: Int32Array, goal: Int32Array, focus: number[] | null) {
    this.cluster = cluster;
    this.goal = goal;
    this.focused = focus !== null;
    const candidates = focus ?? Array.from({ length: cluster.serverCount }, (_, server) => server);
    this.movers = candidates.filter((server) => !cluster.pinned[server]);
    const moving = new Uint8Array(cluster.serverCount);
    for (const server of this.movers) moving[server] = 1;
    const hosts = cluster.hostCount;
    this.fixedMemory = new Float64Array(hosts);
    this.fixedVcpus = new Float64Array(hosts);
    this.fixedDisk = new Float64Array(hosts);
    for (let server = 0; server < cluster.serverCount; server++) {
      if (moving[server]) continue;
      const host = start[server];
      this.fixedMemory[host] += cluster.flavorMemory[server];
      this.fixedVcpus[host] += cluster.flavorVcpus[server];
      this.fixedDisk[host] += cluster.flavorDisk[server];
      for (const group of cluster.groupsOf(server)) {
        if (cluster.groups[group].policy !== 'anti-affinity') continue;
        const key = group * hosts + host;
        this.fixedMembers.set(key, (this.fixedMembers.get(key) ?? 0) + 1);
      }
    }
    this.moverGroups = this.movers.map((server) => [...cluster.groupsOf(server)].filter((group) => cluster.groups[group].policy === 'anti-affinity'));
    this.destinations = this.movers.map((server) => {
      const out: number[] = [];
      const zone = cluster.requestedZone[server];
      for (let host = 0; host < hosts; host++) {
        if (!cluster.enabled[host]) continue;
        if (zone !== null && cluster.zone[host] !== zone) continue;
        if (cluster.flavorMemory[server] > cluster.memoryTotal[host] || cluster.flavorVcpus[server] > cluster.vcpuTotal[host] || cluster.flavorDisk[server] > cluster.diskTotal[host]) continue;
        out.push(host);
      }
      return out;
    });
    this.startKey = this.movers.map((server) => String.fromCharCode(start[server])).join('');
    this.goalKey = this.movers.map((server) => String.fromCharCode(goal[server])).join('');
  }

  /** Movers off their goal host in a placement: no path from it is shorter. */
  distance(key: string): number {
    let off = 0;
    for (let index = 0; index < this.movers.length; index++) if (key.charCodeAt(index) !== this.goalKey.charCodeAt(index)) off++;
    return off;
  }

  /** Every placement one valid live migration away, with that migration (mover index, destination). */
  successors(key: string, visit: (index: number, destination: number, next: string) => void): void {
    const cluster = this.cluster;
    const memory = Float64Array.from(this.fixedMemory);
    const vcpus = Float64Array.from(this.fixedVcpus);
    const disk = Float64Array.from(this.fixedDisk);
    const members = new Map(this.fixedMembers);
    const hosts = cluster.hostCount;
    for (let index = 0; index < this.movers.length; index++) {
      const server = this.movers[index];
      const host = key.charCodeAt(index);
      memory[host] += cluster.flavorMemory[server];
      vcpus[host] += cluster.flavorVcpus[server];
      disk[host] += cluster.flavorDisk[server];
      for (const group of this.moverGroups[index]) members.set(group * hosts + host, (members.get(group * hosts + host) ?? 0) + 1);
    }
    const valid = (index: number, host: number) => {
      const server = this.movers[index];
      if (!fitsCapacity(memory[host], cluster.flavorMemory[server], cluster.memoryCapacity[host])) return false;
      if (!fitsCapacity(vcpus[host], cluster.flavorVcpus[server], cluster.vcpuCapacity[host])) return false;
      if (!fitsCapacity(disk[host], cluster.flavorDisk[server], cluster.diskCapacity[host])) return false;
      for (const group of this.moverGroups[index]) {
        if ((members.get(group * hosts + host) ?? 0) >= cluster.groups[group].maxPerHost) return false;
      }
      return true;
    };
    const emit = (index: number, host: number) => visit(index, host, key.slice(0, index) + String.fromCharCode(host) + key.slice(index + 1));
    for (let index = 0; index < this.movers.length; index++) {
      const server = this.movers[index];
      const current = key.charCodeAt(index);
      if (!this.focused) {
        for (const host of this.destinations[index]) if (host !== current && valid(index, host)) emit(index, host);
        continue;
      }
      // Focused: the goal host, and the hosts with most memory left after the move (then lowest number).
      const goalHost = this.goal[server];
      if (goalHost !== current && valid(index, goalHost) && this.destinations[index].includes(goalHost)) emit(index, goalHost);
      const parking = this.destinations[index]
        .filter((host) => host !== current && host !== goalHost && valid(index, host))
        .map((host) => ({ host, room: (cluster.memoryCapacity[host] - memory[host] - cluster.flavorMemory[server]) / cluster.memoryCapacity[host] }))
        .sort((a, b) => b.room - a.room || a.host - b.host)
        .slice(0, PARKING_CHOICES);
      for (const { host } of parking) emit(index, host);
    }
  }
}

/** A binary heap of node numbers, smallest priority first, ties in insertion order. */
class NodeHeap {
  private readonly nodes: number[] = [];
  private readonly priority: number[] = [];

  constructor(private readonly rank: (node: number) => number) {}

  get size(): number {
    return this.nodes.length;
  }

  push(node: number): void {
    this.nodes.push(node);
    this.priority.push(this.rank(node));
    for (let at = this.nodes.length - 1; at > 0;) {
      const parent = (at - 1) >> 1;
      if (!this.before(at, parent)) break;
      this.swap(at, parent);
      at = parent;
    }
  }

  pop(): number {
    const top = this.nodes[0];
    const lastNode = this.nodes.pop()!;
    const lastPriority = this.priority.pop()!;
    if (this.nodes.length) {
      this.nodes[0] = lastNode;
      this.priority[0] = lastPriority;
      for (let at = 0; ;) {
        const left = 2 * at + 1;
        const right = left + 1;
        let smallest = at;
        if (left < this.nodes.length && this.before(left, smallest)) smallest = left;
        if (right < this.nodes.length && this.before(right, smallest)) smallest = right;
        if (smallest === at) break;
        this.swap(at, smallest);
        at = smallest;
      }
    }
    return top;
  }

  /** Node numbers grow with insertion: the older node wins a tie, so the order is deterministic. */
  private before(a: number, b: number): boolean {
    return this.priority[a] < this.priority[b] || (this.priority[a] === this.priority[b] && this.nodes[a] < this.nodes[b]);
  }

  private swap(a: number, b: number): void {
    [this.nodes[a], this.nodes[b]] = [this.nodes[b], this.nodes[a]];
    [this.priority[a], this.priority[b]] = [this.priority[b], this.priority[a]];
  }
}

/**
 * Best-first search with duplicate detection: priority = moves so far + weight x servers off
 * their goal (weight 1: A*, shortest paths; ties go to the deeper placement, which reaches the
 * goal sooner). With the heuristic consistent (one move changes it by at most one), a placement
 * is final when first expanded. An empty frontier means every reachable placement was visited.
 */
function bestFirst(space: SearchSpace, budget: number, weight: number): PathSearchResult {
  const keys: string[] = [space.startKey];
  const parent: number[] = [-1];
  const moved: number[] = [-1];
  const depth: number[] = [0];
  const estimate: number[] = [space.distance(space.startKey)];
  const seen = new Map<string, number>([[space.startKey, 0]]);
  const closed: boolean[] = [false];
  // Priority: f scaled, minus depth as a fraction so that deeper placements win ties.
  const scale = space.movers.length + 2;
  const heap = new NodeHeap((node) => (depth[node] + weight * estimate[node]) * scale - Math.min(depth[node], scale - 1));
  heap.push(0);
  let examined = 0;
  while (heap.size) {
    const node = heap.pop();
    if (closed[node]) continue;
    if (keys[node] === space.goalKey) return { outcome: 'found', moves: pathTo(space, keys, parent, moved, node), examined };
    if (examined >= budget) return { outcome: 'limit', examined };
    closed[node] = true;
    const key = keys[node];
    space.successors(key, (index, _destination, next) => {
      examined++;
      const known = seen.get(next);
      const nextDepth = depth[node] + 1;
      if (known !== undefined) {
        if (closed[known] || depth[known] <= nextDepth) return;
        // A shorter way to a placement still in the frontier: a new entry replaces it.
      }
      const child = keys.length;
      keys.push(next);
      parent.push(node);
      moved.push(index);
      depth.push(nextDepth);
      estimate.push(space.distance(next));
      closed.push(false);
      seen.set(next, child);
      if (known !== undefined) closed[known] = true;
      heap.push(child);
    });
  }
  return { outcome: 'unreachable', examined, reachable: seen.size };
}

function pathTo(space: SearchSpace, keys: string[], parent: number[], moved: number[], node: number): PathMove[] {
  const moves: PathMove[] = [];
  for (let at = node; parent[at] >= 0; at = parent[at]) {
    const index = moved[at];
    moves.push({ server: space.movers[index], source: keys[parent[at]].charCodeAt(index), destination: keys[at].charCodeAt(index) });
  }
  return moves.reverse();
}
