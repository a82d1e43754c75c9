// The API's records as the panel reads them. They are declared once, with the API's schemas, in
// core/api/records.ts; the panel compiles their types in (it still talks to ulm-api over HTTP
// only). The life cycles come from core/plan/states.ts, which has no imports: the browser loads it.
export { PLAN_STATES, ACTION_STATES, FINAL_PLAN_STATES, FINAL_AUDIT_STATES, type PlanState, type ActionState } from '../../../core/plan/states.js';
export type { Issue } from '../../../core/validation.js';
export type { TimeWindow } from '../../../core/policy/schema.js';
export type { PlanMetrics } from '../../../core/plan/format.js';
export type {
  ActionPlanView, ActionView, AuditAndPlan, AuditView, ExemptionView, HostLoad, HostPicture, HostState, HostView, LoginSession,
  MaintenanceState, MaintenanceView, PlanProgressView, PolicyView, SavingsView, ServerView, StatusView, UndrainView, WindowView,
} from '../../../core/api/records.js';
