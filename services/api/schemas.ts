// The TypeBox schemas of the API: request bodies and query parameters (what is validated), and
// the records answered (services/engine/types.ts as JSON Schema, for the OpenAPI document and
// the shape tests). Compile-time checks below keep the records in step with the engine's types.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAINTENANCE_STATES } from '../../core/maintenance/states.js';
import { ACTION_STATES, PLAN_STATES, WINDOW_RUN_STATES } from '../../core/plan/states.js';
import { PLAN_FORMAT, PLAN_GOALS, type PlanDocument, type PlanMetrics } from '../../core/plan/format.js';
import { GOALS, PolicySchema, TimeWindowSchema } from '../../core/policy/schema.js';
import { PowerSavingWindowSchema } from '../../core/policy/power-saving-window.js';
import { SnapshotSchema } from '../../core/snapshot/format.js';
import type {
  ActionPlanView, ActionView, AuditView, ExemptionKind, ExemptionView, HostPicture, HostState, HostView, MaintenanceView, PlanProgressView,
  PolicyView, SavingsView, ServerView, SnapshotView, StatusView, WindowView,
} from '../engine/types.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Text = (description: string) => Type.String({ description });
const Time = (description: string) => Type.String({ description: `${description} (ISO 8601)` });
const literals = <const T extends string>(values: readonly T[], options: { description?: string } = {}) =>
  Type.Union(values.map((value) => Type.Literal(value)), options);

// ---- inputs ----

/** Names and ids in paths and bodies: bounded, so a huge string is refused by name. */
export const Name = (description: string) => Type.String({ minLength: 1, maxLength: 255, description });
export const Description = Type.String({ maxLength: 4096, description: 'free text for the operator' });

export const GoalSchema = literals(GOALS, { description: 'what the plan aims at' });
export const PlanGoalSchema = literals(PLAN_GOALS, { description: 'what the plan aims at: a policy\'s goal, or restore, rebalance or power_off for the host plans ulm makes itself' });
export const PlanStateSchema = literals(PLAN_STATES);
export const ActionStateSchema = literals(ACTION_STATES);
export const EXEMPTION_KINDS = ['never', 'windows', 'anti_affinity_tag'] as const satisfies readonly ExemptionKind[];
export const ExemptionKindSchema = literals(EXEMPTION_KINDS, { description: 'never: the server never moves; windows: not during the given windows; anti_affinity_tag: kept apart from servers with the same tag' });
export const HOST_STATES = ['active', 'empty', 'draining', 'maintenance', 'powered_off', 'disabled', 'down'] as const satisfies readonly HostState[];
export const HostStateSchema = literals(HOST_STATES);

/** Lists of host names in drain/undrain bodies. */
export const HostNames = Type.Array(Name('a compute host name, as Nova shows it'), { minItems: 1, maxItems: 1000, description: 'compute host names', hint: 'e.g. ["cmp-01"]' });

/** `?limit=`: how many records at most (newest first). */
export const Limit = Type.Integer({ minimum: 1, maximum: 1000, description: 'at most this many records, newest first' });

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

export const ExemptionRequestSchema = Type.Object({
  kind: ExemptionKindSchema,
  windows: Type.Optional(Type.Array(TimeWindowSchema, { minItems: 1, maxItems: 100, description: 'kind windows: the server does not move during these windows' })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'kind anti_affinity_tag: servers with the same tag are kept on different hosts' })),
  reason: Type.Optional(Type.String({ maxLength: 1024, description: 'why, for the operator' })),
}, { additionalProperties: false });

// ---- records answered ----

export const PolicyViewSchema = Type.Object({
  id: Text('policy id'),
  name: Text('unique name'),
  description: Type.String(),
  document: PolicySchema,
  created_at: Time('created'),
  updated_at: Time('last changed'),
});

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

export const AuditViewSchema = Type.Object({
  id: Type.String(),
  policy_id: Nullable(Type.String()),
  policy_name: Type.String(),
  window_id: Nullable(Type.String()),
  goal: PlanGoalSchema,
  triggered_by: Text('operator, window, monitor, drain or undrain'),
  state: literals(['PENDING', 'ONGOING', 'SUCCEEDED', 'FAILED'] as const),
  snapshot_id: Nullable(Type.String()),
  action_plan_id: Nullable(Type.String()),
  failure_reason: Nullable(Type.String()),
  created_at: Time('created'),
  started_at: Nullable(Time('started')),
  finished_at: Nullable(Time('finished')),
});

const ActionCountsSchema = Type.Object(Object.fromEntries(ACTION_STATES.map((state) => [state, Type.Integer({ minimum: 0 })])) as Record<(typeof ACTION_STATES)[number], ReturnType<typeof Type.Integer>>);

export const PlanProgressViewSchema = Type.Object({
  waves: Type.Integer({ minimum: 0 }),
  current_wave: Nullable(Type.Integer({ minimum: 0, description: 'the wave running, or the last one started' })),
  counts: ActionCountsSchema,
  transfers: Type.Array(Type.Object({ server: Type.String(), source: Type.String(), destination: Type.String() }), { description: 'live migrations in flight' }),
  done: Type.Object({
    migrations: Type.Integer({ minimum: 0 }), hosts_disabled: Type.Integer({ minimum: 0 }), hosts_powered_off: Type.Integer({ minimum: 0 }),
    hosts_powered_on: Type.Integer({ minimum: 0 }), hosts_enabled: Type.Integer({ minimum: 0 }),
  }, { description: 'what has happened so far, from verified actions only (a skipped or failed action never counts)' }),
});

const METRIC_NAMES = [
  'active_hosts_before', 'active_hosts_after', 'hosts_freed', 'hosts_disabled', 'hosts_powered_off', 'migrations',
  'temporary_migrations', 'servers_migrated', 'waves', 'memory_to_move_mb', 'power_before_w', 'power_after_w',
  'power_saved_w', 'hosts_over_limits_before', 'hosts_over_limits_after',
] as const satisfies readonly (keyof PlanMetrics)[];
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
  created_at: Time('created'),
  started_at: Nullable(Time('started')),
  finished_at: Nullable(Time('finished')),
});

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

const HostLoadSchema = Type.Object({
  servers: Type.Array(Type.String()),
  vcpu_allocation: Type.Number({ description: 'fraction of Placement capacity (0..1+)' }),
  memory_allocation: Type.Number(),
  cpu_usage: Type.Number({ description: 'fraction of the host\'s size (0..1+)' }),
  memory_usage: Type.Number(),
});

export const HostPictureSchema = Type.Object({ host: Type.String(), before: HostLoadSchema, after: HostLoadSchema });

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

export const ExemptionViewSchema = Type.Object({
  id: Type.String(),
  server_id: Type.String(),
  kind: ExemptionKindSchema,
  windows: Nullable(Type.Array(TimeWindowSchema)),
  tag: Nullable(Type.String()),
  reason: Type.String(),
  created_at: Time('created'),
});

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

export const SnapshotViewSchema = Type.Object({
  id: Type.String(),
  collected_at: Time('collected'),
  hosts: Type.Integer({ minimum: 0 }),
  servers: Type.Integer({ minimum: 0 }),
  active_hosts: Type.Integer({ minimum: 0 }),
  servers_without_metrics: Type.Integer({ minimum: 0 }),
  created_at: Time('stored'),
});

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

export const MaintenanceStateSchema = literals(MAINTENANCE_STATES, { description: 'SCHEDULED, DRAINING, DRAINED (waiting to power off), POWERING_OFF, IN_MAINTENANCE, RESTORING, DONE, FAILED or CANCELLED' });

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

export const StatusViewSchema = Type.Object({
  version: Text('ulm\'s version'),
  scheduler_leader: Type.Boolean(),
  cloud: Type.Object({ reachable: Type.Boolean(), detail: Nullable(Type.String()) }),
  hosts: Type.Object(Object.fromEntries(HOST_STATES.map((state) => [state, Type.Integer({ minimum: 0 })])) as Record<(typeof HOST_STATES)[number], ReturnType<typeof Type.Integer>>),
  last_snapshot: Nullable(Type.Object({ id: Type.String(), collected_at: Time('collected') }, { description: 'the newest stored snapshot, which the host counts come from; null before the first collection' })),
  hosts_detail: Nullable(Type.String({ description: 'why the host counts are empty (no snapshot collected yet, and how to get one)' })),
  plans: Type.Object({ ongoing: Type.Integer({ minimum: 0 }), recommended: Type.Integer({ minimum: 0 }) }),
  next_window: Nullable(Type.Object({ window: Type.String(), policy: Type.String(), opens_at: Time('opens') })),
  maintenances: Type.Object({ ongoing: Type.Array(MaintenanceViewSchema), next: Nullable(MaintenanceViewSchema) }, { description: 'maintenances under way, and the next scheduled one' }),
  last_audit: Nullable(AuditViewSchema),
});

const BlockedServerSchema = Type.Object({ server: Type.String(), server_name: Type.String(), host: Type.String(), constraint: Type.String(), detail: Type.String() });

/** The ulm-plan/1 document (core/plan/format.ts). */
export const PlanDocumentSchema = Type.Object({
  format: Type.Literal(PLAN_FORMAT),
  instance: Nullable(Type.String()),
  planner: Type.String(),
  meta: Type.Object({
    goal: Type.String(),
    status: literals(['complete', 'partial', 'infeasible', 'nothing_to_do'] as const),
    now: Time('the instant the plan was made for'),
    metrics: PlanMetricsSchema,
    blocked: Type.Array(BlockedServerSchema),
    notes: Type.Array(Type.String()),
    infeasible: Type.Optional(Type.String()),
  }),
  actions: Type.Array(Type.Union([
    Type.Object({ wave: Type.Integer(), type: Type.Literal('live_migrate'), server: Type.String(), server_name: Type.Optional(Type.String()), source: Type.String(), destination: Type.String(), reason: Type.String(), temporary: Type.Optional(Type.Boolean()) }),
    Type.Object({ wave: Type.Integer(), type: Type.Literal('disable_compute'), host: Type.String(), reason: Type.String() }),
    Type.Object({ wave: Type.Integer(), type: Type.Literal('power_off'), host: Type.String(), reason: Type.String() }),
    Type.Object({ wave: Type.Integer(), type: Type.Literal('power_on'), host: Type.String(), reason: Type.String() }),
    Type.Object({ wave: Type.Integer(), type: Type.Literal('enable_compute'), host: Type.String(), reason: Type.String() }),
  ])),
});

export const AuditAndPlanSchema = Type.Object({ audit: AuditViewSchema, action_plan: Nullable(ActionPlanViewSchema) });

/** The error shape of every 4xx and 5xx answer (errors.ts). */
export const ErrorBodySchema = Type.Object({
  error: Type.Object({
    code: Type.Integer({ description: 'the HTTP status' }),
    title: Text('the HTTP reason phrase'),
    message: Text('what is wrong, naming the field and the fix'),
    issues: Type.Array(Type.Object({ path: Text('the field, e.g. document.max_host_cpu'), message: Text('what is wrong with it and what is expected') })),
    request_id: Text('X-OpenStack-Request-ID of the request, for the logs'),
  }),
});

/** Schemas the OpenAPI document shows once, under components, and refers to. */
export const NAMED_SCHEMAS: ReadonlyMap<TSchema, string> = new Map<TSchema, string>([
  [PolicySchema, 'Policy'],
  [PowerSavingWindowSchema, 'PowerSavingWindow'],
  [TimeWindowSchema, 'TimeWindow'],
  [SnapshotSchema, 'ClusterSnapshot'],
  [PlanDocumentSchema, 'PlanDocument'],
  [PlanMetricsSchema, 'PlanMetrics'],
  [PolicyViewSchema, 'PolicyView'],
  [WindowViewSchema, 'WindowView'],
  [AuditViewSchema, 'AuditView'],
  [AuditRequestSchema, 'AuditRequest'],
  [ActionPlanViewSchema, 'ActionPlanView'],
  [PlanProgressViewSchema, 'PlanProgressView'],
  [ActionViewSchema, 'ActionView'],
  [HostPictureSchema, 'HostPicture'],
  [HostViewSchema, 'HostView'],
  [ExemptionRequestSchema, 'ExemptionRequest'],
  [ExemptionViewSchema, 'ExemptionView'],
  [ServerViewSchema, 'ServerView'],
  [SnapshotViewSchema, 'SnapshotView'],
  [SavingsViewSchema, 'SavingsView'],
  [StatusViewSchema, 'StatusView'],
  [MaintenanceRequestSchema, 'MaintenanceRequest'],
  [MaintenanceViewSchema, 'MaintenanceView'],
  [ErrorBodySchema, 'Error'],
]);

// ---- the schemas say what the engine's types say (checked by tsc, no code runs) ----
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
export type SchemasMatchEngineTypes = [
  Expect<Same<Static<typeof PolicyViewSchema>, PolicyView>>,
  Expect<Same<Static<typeof WindowViewSchema>, WindowView>>,
  Expect<Same<Static<typeof AuditViewSchema>, AuditView>>,
  Expect<Same<Static<typeof PlanProgressViewSchema>, PlanProgressView>>,
  Expect<Same<Static<typeof ActionPlanViewSchema>, ActionPlanView>>,
  Expect<Same<Static<typeof ActionViewSchema>, ActionView>>,
  Expect<Same<Static<typeof HostPictureSchema>, HostPicture>>,
  Expect<Same<Static<typeof HostViewSchema>, HostView>>,
  Expect<Same<Static<typeof ExemptionViewSchema>, ExemptionView>>,
  Expect<Same<Static<typeof ServerViewSchema>, ServerView>>,
  Expect<Same<Static<typeof SnapshotViewSchema>, SnapshotView>>,
  Expect<Same<Static<typeof SavingsViewSchema>, SavingsView>>,
  Expect<Same<Static<typeof StatusViewSchema>, StatusView>>,
  Expect<Same<Static<typeof MaintenanceViewSchema>, MaintenanceView>>,
  Expect<Same<Static<typeof PlanDocumentSchema>, PlanDocument>>,
  Expect<Same<(typeof HOST_STATES)[number], HostState>>,
  Expect<Same<(typeof EXEMPTION_KINDS)[number], ExemptionKind>>,
];
