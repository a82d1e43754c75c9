// The engine: every operation of services/engine/types.ts over the database, the cloud, the
// planner and the appliers (through the bus). The API, the CLI in direct mode, the scheduler and
// the monitor all call it; none of them talks to the planner or the applier on its own.
import { plan } from '../../core/planner/index.js';
import { resolvePolicy, validatePolicy, type Policy } from '../../core/policy/schema.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import { ValidationError } from '../../core/validation.js';
import { StateConflict, windowRunStateOf } from '../../core/plan/states.js';
import type { PowerDriver } from '../../core/power.js';
import type { Cloud } from '../../openstack/cloud.js';
import type { Logger } from '../../openstack/logger.js';
import { MissingMetricsError } from '../collect/collect.js';
import type { ComputeOperations } from '../applier/compute.js';
import type { ApplierClock, ApplierSettings } from '../applier/executor.js';
import { ensureApplierAvailable } from '../applier/availability.js';
import type { Bus } from '../bus/index.js';
import { NotFound, type AuditRecord, type PolicyRecord, type Repositories } from '../db/index.js';
import { withExemptions } from './exemptions.js';
import { describeHosts } from './hosts.js';
import { powerOffHosts, restoreHosts, type HostPlanDependencies } from './host-plans.js';
import { refuseIfStale, startApprovedPlan } from './plan-start.js';
import { maintenanceOperations, maintenanceStatus, type MaintenanceSettings } from './maintenances.js';
import type {
  ActionPlanView, AuditRequest, AuditView, Engine, ExemptionKind, ExemptionRequest, HostView, ServerView, StatusView, UndrainView,
} from './types.js';
import { actionPlanView, actionView, auditView, exemptionView, planPicture, policyView, snapshotView, windowView } from './views.js';

export interface EngineDependencies {
  repositories: Repositories;
  /** The cloud, connected on first use (and reused). */
  cloud: () => Promise<Cloud>;
  /** Reads the cloud into a snapshot with the policy's metrics settings (throws MissingMetricsError). */
  collect: (policy: Policy, generator?: Record<string, unknown>) => Promise<Snapshot>;
  compute: () => Promise<ComputeOperations>;
  power: PowerDriver;
  bus: Bus;
  clock: ApplierClock;
  logger: Logger;
  applierSettings: ApplierSettings;
  /** Name and version written into plans. */
  planner: string;
  version: string;
  /** True when this process leads the scheduler. */
  isSchedulerLeader?: () => boolean;
  /** How scheduled maintenances estimate their drain ([scheduler] maintenance_* options). */
  maintenanceSettings?: MaintenanceSettings;
}

/** Limits of drains when no stored policy is named `drain`: urgent, so allocations stand in for missing metrics. */
export const DEFAULT_DRAIN_POLICY: Policy = {
  goal: 'drain', max_host_cpu: 0.9, max_host_memory: 0.95, max_parallel_per_host: 2, metrics: { missing: 'use_allocations' },
};

/** The name of the stored policy whose settings drains and rebalancing use, when it exists. */
export const DRAIN_POLICY_NAME = 'drain';

/** The engine inside ulm's own processes: also the host plans only the scheduler asks for. */
export interface ServiceEngine extends Engine {
  /** Powers off hosts ulm holds empty and disabled, through a plan the applier runs; null when none qualifies. */
  powerOffHosts(hosts: string[]): Promise<ActionPlanView | null>;
}

export function createEngine(deps: EngineDependencies): ServiceEngine {
  const { repositories } = deps;
  const now = () => deps.clock.now();

  async function findPolicy(idOrName: string): Promise<PolicyRecord> {
    const byName = await repositories.policies.findByName(idOrName);
    if (byName) return byName;
    return repositories.policies.get(idOrName);
  }

  const hostPlans: HostPlanDependencies = { repositories, compute: deps.compute, bus: deps.bus, collect: deps.collect, now, planner: deps.planner };

  async function planView(id: string): Promise<ActionPlanView> {
    const record = await repositories.actionPlans.get(id);
    return actionPlanView(record, await repositories.actions.list({ actionPlanId: id }));
  }

  /** The policy an audit plans with: stored or inline, with the request's overrides. */
  async function auditPolicy(request: AuditRequest): Promise<{ policy: Policy; record: PolicyRecord | null }> {
    if (request.policy && request.document) {
      throw new ValidationError('invalid audit', [{ path: 'document', message: 'give either policy (a stored policy) or document (an inline one), not both' }]);
    }
    const record = request.policy ? await findPolicy(request.policy) : null;
    const base = record ? record.document : request.document ? validatePolicy(request.document, 'document') : null;
    if (!base) throw new ValidationError('invalid audit', [{ path: 'policy', message: 'is required: name a stored policy (policy) or give one inline (document)' }]);
    const policy: Policy = { ...base, ...(request.goal ? { goal: request.goal } : {}), ...(request.drain_hosts ? { drain_hosts: request.drain_hosts } : {}) };
    return { policy: validatePolicy(policy, request.document ? 'document' : 'policy'), record };
  }

  async function runAudit(request: AuditRequest): Promise<{ audit: AuditView; action_plan: ActionPlanView | null }> {
    const { policy, record } = await auditPolicy(request);
    // A plan to be started at once is refused before anything is stored when no applier would run it.
    if (request.start) await ensureApplierAvailable(deps.bus);
    const triggeredBy = request.triggered_by === 'window' ? 'window' : request.triggered_by === 'monitor' ? 'overload' : 'manual';
    let audit: AuditRecord = await repositories.audits.create({
      policyId: record?.id ?? null, policyName: record?.name ?? `ad hoc (${policy.goal})`, goal: policy.goal,
      windowId: request.window_id ?? null, triggeredBy,
      parameters: { ...(record ? {} : { document: policy }), ...(request.drain_hosts ? { drain_hosts: request.drain_hosts } : {}), ...(request.target ? { target: request.target } : {}) },
    });
    audit = await repositories.audits.updateState(audit.id, 'ONGOING');
    const fail = async (reason: string, snapshotId?: string) => {
      audit = await repositories.audits.updateState(audit.id, 'FAILED', { failureReason: reason, ...(snapshotId ? { snapshotId } : {}) });
      deps.logger.warn({ audit: audit.id, reason }, 'audit failed');
      return { audit: auditView(audit), action_plan: null };
    };
    let snapshot: Snapshot;
    try {
      snapshot = await deps.collect(policy, { tool: deps.planner, audit: audit.id });
    } catch (error) {
      if (error instanceof MissingMetricsError) return fail(error.message);
      return fail(`could not read the cloud: ${(error as Error).message}`);
    }
    if (request.target) snapshot = { ...snapshot, target: Object.fromEntries(Object.entries(request.target).filter(([server]) => snapshot.servers.some((candidate) => candidate.id === server))) };
    const stored = await repositories.snapshots.create(snapshot);
    const exemptions = await repositories.serverExemptions.list();
    const planned = withExemptions(snapshot, policy, exemptions);
    // Hosts the power driver cannot power off stay on, disabled: the plan says so instead of
    // promising power-offs that would only be skipped.
    const powerless = planned.policy.power_off === true && !deps.power.controlsPower;
    let document;
    try {
      document = plan({ snapshot: planned.snapshot, policy: powerless ? { ...planned.policy, power_off: false } : planned.policy, now: now(), planner: deps.planner });
    } catch (error) {
      if (error instanceof ValidationError) return fail(error.message, stored.id);
      throw error;
    }
    if (powerless) document.meta.notes.push(`the policy asks for power_off, but the power driver is "${deps.power.name}": emptied hosts stay on, disabled`);
    if (document.meta.status === 'infeasible') return fail(document.meta.infeasible ?? 'the goal is infeasible', stored.id);
    const created = await repositories.actionPlans.create({ auditId: audit.id, document, state: request.approve || request.start ? 'APPROVED' : 'RECOMMENDED' });
    audit = await repositories.audits.updateState(audit.id, 'SUCCEEDED', { snapshotId: stored.id });
    deps.logger.info({ audit: audit.id, plan: created.id, goal: policy.goal, migrations: document.meta.metrics.migrations, hosts_freed: document.meta.metrics.hosts_freed }, 'audit made an action plan');
    if (request.start) await startPlan(created.id);
    return { audit: auditView(await repositories.audits.get(audit.id)), action_plan: await planView(created.id) };
  }

  async function startPlan(id: string, stopNewWavesAt?: number): Promise<ActionPlanView> {
    await startApprovedPlan(hostPlans, id, stopNewWavesAt);
    return planView(id);
  }

  async function drainPolicy(hosts: string[]): Promise<Policy> {
    const stored = await repositories.policies.findByName(DRAIN_POLICY_NAME);
    return { ...(stored?.document ?? DEFAULT_DRAIN_POLICY), goal: 'drain', drain_hosts: hosts };
  }

  const engine: ServiceEngine = {
    async listPolicies() { return (await repositories.policies.list()).map(policyView); },
    async getPolicy(idOrName) { return policyView(await findPolicy(idOrName)); },
    async createPolicy(input) { return policyView(await repositories.policies.create(input)); },
    async updatePolicy(idOrName, input) { return policyView(await repositories.policies.update((await findPolicy(idOrName)).id, input)); },
    async deletePolicy(idOrName) { await repositories.policies.delete((await findPolicy(idOrName)).id); },
    validatePolicy(document) { return validatePolicy(document, 'document'); },

    async listWindows(filter = {}) {
      const policyId = filter.policy ? (await findPolicy(filter.policy)).id : undefined;
      const names = new Map((await repositories.policies.list()).map((policy) => [policy.id, policy.name]));
      return (await repositories.windows.list({ policyId })).map((window) => windowView(window, names.get(window.policyId) ?? '', now()));
    },
    async getWindow(id) {
      const window = await repositories.windows.get(id);
      return windowView(window, (await repositories.policies.get(window.policyId)).name, now());
    },
    async createWindow(input) {
      const policy = await findPolicy(input.policy);
      return windowView(await repositories.windows.create({ policyId: policy.id, window: input.window }), policy.name, now());
    },
    async deleteWindow(id) { await repositories.windows.delete(id); },

    async listAudits(filter = {}) {
      const policyId = filter.policy ? (await findPolicy(filter.policy)).id : undefined;
      return (await repositories.audits.list({ policyId, limit: filter.limit ?? 100 })).map(auditView);
    },
    async getAudit(id) { return auditView(await repositories.audits.get(id)); },
    createAudit: (request) => runAudit(request),

    async listActionPlans(filter = {}) {
      const records = await repositories.actionPlans.list({ states: filter.state, auditId: filter.audit, limit: filter.limit ?? 100 });
      return Promise.all(records.map(async (record) => actionPlanView(record, await repositories.actions.list({ actionPlanId: record.id }))));
    },
    getActionPlan: planView,
    async getPlanDocument(id) { return (await repositories.actionPlans.get(id)).document; },
    async getPlanPicture(id) {
      const record = await repositories.actionPlans.get(id);
      const audit = record.auditId ? await repositories.audits.get(record.auditId) : null;
      if (!audit?.snapshotId) throw new NotFound('snapshot of action plan', id);
      return planPicture((await repositories.snapshots.get(audit.snapshotId)).document, record.document);
    },
    async approveActionPlan(id) {
      const record = await repositories.actionPlans.get(id);
      if (record.state !== 'RECOMMENDED') throw new StateConflict('action plan', record.state, 'APPROVED');
      await refuseIfStale(hostPlans, record);
      await repositories.actionPlans.updateState(id, 'APPROVED', { from: ['RECOMMENDED'] });
      return planView(id);
    },
    startActionPlan: (id, options = {}) => startPlan(id, options.stop_new_waves_at ? Date.parse(options.stop_new_waves_at) : undefined),
    async cancelActionPlan(id, options = {}) {
      const record = await repositories.actionPlans.get(id);
      if (record.state === 'ONGOING') await repositories.actionPlans.requestCancel(id, { abort: options.abortRunning === true });
      else await repositories.actionPlans.updateState(id, 'CANCELLED', { from: ['RECOMMENDED', 'APPROVED'], failureReason: 'cancelled by an operator' });
      return planView(id);
    },
    async listActions(planId) {
      await repositories.actionPlans.get(planId);
      return (await repositories.actions.list({ actionPlanId: planId })).map(actionView);
    },

    async listHosts() { return describeHosts(repositories); },
    async getHost(name) {
      const host = (await describeHosts(repositories)).find((candidate) => candidate.name === name);
      if (!host) throw new NotFound('host', name);
      return host;
    },
    async drainHosts(hosts, options = {}) {
      if (!hosts.length) throw new ValidationError('invalid drain', [{ path: 'hosts', message: 'is empty: name at least one host to drain' }]);
      return runAudit({ document: await drainPolicy(hosts), approve: !options.dryRun, start: !options.dryRun, triggered_by: 'operator' });
    },
    async undrainHosts(hosts, options = {}): Promise<UndrainView> {
      if (!hosts.length) throw new ValidationError('invalid undrain', [{ path: 'hosts', message: 'is empty: name at least one host to bring back' }]);
      // Moving servers back restores a placement that existed: the usage limits are the hosts'
      // size (Placement capacity is still checked at every step).
      const rebalance = options.rebalance ? { ...(await drainPolicy(hosts)), max_host_cpu: 1, max_host_memory: 1 } : undefined;
      const outcome = await restoreHosts(hostPlans, hosts, { rebalance });
      return { results: outcome.results, action_plan: outcome.actionPlanId ? await planView(outcome.actionPlanId) : null };
    },
    async powerOffHosts(hosts) {
      const record = await powerOffHosts(hostPlans, hosts);
      return record ? planView(record.id) : null;
    },

    async listServers(): Promise<ServerView[]> {
      const latest = await repositories.snapshots.latest();
      const exemptions = await repositories.serverExemptions.list();
      if (!latest) return [];
      return latest.document.servers.map((server) => ({
        id: server.id, name: server.name ?? server.id, host: server.host, flavor: server.flavor.name ?? null,
        vcpus: server.flavor.vcpus, memory_mb: server.flavor.memory_mb, cpu_usage: server.usage.cpu_cores, memory_usage_mb: server.usage.memory_mb,
        migratable: server.migratable, server_group: server.server_group ?? null,
        exemptions: exemptions.filter((exemption) => exemption.serverId === server.id).map(exemptionView),
      }));
    },
    async setExemption(serverId, request: ExemptionRequest) {
      return exemptionView(await repositories.serverExemptions.create({ serverId, kind: request.kind, windows: request.windows ?? null, tag: request.tag ?? null, reason: request.reason ?? '' }));
    },
    async removeExemptions(serverId, kind?: ExemptionKind) {
      const found = await repositories.serverExemptions.list({ serverId, kind });
      for (const exemption of found) await repositories.serverExemptions.delete(exemption.id);
      return found.length;
    },

    async listSnapshots(limit = 50) {
      const records = await repositories.snapshots.list({ limit });
      return Promise.all(records.map(async (record) => snapshotView(await repositories.snapshots.get(record.id))));
    },
    async getSnapshot(id) { return (await repositories.snapshots.get(id)).document; },
    async collectSnapshot(policyName) {
      const policy = policyName ? (await findPolicy(policyName)).document : { goal: 'consolidate' as const, metrics: { missing: 'use_allocations' as const } };
      return snapshotView(await repositories.snapshots.create(await deps.collect(policy, { tool: deps.planner })));
    },

    async listSavings(filter = {}) {
      const windows = await repositories.windows.list();
      const windowId = filter.window ? windows.find((window) => window.id === filter.window || window.name === filter.window)?.id : undefined;
      if (filter.window && !windowId) throw new NotFound('window', filter.window);
      return (await repositories.savings.list({ windowId, since: filter.since })).map((record) => ({
        window_id: record.windowId, window_name: windows.find((window) => window.id === record.windowId)?.name ?? null,
        state: windowRunStateOf(record), action_plan_id: record.actionPlanId, restore_plan_id: record.restorePlanId,
        period_start: record.periodStart, period_end: record.periodEnd,
        hosts_off: record.hostsOff, host_hours_off: record.hostHoursOff, energy_kwh: record.energyKwh,
      }));
    },

    async status(): Promise<StatusView> {
      const hosts: HostView[] = await describeHosts(repositories);
      const counts = { active: 0, empty: 0, draining: 0, maintenance: 0, powered_off: 0, disabled: 0, down: 0 };
      for (const host of hosts) counts[host.state]++;
      const plans = await repositories.actionPlans.list({ states: ['ONGOING', 'CANCELLING', 'RECOMMENDED'] });
      let cloud: StatusView['cloud'] = { reachable: true, detail: null };
      try { await deps.cloud(); } catch (error) { cloud = { reachable: false, detail: (error as Error).message }; }
      const policies = new Map((await repositories.policies.list()).map((policy) => [policy.id, policy.name]));
      let nextWindow: StatusView['next_window'] = null;
      for (const window of await repositories.windows.list({ enabled: true })) {
        const view = windowView(window, policies.get(window.policyId) ?? '', now());
        if (view.next && (!nextWindow || view.next.opens_at < nextWindow.opens_at)) nextWindow = { window: window.name, policy: view.policy_name, opens_at: view.next.opens_at };
      }
      const [last] = await repositories.audits.list({ limit: 1 });
      return {
        version: deps.version, scheduler_leader: deps.isSchedulerLeader?.() ?? false, cloud, hosts: counts,
        plans: { ongoing: plans.filter((record) => record.state !== 'RECOMMENDED').length, recommended: plans.filter((record) => record.state === 'RECOMMENDED').length },
        next_window: nextWindow, maintenances: await maintenanceStatus(repositories), last_audit: last ? auditView(last) : null,
      };
    },

    // Scheduled maintenances (services/engine/maintenances.ts).
    ...maintenanceOperations({
      repositories, now, drainPolicy, collect: (policy) => deps.collect(policy, { tool: deps.planner }),
      cancelActionPlan: (id) => engine.cancelActionPlan(id), applierSettings: deps.applierSettings,
      settings: deps.maintenanceSettings, planner: deps.planner, logger: deps.logger,
    }),
  };
  return engine;
}

/** Resolves a policy's defaults, for callers outside the engine (scheduler, monitor). */
export { resolvePolicy };
