// An in-memory Engine for tests of what sits in front of it (the REST API): a small cloud of four
// hosts and four servers, policies, windows, audits and plans with real life-cycle rules and
// core's validation, every call recorded, and any operation made to fail once on demand.
import { PLAN_FORMAT, type PlanDocument, type PlanGoal, type PlanMetrics } from '../../core/plan/format.js';
import { ACTION_STATES, canTransitionPlan, StateConflict, type PlanState } from '../../core/plan/states.js';
import { nextOccurrence, validatePowerSavingWindow } from '../../core/policy/power-saving-window.js';
import { validatePolicy, type Goal, type Policy } from '../../core/policy/schema.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import { cancelEffectOf, isFinalMaintenanceState } from '../../core/maintenance/states.js';
import { ValidationError } from '../../core/validation.js';
import { PlanNotStartable } from '../../services/applier/executor.js';
import { MaintenanceStateConflict } from '../../services/db/repositories/maintenances.js';
import { checkMaintenanceTimes, MaintenanceOverlap } from '../../services/engine/maintenances.js';
import { noSnapshotYet } from '../../services/engine/status.js';
import { AlreadyExists, NotFound } from '../../services/db/errors.js';
import { PolicyHasWindows } from '../../services/db/repositories/policies.js';
import type { Engine } from '../../core/api/engine.js';
import type { ActionPlanView, ActionView, AuditRequest, AuditView, ExemptionKind, ExemptionRequest, ExemptionView, HostPicture, HostState, HostView, MaintenanceRequest, MaintenanceView, PolicyView, SavingsView, ServerView, SnapshotView, StatusView, UndrainView, WindowView } from '../../core/api/records.js';
import { snapshot } from './builders.js';

/** The double's clock: 2026-11-22 12:00 UTC. */
export const DOUBLE_NOW = Date.parse('2026-11-22T12:00:00Z');

export const SERVER_IDS = ['1f0c3b58-0d3e-4c61-9a0e-0a1b2c3d4e01', '1f0c3b58-0d3e-4c61-9a0e-0a1b2c3d4e02', '1f0c3b58-0d3e-4c61-9a0e-0a1b2c3d4e03', '1f0c3b58-0d3e-4c61-9a0e-0a1b2c3d4e04'];
export const HOST_NAMES = ['cmp-01', 'cmp-02', 'cmp-03', 'cmp-04'];

export interface EngineCall {
  operation: keyof Engine;
  args: unknown[];
}

const ZERO_METRICS: PlanMetrics = {
  active_hosts_before: 4, active_hosts_after: 3, hosts_freed: 1, hosts_disabled: 1, hosts_powered_off: 0, migrations: 1,
  temporary_migrations: 0, servers_migrated: 1, waves: 2, memory_to_move_mb: 4096, power_before_w: 1200, power_after_w: 1000,
  power_saved_w: 200, hosts_over_limits_before: 0, hosts_over_limits_after: 0,
};

const iso = (epochMs: number) => new Date(epochMs).toISOString();

export class EngineDouble implements Engine {
  /** Every call, in order, with its arguments. */
  readonly calls: EngineCall[] = [];
  private readonly failures = new Map<keyof Engine, Error>();
  private sequence = 0;
  private readonly policies = new Map<string, PolicyView>();
  private readonly windows = new Map<string, WindowView>();
  private readonly audits = new Map<string, AuditView>();
  private readonly plans = new Map<string, ActionPlanView>();
  private readonly actions = new Map<string, ActionView[]>();
  private readonly exemptions: ExemptionView[] = [];
  private readonly hosts = new Map<string, HostView>();
  private readonly snapshots = new Map<string, { view: SnapshotView; document: Snapshot }>();
  private readonly savings: SavingsView[];
  private readonly maintenances = new Map<string, MaintenanceView>();

  constructor() {
    HOST_NAMES.forEach((name, index) => this.hosts.set(name, {
      name, state: index === 3 ? 'maintenance' : 'active', state_detail: index === 3 ? 'ulm: drained for maintenance' : null,
      availability_zone: 'nova', servers: index === 3 ? 0 : 1, vcpus: 16, memory_mb: 32768, vcpu_allocation: index === 3 ? 0 : 0.125,
      memory_allocation: index === 3 ? 0 : 0.125, cpu_usage: 0.1, memory_usage: 0.2, held_by_ulm: index === 3, powered_off: false, action_plan_id: null,
    }));
    const document = snapshot().hosts(HOST_NAMES, { vcpus: 16, memory_mb: 32768 })
      .server(SERVER_IDS[0], { on: 'cmp-01', name: 'vm-01' }).server(SERVER_IDS[1], { on: 'cmp-02', name: 'vm-02' })
      .server(SERVER_IDS[2], { on: 'cmp-03', name: 'vm-03' }).server(SERVER_IDS[3], { on: 'cmp-03', name: 'vm-04' })
      .build();
    this.snapshots.set('snapshot-1', {
      view: { id: 'snapshot-1', collected_at: iso(DOUBLE_NOW - 60_000), hosts: 4, servers: 4, active_hosts: 3, servers_without_metrics: 0, created_at: iso(DOUBLE_NOW - 60_000) },
      document,
    });
    this.savings = [
      { window_id: 'window-x', window_name: 'nights', state: 'CLOSED', action_plan_id: 'plan-x', restore_plan_id: 'plan-x-restore', period_start: '2026-11-20T20:00:00.000Z', period_end: '2026-11-21T06:00:00.000Z', hosts_off: 2, host_hours_off: 20, energy_kwh: 4.1 },
      { window_id: 'window-x', window_name: 'nights', state: 'OPEN', action_plan_id: 'plan-y', restore_plan_id: null, period_start: '2026-11-21T20:00:00.000Z', period_end: null, hosts_off: 1, host_hours_off: 0.2, energy_kwh: 0.1 },
    ];
  }

  /** The next call of `operation` throws `error` (once). */
  failNext(operation: keyof Engine, error: Error): this {
    this.failures.set(operation, error);
    return this;
  }

  /** The arguments of the last call of `operation`. */
  lastCall(operation: keyof Engine): unknown[] | undefined {
    return [...this.calls].reverse().find((call) => call.operation === operation)?.args;
  }

  private enter(operation: keyof Engine, args: unknown[]): void {
    this.calls.push({ operation, args });
    const failure = this.failures.get(operation);
    if (failure) {
      this.failures.delete(operation);
      throw failure;
    }
  }

  private id(kind: string): string {
    return `${kind}-${++this.sequence}`;
  }

  // ---- policies ----
  async listPolicies(): Promise<PolicyView[]> {
    this.enter('listPolicies', []);
    return [...this.policies.values()];
  }

  async getPolicy(idOrName: string): Promise<PolicyView> {
    this.enter('getPolicy', [idOrName]);
    return this.policyOf(idOrName);
  }

  private policyOf(idOrName: string): PolicyView {
    const found = this.policies.get(idOrName) ?? [...this.policies.values()].find((policy) => policy.name === idOrName);
    if (!found) throw new NotFound('policy', idOrName);
    return found;
  }

  async createPolicy(input: { name: string; description?: string; document: unknown }): Promise<PolicyView> {
    this.enter('createPolicy', [input]);
    const document = validatePolicy(input.document, 'document');
    if ([...this.policies.values()].some((policy) => policy.name === input.name)) throw new AlreadyExists('policy', 'name', input.name);
    const view: PolicyView = { id: this.id('policy'), name: input.name, description: input.description ?? '', document, created_at: iso(DOUBLE_NOW), updated_at: iso(DOUBLE_NOW) };
    this.policies.set(view.id, view);
    return view;
  }

  async updatePolicy(idOrName: string, input: { name?: string; description?: string; document?: unknown }): Promise<PolicyView> {
    this.enter('updatePolicy', [idOrName, input]);
    const current = this.policyOf(idOrName);
    const updated: PolicyView = {
      ...current,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.document !== undefined ? { document: validatePolicy(input.document, 'document') } : {}),
      updated_at: iso(DOUBLE_NOW + 1000),
    };
    this.policies.set(current.id, updated);
    return updated;
  }

  async deletePolicy(idOrName: string, options: { with_windows?: boolean } = {}): Promise<void> {
    this.enter('deletePolicy', [idOrName, options]);
    const policy = this.policyOf(idOrName);
    const windows = [...this.windows.values()].filter((window) => window.policy_id === policy.id);
    if (windows.length && !options.with_windows) throw new PolicyHasWindows(policy.name, windows.map((window) => ({ id: window.id, name: window.window.name })));
    for (const window of windows) this.windows.delete(window.id);
    this.policies.delete(policy.id);
  }

  validatePolicy(document: unknown): Policy {
    this.enter('validatePolicy', [document]);
    return validatePolicy(document, 'document');
  }

  // ---- windows ----
  async listWindows(filter: { policy?: string } = {}): Promise<WindowView[]> {
    this.enter('listWindows', [filter]);
    const policyId = filter.policy !== undefined ? this.policyOf(filter.policy).id : undefined;
    return [...this.windows.values()].filter((window) => policyId === undefined || window.policy_id === policyId);
  }

  async getWindow(id: string): Promise<WindowView> {
    this.enter('getWindow', [id]);
    const window = this.windows.get(id);
    if (!window) throw new NotFound('window', id);
    return window;
  }

  async createWindow(input: { policy: string; window: unknown }): Promise<WindowView> {
    this.enter('createWindow', [input]);
    const policy = this.policyOf(input.policy);
    const window = validatePowerSavingWindow(input.window, 'window');
    const next = nextOccurrence(window, DOUBLE_NOW);
    const view: WindowView = {
      id: this.id('window'), policy_id: policy.id, policy_name: policy.name, window,
      next: next && { opens_at: iso(next.opensAt), stop_new_waves_at: iso(next.stopNewWavesAt), restore_at: iso(next.restoreAt), closes_at: iso(next.closesAt), open_now: false },
      created_at: iso(DOUBLE_NOW), updated_at: iso(DOUBLE_NOW),
    };
    this.windows.set(view.id, view);
    return view;
  }

  async deleteWindow(id: string): Promise<void> {
    this.enter('deleteWindow', [id]);
    if (!this.windows.delete(id)) throw new NotFound('window', id);
  }

  // ---- audits and plans ----
  async listAudits(filter: { policy?: string; limit?: number } = {}): Promise<AuditView[]> {
    this.enter('listAudits', [filter]);
    const audits = [...this.audits.values()].filter((audit) => filter.policy === undefined || audit.policy_id === filter.policy || audit.policy_name === filter.policy).reverse();
    return audits.slice(0, filter.limit ?? audits.length);
  }

  async getAudit(id: string): Promise<AuditView> {
    this.enter('getAudit', [id]);
    const audit = this.audits.get(id);
    if (!audit) throw new NotFound('audit', id);
    return audit;
  }

  async createAudit(request: AuditRequest): Promise<{ audit: AuditView; action_plan: ActionPlanView | null }> {
    this.enter('createAudit', [request]);
    const policy = request.policy !== undefined ? this.policyOf(request.policy) : null;
    const goal: Goal = request.goal ?? policy?.document.goal ?? request.document?.goal ?? 'consolidate';
    const state: PlanState = request.start ? 'ONGOING' : request.approve ? 'APPROVED' : 'RECOMMENDED';
    return this.audit(goal, request.triggered_by ?? 'operator', policy, state, request.window_id ?? null);
  }

  /** The double plans at once: the audit it answers with has already SUCCEEDED. */
  async submitAudit(request: AuditRequest): Promise<AuditView> {
    this.enter('submitAudit', [request]);
    return (await this.createAudit(request)).audit;
  }

  private audit(goal: PlanGoal, triggeredBy: string, policy: PolicyView | null, state: PlanState, windowId: string | null): { audit: AuditView; action_plan: ActionPlanView } {
    const auditId = this.id('audit');
    const planId = this.id('plan');
    const plan: ActionPlanView = {
      id: planId, audit_id: auditId, goal, state, stale: false, stale_reason: null, failure_reason: null, metrics: { ...ZERO_METRICS },
      progress: { waves: 2, current_wave: state === 'ONGOING' ? 1 : null, counts: { ...Object.fromEntries(ACTION_STATES.map((name) => [name, 0])), PENDING: 2 } as ActionPlanView['progress']['counts'], transfers: [], done: { migrations: 0, hosts_disabled: 0, hosts_powered_off: 0, hosts_powered_on: 0, hosts_enabled: 0 } },
      resumptions: 0, created_at: iso(DOUBLE_NOW), started_at: state === 'ONGOING' ? iso(DOUBLE_NOW) : null, finished_at: null,
    };
    const audit: AuditView = {
      id: auditId, policy_id: policy?.id ?? null, policy_name: policy?.name ?? '(inline)', window_id: windowId, goal, triggered_by: triggeredBy,
      state: 'SUCCEEDED', snapshot_id: 'snapshot-1', action_plan_id: planId, failure_reason: null,
      created_at: iso(DOUBLE_NOW), started_at: iso(DOUBLE_NOW), finished_at: iso(DOUBLE_NOW),
    };
    this.audits.set(auditId, audit);
    this.plans.set(planId, plan);
    const action = (index: number, wave: number, fields: Partial<ActionView>): ActionView => ({
      id: `${planId}-action-${index}`, action_plan_id: planId, index, wave, type: 'live_migrate', server: null, server_name: null, host: null,
      source: null, destination: null, temporary: false, state: 'PENDING', reason: 'empties cmp-03', attempts: 0, nova_migration_id: null,
      request_id: null, error: null, started_at: null, finished_at: null, ...fields,
    });
    this.actions.set(planId, [
      action(0, 1, { server: SERVER_IDS[2], server_name: 'vm-03', source: 'cmp-03', destination: 'cmp-01' }),
      action(1, 2, { type: 'disable_compute', host: 'cmp-03', reason: 'ulm: consolidated' }),
    ]);
    return { audit, action_plan: plan };
  }

  async listActionPlans(filter: { state?: PlanState[]; audit?: string; limit?: number } = {}): Promise<ActionPlanView[]> {
    this.enter('listActionPlans', [filter]);
    const plans = [...this.plans.values()]
      .filter((plan) => !filter.state || filter.state.includes(plan.state))
      .filter((plan) => filter.audit === undefined || plan.audit_id === filter.audit)
      .reverse();
    return plans.slice(0, filter.limit ?? plans.length);
  }

  async getActionPlan(id: string): Promise<ActionPlanView> {
    this.enter('getActionPlan', [id]);
    return this.planOf(id);
  }

  private planOf(id: string): ActionPlanView {
    const plan = this.plans.get(id);
    if (!plan) throw new NotFound('action plan', id);
    return plan;
  }

  async getPlanDocument(id: string): Promise<PlanDocument> {
    this.enter('getPlanDocument', [id]);
    const plan = this.planOf(id);
    return {
      format: PLAN_FORMAT, instance: null, planner: 'ulm test double',
      meta: { goal: plan.goal, status: 'complete', now: iso(DOUBLE_NOW), metrics: plan.metrics, blocked: [], notes: [] },
      actions: [
        { wave: 1, type: 'live_migrate', server: SERVER_IDS[2], server_name: 'vm-03', source: 'cmp-03', destination: 'cmp-01', reason: 'empties cmp-03' },
        { wave: 2, type: 'disable_compute', host: 'cmp-03', reason: 'ulm: consolidated' },
      ],
    };
  }

  async getPlanPicture(id: string): Promise<HostPicture[]> {
    this.enter('getPlanPicture', [id]);
    this.planOf(id);
    const load = (servers: string[]) => ({ servers, vcpu_allocation: servers.length / 8, memory_allocation: servers.length / 8, cpu_usage: 0.1 * servers.length, memory_usage: 0.1 * servers.length });
    return [
      { host: 'cmp-01', before: load(['vm-01']), after: load(['vm-01', 'vm-03']) },
      { host: 'cmp-03', before: load(['vm-03', 'vm-04']), after: load(['vm-04']) },
    ];
  }

  private move(id: string, to: PlanState): ActionPlanView {
    const plan = this.planOf(id);
    if (!canTransitionPlan(plan.state, to)) throw new StateConflict('action plan', plan.state, to);
    const moved = { ...plan, state: to };
    this.plans.set(id, moved);
    return moved;
  }

  async approveActionPlan(id: string): Promise<ActionPlanView> {
    this.enter('approveActionPlan', [id]);
    return this.move(id, 'APPROVED');
  }

  async startActionPlan(id: string, options?: { stop_new_waves_at?: string }): Promise<ActionPlanView> {
    this.enter('startActionPlan', [id, options]);
    const plan = this.planOf(id);
    if (plan.state !== 'APPROVED') throw new PlanNotStartable(`action plan ${id} is ${plan.state}: only an APPROVED plan starts`);
    return this.move(id, 'ONGOING');
  }

  async cancelActionPlan(id: string, options: { abortRunning?: boolean } = {}): Promise<ActionPlanView> {
    this.enter('cancelActionPlan', [id, options]);
    return this.move(id, this.planOf(id).state === 'ONGOING' ? 'CANCELLING' : 'CANCELLED');
  }

  async listActions(planId: string): Promise<ActionView[]> {
    this.enter('listActions', [planId]);
    this.planOf(planId);
    return this.actions.get(planId) ?? [];
  }

  // ---- hosts ----
  async listHosts(): Promise<HostView[]> {
    this.enter('listHosts', []);
    return [...this.hosts.values()];
  }

  async getHost(name: string): Promise<HostView> {
    this.enter('getHost', [name]);
    return this.hostOf(name);
  }

  private hostOf(name: string): HostView {
    const host = this.hosts.get(name);
    if (!host) throw new NotFound('host', name);
    return host;
  }

  async drainHosts(hosts: string[], options: { dryRun?: boolean } = {}): Promise<{ audit: AuditView; action_plan: ActionPlanView | null }> {
    this.enter('drainHosts', [hosts, options]);
    hosts.forEach((name) => this.hostOf(name));
    return this.audit('drain', 'drain', null, options.dryRun ? 'RECOMMENDED' : 'ONGOING', null);
  }

  /** Held hosts come back through a restore plan that has already run (its enables succeeded). */
  async submitDrain(hosts: string[], options: { dryRun?: boolean } = {}): Promise<AuditView> {
    this.enter('submitDrain', [hosts, options]);
    return (await this.drainHosts(hosts, options)).audit;
  }

  /** The held hosts' restore: its audit and a plan that has already run (its enables succeeded). */
  private restore(hosts: string[]): { held: string[]; audit: AuditView | null; plan: ActionPlanView | null } {
    const held = hosts.filter((name) => this.hostOf(name).held_by_ulm);
    if (!held.length) return { held, audit: null, plan: null };
    const made = this.audit('restore', 'manual', null, 'SUCCEEDED', null);
    const plan: ActionPlanView = { ...made.action_plan, goal: 'restore' };
    this.plans.set(plan.id, plan);
    this.actions.set(plan.id, held.map((host, index) => ({
      id: `${plan.id}-action-${index}`, action_plan_id: plan.id, index, wave: 0, type: 'enable_compute', server: null, server_name: null, host,
      source: null, destination: null, temporary: false, state: 'SUCCEEDED', reason: 'restore', attempts: 1, nova_migration_id: null,
      request_id: null, error: null, started_at: iso(DOUBLE_NOW), finished_at: iso(DOUBLE_NOW),
    })));
    return { held, audit: made.audit, plan };
  }

  private undrainResults(hosts: string[], held: string[], where: string): UndrainView['results'] {
    return hosts.map((name) => (held.includes(name)
      ? { host: name, restored: false, detail: `restoring (wait for nova-compute, enable): ${where}` }
      : { host: name, restored: false, detail: 'not held by ulm: left as it is' }));
  }

  async undrainHosts(hosts: string[], options: { rebalance?: boolean } = {}): Promise<UndrainView> {
    this.enter('undrainHosts', [hosts, options]);
    const { held, audit, plan } = this.restore(hosts);
    return { results: this.undrainResults(hosts, held, `action plan ${plan?.id}`), action_plan: plan, audit };
  }

  /** As the engine answers the API: the restore's audit, which has already made its plan. */
  async submitUndrain(hosts: string[], options: { rebalance?: boolean } = {}): Promise<UndrainView> {
    this.enter('submitUndrain', [hosts, options]);
    const { held, audit } = this.restore(hosts);
    return { results: this.undrainResults(hosts, held, `audit ${audit?.id} plans it`), action_plan: null, audit };
  }

  // ---- servers ----
  async listServers(): Promise<ServerView[]> {
    this.enter('listServers', []);
    return SERVER_IDS.map((id, index) => ({
      id, name: `vm-0${index + 1}`, host: index < 2 ? `cmp-0${index + 1}` : 'cmp-03', flavor: 'm1.medium', vcpus: 2, memory_mb: 4096,
      cpu_usage: 0.5, memory_usage_mb: 2048, migratable: true, server_group: null,
      exemptions: this.exemptions.filter((exemption) => exemption.server_id === id),
    }));
  }

  async setExemption(serverId: string, request: ExemptionRequest): Promise<ExemptionView> {
    this.enter('setExemption', [serverId, request]);
    if (!SERVER_IDS.includes(serverId)) throw new NotFound('server', serverId);
    const view: ExemptionView = {
      id: this.id('exemption'), server_id: serverId, kind: request.kind, windows: request.windows ?? null, tag: request.tag ?? null,
      reason: request.reason ?? '', created_at: iso(DOUBLE_NOW),
    };
    this.exemptions.push(view);
    return view;
  }

  async removeExemptions(serverId: string, kind?: ExemptionKind): Promise<number> {
    this.enter('removeExemptions', [serverId, kind]);
    let removed = 0;
    for (let index = this.exemptions.length - 1; index >= 0; index--) {
      const exemption = this.exemptions[index];
      if (exemption.server_id === serverId && (kind === undefined || exemption.kind === kind)) {
        this.exemptions.splice(index, 1);
        removed++;
      }
    }
    return removed;
  }

  // ---- snapshots, savings, status ----
  async listSnapshots(limit?: number): Promise<SnapshotView[]> {
    this.enter('listSnapshots', [limit]);
    return [...this.snapshots.values()].map((entry) => entry.view).slice(0, limit);
  }

  async getSnapshot(id: string): Promise<Snapshot> {
    this.enter('getSnapshot', [id]);
    const found = this.snapshots.get(id);
    if (!found) throw new NotFound('snapshot', id);
    return found.document;
  }

  async collectSnapshot(policy?: string): Promise<SnapshotView> {
    this.enter('collectSnapshot', [policy]);
    if (policy !== undefined) this.policyOf(policy);
    const first = this.snapshots.get('snapshot-1')!;
    const view = { ...first.view, id: this.id('snapshot'), collected_at: iso(DOUBLE_NOW), created_at: iso(DOUBLE_NOW) };
    this.snapshots.set(view.id, { view, document: first.document });
    return view;
  }

  async listSavings(filter: { window?: string; since?: string } = {}): Promise<SavingsView[]> {
    this.enter('listSavings', [filter]);
    return this.savings
      .filter((period) => filter.window === undefined || period.window_id === filter.window)
      .filter((period) => filter.since === undefined || period.period_start >= filter.since);
  }

  async status(): Promise<StatusView> {
    this.enter('status', []);
    const hosts = { active: 0, empty: 0, draining: 0, maintenance: 0, powered_off: 0, disabled: 0, down: 0 } as Record<HostState, number>;
    for (const host of this.hosts.values()) hosts[host.state]++;
    const plans = [...this.plans.values()];
    return {
      version: '0.0.0-double', scheduler_leader: false, cloud: { reachable: true, detail: null }, hosts,
      last_snapshot: this.hosts.size ? { id: 'snapshot-double', collected_at: '2026-12-01T12:00:00Z' } : null,
      hosts_detail: this.hosts.size ? null : noSnapshotYet(60),
      plans: { ongoing: plans.filter((plan) => plan.state === 'ONGOING').length, recommended: plans.filter((plan) => plan.state === 'RECOMMENDED').length },
      next_window: null, maintenances: this.maintenanceStatus(), last_audit: [...this.audits.values()].pop() ?? null,
    };
  }

  private maintenanceStatus(): StatusView['maintenances'] {
    const active = [...this.maintenances.values()].filter((view) => !isFinalMaintenanceState(view.state));
    return { ongoing: active.filter((view) => view.state !== 'SCHEDULED'), next: active.find((view) => view.state === 'SCHEDULED') ?? null };
  }

  private maintenanceOf(id: string): MaintenanceView {
    const view = this.maintenances.get(id);
    if (!view) throw new NotFound('maintenance', id);
    return view;
  }

  async listMaintenances(filter: { host?: string; active?: boolean } = {}): Promise<MaintenanceView[]> {
    this.enter('listMaintenances', [filter]);
    return [...this.maintenances.values()]
      .filter((view) => filter.host === undefined || view.hosts.includes(filter.host))
      .filter((view) => !filter.active || !isFinalMaintenanceState(view.state))
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  async getMaintenance(id: string): Promise<MaintenanceView> {
    this.enter('getMaintenance', [id]);
    return this.maintenanceOf(id);
  }

  /** The engine's checks of times and overlaps; the drain is estimated at 10 minutes. */
  async scheduleMaintenance(request: MaintenanceRequest): Promise<MaintenanceView> {
    this.enter('scheduleMaintenance', [request]);
    const { at, until } = checkMaintenanceTimes(request, DOUBLE_NOW);
    const unknown = request.hosts.flatMap((host, index) => (this.hosts.has(host) ? [] : [{ path: `hosts[${index}]`, message: `unknown host "${host}"; ulm host list shows the compute hosts` }]));
    if (unknown.length) throw new ValidationError('invalid maintenance', unknown);
    for (const host of request.hosts) {
      const other = [...this.maintenances.values()].find((view) => view.hosts.includes(host) && !isFinalMaintenanceState(view.state));
      if (other) throw new MaintenanceOverlap(host, other);
    }
    const view: MaintenanceView = {
      id: this.id('maintenance'), hosts: [...request.hosts], state: 'SCHEDULED', at: iso(at), until: until === null ? null : iso(until), power_off: request.power_off ?? false,
      drain_starts_at: iso(at - 600_000), estimated_drain_seconds: 600, drain_plan_id: null, power_off_plan_id: null, restore_plan_id: null,
      created_by: request.created_by ?? 'operator', failure_reason: null, created_at: iso(DOUBLE_NOW), updated_at: iso(DOUBLE_NOW), started_at: null, finished_at: null,
    };
    this.maintenances.set(view.id, view);
    return view;
  }

  /** Sets a maintenance's state, as the scheduler would have (tests of what shows it). */
  setMaintenanceState(id: string, state: MaintenanceView['state']): void {
    this.maintenances.set(id, { ...this.maintenanceOf(id), state });
  }

  async cancelMaintenance(id: string): Promise<MaintenanceView> {
    this.enter('cancelMaintenance', [id]);
    const view = this.maintenanceOf(id);
    const effect = cancelEffectOf(view.state);
    if (effect === 'refused') throw new MaintenanceStateConflict(view.state, 'CANCELLED');
    const next: MaintenanceView = effect === 'restore_now' ? { ...view, until: iso(DOUBLE_NOW) } : { ...view, state: 'CANCELLED', finished_at: iso(DOUBLE_NOW) };
    this.maintenances.set(id, next);
    return next;
  }
}

/** A policy document the double (and core) accept. */
export const VALID_POLICY: Policy = { goal: 'consolidate', max_host_cpu: 0.8, max_host_memory: 0.9 };
