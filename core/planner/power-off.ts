// Powering hosts off at a set time (a scheduled maintenance with --power-off): a plan of one
// power_off action per host that is empty and disabled by ulm in the snapshot; any other named
// host is listed in the notes with the reason, never powered off.
import type { PlanDocument, PowerOffAction } from '../plan/format.js';
import type { Snapshot } from '../snapshot/format.js';
import { buildPlanDocument } from './document.js';
import { Cluster } from '../cluster.js';
import { PlanContext } from './context.js';
import { resolvePolicy } from '../policy/schema.js';

export interface PowerOffRequest {
  snapshot: Snapshot;
  hosts: string[];
  now: number;
  planner: string;
}

export function planPowerOff({ snapshot, hosts, now, planner }: PowerOffRequest): PlanDocument {
  const named = new Set(hosts);
  const notes: string[] = [];
  const actions: PowerOffAction[] = [];
  for (const host of snapshot.hosts) {
    if (!named.has(host.name)) continue;
    const servers = snapshot.servers.filter((server) => server.host === host.name).length;
    if (host.enabled) notes.push(`${host.name} is in service (its nova-compute service is enabled): not powered off`);
    else if (!/^ulm/.test(host.disabled_reason ?? '')) notes.push(`${host.name} was disabled by someone else (${JSON.stringify(host.disabled_reason ?? null)}): not powered off`);
    else if (servers) notes.push(`${host.name} still holds ${servers} server(s): not powered off`);
    else actions.push({ wave: 0, type: 'power_off', host: host.name, reason: `scheduled maintenance of ${host.name}: empty and disabled, powered off at the maintenance's start` });
  }
  for (const name of hosts) if (!snapshot.hosts.some((host) => host.name === name)) notes.push(`${name} is not a host of the cloud: nothing to power off`);
  // The metrics of an empty schedule, from the one document builder.
  const cluster = new Cluster(snapshot, resolvePolicy({ goal: 'consolidate' }), now);
  const empty = buildPlanDocument({ cluster, context: new PlanContext(cluster), schedule: { moves: [], waveCount: 0, stuck: [] }, planner });
  return {
    ...empty,
    meta: {
      ...empty.meta, goal: 'power_off', status: actions.length ? (notes.length ? 'partial' : 'complete') : 'nothing_to_do',
      metrics: { ...empty.meta.metrics, hosts_powered_off: actions.length, waves: actions.length ? 1 : 0 }, notes: [...empty.meta.notes, ...notes],
    },
    actions,
  };
}
