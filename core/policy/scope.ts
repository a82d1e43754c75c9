// Which hosts and servers a policy's scope lets a plan touch, and why the others are left alone.
import type { Snapshot } from '../snapshot/format.js';
import type { Scope } from './schema.js';

type Host = Snapshot['hosts'][number];
type Server = Snapshot['servers'][number];

/** True when the scope limits or excludes anything: a plan without one plans the whole cloud. */
export function scopeIsSet(scope: Scope): boolean {
  const exclude = scope.exclude ?? {};
  return Boolean(scope.availability_zones || scope.aggregates || scope.hosts
    || exclude.hosts || exclude.aggregates || exclude.projects || exclude.servers);
}

/**
 * Why a host is outside the scope, or null when it is inside. Like Watcher's audit scope, a host
 * named by any of the zone, aggregate and host lists is in (no list: every host), then the
 * exclusions are taken out.
 */
export function hostOutsideScope(scope: Scope, host: Host): string | null {
  const aggregates = host.aggregates ?? [];
  const exclude = scope.exclude ?? {};
  if (exclude.hosts?.includes(host.name)) return `host ${host.name} is excluded by the policy's scope`;
  const excludedAggregate = aggregates.find((aggregate) => exclude.aggregates?.includes(aggregate));
  if (excludedAggregate !== undefined) return `host ${host.name} is in aggregate ${excludedAggregate}, excluded by the policy's scope`;
  if (!scope.availability_zones && !scope.aggregates && !scope.hosts) return null;
  const zone = host.availability_zone ?? null;
  if (zone !== null && scope.availability_zones?.includes(zone)) return null;
  if (aggregates.some((aggregate) => scope.aggregates?.includes(aggregate))) return null;
  if (scope.hosts?.includes(host.name)) return null;
  return `host ${host.name} is outside the policy's scope (${describeIncluded(scope)})`;
}

/** The server's Keystone project: `project_id` from Nova, else `metadata.project` (generated instances). */
export function projectOf(server: Server): string | null {
  return server.project_id ?? server.metadata?.project ?? null;
}

/** Why a server on an in-scope host is excluded by the scope itself, or null. */
export function serverExcludedByScope(scope: Scope, server: Server): string | null {
  const exclude = scope.exclude ?? {};
  if (exclude.servers && (exclude.servers.includes(server.id) || (server.name !== undefined && exclude.servers.includes(server.name)))) {
    return 'excluded by the policy\'s scope (exclude.servers)';
  }
  const project = projectOf(server);
  if (project !== null && exclude.projects?.includes(project)) return `project ${project} is excluded by the policy's scope`;
  return null;
}

function describeIncluded(scope: Scope): string {
  const parts: string[] = [];
  if (scope.availability_zones) parts.push(`availability zones ${scope.availability_zones.join(', ')}`);
  if (scope.aggregates) parts.push(`aggregates ${scope.aggregates.join(', ')}`);
  if (scope.hosts) parts.push(`hosts ${scope.hosts.join(', ')}`);
  return parts.join('; ');
}
