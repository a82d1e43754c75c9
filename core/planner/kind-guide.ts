// Mixed hardware: which kinds of host to keep, how many of each, and which server shapes go to
// which kind, from two small linear programs solved by the injected solver. The first (servers
// of a shape spread fluidly over kinds of host, each kind filled within its capacity and usage
// limits) says how many hosts of each kind to keep; the second shares out, over the kept hosts'
// room, only the servers of the hosts not kept, since the kept hosts' own servers stay.
// First fit in keep order fills the biggest hosts with whatever comes first and strands the
// memory-heavy flavors; the programs share each kind's resources out so that all of them fill.
// Pure: the solver is passed in, and each program is solved once, to optimality (no time limit).
import type { Cluster } from '../cluster.js';
import type { ExactSolver } from './exact-consolidation.js';
import type { Placement } from './placement.js';

/** Per server moved from the kind it is on: small beside a host, so that hosts always come first. */
const KIND_CHANGE_COST = 1e-5;
/** The program's work limit, counted (simplex iterations), never timed. */
const GUIDE_WORK_LIMIT = { simplex_iteration_limit: 200_000, random_seed: 0, output_flag: false } as const;

export interface KindGuide {
  /** Kind of each host (-1: cannot receive). */
  kindOfHost: Int32Array;
  kindCount: number;
  /** Hosts the program keeps: those holding servers that never move, then the fullest of each kind. */
  keep: Uint8Array;
  /** Shape of each server (-1: it never moves). */
  shapeOfServer: Int32Array;
  /** Servers of each shape the programs put on each kind, those already on its kept hosts included: quota[shape * kindCount + kind]. */
  quota: Float64Array;
  /** Per shape, the kinds that take it, most first. */
  preference: Int32Array[];
}

/**
 * The guide for `placement`'s cluster, or null when there is nothing to guide (one kind of host)
 * or the first program has no optimal solution within its work limit (without one for the
 * second, the first program's shares serve).
 */
export function kindGuide(placement: Placement, solver: ExactSolver): KindGuide | null {
  const cluster = placement.cluster;
  const kinds = hostKinds(cluster);
  if (kinds.count < 2) return null;
  const shapes = serverShapes(cluster, placement, kinds);
  const kindCount = kinds.count;

  // Per kind: hosts, hosts that stay active (servers that never move), the room those servers take.
  const hosts = new Int32Array(kindCount);
  const forced = new Int32Array(kindCount);
  const fixedLoad = Array.from({ length: kindCount }, () => new Float64Array(5));
  const holdsFixed = new Uint8Array(cluster.hostCount);
  for (let server = 0; server < cluster.serverCount; server++) {
    if (!cluster.pinned[server]) continue;
    const host = placement.hostOf[server];
    holdsFixed[host] = 1;
    const kind = kinds.kindOfHost[host];
    if (kind < 0) continue;
    demands(cluster, server).forEach((amount, resource) => { fixedLoad[kind][resource] += amount; });
  }
  for (let host = 0; host < cluster.hostCount; host++) {
    const kind = kinds.kindOfHost[host];
    if (kind < 0) continue;
    hosts[kind]++;
    forced[kind] += holdsFixed[host];
  }

  const objective: string[] = [];
  const rows: string[] = [];
  const bounds: string[] = [];
  const load = Array.from({ length: kindCount * 5 }, () => [] as string[]);
  const shapeTerms: string[][] = shapes.list.map(() => []);
  shapes.list.forEach((shape, index) => {
    for (let kind = 0; kind < kindCount; kind++) {
      if (!shape.allowed(kind)) continue;
      const name = `y${index}_${kind}`;
      shapeTerms[index].push(name);
      const staying = shape.onKind[kind] ?? 0;
      objective.push(`+ ${number(KIND_CHANGE_COST * (1 - staying / shape.count))} ${name}`);
      shape.demand.forEach((amount, resource) => { if (amount > 0) load[kind * 5 + resource].push(`+ ${number(amount)} ${name}`); });
    }
    rows.push(` s${index}: ${shapeTerms[index].join(' + ')} = ${shape.count}`);
  });
  for (let kind = 0; kind < kindCount; kind++) {
    objective.push(`+ 1 n${kind}`);
    bounds.push(` ${forced[kind]} <= n${kind} <= ${hosts[kind]}`);
    for (let resource = 0; resource < 5; resource++) {
      const terms = load[kind * 5 + resource];
      if (!terms.length) continue;
      rows.push(` c${kind}_${resource}: ${terms.join(' ')} - ${number(kinds.room[kind][resource])} n${kind} <= ${number(-fixedLoad[kind][resource])}`);
    }
  }
  const result = solver.solve(lpText(objective, rows, bounds), GUIDE_WORK_LIMIT);
  if (result.Status !== 'Optimal') return null;
  const value = (name: string) => result.Columns[name]?.Primal ?? 0;

  const quota = new Float64Array(shapes.list.length * kindCount);
  const preference = shapes.list.map((shape, index) => {
    const taking: number[] = [];
    for (let kind = 0; kind < kindCount; kind++) {
      if (!shape.allowed(kind)) continue;
      quota[index * kindCount + kind] = value(`y${index}_${kind}`);
      if (quota[index * kindCount + kind] > 0.5) taking.push(kind);
    }
    return mostFirst(taking, quota, index * kindCount);
  });

  // Kept: per kind, the program's count (no margin: a host that cannot be emptied stays on
  // anyway, and one kept in advance takes shares from the others); hosts that must stay first, then those
  // whose servers belong there most (each counts the share of its shape the program puts on the
  // kind): they move fewest servers and leave the kind's room to the shapes meant for it.
  const belonging = new Float64Array(cluster.hostCount);
  for (let server = 0; server < cluster.serverCount; server++) {
    const host = placement.hostOf[server];
    const kind = kinds.kindOfHost[host];
    const shape = shapes.shapeOfServer[server];
    if (kind < 0) continue;
    belonging[host] += shape < 0 ? 1 : quota[shape * kindCount + kind] / shapes.list[shape].count;
  }
  const keep = new Uint8Array(cluster.hostCount);
  for (let kind = 0; kind < kindCount; kind++) {
    const wanted = Math.min(hosts[kind], Math.ceil(value(`n${kind}`) - 1e-6));
    const members: number[] = [];
    for (let host = 0; host < cluster.hostCount; host++) if (kinds.kindOfHost[host] === kind) members.push(host);
    members.sort((a, b) => holdsFixed[b] - holdsFixed[a] || belonging[b] - belonging[a] || a - b);
    for (const host of members.slice(0, wanted)) keep[host] = 1;
  }
  const shares = sharesForKept(placement, solver, kinds, shapes, keep);
  if (shares) return { kindOfHost: kinds.kindOfHost, kindCount, keep, shapeOfServer: shapes.shapeOfServer, ...shares };
  return { kindOfHost: kinds.kindOfHost, kindCount, keep, shapeOfServer: shapes.shapeOfServer, quota, preference };
}

/**
 * The shares again, once the hosts to keep are chosen: the first program moves every server
 * fluidly, the kept hosts' own too, so its shares send a kind servers its kept hosts have no room
 * for (they stay full of what they held). Here what the kept hosts hold stays where it is and
 * counts in each kind's share of its shape; only the servers of the hosts not kept are shared
 * out, over the kept hosts' room and, where that is short, over hosts of the kind that stay on
 * after all (as few as the program can). Null when the program has no optimal solution.
 */
function sharesForKept(
  placement: Placement, solver: ExactSolver, kinds: HostKinds, shapes: { list: Shape[]; shapeOfServer: Int32Array }, keep: Uint8Array,
): { quota: Float64Array; preference: Int32Array[] } | null {
  const cluster = placement.cluster;
  const kindCount = kinds.count;
  const keptRoom = Array.from({ length: kindCount }, () => new Float64Array(5));
  const others = new Int32Array(kindCount);
  const held = new Float64Array(shapes.list.length * kindCount);
  const free = new Float64Array(shapes.list.length);
  for (let host = 0; host < cluster.hostCount; host++) {
    const kind = kinds.kindOfHost[host];
    if (kind < 0) continue;
    if (!keep[host]) {
      others[kind]++;
      continue;
    }
    kinds.room[kind].forEach((amount, resource) => { keptRoom[kind][resource] += amount; });
  }
  for (let server = 0; server < cluster.serverCount; server++) {
    const host = placement.hostOf[server];
    const kind = kinds.kindOfHost[host];
    const shape = shapes.shapeOfServer[server];
    if (kind >= 0 && keep[host]) {
      demands(cluster, server).forEach((amount, resource) => { keptRoom[kind][resource] -= amount; });
      if (shape >= 0) held[shape * kindCount + kind]++;
    } else if (shape >= 0) {
      free[shape]++;
    }
  }
  const objective: string[] = [];
  const rows: string[] = [];
  const bounds: string[] = [];
  const load = Array.from({ length: kindCount * 5 }, () => [] as string[]);
  shapes.list.forEach((shape, index) => {
    if (!free[index]) return;
    const terms: string[] = [];
    for (let kind = 0; kind < kindCount; kind++) {
      if (!shape.allowed(kind)) continue;
      const name = `y${index}_${kind}`;
      terms.push(name);
      shape.demand.forEach((amount, resource) => { if (amount > 0) load[kind * 5 + resource].push(`+ ${number(amount)} ${name}`); });
    }
    if (!terms.length) return;
    rows.push(` s${index}: ${terms.join(' + ')} = ${free[index]}`);
  });
  for (let kind = 0; kind < kindCount; kind++) {
    objective.push(`+ 1 x${kind}`);
    bounds.push(` 0 <= x${kind} <= ${others[kind]}`);
    for (let resource = 0; resource < 5; resource++) {
      const terms = load[kind * 5 + resource];
      if (!terms.length) continue;
      rows.push(` c${kind}_${resource}: ${terms.join(' ')} - ${number(kinds.room[kind][resource])} x${kind} <= ${number(keptRoom[kind][resource])}`);
    }
  }
  const result = solver.solve(lpText(objective, rows, bounds), GUIDE_WORK_LIMIT);
  if (result.Status !== 'Optimal') return null;
  const quota = new Float64Array(shapes.list.length * kindCount);
  const preference = shapes.list.map((shape, index) => {
    const taking: number[] = [];
    for (let kind = 0; kind < kindCount; kind++) {
      const key = index * kindCount + kind;
      const shared = shape.allowed(kind) && free[index] ? result.Columns[`y${index}_${kind}`]?.Primal ?? 0 : 0;
      quota[key] = held[key] + shared;
      if (shared > 0.5) taking.push(kind);
    }
    return mostFirst(taking, quota, index * kindCount);
  });
  return { quota, preference };
}

/** A server's demand in the five resources: VCPU, MEMORY_MB, DISK_GB allocations, CPU and memory use. */
function demands(cluster: Cluster, server: number): number[] {
  return [cluster.flavorVcpus[server], cluster.flavorMemory[server], cluster.flavorDisk[server], cluster.cpuUsage[server], cluster.memoryUsage[server]];
}

/** Hosts that may receive, grouped by capacities, usage limits and zone. */
interface HostKinds { kindOfHost: Int32Array; count: number; room: number[][]; zone: (string | null)[]; total: number[][] }

function hostKinds(cluster: Cluster): HostKinds {
  const kindOfHost = new Int32Array(cluster.hostCount).fill(-1);
  const keys = new Map<string, number>();
  const room: number[][] = [];
  const zone: (string | null)[] = [];
  const total: number[][] = [];
  for (let host = 0; host < cluster.hostCount; host++) {
    if (!cluster.enabled[host]) continue;
    const capacity = [cluster.vcpuCapacity[host], cluster.memoryCapacity[host], cluster.diskCapacity[host], cluster.cpuLimit[host], cluster.memoryLimit[host]];
    const key = `${capacity.join('/')}/${cluster.vcpuTotal[host]}/${cluster.memoryTotal[host]}/${cluster.diskTotal[host]}|${cluster.zone[host]}`;
    let kind = keys.get(key);
    if (kind === undefined) {
      kind = room.length;
      keys.set(key, kind);
      room.push(capacity);
      zone.push(cluster.zone[host]);
      total.push([cluster.vcpuTotal[host], cluster.memoryTotal[host], cluster.diskTotal[host]]);
    }
    kindOfHost[host] = kind;
  }
  return { kindOfHost, count: room.length, room, zone, total };
}

interface Shape {
  count: number;
  /** Mean demand of its servers in the five resources. */
  demand: number[];
  /** Its servers on each kind now. */
  onKind: Record<number, number>;
  allowed(kind: number): boolean;
}

/**
 * Movable servers grouped by flavor and use per unit of allocation: the kinds' own ratios (usage
 * limit over Placement capacity) are the edges, so that the program can tell the servers a kind's
 * usage limit admits at full allocation from those it does not. Requested zones are left to the
 * placement's own check (one shape per zone made the program three times larger for 1 % fewer
 * hosts on 1,000 hosts).
 */
function serverShapes(cluster: Cluster, placement: Placement, kinds: HostKinds): { list: Shape[]; shapeOfServer: Int32Array } {
  const edges = (resource: number, allocation: number) => [...new Set(kinds.room.map((room) => Number((room[resource] / room[allocation]).toPrecision(6))))].sort((a, b) => a - b);
  const cpuEdges = edges(3, 0);
  const memoryEdges = edges(4, 1);
  const band = (use: number, edgeList: number[]) => {
    let index = 0;
    while (index < edgeList.length && use > edgeList[index]) index++;
    return index;
  };
  const shapeOfServer = new Int32Array(cluster.serverCount).fill(-1);
  const keys = new Map<string, number>();
  const list: Shape[] = [];
  const sums: number[][] = [];
  for (let server = 0; server < cluster.serverCount; server++) {
    if (cluster.pinned[server]) continue;
    const vcpus = cluster.flavorVcpus[server];
    const memory = cluster.flavorMemory[server];
    const disk = cluster.flavorDisk[server];
    const cpuBand = band(cluster.cpuUsage[server] / Math.max(1, vcpus), cpuEdges);
    const memoryBand = band(cluster.memoryUsage[server] / Math.max(1, memory), memoryEdges);
    const key = `${vcpus}/${memory}/${disk}/${cpuBand}/${memoryBand}`;
    let shape = keys.get(key);
    if (shape === undefined) {
      shape = list.length;
      keys.set(key, shape);
      const flavor = [vcpus, memory, disk];
      list.push({
        count: 0, demand: [], onKind: {},
        // Placement's max_unit: a flavor larger than a host's total never goes there.
        allowed: (kind) => flavor.every((amount, resource) => amount <= kinds.total[kind][resource]),
      });
      sums.push([0, 0, 0, 0, 0]);
    }
    const entry = list[shape];
    const sum = sums[shape];
    entry.count++;
    sum[0] += vcpus; sum[1] += memory; sum[2] += disk; sum[3] += cluster.cpuUsage[server]; sum[4] += cluster.memoryUsage[server];
    const kind = kinds.kindOfHost[placement.hostOf[server]];
    if (kind >= 0) entry.onKind[kind] = (entry.onKind[kind] ?? 0) + 1;
    shapeOfServer[server] = shape;
  }
  list.forEach((entry, shape) => { entry.demand = sums[shape].map((amount) => amount / entry.count); });
  return { list, shapeOfServer };
}

/** The program in CPLEX LP format, as the solver reads it. */
function lpText(objective: string[], rows: string[], bounds: string[]): string {
  return `Minimize\n obj: ${objective.join(' ')}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`;
}

/** The kinds that take a shape, those its shares give most first (`offset`: the shape's first share). */
function mostFirst(kinds: number[], quota: Float64Array, offset: number): Int32Array {
  return Int32Array.from(kinds.sort((a, b) => quota[offset + b] - quota[offset + a] || a - b));
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(12);
}
