// The engine's operations and the records they return: what ulm can be asked to do, by the REST
// API, the CLI in direct mode, the scheduler and the monitor alike. Records are in the API's
// shape (snake_case, ISO 8601 times), so routes return them as they are.
import type { PlanDocument, PlanGoal, PlanMetrics } from '../../core/plan/format.js';
import type { MaintenanceState } from '../../core/maintenance/states.js';
import type { ActionState, PlanState, WindowRunState } from '../../core/plan/states.js';
import type { Goal, Policy, TimeWindow } from '../../core/policy/schema.js';
import type { PowerSavingWindow } from '../../core/policy/power-saving-window.js';
import type { Snapshot } from '../../core/snapshot/format.js';

export interface PolicyView {
  id: string;
  name: string;
  description: string;
  /** The policy document (core/policy/schema.ts). */
  document: Policy;
  created_at: string;
  updated_at: string;
}

export interface WindowView {
  id: string;
  policy_id: string;
  policy_name: string;
  /** The window as defined (core/policy/power-saving-window.ts). */
  window: PowerSavingWindow;
  /** Next opening from now, or the one open now. */
  next: { opens_at: string; stop_new_waves_at: string; restore_at: string; closes_at: string; open_now: boolean } | null;
  created_at: string;
  updated_at: string;
}

export type AuditState = 'PENDING' | 'ONGOING' | 'SUCCEEDED' | 'FAILED';

export interface AuditView {
  id: string;
  policy_id: string | null;
  policy_name: string;
  window_id: string | null;
  goal: PlanGoal;
  /** operator, window, monitor, drain, undrain */
  triggered_by: string;
  state: AuditState;
  snapshot_id: string | null;
  action_plan_id: string | null;
  failure_reason: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ActionView {
  id: string;
  action_plan_id: string;
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
  attempts: number;
  nova_migration_id: string | null;
  request_id: string | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface PlanProgressView {
  waves: number;
  /** The wave running, or the last one started. */
  current_wave: number | null;
  counts: Record<ActionState, number>;
  /** Live migrations in flight. */
  transfers: { server: string; source: string; destination: string }[];
  /** What has happened so far, from verified (SUCCEEDED) actions only: skipped or failed ones never count. */
  done: PlanDoneView;
}

export interface PlanDoneView {
  migrations: number;
  hosts_disabled: number;
  hosts_powered_off: number;
  hosts_powered_on: number;
  hosts_enabled: number;
}

export interface ActionPlanView {
  id: string;
  audit_id: string | null;
  goal: PlanGoal;
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

/** A host before and after a plan: what the panel draws side by side. */
export interface HostPicture {
  host: string;
  before: HostLoad;
  after: HostLoad;
}

export interface HostLoad {
  servers: string[];
  /** Fractions of Placement capacity and of the host's size (0..1+). */
  vcpu_allocation: number;
  memory_allocation: number;
  cpu_usage: number;
  memory_usage: number;
}

export type HostState = 'active' | 'empty' | 'draining' | 'maintenance' | 'powered_off' | 'disabled' | 'down';

export interface HostView {
  name: string;
  state: HostState;
  /** Why, in a few words (the disabled reason, the plan draining it...). */
  state_detail: string | null;
  availability_zone: string | null;
  servers: number;
  /** Placement totals and what is allocated, and observed use (from the latest snapshot). */
  vcpus: number;
  memory_mb: number;
  vcpu_allocation: number;
  memory_allocation: number;
  cpu_usage: number;
  memory_usage: number;
  /** ulm disabled it (and may enable it again). */
  held_by_ulm: boolean;
  powered_off: boolean;
  action_plan_id: string | null;
}

export type ExemptionKind = 'never' | 'windows' | 'anti_affinity_tag';

export interface ExemptionView {
  id: string;
  server_id: string;
  kind: ExemptionKind;
  windows: TimeWindow[] | null;
  tag: string | null;
  reason: string;
  created_at: string;
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

export interface SnapshotView {
  id: string;
  collected_at: string;
  hosts: number;
  servers: number;
  active_hosts: number;
  servers_without_metrics: number;
  created_at: string;
}

export interface SavingsView {
  window_id: string | null;
  window_name: string | null;
  state: WindowRunState;
  action_plan_id: string | null;
  /** The plan that brings the run's hosts back at the window's close. */
  restore_plan_id: string | null;
  period_start: string;
  period_end: string | null;
  hosts_off: number;
  host_hours_off: number;
  energy_kwh: number;
}

export interface UndrainResult {
  host: string;
  /** In service now: enabled in Nova. A host being restored is not restored yet. */
  restored: boolean;
  detail: string;
}

export interface UndrainView {
  results: UndrainResult[];
  /** The restore plan (power on, enable, and with rebalance the moves back), or null. */
  action_plan: ActionPlanView | null;
}

/** A scheduled maintenance of hosts: drained by `at`, powered off if asked, restored at `until`. */
export interface MaintenanceView {
  id: string;
  hosts: string[];
  state: MaintenanceState;
  /** The hosts are empty and disabled (and powered off if asked) by then. */
  at: string;
  /** The hosts are brought back then; null: they stay until an operator brings them back. */
  until: string | null;
  power_off: boolean;
  /** When the drain starts (estimated from measured live migrations). */
  drain_starts_at: string;
  estimated_drain_seconds: number;
  drain_plan_id: string | null;
  power_off_plan_id: string | null;
  restore_plan_id: string | null;
  created_by: string;
  failure_reason: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface MaintenanceRequest {
  hosts: string[];
  /** ISO 8601 with an offset, in the future. */
  at: string;
  /** ISO 8601 with an offset, after `at`; absent or null: no automatic end. */
  until?: string | null;
  power_off?: boolean;
  /** Who asked (the API sets the caller's user name). */
  created_by?: string;
}

export interface StatusView {
  version: string;
  /** Processes of this deployment that report in, and whether this one leads the scheduler. */
  scheduler_leader: boolean;
  cloud: { reachable: boolean; detail: string | null };
  hosts: Record<HostState, number>;
  /** The newest stored snapshot, which the host counts come from; null before the first collection. */
  last_snapshot: { id: string; collected_at: string } | null;
  /** Why the host counts are empty (no snapshot collected yet, and how to get one), else null. */
  hosts_detail: string | null;
  plans: { ongoing: number; recommended: number };
  next_window: { window: string; policy: string; opens_at: string } | null;
  /** Maintenances under way, and the next scheduled one. */
  maintenances: { ongoing: MaintenanceView[]; next: MaintenanceView | null };
  last_audit: AuditView | null;
}

export interface AuditRequest {
  /** A stored policy by id or name, or an inline document (not both). */
  policy?: string;
  document?: Policy;
  /** Overrides the policy's goal (and drain_hosts for goal drain). */
  goal?: Goal;
  drain_hosts?: string[];
  /** RECOMMENDED (default) or APPROVED at once; `start` also starts it. */
  approve?: boolean;
  start?: boolean;
  triggered_by?: string;
  window_id?: string | null;
  /** Goal reach_target: the host each server should end on (server id -> host name). */
  target?: Record<string, string>;
}

export interface ExemptionRequest {
  kind: ExemptionKind;
  windows?: TimeWindow[];
  tag?: string;
  reason?: string;
}

/** Every operation ulm offers. Errors: ValidationError (400), NotFound (404), StateConflict (409). */
export interface Engine {
  listPolicies(): Promise<PolicyView[]>;
  getPolicy(idOrName: string): Promise<PolicyView>;
  createPolicy(input: { name: string; description?: string; document: unknown }): Promise<PolicyView>;
  updatePolicy(idOrName: string, input: { name?: string; description?: string; document?: unknown }): Promise<PolicyView>;
  /**
   * Refused (409, naming the windows) while the policy has windows, unless `with_windows`: then
   * each window's run in progress is restored and closed (as deleteWindow does) and the windows go too.
   */
  deletePolicy(idOrName: string, options?: { with_windows?: boolean }): Promise<void>;
  /** Validates a policy document without storing it; throws ValidationError listing every issue. */
  validatePolicy(document: unknown): Policy;

  listWindows(filter?: { policy?: string }): Promise<WindowView[]>;
  getWindow(id: string): Promise<WindowView>;
  createWindow(input: { policy: string; window: unknown }): Promise<WindowView>;
  /** A run in progress is ended first: its plan stopped, its hosts restored, the run closed (409 while its plan still runs). */
  deleteWindow(id: string): Promise<void>;

  listAudits(filter?: { policy?: string; limit?: number }): Promise<AuditView[]>;
  getAudit(id: string): Promise<AuditView>;
  /** Collects a snapshot, plans with the policy, stores both and the plan. */
  createAudit(request: AuditRequest): Promise<{ audit: AuditView; action_plan: ActionPlanView | null }>;
  /**
   * As createAudit, but answers once the request is checked and the audit stored (ONGOING): the
   * collecting and planning go on in the background and end the audit SUCCEEDED (with its
   * action_plan_id) or FAILED (with failure_reason). Poll getAudit. The API's POST /v1/audits.
   */
  submitAudit(request: AuditRequest): Promise<AuditView>;

  listActionPlans(filter?: { state?: PlanState[]; audit?: string; limit?: number }): Promise<ActionPlanView[]>;
  getActionPlan(id: string): Promise<ActionPlanView>;
  /** The ulm-plan/1 document. */
  getPlanDocument(id: string): Promise<PlanDocument>;
  /** Hosts before and after the plan, from the snapshot it was made on. */
  getPlanPicture(id: string): Promise<HostPicture[]>;
  approveActionPlan(id: string): Promise<ActionPlanView>;
  /** Hands an APPROVED plan to an applier (refused when stale); no wave starts after `stop_new_waves_at`. */
  startActionPlan(id: string, options?: { stop_new_waves_at?: string }): Promise<ActionPlanView>;
  /** A running plan stops starting actions; `abortRunning` also aborts its live migrations in flight. */
  cancelActionPlan(id: string, options?: { abortRunning?: boolean }): Promise<ActionPlanView>;
  listActions(planId: string): Promise<ActionView[]>;

  listHosts(): Promise<HostView[]>;
  getHost(name: string): Promise<HostView>;
  /** Plans (and unless dry run, approves and starts) emptying the hosts for maintenance. */
  drainHosts(hosts: string[], options?: { dryRun?: boolean }): Promise<{ audit: AuditView; action_plan: ActionPlanView | null }>;
  /** As drainHosts, answering with the drain's audit at once (as submitAudit): poll it. The API's POST /v1/hosts/drain. */
  submitDrain(hosts: string[], options?: { dryRun?: boolean }): Promise<AuditView>;
  /** Brings hosts ulm holds back: power on, wait for nova-compute, enable; optionally rebalance. */
  /**
   * Brings hosts ulm holds back through a restore plan the applier runs (202): each named host's
   * result says what happens to it; `restored` is true only for a host already in service.
   */
  undrainHosts(hosts: string[], options?: { rebalance?: boolean }): Promise<UndrainView>;

  listServers(): Promise<ServerView[]>;
  setExemption(serverId: string, request: ExemptionRequest): Promise<ExemptionView>;
  removeExemptions(serverId: string, kind?: ExemptionKind): Promise<number>;

  listSnapshots(limit?: number): Promise<SnapshotView[]>;
  getSnapshot(id: string): Promise<Snapshot>;
  /** Collects a snapshot now (with a stored policy's metrics settings, or the defaults). */
  collectSnapshot(policy?: string): Promise<SnapshotView>;

  listSavings(filter?: { window?: string; since?: string }): Promise<SavingsView[]>;
  status(): Promise<StatusView>;

  /** Scheduled maintenances, soonest first; `host` keeps one host's, `active` the unfinished ones. */
  listMaintenances(filter?: { host?: string; active?: boolean }): Promise<MaintenanceView[]>;
  getMaintenance(id: string): Promise<MaintenanceView>;
  /** Schedules draining the hosts by `at` (the scheduler runs it); ValidationError naming at/until/hosts. */
  scheduleMaintenance(request: MaintenanceRequest): Promise<MaintenanceView>;
  /** Before the drain: cancelled; during it: the drain stops; once in maintenance: the hosts come back now. */
  cancelMaintenance(id: string): Promise<MaintenanceView>;
}
