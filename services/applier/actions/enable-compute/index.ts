// enable_compute: brings a host ulm put into maintenance back into service, once its
// nova-compute service reports up. Never a host someone else disabled, never one still
// powered off by ulm (its power_on comes first, in an earlier wave).
import { Type } from '@sinclair/typebox';
import { crashPoint } from '../../crash-points.js';
import type { ActionKind } from '../kind.js';

export const enableCompute: ActionKind = {
  type: 'enable_compute',
  parameters: Type.Object({ host: Type.String({ minLength: 1 }) }),
  describe: (action) => `enable of nova-compute on ${action.host}`,
  async precondition({ context, action }) {
    const host = action.host!;
    const service = await context.compute.computeService(host);
    if (!service) return { verdict: 'skip', reason: `host ${host} has no nova-compute service` };
    const held = await context.repositories.hostStates.find(host);
    if (service.enabled) return { verdict: 'done', detail: `${host} is already enabled` };
    // ulm's own record, or ulm's namespaced reason in Nova (a database restored from a backup).
    const ulmDisabled = held?.disabled || /^ulm/.test(service.disabledReason ?? '');
    if (!ulmDisabled) return { verdict: 'skip', reason: `someone else disabled ${host} (${service.disabledReason ?? 'no reason given'}); ulm leaves it alone` };
    if (held?.poweredOff) return { verdict: 'skip', reason: `ulm powered ${host} off and it was not powered on; it stays disabled` };
    return { verdict: 'run' };
  },
  async execute({ context, action }) {
    const host = action.host!;
    const { clock, settings } = context;
    const deadline = clock.now() + settings.serviceUpTimeoutMs;
    for (;;) {
      const service = await context.compute.computeService(host);
      if (service?.up) break;
      if (clock.now() >= deadline) return { state: 'FAILED', error: `${host}'s nova-compute did not report up within ${Math.round(settings.serviceUpTimeoutMs / 1000)} s; it stays disabled` };
      await clock.sleep(settings.pollIntervalMs);
    }
    try {
      await context.compute.enableCompute(host);
    } catch (error) {
      return { state: 'FAILED', error: `Nova did not enable ${host}: ${(error as Error).message}` };
    }
    crashPoint('restore.after-enable');
    await context.repositories.hostStates.recordEnabled(host);
    return { state: 'SUCCEEDED' };
  },
  async verify({ context, action }) {
    const service = await context.compute.computeService(action.host!);
    if (!service?.enabled) return `${action.host}'s nova-compute service is not enabled`;
    const held = await context.repositories.hostStates.find(action.host!);
    if (held?.disabled) await context.repositories.hostStates.recordEnabled(action.host!);
    return null;
  },
  async reconcile({ context, action }) {
    const service = await context.compute.computeService(action.host!);
    if (!service?.enabled) return { verdict: 'call' };
    await context.repositories.hostStates.recordEnabled(action.host!);
    return { verdict: 'ended', state: 'SUCCEEDED' };
  },
};
