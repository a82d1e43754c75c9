// Builds the snapshot's servers (without usage, which the metrics preflight adds) and server
// groups: flavor from the server's Placement allocations, host, group, zone, metadata, tags,
// whether ulm may move it, and when it last moved.
import type { Server, ServerGroup } from '../../core/snapshot/format.js';
import { GROUP_POLICIES } from '../../core/snapshot/format.js';
import type { NovaServer } from '../../openstack/nova/servers.js';
import type { Resources } from '../../openstack/placement.js';
import type { CloudInventory } from './read-cloud.js';

/**
 * A server whose metadata (or a tag) says `ulm:migratable=false` never moves. Values that mean
 * no: false, no, 0, off (any case).
 */
export const MIGRATABLE_KEY = 'ulm:migratable';
const NO = /^(false|no|0|off)$/i;

/** Nova statuses in which a live migration can start. */
const LIVE_MIGRATABLE_STATUSES = new Set(['ACTIVE', 'PAUSED']);

export type ServerDraft = Omit<Server, 'usage'> & { status: string };

export interface BuiltServers {
  servers: ServerDraft[];
  serverGroups: ServerGroup[];
  skipped: string[];
  /** Servers whose flavor came from Nova because Placement had no allocation for them. */
  flavorFromNova: string[];
}

/** Why a server must not move, or undefined when it may. */
export function pinnedReason(server: NovaServer): string | undefined {
  const flag = server.metadata[MIGRATABLE_KEY];
  if (flag !== undefined && NO.test(flag.trim())) return `metadata ${MIGRATABLE_KEY}=${flag}`;
  const tag = server.tags.find((candidate) => candidate.toLowerCase().startsWith(`${MIGRATABLE_KEY}=`) && NO.test(candidate.slice(MIGRATABLE_KEY.length + 1)));
  if (tag) return `tag ${tag}`;
  if (!LIVE_MIGRATABLE_STATUSES.has(server.status)) return `status ${server.status}`;
  if (server.task_state) return `task ${server.task_state} in progress`;
  return undefined;
}

/** Nova's timestamps have no zone but are UTC. */
function utc(timestamp: string): string {
  return /(Z|[+-]\d\d:?\d\d)$/.test(timestamp) ? new Date(timestamp).toISOString() : new Date(`${timestamp}Z`).toISOString();
}

export function buildServers(inventory: CloudInventory, hostNames: Set<string>): BuiltServers {
  const skipped: string[] = [];
  const flavorFromNova: string[] = [];
  // consumer -> its resources summed over every provider (a server's allocation may span a tree)
  const held = new Map<string, Resources>();
  for (const allocations of inventory.allocations.values()) {
    for (const [consumer, resources] of Object.entries(allocations)) {
      const sum = held.get(consumer) ?? {};
      for (const [resourceClass, amount] of Object.entries(resources)) sum[resourceClass] = (sum[resourceClass] ?? 0) + amount;
      held.set(consumer, sum);
    }
  }
  const groupOf = new Map<string, string>();
  for (const group of inventory.serverGroups) for (const member of group.members) groupOf.set(member, group.id);
  const lastMove = new Map<string, string>();
  for (const migration of inventory.recentMigrations) {
    if (migration.status !== 'completed' && migration.status !== 'done') continue;
    const when = utc(migration.updated_at ?? migration.created_at);
    if ((lastMove.get(migration.server_id) ?? '') < when) lastMove.set(migration.server_id, when);
  }
  const servers: ServerDraft[] = [];
  for (const server of [...inventory.servers].sort((left, right) => left.name.localeCompare(right.name) || left.id.localeCompare(right.id))) {
    if (!server.host) {
      skipped.push(`server ${server.name} (${server.id}): on no host (status ${server.status}), holds no host's capacity`);
      continue;
    }
    if (!hostNames.has(server.host)) {
      skipped.push(`server ${server.name} (${server.id}): its host ${server.host} is not in the snapshot`);
      continue;
    }
    const resources = held.get(server.id);
    let flavor: Server['flavor'];
    if (resources && (resources.VCPU !== undefined || resources.MEMORY_MB !== undefined)) {
      flavor = { name: server.flavor?.original_name || server.flavor_id, vcpus: resources.VCPU ?? 0, memory_mb: resources.MEMORY_MB ?? 0, disk_gb: resources.DISK_GB ?? 0 };
    } else if (server.flavor) {
      // Placement should always hold the allocation; if it does not, Nova's flavor is the claim it would make.
      flavorFromNova.push(server.id);
      const embedded = server.flavor;
      flavor = { name: embedded.original_name, vcpus: embedded.vcpus, memory_mb: embedded.ram, disk_gb: embedded.disk + embedded.ephemeral + Math.ceil(embedded.swap / 1024) };
    } else {
      skipped.push(`server ${server.name} (${server.id}): no Placement allocation and no embedded flavor (Nova below 2.47)`);
      continue;
    }
    const draft: ServerDraft = {
      id: server.id,
      name: server.name,
      host: server.host,
      status: server.status,
      flavor,
      server_group: groupOf.get(server.id) ?? null,
      migratable: pinnedReason(server) === undefined,
      // Nova 2.96+ tells the zone a server is bound to; below that the server's current zone is
      // kept, which is never wrong: a move inside its zone is always allowed.
      availability_zone: server.pinned_availability_zone !== undefined ? server.pinned_availability_zone : server.availability_zone,
      ...(server.project_id !== undefined ? { project_id: server.project_id } : {}),
      metadata: server.metadata,
      tags: server.tags,
      migrated_at: lastMove.get(server.id) ?? null,
    };
    servers.push(draft);
  }
  const knownPolicies = new Set<string>(GROUP_POLICIES);
  const serverGroups: ServerGroup[] = [];
  for (const group of [...inventory.serverGroups].sort((left, right) => left.name.localeCompare(right.name) || left.id.localeCompare(right.id))) {
    if (!knownPolicies.has(group.policy)) {
      skipped.push(`server group ${group.name} (${group.id}): unknown policy "${group.policy}"`);
      continue;
    }
    serverGroups.push({
      id: group.id,
      name: group.name,
      policy: group.policy as ServerGroup['policy'],
      ...(group.rules.max_server_per_host !== undefined ? { rules: { max_server_per_host: group.rules.max_server_per_host } } : {}),
    });
  }
  const listedGroups = new Set(serverGroups.map((group) => group.id));
  for (const server of servers) if (server.server_group && !listedGroups.has(server.server_group)) server.server_group = null;
  return { servers, serverGroups, skipped, flavorFromNova };
}
