// fast-check arbitraries of random but valid clusters, one per goal.
// Hosts of varied sizes, ratios and reserved amounts; servers placed where Placement, the usage
// limits and their groups allow, some unmigratable; some disabled hosts; and per goal what makes
// it interesting (drain hosts, an overloaded host with a spare host for balance, a target built
// from a feasible placement).
import fc from 'fast-check';
import type { Goal } from '../../core/policy/schema.js';
import type { GroupPolicy, Snapshot } from '../../core/snapshot/format.js';
import { snapshot, type SnapshotBuilder } from './builders.js';

const FLAVORS = [
  { name: 'm1.tiny', vcpus: 1, memory_mb: 512, disk_gb: 1 },
  { name: 'm1.small', vcpus: 1, memory_mb: 2048, disk_gb: 20 },
  { name: 'm1.medium', vcpus: 2, memory_mb: 4096, disk_gb: 40 },
  { name: 'm1.large', vcpus: 4, memory_mb: 8192, disk_gb: 80 },
  { name: 'm1.xlarge', vcpus: 8, memory_mb: 16384, disk_gb: 160 },
  { name: 'r1.large', vcpus: 4, memory_mb: 32768, disk_gb: 40 },
  { name: 'c1.xlarge', vcpus: 16, memory_mb: 16384, disk_gb: 40 },
] as const;

type Flavor = (typeof FLAVORS)[number] | { name: string; vcpus: number; memory_mb: number; disk_gb: number };

interface HostDraw {
  vcpus: number;
  memory_mb: number;
  disk_gb: number;
  reserved_vcpus: number;
  reserved_memory_mb: number;
  vcpu_allocation_ratio: number;
  memory_allocation_ratio: number;
  enabled: boolean;
  zone: string;
}

interface ServerDraw {
  flavor: number;
  host: number;
  cpu: number;
  memory: number;
  migratable: boolean;
  pinnedToZone: boolean;
  group: number;
  targetHost: number;
}

interface ClusterDraw {
  goal: Goal;
  hosts: HostDraw[];
  servers: ServerDraw[];
  groups: { policy: GroupPolicy; maxPerHost: number }[];
  maxHostCpu: number;
  maxHostMemory: number;
  maxParallelMigrations: number | null;
  maxParallelPerHost: number | null;
  spareCapacityHosts: number;
  powerOff: boolean;
  drainPicks: number[];
  spareHost: boolean;
  hot: { host: number; excess: number };
  /**
   * Servers fill the hosts first fit rather than going to their drawn host, share one flavor
   * and are quiet, so that Placement capacity (not the usage limits) fills the hosts: full
   * hosts have less room left than one more server.
   */
  packed: boolean;
  /** reach_target: pairs of servers (by draw) that trade places in the target. */
  swaps: [number, number][];
}

const hostDraw: fc.Arbitrary<HostDraw> = fc.record({
  vcpus: fc.constantFrom(8, 16, 32, 64),
  memory_mb: fc.constantFrom(16384, 32768, 65536, 131072),
  disk_gb: fc.constantFrom(500, 1000, 4000),
  reserved_vcpus: fc.constantFrom(0, 0, 2),
  reserved_memory_mb: fc.constantFrom(0, 2048, 4096),
  vcpu_allocation_ratio: fc.constantFrom(1, 2, 4, 16),
  memory_allocation_ratio: fc.constantFrom(1, 1, 1.5),
  enabled: fc.constantFrom(true, true, true, true, false),
  zone: fc.constantFrom('az-1', 'az-1', 'az-2'),
});

const serverDraw: fc.Arbitrary<ServerDraw> = fc.record({
  flavor: fc.nat({ max: FLAVORS.length - 1 }),
  host: fc.nat({ max: 63 }),
  cpu: fc.double({ min: 0.02, max: 0.7, noNaN: true }),
  memory: fc.double({ min: 0.1, max: 1, noNaN: true }),
  migratable: fc.integer({ min: 0, max: 14 }).map((roll) => roll > 0),
  pinnedToZone: fc.constantFrom(false, false, false, false, true),
  group: fc.integer({ min: -4, max: 2 }),
  targetHost: fc.nat({ max: 63 }),
});

function clusterDraw(goal: Goal): fc.Arbitrary<ClusterDraw> {
  return fc.record({
    goal: fc.constant(goal),
    hosts: fc.array(hostDraw, { minLength: 2, maxLength: 6 }),
    servers: fc.array(serverDraw, { minLength: 0, maxLength: 32, size: 'large' }),
    groups: fc.array(fc.record({
      policy: fc.constantFrom<GroupPolicy>('anti-affinity', 'anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity'),
      maxPerHost: fc.constantFrom(1, 1, 2),
    }), { minLength: 0, maxLength: 3 }),
    maxHostCpu: fc.constantFrom(0.6, 0.75, 0.9, 1),
    maxHostMemory: fc.constantFrom(0.8, 0.9, 1),
    maxParallelMigrations: fc.constantFrom(null, 1, 2, 5),
    maxParallelPerHost: fc.constantFrom(null, 1, 2),
    spareCapacityHosts: fc.constantFrom(0, 0, 0, 1),
    powerOff: fc.boolean(),
    drainPicks: fc.array(fc.nat({ max: 63 }), { minLength: 1, maxLength: 2 }),
    spareHost: fc.boolean(),
    hot: fc.record({ host: fc.nat({ max: 63 }), excess: fc.double({ min: 0.2, max: 3, noNaN: true }) }),
    packed: fc.constantFrom(false, false, true),
    swaps: fc.array(fc.tuple(fc.nat({ max: 63 }), fc.nat({ max: 63 })), { maxLength: 6 }),
  });
}

/** Allocations, usage and group members per host while a cluster is being built. */
class Tally {
  readonly vcpus: number[];
  readonly memory: number[];
  readonly disk: number[];
  readonly cpuUse: number[];
  readonly memoryUse: number[];
  readonly members = new Map<string, number>();

  constructor(private readonly hosts: HostSpecs[], private readonly limits: { cpu: number; memory: number }) {
    this.vcpus = hosts.map(() => 0);
    this.memory = hosts.map(() => 0);
    this.disk = hosts.map(() => 0);
    this.cpuUse = hosts.map(() => 0);
    this.memoryUse = hosts.map(() => 0);
  }

  /** Placement capacity, max_unit, usage limits and hard anti-affinity allow the server here. */
  fits(host: number, flavor: Flavor, cpu: number, memory: number, group: { index: number; policy: GroupPolicy; maxPerHost: number } | null): boolean {
    const spec = this.hosts[host];
    const slack = 1e-6;
    if (flavor.vcpus > spec.vcpus || flavor.memory_mb > spec.memory_mb || flavor.disk_gb > spec.disk_gb) return false;
    if (this.vcpus[host] + flavor.vcpus > (spec.vcpus - spec.reserved_vcpus) * spec.vcpu_allocation_ratio) return false;
    if (this.memory[host] + flavor.memory_mb > (spec.memory_mb - spec.reserved_memory_mb) * spec.memory_allocation_ratio) return false;
    if (this.disk[host] + flavor.disk_gb > spec.disk_gb) return false;
    if (this.cpuUse[host] + cpu > this.limits.cpu * spec.vcpus - slack) return false;
    if (this.memoryUse[host] + memory > this.limits.memory * spec.memory_mb - slack) return false;
    if (group?.policy === 'anti-affinity' && (this.members.get(`${group.index}/${host}`) ?? 0) >= group.maxPerHost) return false;
    return true;
  }

  add(host: number, flavor: Flavor, cpu: number, memory: number, group: number | null, sign = 1): void {
    this.vcpus[host] += sign * flavor.vcpus;
    this.memory[host] += sign * flavor.memory_mb;
    this.disk[host] += sign * flavor.disk_gb;
    this.cpuUse[host] += sign * cpu;
    this.memoryUse[host] += sign * memory;
    if (group !== null) this.members.set(`${group}/${host}`, (this.members.get(`${group}/${host}`) ?? 0) + sign);
  }
}

interface HostSpecs extends HostDraw {
  name: string;
}

export interface RandomCluster {
  snapshot: Snapshot;
  /** drain: the drain hosts' movable servers fit together on an empty spare host. */
  drainClearlyPossible: boolean;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function buildCluster(draw: ClusterDraw): RandomCluster {
  const hosts: HostSpecs[] = draw.hosts.map((host, index) => ({ ...host, name: `cmp-${index + 1}` }));
  const spareIndex = draw.spareHost || draw.goal === 'balance' ? hosts.length : -1;
  if (spareIndex >= 0) {
    hosts.push({ name: 'cmp-spare', vcpus: 64, memory_mb: 262144, disk_gb: 4000, reserved_vcpus: 0, reserved_memory_mb: 0, vcpu_allocation_ratio: 4, memory_allocation_ratio: 1, enabled: true, zone: 'az-1' });
  }
  const limits = { cpu: draw.maxHostCpu, memory: draw.maxHostMemory };
  const tally = new Tally(hosts, limits);
  const placeable = hosts.map((_, index) => index).filter((index) => index !== spareIndex);

  interface Placed { id: string; host: number; flavor: Flavor; cpu: number; memory: number; group: number | null; migratable: boolean; zone: string | null; targetHost: number }
  const placed: Placed[] = [];
  draw.servers.forEach((server, index) => {
    const flavor = FLAVORS[draw.packed ? draw.servers[0].flavor : server.flavor];
    const quiet = draw.packed ? 0.2 : 1;
    const cpu = round(server.cpu * flavor.vcpus * quiet);
    const memory = Math.round(server.memory * flavor.memory_mb * quiet);
    const groupIndex = server.group >= 0 && server.group < draw.groups.length ? server.group : null;
    const group = groupIndex === null ? null : { index: groupIndex, ...draw.groups[groupIndex] };
    for (let attempt = 0; attempt < placeable.length; attempt++) {
      const host = placeable[((draw.packed ? 0 : server.host) + attempt) % placeable.length];
      if (!tally.fits(host, flavor, cpu, memory, group)) continue;
      tally.add(host, flavor, cpu, memory, groupIndex);
      placed.push({
        id: `vm-${index + 1}`, host, flavor, cpu, memory, group: groupIndex, migratable: server.migratable,
        zone: server.pinnedToZone ? hosts[host].zone : null, targetHost: server.targetHost,
      });
      return;
    }
  });

  // balance: one host pushed over max_host_cpu by fully busy servers the spare host can take.
  if (draw.goal === 'balance') {
    for (let attempt = 0; attempt < placeable.length; attempt++) {
      const host = placeable[(draw.hot.host + attempt) % placeable.length];
      const spec = hosts[host];
      let needed = limits.cpu * spec.vcpus - tally.cpuUse[host] + draw.hot.excess;
      const hot: Flavor[] = [];
      const trial = new Tally([spec], limits);
      trial.add(0, { name: 'existing', vcpus: tally.vcpus[host], memory_mb: tally.memory[host], disk_gb: tally.disk[host] }, 0, tally.memoryUse[host], null);
      while (needed > 1e-9) {
        const vcpus = Math.min(16, spec.vcpus, Math.ceil(needed));
        const flavor = { name: 'busy', vcpus, memory_mb: 1024, disk_gb: 10 };
        if (!trial.fits(0, flavor, 0, 512, null)) break;
        trial.add(0, flavor, 0, 512, null);
        hot.push(flavor);
        needed -= vcpus;
      }
      if (needed > 1e-9) continue;
      let cpuLeft = limits.cpu * spec.vcpus - tally.cpuUse[host] + draw.hot.excess;
      hot.forEach((flavor, index) => {
        const cpu = round(Math.min(flavor.vcpus, cpuLeft));
        cpuLeft -= cpu;
        tally.add(host, flavor, cpu, 512, null);
        placed.push({ id: `vm-busy-${index + 1}`, host, flavor, cpu, memory: 512, group: null, migratable: true, zone: null, targetHost: host });
      });
      break;
    }
  }

  const builder: SnapshotBuilder = snapshot().named(`random-${draw.goal}`);
  for (const host of hosts) {
    builder.host(host.name, {
      vcpus: host.vcpus, memory_mb: host.memory_mb, disk_gb: host.disk_gb,
      reserved_vcpus: host.reserved_vcpus, reserved_memory_mb: host.reserved_memory_mb,
      vcpu_allocation_ratio: host.vcpu_allocation_ratio, memory_allocation_ratio: host.memory_allocation_ratio,
      enabled: host.enabled, disabled_reason: host.enabled ? null : 'maintenance', availability_zone: host.zone,
    });
  }
  for (const server of placed) {
    builder.server(server.id, {
      on: hosts[server.host].name, flavor: server.flavor, usage: { cpu_cores: server.cpu, memory_mb: server.memory },
      migratable: server.migratable, availability_zone: server.zone,
    });
  }
  draw.groups.forEach((group, index) => {
    const members = placed.filter((server) => server.group === index).map((server) => server.id);
    builder.group(`group-${index + 1}`, group.policy, members, group.policy === 'anti-affinity' ? { max_server_per_host: group.maxPerHost } : undefined);
  });

  const policy: Record<string, unknown> = {
    goal: draw.goal, max_host_cpu: draw.maxHostCpu, max_host_memory: draw.maxHostMemory,
    max_parallel_migrations: draw.maxParallelMigrations, max_parallel_per_host: draw.maxParallelPerHost,
    spare_capacity_hosts: draw.spareCapacityHosts, power_off: draw.powerOff,
  };

  let drainClearlyPossible = false;
  if (draw.goal === 'drain') {
    const drainHosts = [...new Set(draw.drainPicks.map((pick) => placeable[pick % placeable.length]))];
    policy.drain_hosts = drainHosts.map((host) => hosts[host].name);
    const movable = placed.filter((server) => drainHosts.includes(server.host) && server.migratable && !isGroup(draw, server.group, 'affinity'));
    if (spareIndex >= 0 && movable.every((server) => !isGroup(draw, server.group, 'anti-affinity') && (server.zone === null || server.zone === 'az-1'))) {
      const spare = new Tally([hosts[spareIndex]], limits);
      drainClearlyPossible = movable.every((server) => {
        if (!spare.fits(0, server.flavor, server.cpu, server.memory, null)) return false;
        spare.add(0, server.flavor, server.cpu, server.memory, null);
        return true;
      });
    }
  }

  if (draw.goal === 'reach_target') {
    // A feasible end state, built on a copy of the tally: first servers of the same flavor on
    // different hosts trade places (two full hosts then need a third to swap through), then
    // each server that may move tries its drawn host.
    const target = new Tally(hosts, limits);
    for (const server of placed) target.add(server.host, server.flavor, server.cpu, server.memory, server.group);
    const end = placed.map((server) => server.host);
    const mayMove = (index: number, host: number) => {
      const server = placed[index];
      return server.migratable && !isGroup(draw, server.group, 'affinity') && hosts[host].enabled && (server.zone === null || hosts[host].zone === server.zone);
    };
    const groupOf = (index: number) => (placed[index].group === null ? null : { index: placed[index].group!, ...draw.groups[placed[index].group!] });
    const relocate = (index: number, host: number, sign: number) => target.add(host, placed[index].flavor, placed[index].cpu, placed[index].memory, placed[index].group, sign);
    for (const [first, second] of draw.swaps) {
      if (placed.length < 2) break;
      const a = first % placed.length;
      const b = second % placed.length;
      const [hostA, hostB] = [end[a], end[b]];
      if (hostA === hostB || placed[a].flavor.name !== placed[b].flavor.name || !mayMove(a, hostB) || !mayMove(b, hostA)) continue;
      relocate(a, hostA, -1);
      relocate(b, hostB, -1);
      if (target.fits(hostB, placed[a].flavor, placed[a].cpu, placed[a].memory, groupOf(a))) {
        relocate(a, hostB, 1);
        if (target.fits(hostA, placed[b].flavor, placed[b].cpu, placed[b].memory, groupOf(b))) {
          relocate(b, hostA, 1);
          [end[a], end[b]] = [hostB, hostA];
          continue;
        }
        relocate(a, hostB, -1);
      }
      relocate(a, hostA, 1);
      relocate(b, hostB, 1);
    }
    placed.forEach((server, index) => {
      const candidate = server.targetHost % hosts.length;
      if (candidate === end[index] || !mayMove(index, candidate)) return;
      relocate(index, end[index], -1);
      if (target.fits(candidate, server.flavor, server.cpu, server.memory, groupOf(index))) end[index] = candidate;
      relocate(index, end[index], 1);
    });
    builder.target(Object.fromEntries(placed.map((server, index) => [server.id, hosts[end[index]].name])));
  }

  return { snapshot: builder.policy(policy).build(), drainClearlyPossible };
}

function isGroup(draw: ClusterDraw, group: number | null, policy: GroupPolicy): boolean {
  return group !== null && draw.groups[group].policy === policy;
}

/** Random valid clusters with the given goal. */
export function randomCluster(goal: Goal): fc.Arbitrary<RandomCluster> {
  return clusterDraw(goal).map(buildCluster);
}
