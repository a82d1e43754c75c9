// disable_compute: puts an emptied host into maintenance by disabling its nova-compute service
// with ulm's namespaced reason. Only a host verified empty; never a host someone else disabled.
// ulm's claim on the host is journaled before the call, so that a restart knows the host is ulm's.
import { Type } from '@sinclair/typebox';
import type { ActionKind, ActionRun, Outcome } from '../kind.js';

async function givenBack(run: ActionRun, arrived: string[]): Promise<Outcome> {
  const { context, action } = run;
  const host = action.host!;
  await context.compute.enableCompute(host);
  await context.repositories.hostStates.recordEnabled(host);
  return { state: 'FAILED', error: `server(s) ${arrived.join(', ')} arrived on ${host} while it was being disabled; ${host} is enabled again` };
}

/** What is missing of the effect, given the host's service and servers read after the call; null when it is in place. */
function problemOf(host: string, service: { enabled: boolean } | null, servers: string[]): string | null {
  if (!service || service.enabled) return `${host}'s nova-compute service is not disabled`;
  if (servers.length) return `${host} holds ${servers.length} server(s)`;
  return null;
}

export const disableCompute: ActionKind = {
  type: 'disable_compute',
  parameters: Type.Object({ host: Type.String({ minLength: 1 }), reason: Type.String({ pattern: '^ulm' }) }),
  describe: (action) => `disable of nova-compute on ${action.host} (${action.reason})`,
  async precondition({ context, action }) {
    const host = action.host!;
    // Independent reads, taken at once: as fresh, one round trip.
    const [service, held, servers] = await Promise.all([
      context.compute.computeService(host), context.repositories.hostStates.find(host), context.compute.serversOnHost(host),
    ]);
    if (!service) return { verdict: 'skip', reason: `host ${host} has no nova-compute service` };
    if (!service.enabled && !held?.disabled) return { verdict: 'skip', reason: `someone else disabled ${host} (${service.disabledReason ?? 'no reason given'}); ulm leaves it alone` };
    if (servers.length) return { verdict: 'skip', reason: `${host} still holds ${servers.length} server(s) (${servers.slice(0, 5).join(', ')}); it stays enabled` };
    if (!service.enabled) return { verdict: 'done', detail: `${host} is already in maintenance by ulm` };
    return { verdict: 'run' };
  },
  async execute(run, again = false) {
    const { context, plan, action } = run;
    const host = action.host!;
    // The precondition has just found the host empty; after a restart nothing has.
    if (again) {
      const servers = await context.compute.serversOnHost(host);
      if (servers.length) return { state: 'FAILED', error: `${host} holds ${servers.length} server(s) (${servers.slice(0, 5).join(', ')}); it stays enabled` };
    }
    await context.repositories.hostStates.recordDisabled(host, { reason: action.reason, actionPlanId: plan.id });
    try {
      await context.compute.disableCompute(host, action.reason);
    } catch (error) {
      await context.repositories.hostStates.recordEnabled(host).catch(() => undefined);
      return { state: 'FAILED', error: `Nova did not disable ${host}: ${(error as Error).message}` };
    }
    // A server scheduled to the host just before it was disabled would be left on a host in
    // maintenance: look again, and give the host back if one arrived. The same reads verify it.
    const [service, arrived] = await Promise.all([context.compute.computeService(host), context.compute.serversOnHost(host)]);
    if (arrived.length) return givenBack(run, arrived);
    const problem = problemOf(host, service, arrived);
    return problem ? { state: 'FAILED', error: `not verified: ${problem}` } : { state: 'SUCCEEDED', verified: true };
  },
  async verify({ context, action }) {
    const host = action.host!;
    const [service, servers] = await Promise.all([context.compute.computeService(host), context.compute.serversOnHost(host)]);
    return problemOf(host, service, servers);
  },
  async reconcile(run) {
    const { context, action } = run;
    const host = action.host!;
    const service = await context.compute.computeService(host);
    if (!service) return { verdict: 'ended', state: 'FAILED', error: `host ${host} has no nova-compute service` };
    if (service.enabled) return { verdict: 'call' };
    // Disabled before the restart: still empty? A server that arrived meanwhile gets its host back.
    const arrived = await context.compute.serversOnHost(host);
    if (arrived.length) return { verdict: 'ended', ...(await givenBack(run, arrived)) };
    return { verdict: 'ended', state: 'SUCCEEDED' };
  },
};
