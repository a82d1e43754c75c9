// The API's records and requests, declared once: TypeBox schemas (what ulm-api validates and
// documents in /v1/openapi.json) and the types derived from them, in the API's shape (snake_case
// fields, ISO 8601 times). The engine answers these, the API sends them, the CLI and the panel
// read them. No I/O here: the panel compiles the types into the browser's code.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAINTENANCE_STATES } from '../maintenance/states.js';
import { ACTION_STATES, PLAN_STATES, WINDOW_RUN_STATES } from '../plan/states.js';
import { PLAN_GOALS, type PlanMetrics } from '../plan/format.js';
import { GOALS, PolicySchema, TimeWindowSchema } from '../policy/schema.js';
import { PowerSavingWindowSchema } from '../policy/power-saving-window.js';

// The life cycles, declared in core/plan/states.ts and core/maintenance/states.ts, are part of the contract.
export { PLAN_STATES, ACTION_STATES, FINAL_PLAN_STATES, WINDOW_RUN_STATES, type PlanState, type ActionState, type WindowRunState } from '../plan/states.js';
export { MAINTENANCE_STATES, type MaintenanceState } from '../maintenance/states.js';

const Nullable = <T extends TSchema>(schema: T, options: { description?: string } = {}) => Type.Union([schema, Type.Null()], options);
const Text = (description: string) => Type.String({ description });
const Time = (description: string) => Type.String({ description: `${description} (ISO 8601)` });
const literals = <const T extends string>(values: readonly T[], options: { description?: string } = {}) =>
  Type.Union(values.map((value) => Type.Literal(value)), options);

/** How a host is doing, as the host list shows it. */
export const HOST_STATES = ['active', 'empty', 'draining', 'maintenance', 'powered_off', 'disabled', 'down'] as const;
export type HostState = (typeof HOST_STATES)[number];

export const EXEMPTION_KINDS = ['never', 'windows', 'anti_affinity_tag'] as const;
export type ExemptionKind = (typeof EXEMPTION_KINDS)[number];

/** An audit's state as answered: a cancelled audit (core/plan/states.ts AUDIT_STATES) shows as FAILED. */
export const ANSWERED_AUDIT_STATES = ['PENDING', 'ONGOING', 'SUCCEEDED', 'FAILED'] as const;
export type AuditState = (typeof ANSWERED_AUDIT_STATES)[number];

// ---- parts of requests ----

/** Names and ids in paths and bodies: bounded, so a huge string is refused by name. */
export const Name = (description: string) => Type.String({ minLength: 1, maxLength: 255, description });

export const GoalSchema = literals(GOALS, { description: 'what the plan aims at' });
export const PlanGoalSchema = literals(PLAN_GOALS, { description: 'what the plan aims at: a policy\'s goal, or restore, rebalance or power_off for the host plans ulm makes itself' });
export const PlanStateSchema = literals(PLAN_STATES);
export const ActionStateSchema = literals(ACTION_STATES);
export const ExemptionKindSchema = literals(EXEMPTION_KINDS, { description: 'never: the server never moves; windows: not during the given windows; anti_affinity_tag: kept apart from servers with the same tag' });
export const HostStateSchema = literals(HOST_STATES);

/** Lists of host names in drain/undrain bodies. */
export const HostNames = Type.Array(Name('a compute host name, as Nova shows it'), { minItems: 1, maxItems: 1000, description: 'compute host names', hint: 'e.g. ["cmp-01"]' });

// ---- requests ----

export const AuditRequestSchema = Type.Object({
  policy: Type.Optional(Name('a stored policy, by id or name (or give document)')),
  document: Type.Optional(PolicySchema),
  goal: Type.Optional(GoalSchema),
  drain_hosts: Type.Optional(HostNames),
  approve: Type.Optional(Type.Boolean({ description: 'approve the plan at once (default false: it waits as RECOMMENDED)' })),
  start: Type.Optional(Type.Boolean({ description: 'approve and start the plan at once' })),
  triggered_by: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z_]+$', expected: 'a lower-case word such as "operator"', description: 'who asked (default operator)' })),
  window_id: Type.Optional(Nullable(Name('the power-saving window this audit runs for'))),
  target: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.String({ minLength: 1, maxLength: 255 }), {
    description: 'goal reach_target: the host each server should end on (server id -> host name)',
  })),
}, { additionalProperties: false });
/** A stored policy (by id or name) or an inline document, not both; goal and drain_hosts override the policy's. */
export type AuditRequest = Static<typeof AuditRequestSchema>;

export const ExemptionRequestSchema = Type.Object({
  kind: ExemptionKindSchema,
  windows: Type.Optional(Type.Array(TimeWindowSchema, { minItems: 1, maxItems: 100, description: 'kind windows: the server does not move during these windows' })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'kind anti_affinity_tag: servers with the same tag are kept on different hosts' })),
  reason: Type.Optional(Type.String({ maxLength: 1024, description: 'why, for the operator' })),
}, { additionalProperties: false });
export type ExemptionRequest = Static<typeof ExemptionRequestSchema>;

/** An instant with its offset, as the operator wrote it: `2026-12-01T22:00:00+01:00` or `...Z`. */
const TimeWithOffset = (description: string) => Type.String({
  minLength: 16, maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|z|[+-]\\d{2}:?\\d{2})$',
  expected: 'an ISO 8601 time with an offset, e.g. 2026-12-01T22:00:00+01:00', description,
});

export const MaintenanceRequestSchema = Type.Object({
  hosts: HostNames,
  at: TimeWithOffset('the hosts are empty and disabled (and powered off if asked) by then; in the future'),
  until: Type.Optional(Nullable(TimeWithOffset('the hosts are brought back then; after at (absent: they stay until an operator brings them back)'))),
  power_off: Type.Optional(Type.Boolean({ description: 'power the hosts off at `at` (default false: disabled only)' })),
}, { additionalProperties: false });
/** The body of POST /v1/maintenances, and who asked (the API sets the caller's user name). */
export type MaintenanceRequest = Static<typeof MaintenanceRequestSchema> & { created_by?: string };

// ---- records answered ----

export const PolicyViewSchema = Type.Object({
  id: Text('policy id'),
  name: Text('unique name'),
  description: Type.String(),
  document: PolicySchema,
  created_at: Time('created'),
  updated_at: Time('last changed'),
});
export type PolicyView = Static<typeof PolicyViewSchema>;

export const WindowViewSchema = Type.Object({
  id: Text('window id'),
  policy_id: Type.String(),
  policy_name: Type.String(),
  window: PowerSavingWindowSchema,
  next: Nullable(Type.Object({
    opens_at: Time('opens'),
    stop_new_waves_at: Time('no new wave starts from'),
    restore_at: Time('hosts are restored from'),
    closes_at: Time('closes'),
    open_now: Type.Boolean(),
  }, { description: 'the next opening from now, or the one open now' })),
  created_at: Time('created'),
  updated_at: Time('last changed'),
});
export type WindowView = Static<typeof WindowViewSchema>;

export const AuditViewSchema = Type.Object({
  id: Type.String(),
  policy_id: Nullable(Type.String()),
  policy_name: Type.String(),
  window_id: Nullable(Type.String()),
  goal: PlanGoalSchema,
  triggered_by: Text('operator, window, monitor, drain or undrain'),
  state: literals(ANSWERED_AUDIT_STATES),
  snapshot_id: Nullable(Type.String()),
  action_plan_id: Nullable(Type.String()),
  failure_reason: Nullable(Type.String()),
  created_at: Time('created'),
  started_at: Nullable(Time('started')),
  finished_at: Nullable(Time('finished')),
});
export type AuditView = Static<typeof AuditViewSchema>;

const ActionCountsSchema = Type.Object(Object.fromEntries(ACTION_STATES.map((state) => [state, Type.Integer({ minimum: 0 })])) as Record<(typeof ACTION_STATES)[number], ReturnType<typeof Type.Integer>>);

export const PlanDoneViewSchema = Type.Object({
  migrations: Type.Integer({ minimum: 0 }), hosts_disabled: Type.Integer({ minimum: 0 }), hosts_powered_off: Type.Integer({ minimum: 0 }),
  hosts_powered_on: Type.Integer({ minimum: 0 }), hosts_enabled: Type.Integer({ minimum: 0 }),
}, { description: 'what has happened so far, from verified actions only (a skipped or failed action never counts)' });
export type PlanDoneView = Static<typeof PlanDoneViewSchema>;

export const PlanProgressViewSchema = Type.Object({
  waves: Type.Integer({ minimum: 0 }),
  current_wave: Nullable(Type.Integer({ minimum: 0, description: 'the wave running, or the last one started' })),
  counts: ActionCountsSchema,
  transfers: Type.Array(Type.Object({ server: Type.String(), source: Type.String(), destination: Type.String() }), { description: 'live migrations in flight' }),
  done: PlanDoneViewSchema,
});
export type PlanProgressView = Static<typeof PlanProgressViewSchema>;

const METRIC_NAMES = [
  'active_hosts_before', 'active_hosts_after', 'hosts_freed', 'hosts_disabled', 'hosts_powered_off', 'migrations',
  'temporary_migrations', 'servers_migrated', 'waves', 'memory_to_move_mb', 'power_before_w', 'power_after_w',
  'power_saved_w', 'hosts_over_limits_before', 'hosts_over_limits_after',
] as const satisfies readonly (keyof PlanMetrics)[];
/** core/plan/format.ts's PlanMetrics (the ulm-plan/1 format declares it), field by field. */
export const PlanMetricsSchema = Type.Object(Object.fromEntries(METRIC_NAMES.map((name) => [name, Type.Number()])) as Record<(typeof METRIC_NAMES)[number], ReturnType<typeof Type.Number>>);

export const ActionPlanViewSchema = Type.Object({
  id: Type.String(),
  audit_id: Nullable(Type.String()),
  goal: PlanGoalSchema,
  state: PlanStateSchema,
  stale: Type.Boolean({ description: 'the cloud changed since the plan was made: it will not start' }),
  stale_reason: Nullable(Type.String()),
  failure_reason: Nullable(Type.String()),
  metrics: PlanMetricsSchema,
  progress: PlanProgressViewSchema,
  resumptions: Type.Integer({ minimum: 0, description: 'how often an applier resumed the plan after the one running it stopped (crash, restart)' }),
  created_at: Time('created'),
  started_at: Nullable(Time('started')),
  finished_at: Nullable(Time('finished')),
});
export type ActionPlanView = Static<typeof ActionPlanViewSchema>;

export const ActionViewSchema = Type.Object({
  id: Type.String(),
  action_plan_id: Type.String(),
  index: Type.Integer({ minimum: 0 }),
  wave: Type.Integer({ minimum: 0 }),
  type: Text('live_migrate, disable_compute, power_off, ...'),
  server: Nullable(Type.String()),
  server_name: Nullable(Type.String()),
  host: Nullable(Type.String()),
  source: Nullable(Type.String()),
  destination: Nullable(Type.String()),
  temporary: Type.Boolean(),
  state: ActionStateSchema,
  reason: Type.String(),
  attempts: Type.Integer({ minimum: 0 }),
  nova_migration_id: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  error: Nullable(Type.String()),
  started_at: Nullable(Time('started')),
  finished_at: Nullable(Time('finished')),
});
export type ActionView = Static<typeof ActionViewSchema>;

export const HostLoadSchema = Type.Object({
  servers: Type.Array(Type.String()),
  vcpu_allocation: Type.Number({ description: 'fraction of Placement capacity (0..1+)' }),
  memory_allocation: Type.Number(),
  cpu_usage: Type.Number({ description: 'fraction of the host\'s size (0..1+)' }),
  memory_usage: Type.Number(),
});
export type HostLoad = Static<typeof HostLoadSchema>;

/** A host before and after a plan: what the panel draws side by side. */
export const HostPictureSchema = Type.Object({ host: Type.String(), before: HostLoadSchema, after: HostLoadSchema });
export type HostPicture = Static<typeof HostPictureSchema>;

export const HostViewSchema = Type.Object({
  name: Type.String(),
  state: HostStateSchema,
  state_detail: Nullable(Type.String()),
  availability_zone: Nullable(Type.String()),
  servers: Type.Integer({ minimum: 0 }),
  vcpus: Type.Number(),
  memory_mb: Type.Number(),
  vcpu_allocation: Type.Number(),
  memory_allocation: Type.Number(),
  cpu_usage: Type.Number(),
  memory_usage: Type.Number(),
  held_by_ulm: Type.Boolean({ description: 'ulm disabled it (and may enable it again)' }),
  powered_off: Type.Boolean(),
  action_plan_id: Nullable(Type.String()),
});
export type HostView = Static<typeof HostViewSchema>;

export const ExemptionViewSchema = Type.Object({
  id: Type.String(),
  server_id: Type.String(),
  kind: ExemptionKindSchema,
  windows: Nullable(Type.Array(TimeWindowSchema)),
  tag: Nullable(Type.String()),
  reason: Type.String(),
  created_at: Time('created'),
});
export type ExemptionView = Static<typeof ExemptionViewSchema>;

export const ServerViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  host: Type.String(),
  flavor: Nullable(Type.String()),
  vcpus: Type.Number(),
  memory_mb: Type.Number(),
  cpu_usage: Type.Number(),
  memory_usage_mb: Type.Number(),
  migratable: Type.Boolean(),
  server_group: Nullable(Type.String()),
  exemptions: Type.Array(ExemptionViewSchema),
});
export type ServerView = Static<typeof ServerViewSchema>;

export const SnapshotViewSchema = Type.Object({
  id: Type.String(),
  collected_at: Time('collected'),
  hosts: Type.Integer({ minimum: 0 }),
  servers: Type.Integer({ minimum: 0 }),
  active_hosts: Type.Integer({ minimum: 0 }),
  servers_without_metrics: Type.Integer({ minimum: 0 }),
  created_at: Time('stored'),
});
export type SnapshotView = Static<typeof SnapshotViewSchema>;

export const SavingsViewSchema = Type.Object({
  window_id: Nullable(Type.String()),
  window_name: Nullable(Type.String()),
  state: literals(WINDOW_RUN_STATES, { description: 'OPEN (its plan works), RESTORING (its restore plan brings the hosts back) or CLOSED' }),
  action_plan_id: Nullable(Type.String()),
  restore_plan_id: Nullable(Type.String()),
  period_start: Time('hosts went off'),
  period_end: Nullable(Time('hosts came back')),
  hosts_off: Type.Integer({ minimum: 0 }),
  host_hours_off: Type.Number(),
  energy_kwh: Type.Number(),
});
export type SavingsView = Static<typeof SavingsViewSchema>;

export const MaintenanceStateSchema = literals(MAINTENANCE_STATES, { description: 'SCHEDULED, DRAINING, DRAINED (waiting to power off), POWERING_OFF, IN_MAINTENANCE, RESTORING, DONE, FAILED or CANCELLED' });

/** A scheduled maintenance of hosts: drained by `at`, powered off if asked, restored at `until`. */
export const MaintenanceViewSchema = Type.Object({
  id: Text('maintenance id'),
  hosts: Type.Array(Type.String()),
  state: MaintenanceStateSchema,
  at: Time('the hosts are out of service by then'),
  until: Nullable(Time('the hosts are brought back then')),
  power_off: Type.Boolean(),
  drain_starts_at: Time('the drain starts then (estimated from measured live migrations)'),
  estimated_drain_seconds: Type.Integer({ minimum: 0 }),
  drain_plan_id: Nullable(Type.String()),
  power_off_plan_id: Nullable(Type.String()),
  restore_plan_id: Nullable(Type.String()),
  created_by: Text('who scheduled it'),
  failure_reason: Nullable(Type.String()),
  created_at: Time('scheduled'),
  updated_at: Time('last changed'),
  started_at: Nullable(Time('the drain started')),
  finished_at: Nullable(Time('ended')),
});
export type MaintenanceView = Static<typeof MaintenanceViewSchema>;

export const StatusViewSchema = Type.Object({
  version: Text('ulm\'s version'),
  scheduler_leader: Type.Boolean(),
  cloud: Type.Object({ reachable: Type.Boolean(), detail: Nullable(Type.String()) }),
  hosts: Type.Object(Object.fromEntries(HOST_STATES.map((state) => [state, Type.Integer({ minimum: 0 })])) as Record<HostState, ReturnType<typeof Type.Integer>>),
  last_snapshot: Nullable(Type.Object({ id: Type.String(), collected_at: Time('collected') }, { description: 'the newest stored snapshot, which the host counts come from; null before the first collection' })),
  hosts_detail: Nullable(Type.String({ description: 'why the host counts are empty (no snapshot collected yet, and how to get one)' })),
  plans: Type.Object({ ongoing: Type.Integer({ minimum: 0 }), recommended: Type.Integer({ minimum: 0 }) }),
  next_window: Nullable(Type.Object({ window: Type.String(), policy: Type.String(), opens_at: Time('opens') })),
  maintenances: Type.Object({ ongoing: Type.Array(MaintenanceViewSchema), next: Nullable(MaintenanceViewSchema) }, { description: 'maintenances under way, and the next scheduled one' }),
  last_audit: Nullable(AuditViewSchema),
});
export type StatusView = Static<typeof StatusViewSchema>;

/** An audit (or a drain) and its plan, null while planning goes on or when nothing was planned. */
export const AuditAndPlanSchema = Type.Object({ audit: AuditViewSchema, action_plan: Nullable(ActionPlanViewSchema) });
export type AuditAndPlan = Static<typeof AuditAndPlanSchema>;

export const UndrainViewSchema = Type.Object({
  results: Type.Array(Type.Object({ host: Type.String(), restored: Type.Boolean({ description: 'in service now; a host being restored is not yet' }), detail: Type.String() })),
  action_plan: Nullable(ActionPlanViewSchema),
  audit: Nullable(AuditViewSchema, { description: 'the restore\'s audit: ONGOING while ulm reads the cloud and plans (poll it; its action_plan_id names the plan), null when no named host needed restoring' }),
});
/**
 * Each named host's result, the restore's audit, and its plan (power on, enable, and with
 * rebalance the moves back) once made: null while the audit plans it, or when nothing was to do.
 */
export type UndrainView = Static<typeof UndrainViewSchema>;
export type UndrainResult = UndrainView['results'][number];

const NamedInDomainSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domain: Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()) }),
});
/** A Keystone name with its domain. */
export type NamedInDomain = Static<typeof NamedInDomainSchema>;

/** POST /v1/auth/login's answer, which the panel keeps for the session. */
export const LoginSessionSchema = Type.Object({
  token: Type.String({ description: 'the Keystone token: send it as X-Auth-Token' }),
  expires_at: Type.String({ description: 'when the token lapses (ISO 8601)' }),
  user: NamedInDomainSchema,
  project: Nullable(NamedInDomainSchema),
  system_scope: Type.Optional(Type.Literal('all', { description: 'present for a token scoped to the system (project is then null)' })),
  roles: Type.Array(Type.String(), { description: 'role names in the token (implied roles included)' }),
});
export type LoginSession = Static<typeof LoginSessionSchema>;

/** The error shape of every 4xx and 5xx answer. */
export const ErrorBodySchema = Type.Object({
  error: Type.Object({
    code: Type.Integer({ description: 'the HTTP status' }),
    title: Text('the HTTP reason phrase'),
    message: Text('what is wrong, naming the field and the fix'),
    issues: Type.Array(Type.Object({ path: Text('the field, e.g. document.max_host_cpu'), message: Text('what is wrong with it and what is expected') })),
    request_id: Text('X-OpenStack-Request-ID of the request, for the logs'),
  }),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;
