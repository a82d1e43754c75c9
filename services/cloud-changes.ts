// What ulm does when Nova reports a change (ulm-listener): a plan not yet started that the
// change touches is marked stale (it would start from a cloud that no longer exists), and a
// host about to be powered off that is receiving a server keeps its power.
import type { CloudEvent } from './listener/index.js';
import { NotificationListener } from './listener/index.js';
import type { RunningFeature } from './running-feature.js';
import type { Runtime } from './runtime.js';

function hostsOf(event: CloudEvent): string[] {
  const hosts = new Set<string>();
  if ('reportedHost' in event && event.reportedHost) hosts.add(event.reportedHost);
  if ('migration' in event) {
    if (event.migration.sourceHost) hosts.add(event.migration.sourceHost);
    if (event.migration.destinationHost) hosts.add(event.migration.destinationHost);
  }
  if ('service' in event) hosts.add(event.service.host);
  return [...hosts];
}

function describe(event: CloudEvent): string {
  const what = 'server' in event ? `server ${event.server.name ?? event.server.id}` : 'service';
  return `${event.kind.replace('.', ' ')}: ${what}${hostsOf(event).length ? ` on ${hostsOf(event).join(', ')}` : ''}`;
}

/** Reacts to one cloud event. Returns what it changed, for logs and tests. */
export async function handleCloudEvent(runtime: Pick<Runtime, 'repositories' | 'logger'>, event: CloudEvent): Promise<string[]> {
  const { repositories, logger } = runtime;
  const changes: string[] = [];
  if (event.kind === 'server.updated' || event.kind === 'service.up') return changes;
  const hosts = hostsOf(event);
  const serverId = 'server' in event ? event.server.id : null;

  for (const plan of await repositories.actionPlans.list({ states: ['RECOMMENDED', 'APPROVED'], stale: false })) {
    const touched = plan.document.actions.some((action) => action.type === 'live_migrate'
      ? action.server === serverId || hosts.includes(action.source) || hosts.includes(action.destination)
      : hosts.includes(action.host));
    if (!touched) continue;
    const reason = `the cloud changed after the plan was made (${describe(event)})`;
    await repositories.actionPlans.markStale(plan.id, reason);
    changes.push(`plan ${plan.id} stale`);
    logger.info({ plan: plan.id, event: event.kind }, `action plan marked stale: ${reason}`);
  }

  // A server arriving on a host stops that host's power-off.
  const arriving = event.kind === 'server.migration-started' ? event.migration.destinationHost : event.kind === 'server.created' ? event.reportedHost : null;
  if (arriving) {
    for (const plan of await repositories.actionPlans.list({ states: ['ONGOING'] })) {
      for (const action of await repositories.actions.list({ actionPlanId: plan.id, states: ['PENDING'] })) {
        if (action.type !== 'power_off' || action.host !== arriving) continue;
        await repositories.actions.skip(action.id, `server ${'server' in event ? event.server.name ?? event.server.id : ''} is arriving on ${arriving}: it is not powered off`);
        changes.push(`power-off of ${arriving} cancelled`);
        logger.warn({ plan: plan.id, host: arriving }, 'power-off cancelled: a server is arriving on the host');
      }
    }
  }
  return changes;
}

/** ulm-listener as a feature: consumes Nova's notifications when a transport URL is configured. */
export async function startListener(runtime: Runtime): Promise<RunningFeature> {
  const transportUrl = runtime.config.listener.transport_url || runtime.config.DEFAULT.transport_url;
  if (!transportUrl) {
    runtime.logger.info('no transport_url for Nova notifications: the listener is off (plans still re-check each wave against Nova)');
    return { name: 'listener', description: 'listener: off (no [listener] transport_url)', stop: async () => undefined };
  }
  const listener = new NotificationListener({
    transportUrl, logger: runtime.logger, pool: runtime.config.listener.pool,
    handler: async (event) => { await handleCloudEvent(runtime, event); },
  });
  // Starts now and reconnects on its own: a broker that is down delays notifications, not ulm.
  listener.start();
  return { name: 'listener', description: `listener: Nova notifications from ${listener.status().target}`, stop: () => listener.close() };
}
