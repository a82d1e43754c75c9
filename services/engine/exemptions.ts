// Server exemptions stored by operators (never move; not during given windows; anti-affinity
// tags) turned into what the planner reads: policy exemptions and server tags.
import { resolvePolicy, type Exemption, type Policy } from '../../core/policy/schema.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import type { ServerExemptionRecord } from '../db/index.js';

export function withExemptions(snapshot: Snapshot, policy: Policy, exemptions: ServerExemptionRecord[]): { snapshot: Snapshot; policy: Policy } {
  if (!exemptions.length) return { snapshot, policy };
  const prefix = resolvePolicy(policy).antiAffinityTagPrefix;
  const added: Exemption[] = [];
  const tags = new Map<string, string[]>();
  for (const exemption of exemptions) {
    const label = `server ${exemption.serverId}${exemption.reason ? ` (${exemption.reason})` : ''}`;
    if (exemption.kind === 'never') added.push({ name: label, servers: [exemption.serverId] });
    else if (exemption.kind === 'windows' && exemption.windows) added.push({ name: label, servers: [exemption.serverId], not_during: exemption.windows });
    else if (exemption.kind === 'anti_affinity_tag' && exemption.tag) {
      const tag = exemption.tag.startsWith(prefix) ? exemption.tag : `${prefix}${exemption.tag}`;
      tags.set(exemption.serverId, [...(tags.get(exemption.serverId) ?? []), tag]);
    }
  }
  return {
    policy: added.length ? { ...policy, exemptions: [...(policy.exemptions ?? []), ...added] } : policy,
    snapshot: tags.size ? {
      ...snapshot,
      servers: snapshot.servers.map((server) => tags.has(server.id) ? { ...server, tags: [...new Set([...(server.tags ?? []), ...tags.get(server.id)!])] } : server),
    } : snapshot,
  };
}
