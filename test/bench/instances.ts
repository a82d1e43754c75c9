// The benchmark's instances: the public ones in the shared folder, and the large sizes of sizes.md generated once into a cache.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GENERATED_DIR } from './paths.js';
import { runProcess } from './processes.js';

export const SIZES = ['public', 'L', 'XL'] as const;
export type SizeClass = (typeof SIZES)[number];

export interface BenchInstance {
  /** File name without .json, e.g. `fragmented-m`, `fragmented-XL`: the row label. */
  name: string;
  family: string;
  size: SizeClass;
  path: string;
  /** For generated sizes: the gen.mjs arguments, exactly as sizes.md writes them. */
  generatorArgs?: string[];
}

/** Public instances: every .json in <shared>/bench/instances/, named `<family>-<xs|s|m>`. */
export function publicInstances(benchDir: string): BenchInstance[] {
  const dir = join(benchDir, 'instances');
  return readdirSync(dir).filter((file) => file.endsWith('.json')).sort().map((file) => {
    const name = basename(file, '.json');
    return { name, family: name.replace(/-[a-z]+$/, ''), size: 'public' as const, path: join(dir, file) };
  });
}

/**
 * The large sizes, read from sizes.md itself so the commands are exactly the documented ones:
 * every `node gen.mjs ARGS > FAMILY-L.json` / `> FAMILY-XL.json` in it.
 */
export function generatedInstances(benchDir: string): BenchInstance[] {
  const text = readFileSync(join(benchDir, 'sizes.md'), 'utf8');
  const commandPattern = /`node gen\.mjs ([^`>]+?)\s*>\s*([A-Za-z0-9-]+)-(L|XL)\.json`/g;
  const instances: BenchInstance[] = [];
  for (const match of text.matchAll(commandPattern)) {
    const [, args, family, size] = match;
    instances.push({
      name: `${family}-${size}`, family, size: size as SizeClass,
      path: join(GENERATED_DIR, `${family}-${size}.json`),
      generatorArgs: args.trim().split(/\s+/),
    });
  }
  if (instances.length === 0) throw new Error(`no "node gen.mjs ... > NAME-L.json" commands found in ${join(benchDir, 'sizes.md')}`);
  return instances;
}

/** What a cached file was generated from; a different generator or command regenerates it. */
function generationStamp(benchDir: string, instance: BenchInstance): string {
  const generatorHash = createHash('sha256').update(readFileSync(join(benchDir, 'gen.mjs'))).digest('hex');
  return JSON.stringify({ args: instance.generatorArgs, gen_mjs_sha256: generatorHash });
}

const stampFile = (instance: BenchInstance) => `${instance.path}.stamp`;

export function isGenerated(benchDir: string, instance: BenchInstance): boolean {
  return existsSync(instance.path) && existsSync(stampFile(instance)) && readFileSync(stampFile(instance), 'utf8') === generationStamp(benchDir, instance);
}

/** Generates one large instance into the cache (written to a temporary file, then renamed). */
export async function generateInstance(benchDir: string, instance: BenchInstance): Promise<number> {
  if (!instance.generatorArgs) throw new Error(`${instance.name} is not a generated instance`);
  mkdirSync(GENERATED_DIR, { recursive: true });
  const partial = `${instance.path}.partial`;
  const result = await runProcess({ command: process.execPath, args: [join(benchDir, 'gen.mjs'), ...instance.generatorArgs], cwd: benchDir, stdoutFile: partial });
  if (result.exitCode !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`gen.mjs ${instance.generatorArgs.join(' ')} failed (exit ${result.exitCode ?? result.signal}): ${result.stderrTail.trim()}`);
  }
  renameSync(partial, instance.path);
  writeFileSync(stampFile(instance), generationStamp(benchDir, instance));
  return result.wallSeconds;
}

// ---------------------------------------------------------------------------
// Facts the targets need that the scorer does not print, computed from the instance alone
// (never from a planner's output). Cached next to generated instances: parsing 100 MB of
// JSON takes seconds.
// ---------------------------------------------------------------------------

export const FACTS_VERSION = 2;

export interface InstanceFacts {
  facts_version: number;
  goal: string;
  hosts: number;
  servers: number;
  has_series: boolean;
  /** Hosts that may hold servers after any plan: enabled hosts, and disabled ones that keep what they hold (minus drain hosts that can be emptied). */
  hosts_that_can_hold_servers: number;
  drain: null | {
    hosts: number;
    servers: number;
    /** `migratable: false` servers on drain hosts. */
    unmigratable: number;
    /** Migratable servers in a hard-affinity group whose members all share their (drain) host: Nova cannot move them (FORMAT.md, rule 5). */
    held_by_affinity: number;
    /** Servers a drain must move: the rest. */
    movable: number;
  };
  /** reach_target: servers whose target differs from their current host. */
  misplaced: number | null;
  /**
   * Servers on each host a plan could empty (it holds servers, none unmigratable or held by
   * affinity), fewest first: emptying n hosts moves at least the first n counts' sum.
   */
  servers_on_emptiable_hosts: number[];
  /**
   * balance: migrations no valid plan can go below. Each host over a usage limit sheds at least
   * as many servers as it takes, largest first, to come under that limit.
   */
  balance_migration_floor: number | null;
}

interface RawInstance {
  policy: { goal: string; drain_hosts?: string[]; max_host_cpu?: number; max_host_memory?: number };
  hosts: { name: string; enabled: boolean; vcpus?: number; memory_mb?: number }[];
  servers: { id: string; host: string; migratable: boolean; server_group?: string | null; series?: unknown; usage?: { cpu_cores: number; memory_mb: number } }[];
  server_groups?: { id: string; policy: string }[];
  target?: Record<string, string> | null;
}

export function computeFacts(raw: RawInstance): InstanceFacts {
  const drainHosts = new Set(raw.policy.drain_hosts ?? []);
  const affinityGroups = new Set((raw.server_groups ?? []).filter((group) => group.policy === 'affinity').map((group) => group.id));
  const hostsOfAffinityGroup = new Map<string, Set<string>>();
  for (const server of raw.servers) {
    if (server.server_group && affinityGroups.has(server.server_group)) {
      const hosts = hostsOfAffinityGroup.get(server.server_group) ?? new Set<string>();
      hosts.add(server.host);
      hostsOfAffinityGroup.set(server.server_group, hosts);
    }
  }
  const heldByAffinity = (server: RawInstance['servers'][number]) =>
    !!server.server_group && (hostsOfAffinityGroup.get(server.server_group)?.size ?? 0) === 1;

  const holdingHosts = new Set(raw.servers.map((server) => server.host));
  const immovableHosts = new Set(raw.servers.filter((server) => !server.migratable || heldByAffinity(server)).map((server) => server.host));
  const hostsThatCanHold = raw.hosts.filter((host) => {
    if (immovableHosts.has(host.name)) return true;
    if (drainHosts.has(host.name)) return false;
    return host.enabled || holdingHosts.has(host.name);
  }).length;

  let drain: InstanceFacts['drain'] = null;
  if (raw.policy.goal === 'drain') {
    const onDrain = raw.servers.filter((server) => drainHosts.has(server.host));
    const unmigratable = onDrain.filter((server) => !server.migratable).length;
    const held = onDrain.filter((server) => server.migratable && heldByAffinity(server)).length;
    drain = { hosts: drainHosts.size, servers: onDrain.length, unmigratable, held_by_affinity: held, movable: onDrain.length - unmigratable - held };
  }
  let misplaced: number | null = null;
  if (raw.target) {
    const hostOf = new Map(raw.servers.map((server) => [server.id, server.host]));
    misplaced = Object.entries(raw.target).filter(([serverId, host]) => hostOf.get(serverId) !== host).length;
  }
  const serversOn = new Map<string, number>();
  for (const server of raw.servers) serversOn.set(server.host, (serversOn.get(server.host) ?? 0) + 1);
  const serversOnEmptiableHosts = [...serversOn].filter(([host]) => !immovableHosts.has(host)).map(([, count]) => count).sort((a, b) => a - b);
  return {
    facts_version: FACTS_VERSION,
    goal: raw.policy.goal,
    hosts: raw.hosts.length,
    servers: raw.servers.length,
    has_series: raw.servers.length > 0 && raw.servers[0].series !== undefined,
    hosts_that_can_hold_servers: hostsThatCanHold,
    drain, misplaced,
    servers_on_emptiable_hosts: serversOnEmptiableHosts,
    balance_migration_floor: raw.policy.goal === 'balance' ? balanceMigrationFloor(raw) : null,
  };
}

/** Comparisons allow the scorer's relative tolerance on limits (FORMAT.md). */
const LIMIT_TOLERANCE = 1e-9;

function balanceMigrationFloor(raw: RawInstance): number {
  const usages = new Map<string, { cpu: number[]; memory: number[] }>();
  for (const server of raw.servers) {
    const usage = usages.get(server.host) ?? { cpu: [], memory: [] };
    usage.cpu.push(server.usage?.cpu_cores ?? 0);
    usage.memory.push(server.usage?.memory_mb ?? 0);
    usages.set(server.host, usage);
  }
  /** Servers to take off, largest first, until the rest is within the limit. */
  const shed = (values: number[], limit: number) => {
    const sorted = [...values].sort((a, b) => b - a);
    let total = sorted.reduce((sum, value) => sum + value, 0);
    let count = 0;
    while (total > limit * (1 + LIMIT_TOLERANCE) && count < sorted.length) total -= sorted[count++];
    return count;
  };
  let floor = 0;
  for (const host of raw.hosts) {
    const usage = usages.get(host.name);
    if (!usage) continue;
    floor += Math.max(
      shed(usage.cpu, (raw.policy.max_host_cpu ?? 1) * (host.vcpus ?? 0)),
      shed(usage.memory, (raw.policy.max_host_memory ?? 1) * (host.memory_mb ?? 0)),
    );
  }
  return floor;
}

/** Facts of an instance, from a cache file beside generated instances when it is current. */
export function instanceFacts(instance: BenchInstance): InstanceFacts {
  const stat = statSync(instance.path);
  const key = `${stat.size}:${stat.mtimeMs}`;
  const cacheFile = join(GENERATED_DIR, `${instance.name}.facts.json`);
  if (instance.size !== 'public' && existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { key: string; facts: InstanceFacts };
    if (cached.key === key && cached.facts.facts_version === FACTS_VERSION) return cached.facts;
  }
  const facts = computeFacts(JSON.parse(readFileSync(instance.path, 'utf8')) as RawInstance);
  if (instance.size !== 'public') writeFileSync(cacheFile, JSON.stringify({ key, facts }));
  return facts;
}
