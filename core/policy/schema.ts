// The policy schema: the one definition of what an operator's policy may say. The API, the CLI
// and the panel validate against it; the planner reads the resolved form.
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { GOALS as STRATEGY_GOALS, STRATEGY_ABOUTS } from '../strategies/names.js';
import { check, ValidationError, type Issue } from '../validation.js';
import { DAY_NAMES, isKnownTimeZone } from './calendar.js';

const Fraction = (description: string) => Type.Number({ exclusiveMinimum: 0, maximum: 1, description });
const Count = (minimum: number, description: string) => Type.Integer({ minimum, description });
const Nullable = <T extends ReturnType<typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()]);

/** The goals a policy can name: one per registered strategy (core/strategies/). */
export const GOALS = STRATEGY_GOALS;

/** A weekly time window in a time zone: `08:00-18:00 Mon-Fri Europe/Berlin`. */
export const TimeWindowSchema = Type.Object({
  days: Type.Optional(Type.Array(Type.Union(DAY_NAMES.map((day) => Type.Literal(day))), {
    minItems: 1, description: 'days of the week on which the window opens (default: every day)',
  })),
  start: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', expected: 'a time (HH:MM)', description: 'local time the window opens' }),
  end: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', expected: 'a time (HH:MM, or 24:00)', description: 'local time the window closes; earlier than start means the next day' }),
  timezone: Type.Optional(Type.String({ minLength: 1, description: 'IANA time zone, e.g. Europe/Berlin (default UTC)' })),
}, { additionalProperties: false });
export type TimeWindow = Static<typeof TimeWindowSchema>;

/**
 * Servers that must not move: by id, name, metadata or tag; always, or only during the given
 * windows (`not_during`).
 */
export const ExemptionSchema = Type.Object({
  name: Type.Optional(Type.String({ description: 'a label for the operator' })),
  servers: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'server ids or names' })),
  metadata: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'servers whose metadata has all these key/value pairs' })),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'servers that carry any of these Nova tags' })),
  not_during: Type.Optional(Type.Array(TimeWindowSchema, { minItems: 1, description: 'the exemption holds only inside these windows; absent: always' })),
}, { additionalProperties: false });
export type Exemption = Static<typeof ExemptionSchema>;

const Names = (description: string) => Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description }));

/**
 * What a plan may touch (Watcher's audit scope): hosts outside it never receive a server and are
 * never emptied, disabled or powered off; servers outside it never move. The metrics of a plan
 * stay cloud-wide (active hosts and power count every host); N+k is checked over the hosts in
 * scope, as if they were the whole cloud.
 */
export const ScopeSchema = Type.Object({
  availability_zones: Names('hosts in any of these availability zones are in scope (with aggregates and hosts: a host named by any of the three lists is in scope; no list: every host)'),
  aggregates: Names('hosts in any of these host aggregates are in scope'),
  hosts: Names('these hosts (hypervisor names) are in scope'),
  exclude: Type.Optional(Type.Object({
    hosts: Names('these hosts are out of scope: they neither send nor receive servers'),
    aggregates: Names('hosts in any of these aggregates are out of scope'),
    projects: Names('servers of these projects never move (Keystone project ids: a snapshot\'s project_id, else metadata.project)'),
    servers: Names('these servers (ids or names) never move'),
  }, { additionalProperties: false, description: 'taken out of the scope, after the lists above' })),
}, {
  additionalProperties: false,
  description: 'limit plans to some availability zones, aggregates or hosts, and exclude hosts, aggregates, projects or servers: servers outside the scope never move and hosts outside it never receive, for every goal; metrics stay cloud-wide, N+k counts the hosts in scope (default: the whole cloud)',
});
export type Scope = Static<typeof ScopeSchema>;

export const STATISTICS = ['mean', 'p50', 'p90', 'p95', 'p99', 'max'] as const;

/** How observed usage is read from the datasource when a snapshot is collected. */
export const MetricsPolicySchema = Type.Object({
  statistic: Type.Optional(Type.Union(STATISTICS.map((name) => Type.Literal(name)), { description: 'statistic of each server\'s samples over the window (default p95)' })),
  window_minutes: Type.Optional(Type.Integer({ minimum: 1, description: 'how far back samples are read (default 60)' })),
  granularity_seconds: Type.Optional(Type.Integer({ minimum: 1, description: 'sample granularity asked of the datasource (default 60)' })),
  max_age_minutes: Type.Optional(Type.Integer({ minimum: 1, description: 'a server or host whose newest sample is older has no fresh metrics (default 15)' })),
  missing: Type.Optional(Type.Union([Type.Literal('refuse'), Type.Literal('use_allocations')], { description: 'servers without fresh metrics: refuse to plan (default), or plan on their allocations (flavor) instead' })),
}, { additionalProperties: false });
export type MetricsPolicy = Static<typeof MetricsPolicySchema>;

/** Sustained overload: what makes the monitor ask for a relief plan (a host hot for K of N samples). */
export const OverloadPolicySchema = Type.Object({
  cpu_threshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'a sample counts as hot above this fraction of the host\'s CPUs (default 0.9); must exceed max_host_cpu so that relief and consolidation never undo each other' })),
  memory_threshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'a sample counts as hot above this fraction of the host\'s memory (default 0.95); must exceed max_host_memory' })),
  samples: Type.Optional(Type.Integer({ minimum: 1, description: 'K: hot samples needed (default 3)' })),
  window: Type.Optional(Type.Integer({ minimum: 1, description: 'N: among the last N samples (default 5)' })),
}, { additionalProperties: false });
export type OverloadPolicy = Static<typeof OverloadPolicySchema>;

export const PolicySchema = Type.Object({
  goal: Type.Union(GOALS.map((goal) => Type.Literal(goal)), { description: STRATEGY_ABOUTS.map(({ name, description }) => `${name}: ${description}`).join('; ') }),
  drain_hosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'hosts to empty (goal drain)', hint: 'list host names, e.g. ["cmp-01"]' })),
  max_host_cpu: Type.Optional(Fraction('after the plan, CPU use of every active host stays under this fraction of its CPUs (default 1.0)')),
  max_host_memory: Type.Optional(Fraction('after the plan, memory use of every active host stays under this fraction of its memory (default 1.0)')),
  spare_capacity_hosts: Type.Optional(Count(0, 'N+k: the servers of any k active hosts must fit on the others (default 0)')),
  max_parallel_migrations: Type.Optional(Nullable(Count(1, 'live migrations in one wave (default: no limit)'))),
  max_parallel_per_host: Type.Optional(Nullable(Count(1, 'migrations in one wave in which one host is source or destination (default: no limit)'))),
  max_migrations: Type.Optional(Nullable(Count(0, 'migration budget of one plan (default: no limit)'))),
  min_hosts_freed: Type.Optional(Count(1, 'a consolidation that frees fewer hosts proposes nothing (default 1)')),
  cooldown_minutes: Type.Optional(Type.Number({ minimum: 0, description: 'a server live-migrated this recently is more expensive to move (default 60)' })),
  power_off: Type.Optional(Type.Boolean({ description: 'power off the hosts the plan empties, after disabling them (default false)' })),
  disabled_reason: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^ulm: ', expected: 'a string starting with "ulm: "', description: 'nova-compute disabled reason for emptied hosts (default "ulm: consolidated")' })),
  exemptions: Type.Optional(Type.Array(ExemptionSchema, { description: 'servers that must not move, always or during given windows' })),
  anti_affinity_tag_prefix: Type.Optional(Type.String({ minLength: 1, description: 'servers tagged PREFIX<name> are kept on different hosts, like a hard anti-affinity group (default "anti-affinity:")' })),
  partial_target: Type.Optional(Type.Boolean({ description: 'reach_target: move the servers that can reach their target and list the others with their reasons, instead of refusing the whole target (default false)' })),
  metrics: Type.Optional(MetricsPolicySchema),
  overload: Type.Optional(OverloadPolicySchema),
  scope: Type.Optional(ScopeSchema),
}, { additionalProperties: false });
export type Policy = Static<typeof PolicySchema>;
export type Goal = (typeof GOALS)[number];

/** The policy with every default filled in: what the planner reads. */
export interface ResolvedPolicy {
  goal: Goal;
  drainHosts: string[];
  maxHostCpu: number;
  maxHostMemory: number;
  spareCapacityHosts: number;
  maxParallelMigrations: number;
  maxParallelPerHost: number;
  maxMigrations: number;
  minHostsFreed: number;
  cooldownMinutes: number;
  powerOff: boolean;
  disabledReason: string;
  exemptions: Exemption[];
  antiAffinityTagPrefix: string;
  partialTarget: boolean;
  metrics: Required<MetricsPolicy>;
  overload: Required<OverloadPolicy>;
  /** What plans may touch; `{}` is the whole cloud. */
  scope: Scope;
}

export const DEFAULT_DISABLED_REASON = 'ulm: consolidated';
export const DRAIN_DISABLED_REASON = 'ulm: drained for maintenance';

const compiledPolicy = TypeCompiler.Compile(PolicySchema);

/** Validates a policy document; `prefix` names where it came from in error paths. */
export function validatePolicy(value: unknown, prefix = 'policy'): Policy {
  const policy = check<Policy>(compiledPolicy, value, 'invalid policy', prefix);
  const issues: Issue[] = [];
  if (policy.goal === 'drain' && !policy.drain_hosts?.length) {
    issues.push({ path: `${prefix}.drain_hosts`, message: 'is required for goal "drain": list the hosts to empty, e.g. ["cmp-01"]' });
  }
  (policy.exemptions ?? []).forEach((exemption, index) => {
    if (!exemption.servers && !exemption.metadata && !exemption.tags) {
      issues.push({ path: `${prefix}.exemptions[${index}]`, message: 'matches no server: give servers, metadata or tags' });
    }
    (exemption.not_during ?? []).forEach((window, windowIndex) => {
      if (window.timezone !== undefined && !isKnownTimeZone(window.timezone)) {
        issues.push({ path: `${prefix}.exemptions[${index}].not_during[${windowIndex}].timezone`, message: `"${window.timezone}" is not an IANA time zone; use a name such as "Europe/Berlin" or "UTC"` });
      }
    });
  });
  const limits = resolvePolicy(policy);
  const overload = limits.overload;
  if (overload.cpu_threshold <= limits.maxHostCpu && policy.overload?.cpu_threshold !== undefined) {
    issues.push({ path: `${prefix}.overload.cpu_threshold`, message: `${overload.cpu_threshold} must be above max_host_cpu (${limits.maxHostCpu}), or relief and consolidation would undo each other` });
  }
  if (overload.memory_threshold <= limits.maxHostMemory && policy.overload?.memory_threshold !== undefined) {
    issues.push({ path: `${prefix}.overload.memory_threshold`, message: `${overload.memory_threshold} must be above max_host_memory (${limits.maxHostMemory}), or relief and consolidation would undo each other` });
  }
  if (overload.samples > overload.window) {
    issues.push({ path: `${prefix}.overload.samples`, message: `${overload.samples} hot samples cannot be found among the last ${overload.window}; make samples <= window` });
  }
  if (issues.length) throw new ValidationError('invalid policy', issues);
  return policy;
}

export function resolvePolicy(policy: Policy): ResolvedPolicy {
  return {
    goal: policy.goal,
    drainHosts: policy.drain_hosts ?? [],
    maxHostCpu: policy.max_host_cpu ?? 1,
    maxHostMemory: policy.max_host_memory ?? 1,
    spareCapacityHosts: policy.spare_capacity_hosts ?? 0,
    maxParallelMigrations: policy.max_parallel_migrations ?? Infinity,
    maxParallelPerHost: policy.max_parallel_per_host ?? Infinity,
    maxMigrations: policy.max_migrations ?? Infinity,
    minHostsFreed: policy.min_hosts_freed ?? 1,
    cooldownMinutes: policy.cooldown_minutes ?? 60,
    powerOff: policy.power_off ?? false,
    disabledReason: policy.disabled_reason ?? (policy.goal === 'drain' ? DRAIN_DISABLED_REASON : DEFAULT_DISABLED_REASON),
    exemptions: policy.exemptions ?? [],
    antiAffinityTagPrefix: policy.anti_affinity_tag_prefix ?? 'anti-affinity:',
    partialTarget: policy.partial_target ?? false,
    metrics: {
      statistic: policy.metrics?.statistic ?? 'p95',
      window_minutes: policy.metrics?.window_minutes ?? 60,
      granularity_seconds: policy.metrics?.granularity_seconds ?? 60,
      max_age_minutes: policy.metrics?.max_age_minutes ?? 15,
      missing: policy.metrics?.missing ?? 'refuse',
    },
    overload: {
      cpu_threshold: policy.overload?.cpu_threshold ?? 0.9,
      memory_threshold: policy.overload?.memory_threshold ?? 0.95,
      samples: policy.overload?.samples ?? 3,
      window: policy.overload?.window ?? 5,
    },
    scope: policy.scope ?? {},
  };
}

/** Fields of a policy object the schema does not know (a newer writer's, or a typo). */
export function unknownPolicyFields(value: unknown): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const known = Object.keys(PolicySchema.properties);
  return Object.keys(value).filter((key) => !known.includes(key));
}

/** Keeps only the fields the schema knows: snapshots from newer writers may carry more. */
export function knownPolicyFields(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const known = Object.keys(PolicySchema.properties);
  return Object.fromEntries(Object.entries(value).filter(([key]) => known.includes(key)));
}
