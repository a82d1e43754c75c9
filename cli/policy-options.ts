// The policy fields operators set most, as options of `policy create|set|validate` (and
// `consolidate`), layered over a `--file` (YAML or JSON): the options win over the file.
import { Option, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { GOALS, STATISTICS, resolvePolicy, type Policy } from '../core/policy/schema.js';
import { ValidationError } from '../core/validation.js';
import { readText } from './files.js';
import { collect, parseCount, parseFraction, parseNonNegative } from './option-parsers.js';

export interface PolicyFieldOptions {
  file?: string;
  goal?: string;
  drainHost?: string[];
  maxHostCpu?: string;
  maxHostMemory?: string;
  spareCapacityHosts?: string;
  maxParallelMigrations?: string;
  maxParallelPerHost?: string;
  maxMigrations?: string;
  minHostsFreed?: string;
  cooldownMinutes?: string;
  powerOff?: boolean;
  disabledReason?: string;
  metricsMissing?: string;
  metricsStatistic?: string;
  antiAffinityTagPrefix?: string;
  scopeAz?: string[];
  scopeAggregate?: string[];
  scopeHost?: string[];
  excludeHost?: string[];
  excludeAggregate?: string[];
  excludeProject?: string[];
  excludeServer?: string[];
}

/** The scope options, each a list in `policy.scope`; a list given here replaces the file's. */
const SCOPE_OPTIONS = [
  { option: 'scopeAz', field: 'availability_zones', exclude: false },
  { option: 'scopeAggregate', field: 'aggregates', exclude: false },
  { option: 'scopeHost', field: 'hosts', exclude: false },
  { option: 'excludeHost', field: 'hosts', exclude: true },
  { option: 'excludeAggregate', field: 'aggregates', exclude: true },
  { option: 'excludeProject', field: 'projects', exclude: true },
  { option: 'excludeServer', field: 'servers', exclude: true },
] as const;

/** Adds `--file` and the inline field options. */
export function withPolicyFieldOptions(command: Command, { file = true } = {}): Command {
  if (file) command.option('--file <file>', 'the policy document, YAML or JSON ("-" for standard input); the options below win over it');
  return command
    .addOption(new Option('--goal <goal>', 'what plans aim at').choices(GOALS))
    .option('--drain-host <host>', 'a host to empty, for goal drain (repeat for more)', collect)
    .option('--max-host-cpu <fraction>', 'CPU use of every active host stays under this after a plan (0.8 or 80%)')
    .option('--max-host-memory <fraction>', 'memory use of every active host stays under this after a plan')
    .option('--spare-capacity-hosts <count>', 'N+k: the servers of any k active hosts must fit on the others')
    .option('--max-parallel-migrations <count>', 'live migrations in one wave')
    .option('--max-parallel-per-host <count>', 'migrations in one wave with the same host as source or destination')
    .option('--max-migrations <count>', 'migration budget of one plan')
    .option('--min-hosts-freed <count>', 'a consolidation that frees fewer hosts proposes nothing')
    .option('--cooldown-minutes <minutes>', 'a server migrated this recently is more expensive to move')
    .option('--power-off', 'power off the hosts a plan empties (after disabling them)')
    .option('--no-power-off', 'only disable the hosts a plan empties')
    .option('--disabled-reason <text>', 'nova-compute disabled reason for emptied hosts, starting with "ulm: "')
    .addOption(new Option('--metrics-missing <what>', 'servers without fresh metrics: refuse to plan, or plan on their flavor').choices(['refuse', 'use_allocations']))
    .addOption(new Option('--metrics-statistic <statistic>', 'statistic of each server\'s usage samples').choices(STATISTICS))
    .option('--anti-affinity-tag-prefix <prefix>', 'servers tagged PREFIX<name> are kept on different hosts')
    .option('--scope-az <zone>', 'plan only hosts of this availability zone (repeat for more; with --scope-aggregate and --scope-host, a host named by any is in)', collect)
    .option('--scope-aggregate <aggregate>', 'plan only hosts of this host aggregate (repeat for more)', collect)
    .option('--scope-host <host>', 'plan only this host (repeat for more)', collect)
    .option('--exclude-host <host>', 'this host neither sends nor receives servers (repeat for more)', collect)
    .option('--exclude-aggregate <aggregate>', 'hosts of this aggregate neither send nor receive servers (repeat for more)', collect)
    .option('--exclude-project <project-id>', 'servers of this project never move (repeat for more)', collect)
    .option('--exclude-server <server>', 'this server (id or name) never moves (repeat for more)', collect);
}

/** True when any inline field option was given. */
export function hasPolicyFields(options: PolicyFieldOptions): boolean {
  return Boolean(options.goal || options.drainHost?.length || options.maxHostCpu || options.maxHostMemory || options.spareCapacityHosts
    || options.maxParallelMigrations || options.maxParallelPerHost || options.maxMigrations || options.minHostsFreed || options.cooldownMinutes
    || options.powerOff !== undefined || options.disabledReason || options.metricsMissing || options.metricsStatistic || options.antiAffinityTagPrefix
    || SCOPE_OPTIONS.some(({ option }) => options[option]?.length));
}

/** The document of a policy file, as written (checked later, with the options layered on). */
export function readPolicyDocument(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseYaml(readText(path, 'policy'));
  } catch (error) {
    throw new ValidationError(`policy ${path} is not valid YAML or JSON`, [{ path: '--file', message: (error as Error).message.split('\n')[0] }]);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('invalid policy', [{ path: '--file', message: `${path} holds ${Array.isArray(value) ? 'a list' : 'no mapping'}; a policy is a mapping such as "goal: consolidate"` }]);
  }
  return value as Record<string, unknown>;
}

/** `base` (a stored document, or {}), then `--file`, then the inline options. Not yet validated. */
export function policyDocumentFrom(options: PolicyFieldOptions, base: Record<string, unknown> = {}): Record<string, unknown> {
  const document: Record<string, unknown> = { ...(options.file ? readPolicyDocument(options.file) : base) };
  const set = (field: keyof Policy, value: unknown) => { if (value !== undefined) document[field] = value; };
  set('goal', options.goal);
  set('drain_hosts', options.drainHost?.length ? options.drainHost : undefined);
  set('max_host_cpu', options.maxHostCpu === undefined ? undefined : parseFraction('--max-host-cpu', options.maxHostCpu));
  set('max_host_memory', options.maxHostMemory === undefined ? undefined : parseFraction('--max-host-memory', options.maxHostMemory));
  set('spare_capacity_hosts', options.spareCapacityHosts === undefined ? undefined : parseCount('--spare-capacity-hosts', options.spareCapacityHosts));
  set('max_parallel_migrations', options.maxParallelMigrations === undefined ? undefined : parseCount('--max-parallel-migrations', options.maxParallelMigrations, 1));
  set('max_parallel_per_host', options.maxParallelPerHost === undefined ? undefined : parseCount('--max-parallel-per-host', options.maxParallelPerHost, 1));
  set('max_migrations', options.maxMigrations === undefined ? undefined : parseCount('--max-migrations', options.maxMigrations));
  set('min_hosts_freed', options.minHostsFreed === undefined ? undefined : parseCount('--min-hosts-freed', options.minHostsFreed, 1));
  set('cooldown_minutes', options.cooldownMinutes === undefined ? undefined : parseNonNegative('--cooldown-minutes', options.cooldownMinutes));
  set('power_off', options.powerOff);
  set('disabled_reason', options.disabledReason);
  set('anti_affinity_tag_prefix', options.antiAffinityTagPrefix);
  if (options.metricsMissing || options.metricsStatistic) {
    const metrics = { ...(document.metrics && typeof document.metrics === 'object' ? document.metrics as Record<string, unknown> : {}) };
    if (options.metricsMissing) metrics.missing = options.metricsMissing;
    if (options.metricsStatistic) metrics.statistic = options.metricsStatistic;
    document.metrics = metrics;
  }
  const scopeGiven = SCOPE_OPTIONS.filter(({ option }) => options[option]?.length);
  if (scopeGiven.length) {
    const asObject = (value: unknown) => ({ ...(value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {}) });
    const scope = asObject(document.scope);
    const exclude = asObject(scope.exclude);
    for (const { option, field, exclude: excluding } of scopeGiven) (excluding ? exclude : scope)[field] = options[option];
    if (Object.keys(exclude).length) scope.exclude = exclude;
    document.scope = scope;
  }
  return document;
}

/** Every setting of a policy with the defaults filled in: what plans will actually use. */
export function effectiveSettings(policy: Policy): Record<string, unknown> {
  const resolved = resolvePolicy(policy);
  const limit = (value: number) => (Number.isFinite(value) ? value : null);
  return {
    goal: resolved.goal,
    drain_hosts: resolved.drainHosts,
    max_host_cpu: resolved.maxHostCpu,
    max_host_memory: resolved.maxHostMemory,
    spare_capacity_hosts: resolved.spareCapacityHosts,
    max_parallel_migrations: limit(resolved.maxParallelMigrations),
    max_parallel_per_host: limit(resolved.maxParallelPerHost),
    max_migrations: limit(resolved.maxMigrations),
    min_hosts_freed: resolved.minHostsFreed,
    cooldown_minutes: resolved.cooldownMinutes,
    power_off: resolved.powerOff,
    disabled_reason: resolved.disabledReason,
    exemptions: resolved.exemptions.length,
    anti_affinity_tag_prefix: resolved.antiAffinityTagPrefix,
    scope: resolved.scope,
    metrics: resolved.metrics,
    overload: resolved.overload,
  };
}
