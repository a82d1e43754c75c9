// The API's records as the panel reads them: the fields it uses, as /v1/openapi.json documents
// them. The panel talks to ulm-api over HTTP only, so these are declared here; the e2e tests
// check at compile time that the engine's records (services/engine/types.ts) still fit them.

export type HostState = 'active' | 'empty' | 'draining' | 'maintenance' | 'powered_off' | 'disabled' | 'down';

// The life cycles are declared once, in core/plan/states.ts, and compiled into the panel.
export { PLAN_STATES, ACTION_STATES, FINAL_PLAN_STATES, type PlanState, type ActionState } from '../../../core/plan/states.js';
import type { ActionState, PlanState } from '../../../core/plan/states.js';

export interface Issue {
  path: string;
  message: string;
}

export interface HostView {
  name: string;
  state: HostState;
  state_detail: string | null;
  availability_zone: string | null;
  servers: number;
  vcpus: number;
  memory_mb: number;
  vcpu_allocation: number;
  memory_allocation: number;
  cpu_usage: number;
  memory_usage: number;
  held_by_ulm: boolean;
  powered_off: boolean;
  action_plan_id: string | null;
}

export interface TimeWindow {
  days?: string[];
  start: string;
  end: string;
  timezone?: string;
}

export interface ExemptionView {
  id: string;
  server_id: string;
  kind: 'never' | 'windows' | 'anti_affinity_tag';
  windows: TimeWindow[] | null;
  tag: string | null;
  reason: string;
}

export interface ServerView {
  id: string;
  name: string;
  host: string;
  flavor: string | null;
  vcpus: number;
  memory_mb: number;
  cpu_usage: number;
  memory_usage_mb: number;
  migratable: boolean;
  server_group: string | null;
  exemptions: ExemptionView[];
}

export interface PolicyView {
  id: string;
  name: string;
  description: string;
  document: Record<string, unknown> & { goal: string };
  created_at: string;
  updated_at: string;
}

export interface WindowView {
  id: string;
  policy_id: string;
  policy_name: string;
  window: { name: string; opens: string; closes?: string; duration_minutes?: number; timezone?: string; auto_apply?: boolean; enabled?: boolean };
  next: { opens_at: string; stop_new_waves_at: string; restore_at: string; closes_at: string; open_now: boolean } | null;
}

export interface PlanMetrics {
  active_hosts_before: number;
  active_hosts_after: number;
  hosts_freed: number;
  hosts_disabled: number;
  hosts_powered_off: number;
  migrations: number;
  temporary_migrations: number;
  servers_migrated: number;
  waves: number;
  memory_to_move_mb: number;
  power_before_w: number;
  power_after_w: number;
  power_saved_w: number;
  hosts_over_limits_before: number;
  hosts_over_limits_after: number;
}

export interface PlanProgressView {
  waves: number;
  current_wave: number | null;
  counts: Record<ActionState, number>;
  transfers: { server: string; source: string; destination: string }[];
  /** From verified actions only. */
  done: { migrations: number; hosts_disabled: number; hosts_powered_off: number; hosts_powered_on: number; hosts_enabled: number };
}

export interface ActionPlanView {
  id: string;
  audit_id: string | null;
  goal: string;
  state: PlanState;
  stale: boolean;
  stale_reason: string | null;
  failure_reason: string | null;
  metrics: PlanMetrics;
  progress: PlanProgressView;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ActionView {
  id: string;
  index: number;
  wave: number;
  type: string;
  server: string | null;
  server_name: string | null;
  host: string | null;
  source: string | null;
  destination: string | null;
  temporary: boolean;
  state: ActionState;
  reason: string;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface HostLoad {
  servers: string[];
  vcpu_allocation: number;
  memory_allocation: number;
  cpu_usage: number;
  memory_usage: number;
}

export interface HostPicture {
  host: string;
  before: HostLoad;
  after: HostLoad;
}

export interface AuditView {
  id: string;
  policy_name: string;
  state: 'PENDING' | 'ONGOING' | 'SUCCEEDED' | 'FAILED';
  action_plan_id: string | null;
  failure_reason: string | null;
  created_at: string;
}

export interface SavingsView {
  window_id: string | null;
  window_name: string | null;
  state: 'OPEN' | 'RESTORING' | 'CLOSED';
  action_plan_id: string | null;
  restore_plan_id: string | null;
  period_start: string;
  period_end: string | null;
  hosts_off: number;
  host_hours_off: number;
  energy_kwh: number;
}

export type MaintenanceState = 'SCHEDULED' | 'DRAINING' | 'DRAINED' | 'POWERING_OFF' | 'IN_MAINTENANCE' | 'RESTORING' | 'DONE' | 'FAILED' | 'CANCELLED';

/** A scheduled maintenance of hosts (`/v1/maintenances`). */
export interface MaintenanceView {
  id: string;
  hosts: string[];
  state: MaintenanceState;
  at: string;
  until: string | null;
  power_off: boolean;
  drain_starts_at: string;
  drain_plan_id: string | null;
  power_off_plan_id: string | null;
  restore_plan_id: string | null;
  created_by: string;
  failure_reason: string | null;
}

export interface StatusView {
  version: string;
  cloud: { reachable: boolean; detail: string | null };
  hosts: Record<HostState, number>;
  plans: { ongoing: number; recommended: number };
  next_window: { window: string; policy: string; opens_at: string } | null;
  maintenances: { ongoing: MaintenanceView[]; next: MaintenanceView | null };
  last_audit: AuditView | null;
}

export interface AuditAndPlan {
  audit: AuditView;
  action_plan: ActionPlanView | null;
}

export interface LoginSession {
  token: string;
  expires_at: string;
  user: { id: string; name: string; domain: { id: string | null; name: string | null } };
  project: { id: string; name: string; domain: { id: string | null; name: string | null } };
  roles: string[];
}
