// Putting emptied hosts into maintenance and bringing them back. A host is disabled only once
// it is verified empty, with a namespaced reason; ulm never touches a host someone else
// disabled, powers off only hosts it disabled, and enables only hosts it disabled — after
// powering them on and seeing their nova-compute service up.
import type { ActionPlanRecord, ActionRecord } from '../db/index.js';
import type { ApplierContext } from './executor.js';

interface Resume {
  /** The action was ONGOING when a previous applier stopped. */
  resuming?: boolean;
}

function powerHostOf(context: ApplierContext, host: string) {
  return context.powerHost ? context.powerHost(host) : { name: host };
}

export async function disableHost(context: ApplierContext, plan: ActionPlanRecord, action: ActionRecord, { resuming = false }: Resume = {}): Promise<void> {
  const { compute, repositories, logger } = context;
  const host = action.host!;
  const service = await compute.computeService(host);
  const held = await repositories.hostStates.find(host);
  if (resuming && service && !service.enabled && held?.disabled) {
    await repositories.actions.finish(action.id, 'SUCCEEDED');
    return;
  }
  const skipOrFail = async (why: string) => {
    if (resuming) await repositories.actions.finish(action.id, 'FAILED', { error: why });
    else await repositories.actions.skip(action.id, why);
    logger.warn({ action: action.id, host }, `host not disabled: ${why}`);
  };
  if (!service) return skipOrFail(`host ${host} has no nova-compute service`);
  if (!service.enabled && !held?.disabled) return skipOrFail(`someone else disabled ${host} (${service.disabledReason ?? 'no reason given'}); ulm leaves it alone`);
  const servers = await compute.serversOnHost(host);
  if (servers.length) return skipOrFail(`${host} still holds ${servers.length} server(s) (${servers.slice(0, 5).join(', ')}); it stays enabled`);

  if (!resuming) await repositories.actions.start(action.id);
  // Claimed before the call, so that a restart knows the disabled host is ulm's.
  await repositories.hostStates.recordDisabled(host, { reason: action.reason, actionPlanId: plan.id });
  try {
    await compute.disableCompute(host, action.reason);
  } catch (error) {
    await repositories.hostStates.recordEnabled(host).catch(() => undefined);
    await repositories.actions.finish(action.id, 'FAILED', { error: `Nova did not disable ${host}: ${(error as Error).message}` });
    return;
  }
  // A server scheduled to the host just before it was disabled would be left on a host in
  // maintenance: check again, and give the host back if one arrived.
  const arrived = await compute.serversOnHost(host);
  if (arrived.length) {
    await compute.enableCompute(host);
    await repositories.hostStates.recordEnabled(host);
    await repositories.actions.finish(action.id, 'FAILED', { error: `server(s) ${arrived.join(', ')} arrived on ${host} while it was being disabled; ${host} is enabled again` });
    return;
  }
  await repositories.actions.finish(action.id, 'SUCCEEDED');
  logger.info({ action: action.id, host, reason: action.reason }, 'host disabled (maintenance)');
}

export async function powerOffHost(context: ApplierContext, plan: ActionPlanRecord, action: ActionRecord, { resuming = false }: Resume = {}): Promise<void> {
  const { compute, repositories, power, logger } = context;
  const host = action.host!;
  const held = await repositories.hostStates.find(host);
  if (resuming && held?.poweredOff) {
    await repositories.actions.finish(action.id, 'SUCCEEDED');
    return;
  }
  const skipOrFail = async (why: string) => {
    if (resuming) await repositories.actions.finish(action.id, 'FAILED', { error: why });
    else await repositories.actions.skip(action.id, why);
    logger.warn({ action: action.id, host }, `host not powered off: ${why}`);
  };
  if (!power.controlsPower) return skipOrFail(`the power driver is "${power.name}": ${host} stays on, disabled`);
  if (!held?.disabled) return skipOrFail(`ulm did not disable ${host}; it powers off only hosts it disabled`);
  const service = await compute.computeService(host);
  if (!service || service.enabled) return skipOrFail(`${host}'s nova-compute service is not disabled`);
  const servers = await compute.serversOnHost(host);
  if (servers.length) return skipOrFail(`${host} holds ${servers.length} server(s)`);

  if (!resuming) await repositories.actions.start(action.id);
  try {
    await power.powerOff(powerHostOf(context, host), { verifiedEmptyAndDisabled: true });
  } catch (error) {
    await repositories.actions.finish(action.id, 'FAILED', { error: (error as Error).message });
    return;
  }
  await repositories.hostStates.recordPoweredOff(host);
  await repositories.actions.finish(action.id, 'SUCCEEDED');
  logger.info({ action: action.id, host, plan: plan.id }, 'host powered off');
}

export interface RestoreResult {
  host: string;
  restored: boolean;
  detail: string;
}

/**
 * Brings hosts ulm put into maintenance back: power on (if ulm powered them off), wait for
 * their nova-compute service to report up, enable. Hosts ulm does not hold are left alone.
 */
export async function restoreHosts(context: ApplierContext, hosts: string[]): Promise<RestoreResult[]> {
  const { compute, repositories, power, clock, settings, logger } = context;
  const results: RestoreResult[] = [];
  for (const host of hosts) {
    const held = await repositories.hostStates.find(host);
    if (!held?.disabled) {
      const service = await compute.computeService(host);
      results.push({ host, restored: false, detail: service && !service.enabled ? `ulm did not disable ${host} (${service.disabledReason ?? 'no reason given'}); left alone` : `${host} is not in maintenance by ulm` });
      continue;
    }
    try {
      if (held.poweredOff) {
        await power.powerOn(powerHostOf(context, host));
        await repositories.hostStates.recordPoweredOn(host);
      }
      const deadline = clock.now() + settings.serviceUpTimeoutMs;
      for (;;) {
        const service = await compute.computeService(host);
        if (service?.up) break;
        if (clock.now() >= deadline) throw new Error(`${host}'s nova-compute did not report up within ${Math.round(settings.serviceUpTimeoutMs / 1000)} s; it stays disabled`);
        await clock.sleep(settings.pollIntervalMs);
      }
      await compute.enableCompute(host);
      await repositories.hostStates.recordEnabled(host);
      results.push({ host, restored: true, detail: held.poweredOff ? 'powered on, nova-compute up, enabled' : 'enabled' });
      logger.info({ host }, 'host restored from maintenance');
    } catch (error) {
      results.push({ host, restored: false, detail: (error as Error).message });
      logger.error({ host, error: (error as Error).message }, 'host not restored');
    }
  }
  return results;
}
