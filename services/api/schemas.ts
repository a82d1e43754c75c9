// The API's schemas: the records and requests of the contract (core/api/records.ts), and what
// only the routes validate (paging, free text) or document (the ulm-plan/1 document).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  ActionPlanViewSchema, ActionViewSchema, AuditRequestSchema, AuditViewSchema, ErrorBodySchema, ExemptionRequestSchema, ExemptionViewSchema,
  HostPictureSchema, HostViewSchema, MaintenanceRequestSchema, MaintenanceViewSchema, PlanMetricsSchema, PlanProgressViewSchema,
  PolicyViewSchema, SavingsViewSchema, ServerViewSchema, SnapshotViewSchema, StatusViewSchema, WindowViewSchema,
} from '../../core/api/records.js';
import { PLAN_FORMAT, type PlanDocument } from '../../core/plan/format.js';
import { PolicySchema, TimeWindowSchema } from '../../core/policy/schema.js';
import { PowerSavingWindowSchema } from '../../core/policy/power-saving-window.js';
import { SnapshotSchema } from '../../core/snapshot/format.js';

export * from '../../core/api/records.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = (description: string) => Type.String({ description: `${description} (ISO 8601)` });
const literals = <const T extends string>(values: readonly T[], options: { description?: string } = {}) =>
  Type.Union(values.map((value) => Type.Literal(value)), options);

export const Description = Type.String({ maxLength: 4096, description: 'free text for the operator' });

/** `?limit=`: how many records at most (newest first). */
export const Limit = Type.Integer({ minimum: 1, maximum: 1000, description: 'at most this many records, newest first' });

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

// The ulm-plan/1 format is declared in core/plan/format.ts; tsc checks that its schema says the same.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
export type PlanDocumentSchemaMatchesItsType = Expect<Same<Static<typeof PlanDocumentSchema>, PlanDocument>>;
