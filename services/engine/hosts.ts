// The hosts as an operator sees them: active, empty, draining (a running plan empties it), in
// maintenance (ulm disabled it), powered off, disabled by someone else, or down; with their
// allocation and use from the latest snapshot. What ulm itself did to a host after that snapshot
// (enabled it again, disabled it) shows at once: the monitor collects only every minute.
import type { Repositories } from '../db/index.js';
import type { HostState, HostView } from '../../core/api/records.js';
import { hostLoads } from './views.js';

export async function describeHosts(repositories: Pick<Repositories, 'snapshots' | 'hostStates' | 'actionPlans' | 'actions'>): Promise<HostView[]> {
  const latest = await repositories.snapshots.latest();
  if (!latest) return [];
  const snapshot = latest.document;
  const held = new Map((await repositories.hostStates.list()).map((record) => [record.host, record]));
  const enabledSince = new Set((await repositories.hostStates.enabledSince(latest.collectedAt)).map((record) => record.host));
  const draining = new Map<string, string>();
  for (const plan of await repositories.actionPlans.list({ states: ['ONGOING', 'CANCELLING'] })) {
    for (const action of await repositories.actions.list({ actionPlanId: plan.id, states: ['PENDING', 'ONGOING'] })) {
      if (action.type === 'disable_compute' && action.host) draining.set(action.host, plan.id);
    }
  }
  const loads = hostLoads(snapshot, new Map());
  return snapshot.hosts.map((host) => {
    const load = loads.get(host.name)!;
    const record = held.get(host.name);
    let state: HostState = load.servers.length ? 'active' : 'empty';
    let detail: string | null = null;
    // ulm enables a host only once its nova-compute reports up: the snapshot's down and disabled are older news.
    const enabledByUlm = enabledSince.has(host.name);
    if (host.state === 'down' && !enabledByUlm) { state = 'down'; detail = 'nova-compute is down'; }
    if (draining.has(host.name)) { state = 'draining'; detail = `emptied by action plan ${draining.get(host.name)}`; }
    if (record?.disabled) { state = record.poweredOff ? 'powered_off' : 'maintenance'; detail = record.disabledReason; }
    else if (!host.enabled && state !== 'down' && !enabledByUlm) { state = 'disabled'; detail = host.disabled_reason ?? 'disabled outside ulm'; }
    return {
      name: host.name, state, state_detail: detail, availability_zone: host.availability_zone ?? null, servers: load.servers.length,
      vcpus: host.vcpus, memory_mb: host.memory_mb, vcpu_allocation: load.vcpu_allocation, memory_allocation: load.memory_allocation,
      cpu_usage: load.cpu_usage, memory_usage: load.memory_usage, held_by_ulm: Boolean(record?.disabled), powered_off: Boolean(record?.poweredOff),
      action_plan_id: record?.actionPlanId ?? draining.get(host.name) ?? null,
    };
  });
}
