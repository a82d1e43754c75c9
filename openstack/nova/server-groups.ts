// Nova server groups of all projects, with their policy and rules (2.64: one policy and
// `rules.max_server_per_host`; older microversions give a `policies` list).
import type { NovaClient } from './client.js';

export interface NovaServerGroup {
  id: string;
  name: string;
  policy: string;
  rules: { max_server_per_host?: number };
  members: string[];
  project_id: string | undefined;
}

interface RawServerGroup {
  id: string;
  name?: string;
  policy?: string;
  policies?: string[];
  rules?: { max_server_per_host?: number | string };
  members?: string[];
  project_id?: string;
}

export async function listServerGroups(nova: NovaClient, options: { allProjects?: boolean; pageSize?: number } = {}): Promise<NovaServerGroup[]> {
  const limit = options.pageSize ?? 1000;
  const groups: NovaServerGroup[] = [];
  // Server groups page by offset, not by marker.
  for (let offset = 0; ; offset += limit) {
    const body = await nova.get<{ server_groups: RawServerGroup[] }>('/os-server-groups', {
      all_projects: options.allProjects === false ? undefined : 'True', limit, offset,
    });
    for (const raw of body.server_groups) {
      const max = raw.rules?.max_server_per_host;
      groups.push({
        id: raw.id,
        name: raw.name ?? '',
        policy: raw.policy ?? raw.policies?.[0] ?? '',
        rules: max !== undefined ? { max_server_per_host: Number(max) } : {},
        members: raw.members ?? [],
        project_id: raw.project_id,
      });
    }
    if (body.server_groups.length < limit) return groups;
  }
}
