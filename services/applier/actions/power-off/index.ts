// power_off: powers off a host ulm put into maintenance, through the power driver, after
// checking in Nova right before the call that it is still empty and disabled. With the `none`
// driver nothing is powered off and the action says so (SKIPPED): a host that stayed on is
// never reported as powered off.
import { Type } from '@sinclair/typebox';
import { powerHostOf } from '../../context.js';
import type { HostStateRecord } from '../../../db/index.js';
import type { ActionKind, ActionRun } from '../kind.js';

/** Why the host may not be powered off now (null: it may), with ulm's record of the host. */
async function unsafe({ context, action }: ActionRun): Promise<{ why: string | null; held: HostStateRecord | null }> {
  const host = action.host!;
  // Independent reads, taken at once: as fresh, one round trip.
  const [held, service, servers] = await Promise.all([
    context.repositories.hostStates.find(host), context.compute.computeService(host), context.compute.serversOnHost(host),
  ]);
  const why = !held?.disabled ? `ulm did not disable ${host}; it powers off only hosts it disabled`
    : !service || service.enabled ? `${host}'s nova-compute service is not disabled`
      : servers.length ? `${host} holds ${servers.length} server(s)` : null;
  return { why, held: held ?? null };
}

export const powerOff: ActionKind = {
  type: 'power_off',
  parameters: Type.Object({ host: Type.String({ minLength: 1 }) }),
  describe: (action) => `power-off of ${action.host}`,
  async precondition(run) {
    const { context, action } = run;
    if (!context.power.controlsPower) return { verdict: 'skip', reason: `the power driver is "${context.power.name}": ${action.host} stays on, disabled` };
    const { why, held } = await unsafe(run);
    if (why) return { verdict: 'skip', reason: why };
    if (held?.poweredOff) return { verdict: 'done', detail: `${action.host} is already powered off by ulm` };
    return { verdict: 'run' };
  },
  async execute(run, again = false) {
    const { context, action } = run;
    // The precondition has just found the host empty and disabled; after a restart nothing has.
    const why = again ? (await unsafe(run)).why : null;
    if (why) return { state: 'FAILED', error: why };
    let outcome;
    try {
      outcome = await context.power.powerOff(powerHostOf(context, action.host!), { verifiedEmptyAndDisabled: true });
    } catch (error) {
      return { state: 'FAILED', error: (error as Error).message };
    }
    await context.repositories.hostStates.recordPoweredOff(action.host!);
    // Every driver reads the power state back until it is off before it answers so.
    return { state: 'SUCCEEDED', verified: outcome.state === 'off' };
  },
  async verify({ context, action }) {
    const state = await context.power.powerState(powerHostOf(context, action.host!)).catch((error: Error) => `unknown (${error.message})`);
    return state === 'off' ? null : `the ${context.power.name} driver reports ${action.host} ${state}, not off`;
  },
  async reconcile(run) {
    const { context, action } = run;
    const state = await context.power.powerState(powerHostOf(context, action.host!)).catch(() => 'unknown');
    if (state !== 'off') return { verdict: 'call' };
    await context.repositories.hostStates.recordPoweredOff(action.host!);
    return { verdict: 'ended', state: 'SUCCEEDED' };
  },
};
