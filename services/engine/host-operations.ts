// The engine's hosts and servers: the hosts as ulm sees them, drains (an audit started at once,
// or submitted to run in the background), undrains and power-offs (host plans the applier
// runs), servers and their exemptions.
import { ValidationError } from '../../core/validation.js';
import { NotFound } from '../db/index.js';
import { continueInBackground, runAudit, submitAudit } from './audits.js';
import { asTheApplierRuns, type EngineContext } from './context.js';
import { beginRestore, finishRestore, powerOffHosts, restoreHosts, type RestoreOptions } from './host-plans.js';
import { describeHosts } from './hosts.js';
import type { Engine } from '../../core/api/engine.js';
import type { ActionPlanView, AuditRequest, ServerView, UndrainView } from '../../core/api/records.js';
import { auditView, exemptionView } from './views.js';

export type HostOperations = Pick<Engine, 'listHosts' | 'getHost' | 'drainHosts' | 'submitDrain' | 'undrainHosts' | 'submitUndrain' | 'listServers' | 'setExemption' | 'removeExemptions'> & {
  /** Powers off hosts ulm holds empty and disabled, through a plan the applier runs; null when none qualifies. */
  powerOffHosts(hosts: string[]): Promise<ActionPlanView | null>;
};

export function hostOperations(context: EngineContext): HostOperations {
  const { repositories, planView, hostPlans, drainPolicy } = context;
  /** A drain is an audit of the drain policy, approved and started unless a dry run. */
  const drainRequest = async (hosts: string[], options: { dryRun?: boolean }): Promise<AuditRequest> => {
    if (!hosts.length) throw new ValidationError('invalid drain', [{ path: 'hosts', message: 'is empty: name at least one host to drain' }]);
    return { document: await drainPolicy(hosts), approve: !options.dryRun, start: !options.dryRun, triggered_by: 'operator' };
  };
  const restoreOptions = async (hosts: string[], options: { rebalance?: boolean }): Promise<RestoreOptions> => {
    if (!hosts.length) throw new ValidationError('invalid undrain', [{ path: 'hosts', message: 'is empty: name at least one host to bring back' }]);
    // Moving servers back restores a placement that existed: the usage limits are the hosts'
    // size (Placement capacity is still checked at every step).
    return options.rebalance ? { rebalance: asTheApplierRuns({ ...(await drainPolicy(hosts)), max_host_cpu: 1, max_host_memory: 1 }, context.deps.applierSettings) } : {};
  };
  return {
    async listHosts() { return describeHosts(repositories); },
    async getHost(name) {
      const host = (await describeHosts(repositories)).find((candidate) => candidate.name === name);
      if (!host) throw new NotFound('host', name);
      return host;
    },
    async drainHosts(hosts, options = {}) {
      return runAudit(context, await drainRequest(hosts, options));
    },
    async submitDrain(hosts, options = {}) {
      return submitAudit(context, await drainRequest(hosts, options));
    },
    async undrainHosts(hosts, options = {}): Promise<UndrainView> {
      const outcome = await restoreHosts(hostPlans, hosts, await restoreOptions(hosts, options));
      const plan = outcome.actionPlanId ? await planView(outcome.actionPlanId) : null;
      return { results: outcome.results, action_plan: plan, audit: plan?.audit_id ? auditView(await repositories.audits.get(plan.audit_id)) : null };
    },
    async submitUndrain(hosts, options = {}): Promise<UndrainView> {
      const restore = await restoreOptions(hosts, options);
      const begun = await beginRestore(hostPlans, hosts, restore);
      if (begun.audit) continueInBackground(context, begun.audit.id, () => finishRestore(hostPlans, begun, restore));
      return { results: begun.results, action_plan: null, audit: begun.audit ? auditView(begun.audit) : null };
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
    async setExemption(serverId, request) {
      return exemptionView(await repositories.serverExemptions.create({ serverId, kind: request.kind, windows: request.windows ?? null, tag: request.tag ?? null, reason: request.reason ?? '' }));
    },
    async removeExemptions(serverId, kind) {
      const found = await repositories.serverExemptions.list({ serverId, kind });
      for (const exemption of found) await repositories.serverExemptions.delete(exemption.id);
      return found.length;
    },
  };
}
