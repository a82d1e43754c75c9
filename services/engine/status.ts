// The engine's snapshots, savings and status: what ulm saw, what windows saved, where things stand.
import { windowRunStateOf } from '../../core/plan/states.js';
import { NotFound } from '../db/index.js';
import type { EngineContext } from './context.js';
import { describeHosts } from './hosts.js';
import { maintenanceStatus } from './maintenances.js';
import type { Engine } from '../../core/api/engine.js';
import type { HostView, StatusView } from '../../core/api/records.js';
import { auditView, snapshotView, windowView } from './views.js';

/** What status says of hosts before the first collection, instead of counting none. */
export function noSnapshotYet(monitorIntervalSeconds: number | undefined): string {
  const every = monitorIntervalSeconds ? `every ${monitorIntervalSeconds} s` : 'every [monitor] interval_seconds';
  return `no snapshot collected yet: ulm-monitor collects the cloud ${every} while it runs; \`ulm snapshot create\` collects one now`;
}

export type StatusOperations = Pick<Engine, 'listSnapshots' | 'getSnapshot' | 'collectSnapshot' | 'listSavings' | 'status'>;

export function statusOperations({ deps, repositories, findPolicy, now }: EngineContext): StatusOperations {
  return {
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
      const [newest] = await repositories.snapshots.list({ limit: 1 });
      return {
        version: deps.version, scheduler_leader: deps.isSchedulerLeader?.() ?? false, cloud, hosts: counts,
        last_snapshot: newest ? { id: newest.id, collected_at: newest.collectedAt } : null,
        hosts_detail: newest ? null : noSnapshotYet(deps.monitorIntervalSeconds),
        plans: { ongoing: plans.filter((record) => record.state !== 'RECOMMENDED').length, recommended: plans.filter((record) => record.state === 'RECOMMENDED').length },
        next_window: nextWindow, maintenances: await maintenanceStatus(repositories), last_audit: last ? auditView(last) : null,
      };
    },
  };
}
