// Tight reach_target cases for the benchmark and the tests, deterministic by seed: hosts filled to
// 70-98 % of their memory, and a target made by construction from a feasible walk of single
// live migrations (so a witness plan exists: swaps, cycles and chains through the little room
// there is); plus infeasible targets whose impossibility has a short proof.
import type { Snapshot } from '../../core/snapshot/format.js';

export interface TightTargetCase {
  name: string;
  snapshot: Snapshot;
  /** False for the infeasible kinds: no valid plan reaches the target. */
  feasible: boolean;
  /** Feasible cases: the walk the target was made from, one live migration per wave (ulm-plan/1). */
  witness: { format: 'ulm-plan/1'; instance: string; planner: string; actions: WitnessMove[] } | null;
  hosts: number;
  servers: number;
  /** Free memory of the hosts at the start, as a fraction of their total. */
  freeFraction: number;
  /** Servers whose target is not their current host. */
  offTarget: number;
}

interface WitnessMove {
  wave: number;
  type: 'live_migrate';
  server: string;
  source: string;
  destination: string;
}

/** Memory of every host; vCPU and disk are generous so that memory binds. */
const HOST_MEMORY_MB = 65536;
/** Flavors by memory, with their weights in the mix (small ones most common). */
const FLAVORS: { memory: number; vcpus: number; weight: number }[] = [
  { memory: 1024, vcpus: 1, weight: 3 },
  { memory: 2048, vcpus: 1, weight: 3 },
  { memory: 4096, vcpus: 2, weight: 3 },
  { memory: 8192, vcpus: 4, weight: 2 },
  { memory: 16384, vcpus: 8, weight: 1 },
];

/** A small seeded generator (mulberry32): the same seed gives the same cases. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function pickFlavor(next: () => number, under = Infinity): (typeof FLAVORS)[number] | null {
  const choices = FLAVORS.filter((flavor) => flavor.memory <= under);
  if (!choices.length) return null;
  let roll = next() * choices.reduce((sum, flavor) => sum + flavor.weight, 0);
  for (const flavor of choices) {
    roll -= flavor.weight;
    if (roll < 0) return flavor;
  }
  return choices[choices.length - 1];
}

const hostName = (host: number) => `cmp${String(host + 1).padStart(3, '0')}`;

interface Layout {
  memory: number[];
  host: number[];
  hostMemory: number;
}

/** Hosts filled with random flavors up to (1 - free) of their memory, topped up with smaller ones. */
function fill(next: () => number, hosts: number, freeFraction: number, hostMemory = HOST_MEMORY_MB): Layout {
  const memory: number[] = [];
  const host: number[] = [];
  const usable = Math.floor(hostMemory * (1 - freeFraction));
  for (let at = 0; at < hosts; at++) {
    let used = 0;
    for (;;) {
      const flavor = pickFlavor(next, usable - used);
      if (!flavor) break;
      memory.push(flavor.memory);
      host.push(at);
      used += flavor.memory;
    }
  }
  return { memory, host, hostMemory };
}

function snapshotOf(name: string, layout: Layout, target: number[], hosts: number, seed: number, kind: string): Snapshot {
  return {
    format: 'ulm-cluster/1',
    name,
    generator: { tool: 'test/bench/tight-targets.ts', kind, seed: String(seed) },
    policy: { goal: 'reach_target', max_parallel_migrations: Math.min(64, Math.max(2, Math.ceil(hosts / 10))), max_parallel_per_host: 2 },
    hosts: Array.from({ length: hosts }, (_, host) => ({
      name: hostName(host), vcpus: 128, memory_mb: layout.hostMemory, disk_gb: 8000,
      reserved_vcpus: 0, reserved_memory_mb: 0, reserved_disk_gb: 0,
      vcpu_allocation_ratio: 4, memory_allocation_ratio: 1, disk_allocation_ratio: 1, enabled: true,
    })),
    servers: layout.memory.map((memory, server) => ({
      id: `vm-${String(server + 1).padStart(4, '0')}`, name: `vm-${String(server + 1).padStart(4, '0')}`, host: hostName(layout.host[server]),
      flavor: { name: `ram-${memory}`, vcpus: FLAVORS.find((flavor) => flavor.memory === memory)?.vcpus ?? 1, memory_mb: memory, disk_gb: 20 },
      usage: { cpu_cores: 0.1, memory_mb: Math.round(memory / 2) }, migratable: true,
    })),
    target: Object.fromEntries(target.map((host, server) => [`vm-${String(server + 1).padStart(4, '0')}`, hostName(host)])),
  } as Snapshot;
}

/**
 * A feasible case: from the filled start, a walk of single live migrations, each valid on its
 * own (the destination has room while the server still holds its source); a server that does
 * not fit where it is sent first displaces servers of that host to hosts with room. The end
 * of the walk is the target, and the walk its witness.
 */
export function feasibleTightCase(seed: number, hosts: number, freeFraction: number): TightTargetCase {
  const next = random(seed);
  const layout = fill(next, hosts, freeFraction);
  const start = [...layout.host];
  const where = [...layout.host];
  const used = new Array<number>(hosts).fill(0);
  layout.memory.forEach((memory, server) => { used[where[server]] += memory; });
  const walk: { server: number; source: number; destination: number }[] = [];
  const fits = (server: number, host: number) => used[host] + layout.memory[server] <= layout.hostMemory;
  const move = (server: number, destination: number) => {
    walk.push({ server, source: where[server], destination });
    used[where[server]] -= layout.memory[server];
    used[destination] += layout.memory[server];
    where[server] = destination;
  };
  const servers = layout.memory.length;
  const attempts = Math.max(3, Math.round(hosts * (1 + 2 * next())));
  for (let attempt = 0; attempt < attempts; attempt++) {
    const server = Math.floor(next() * servers);
    const destination = (where[server] + 1 + Math.floor(next() * (hosts - 1))) % hosts;
    // Make room by moving servers of the destination (not the one on its way) elsewhere.
    const residents = where.map((host, other) => (host === destination ? other : -1)).filter((other) => other >= 0);
    for (let evictions = 0; evictions < 3 && !fits(server, destination) && residents.length; evictions++) {
      const resident = residents.splice(Math.floor(next() * residents.length), 1)[0];
      const offset = Math.floor(next() * hosts);
      for (let step = 0; step < hosts; step++) {
        const host = (offset + step) % hosts;
        if (host !== destination && host !== where[server] && fits(resident, host)) { move(resident, host); break; }
      }
    }
    if (fits(server, destination)) move(server, destination);
  }
  const offTarget = where.filter((host, server) => host !== start[server]).length;
  const name = `tight-${hosts}h-${Math.round(freeFraction * 100)}pct-s${seed}`;
  return {
    name, snapshot: snapshotOf(name, layout, where, hosts, seed, 'feasible walk'), feasible: true,
    witness: {
      format: 'ulm-plan/1', instance: name, planner: 'tight-targets witness walk',
      actions: walk.map(({ server, source, destination }, wave) => ({ wave, type: 'live_migrate', server: `vm-${String(server + 1).padStart(4, '0')}`, source: hostName(source), destination: hostName(destination) })),
    },
    hosts, servers, freeFraction, offTarget,
  };
}

/**
 * Infeasible by construction:
 * - `overfull`: a feasible target, then more servers sent to one host than it can hold;
 * - `locked-swap`: every host has less room than the smallest server, so no migration is
 *   possible at all, and the target swaps two servers of the same size between two hosts;
 * - `cornered-swap`: three hosts of 16 GiB; two hold a large server (8 GiB) and two 4 GiB ones,
 *   the third three 4 GiB servers; the target swaps the two large servers, but the cluster never
 *   has more than 4 GiB free anywhere (only an exhaustive search shows it).
 */
export function infeasibleTightCase(seed: number, hosts: number, kind: 'overfull' | 'locked-swap' | 'cornered-swap'): TightTargetCase {
  const name = `impossible-${kind}-${hosts}h-s${seed}`;
  if (kind === 'overfull') {
    const base = feasibleTightCase(seed, hosts, 0.1);
    const target = { ...base.snapshot.target! };
    const servers = base.snapshot.servers;
    const full = servers[0].host;
    let sent = servers.filter((server) => target[server.id] === full).reduce((sum, server) => sum + server.flavor.memory_mb, 0);
    for (const server of servers) {
      if (sent > HOST_MEMORY_MB) break;
      if (target[server.id] === full) continue;
      target[server.id] = full;
      sent += server.flavor.memory_mb;
    }
    const snapshot = { ...base.snapshot, name, target } as Snapshot;
    return { ...base, name, snapshot, feasible: false, witness: null, offTarget: servers.filter((server) => target[server.id] !== server.host).length };
  }
  const next = random(seed);
  if (kind === 'locked-swap') {
    // 63.5 GiB hosts filled to 63 GiB with whole GiB flavors: 512 MiB free everywhere.
    const hostMemory = HOST_MEMORY_MB - 512;
    const memory: number[] = [];
    const host: number[] = [];
    for (let at = 0; at < hosts; at++) {
      let used = 4096;
      memory.push(4096);
      host.push(at);
      while (used < hostMemory - 512) {
        const flavor = pickFlavor(next, hostMemory - 512 - used)!;
        memory.push(flavor.memory);
        host.push(at);
        used += flavor.memory;
      }
    }
    const target = [...host];
    const first = host.indexOf(0);
    const second = host.indexOf(1);
    target[first] = 1;
    target[second] = 0;
    const layout = { memory, host, hostMemory };
    return { name, snapshot: snapshotOf(name, layout, target, hosts, seed, kind), feasible: false, witness: null, hosts, servers: memory.length, freeFraction: 512 / hostMemory, offTarget: 2 };
  }
  const layout: Layout = { memory: [8192, 4096, 4096, 8192, 4096, 4096, 4096, 4096, 4096], host: [0, 0, 0, 1, 1, 1, 2, 2, 2], hostMemory: 16384 };
  const target = [...layout.host];
  target[0] = 1;
  target[3] = 0;
  return { name, snapshot: snapshotOf(name, layout, target, 3, seed, kind), feasible: false, witness: null, hosts: 3, servers: layout.memory.length, freeFraction: 4096 / (3 * 16384), offTarget: 2 };
}

/** The benchmark's cases: 3 to 50 hosts, 30 % down to 2 % free memory, and the infeasible kinds. */
export function tightTargetCases(): TightTargetCase[] {
  const cases: TightTargetCase[] = [];
  const sizes = [3, 5, 8, 12, 20, 30, 50];
  const free = [0.3, 0.2, 0.1, 0.05, 0.02];
  let seed = 1;
  for (const hosts of sizes) {
    for (const fraction of free) {
      const made = feasibleTightCase(seed++, hosts, fraction);
      if (made.offTarget > 0) cases.push(made);
    }
  }
  cases.push(infeasibleTightCase(101, 20, 'overfull'), infeasibleTightCase(102, 50, 'overfull'));
  cases.push(infeasibleTightCase(103, 2, 'locked-swap'), infeasibleTightCase(104, 10, 'locked-swap'), infeasibleTightCase(105, 50, 'locked-swap'));
  cases.push(infeasibleTightCase(106, 3, 'cornered-swap'));
  return cases;
}
