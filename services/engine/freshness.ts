// Whether an action plan still fits the cloud before it is approved or started: re-reads from
// Nova and Placement exactly what the plan touches and names every change since its snapshot, so
// a stale plan is refused even when ulm-listener is not running.
import { placementCapacity } from '../../core/capacity.js';
import type { LiveMigrateAction, PlanDocument } from '../../core/plan/format.js';
import type { Host, Server, Snapshot } from '../../core/snapshot/format.js';
import { mapWithLimit } from '../../openstack/parallel.js';
import type { ComputeOperations, HostRoom } from '../applier/compute.js';
import type { Repositories } from '../db/index.js';

/** Statuses Nova live-migrates. */
const MIGRATABLE_STATUSES = new Set(['ACTIVE', 'PAUSED']);
/** Reads in flight at once: a plan may touch hundreds of servers and hosts. */
const DEFAULT_CONCURRENCY = 8;
/** Changes named in a stale reason; the rest are counted (a reason is stored and shown whole). */
const CHANGES_LISTED = 20;

type Resource = keyof HostRoom;
const RESOURCES: readonly { key: Resource; unit: string }[] = [
  { key: 'vcpus', unit: 'vCPUs' }, { key: 'memoryMb', unit: 'MB of memory' }, { key: 'diskGb', unit: 'GB of disk' },
];

const none = (): HostRoom => ({ vcpus: 0, memoryMb: 0, diskGb: 0 });
const allocationOf = (server: Server): HostRoom => ({ vcpus: server.flavor.vcpus, memoryMb: server.flavor.memory_mb, diskGb: server.flavor.disk_gb });

interface HostRoles {
  destination: boolean;
  /** disable_compute or power_off: the host must still be empty but for the servers the plan moves out. */
  emptied: boolean;
}

/** The first move of each server: where the plan expects to find it. */
function firstMoves(plan: PlanDocument) {
  const moves = new Map<string, { server: string; source: string }>();
  for (const action of [...plan.actions].sort((a, b) => a.wave - b.wave)) {
    if (action.type === 'live_migrate' && !moves.has(action.server)) moves.set(action.server, { server: action.server, source: action.source });
  }
  return [...moves.values()];
}

function hostRoles(plan: PlanDocument): Map<string, HostRoles> {
  const roles = new Map<string, HostRoles>();
  const role = (host: string) => {
    if (!roles.has(host)) roles.set(host, { destination: false, emptied: false });
    return roles.get(host)!;
  };
  for (const action of plan.actions) {
    if (action.type === 'live_migrate') {
      role(action.source);
      role(action.destination).destination = true;
    } else {
      role(action.host).emptied ||= action.type === 'disable_compute' || action.type === 'power_off';
    }
  }
  return new Map([...roles].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The most the plan adds to a host's allocations at any point, per resource: a server moving in
 * is allocated on the destination from the start of its wave, and one moving out frees its
 * source only once its wave is over (Placement holds both during a live migration).
 */
export function peakIncoming(plan: PlanDocument, serversById: ReadonlyMap<string, Server>, host: string): HostRoom {
  const moves = plan.actions.filter((action): action is LiveMigrateAction => action.type === 'live_migrate' && (action.source === host || action.destination === host));
  const peak = none();
  const net = none();
  for (const wave of [...new Set(moves.map((move) => move.wave))].sort((a, b) => a - b)) {
    const during = { ...net };
    for (const move of moves.filter((candidate) => candidate.wave === wave)) {
      const server = serversById.get(move.server);
      if (!server) continue;
      const allocation = allocationOf(server);
      for (const { key } of RESOURCES) {
        if (move.destination === host) { during[key] += allocation[key]; net[key] += allocation[key]; }
        if (move.source === host) net[key] -= allocation[key];
      }
    }
    for (const { key } of RESOURCES) peak[key] = Math.max(peak[key], during[key]);
  }
  return peak;
}

/** The room on a host the snapshot implies: Placement's capacity less its servers' flavors. */
export function roomInSnapshot(host: Host, servers: readonly Server[]): HostRoom {
  const used = none();
  for (const server of servers) {
    if (server.host !== host.name) continue;
    const allocation = allocationOf(server);
    for (const { key } of RESOURCES) used[key] += allocation[key];
  }
  return {
    vcpus: placementCapacity(host.vcpus, host.reserved_vcpus ?? 0, host.vcpu_allocation_ratio ?? 1) - used.vcpus,
    memoryMb: placementCapacity(host.memory_mb, host.reserved_memory_mb ?? 0, host.memory_allocation_ratio ?? 1) - used.memoryMb,
    diskGb: placementCapacity(host.disk_gb, host.reserved_disk_gb ?? 0, host.disk_allocation_ratio ?? 1) - used.diskGb,
  };
}

const amount = (value: number) => (Number.isFinite(value) ? String(Math.floor(value * 100) / 100) : 'unlimited');

/**
 * What changed in the cloud, among what the plan touches, since the snapshot it was made from:
 * one line per change, in the operator's words; empty when the plan still holds.
 */
export async function changesSincePlanned(compute: ComputeOperations, snapshot: Snapshot, plan: PlanDocument, options: { concurrency?: number } = {}): Promise<string[]> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const serversById = new Map(snapshot.servers.map((server) => [server.id, server]));
  const hostsByName = new Map(snapshot.hosts.map((host) => [host.name, host]));
  const nameOf = (serverId: string) => serversById.get(serverId)?.name || serverId;

  const serverChanges = async ({ server, source }: { server: string; source: string }): Promise<string[]> => {
    const location = await compute.serverLocation(server);
    const name = nameOf(server);
    if (!location) return [`server ${name} no longer exists`];
    const changes: string[] = [];
    if (location.host !== source) changes.push(location.host ? `server ${name} is on ${location.host}, the plan expected it on ${source}` : `server ${name} is on no host (${location.status}), the plan expected it on ${source}`);
    if (!MIGRATABLE_STATUSES.has(location.status)) changes.push(`server ${name} is ${location.status}; only ACTIVE or PAUSED servers live-migrate`);
    if (location.taskState) changes.push(`server ${name} is busy (task ${location.taskState})`);
    return changes;
  };

  const hostChanges = async (name: string, roles: HostRoles): Promise<string[]> => {
    const planned = hostsByName.get(name);
    const service = await compute.computeService(name);
    if (!service) return [`host ${name} has no nova-compute service any more`];
    if (!planned) return [`host ${name} is not in the snapshot the plan was made from`];
    const changes: string[] = [];
    if (planned.enabled && !service.enabled) changes.push(`host ${name} was disabled meanwhile (reason: ${JSON.stringify(service.disabledReason ?? '')})`);
    if (!planned.enabled && service.enabled) changes.push(`host ${name} was enabled meanwhile`);
    const plannedUp = (planned.state ?? 'up') === 'up';
    if (plannedUp && !service.up) changes.push(`host ${name}'s nova-compute is down`);
    if (!plannedUp && service.up) changes.push(`host ${name}'s nova-compute came up meanwhile`);

    if (roles.destination) {
      const room = await compute.roomOn(name);
      if (!room) {
        changes.push(`host ${name} is unknown to Placement`);
      } else {
        const needed = peakIncoming(plan, serversById, name);
        const before = roomInSnapshot(planned, snapshot.servers);
        const short = RESOURCES.filter(({ key }) => needed[key] > room[key])
          .map(({ key, unit }) => `${amount(needed[key])} ${unit} needed, ${amount(room[key])} free (${amount(before[key])} in the snapshot)`);
        if (short.length) changes.push(`host ${name} no longer has room for the servers the plan moves there: ${short.join(', ')}`);
      }
    }

    if (roles.emptied) {
      const expected = new Set(snapshot.servers.filter((server) => server.host === name).map((server) => server.id));
      const arrived = (await compute.serversOnHost(name)).filter((server) => !expected.has(server));
      if (arrived.length) changes.push(`server${arrived.length > 1 ? 's' : ''} ${arrived.map(nameOf).join(', ')} arrived on ${name}, which the plan empties`);
    }
    return changes;
  };

  // One queue for both kinds of read, so the bound holds for the whole check.
  const checks = [
    ...firstMoves(plan).map((move) => () => serverChanges(move)),
    ...[...hostRoles(plan)].map(([name, roles]) => () => hostChanges(name, roles)),
  ];
  return (await mapWithLimit(checks, concurrency, (check) => check())).flat();
}

/** The changes as one message, for a stale reason and the refusal that names it. */
export function describeChanges(changes: readonly string[]): string {
  const listed = changes.slice(0, CHANGES_LISTED).join('; ');
  const more = changes.length > CHANGES_LISTED ? `; and ${changes.length - CHANGES_LISTED} more` : '';
  return `the cloud changed after the plan was made: ${listed}${more}`;
}

/** Marks the plan stale with the changes, as ulm-listener does; returns the reason stored. */
export async function markStale(repositories: Pick<Repositories, 'actionPlans'>, planId: string, changes: readonly string[]): Promise<string> {
  const reason = describeChanges(changes);
  await repositories.actionPlans.markStale(planId, reason);
  return reason;
}
