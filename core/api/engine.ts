// What ulm can be asked to do, declared once: the engine in services/engine implements it, the
// REST API serves it, and the CLI calls it either in process (--direct) or over the API
// (cli/api-engine.ts). The records it takes and answers are in ./records.ts.
import type { PlanDocument } from '../plan/format.js';
import type { PlanState } from '../plan/states.js';
import type { Policy } from '../policy/schema.js';
import type { Snapshot } from '../snapshot/format.js';
import type {
  ActionPlanView, ActionView, AuditAndPlan, AuditRequest, AuditView, ExemptionKind, ExemptionRequest, ExemptionView, HostPicture, HostView,
  MaintenanceRequest, MaintenanceView, PolicyView, SavingsView, ServerView, SnapshotView, StatusView, UndrainView, WindowView,
} from './records.js';

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
  createAudit(request: AuditRequest): Promise<AuditAndPlan>;
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
  drainHosts(hosts: string[], options?: { dryRun?: boolean }): Promise<AuditAndPlan>;
  /** As drainHosts, answering with the drain's audit at once (as submitAudit): poll it. The API's POST /v1/hosts/drain. */
  submitDrain(hosts: string[], options?: { dryRun?: boolean }): Promise<AuditView>;
  /**
   * Brings hosts ulm holds back through a restore plan the applier runs (202): each named host's
   * result says what happens to it; `restored` is true only for a host already in service.
   */
  undrainHosts(hosts: string[], options?: { rebalance?: boolean }): Promise<UndrainView>;
  /**
   * As undrainHosts, answering once the named hosts are sorted out and the restore's audit is
   * stored (poll it: its action_plan_id names the plan); collecting the cloud and planning go on
   * in the background. The API's POST /v1/hosts/undrain.
   */
  submitUndrain(hosts: string[], options?: { rebalance?: boolean }): Promise<UndrainView>;

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
