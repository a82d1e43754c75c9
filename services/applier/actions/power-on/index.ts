// power_on: powers a host ulm powered off back on (it stays disabled until its enable_compute).
// A host ulm did not power off needs nothing: that is verified, not assumed.
import { Type } from '@sinclair/typebox';
import { powerHostOf } from '../../context.js';
import { crashPoint } from '../../crash-points.js';
import type { ActionKind } from '../kind.js';

export const powerOn: ActionKind = {
  type: 'power_on',
  parameters: Type.Object({ host: Type.String({ minLength: 1 }) }),
  describe: (action) => `power-on of ${action.host}`,
  async precondition({ context, action }) {
    const held = await context.repositories.hostStates.find(action.host!);
    if (!held?.poweredOff) return { verdict: 'done', detail: `ulm did not power ${action.host} off` };
    if (!context.power.controlsPower) return { verdict: 'skip', reason: `the power driver is "${context.power.name}": ulm cannot power ${action.host} on; power it on by hand` };
    return { verdict: 'run' };
  },
  async execute({ context, action }) {
    let outcome;
    try {
      outcome = await context.power.powerOn(powerHostOf(context, action.host!));
    } catch (error) {
      return { state: 'FAILED', error: `${action.host} stays disabled: ${(error as Error).message}` };
    }
    crashPoint('restore.after-power-on');
    await context.repositories.hostStates.recordPoweredOn(action.host!);
    // Every driver reads the power state back until it is on before it answers so.
    return { state: 'SUCCEEDED', verified: outcome.state === 'on' };
  },
  async verify({ context, action }) {
    if (!context.power.controlsPower) return null;
    const state = await context.power.powerState(powerHostOf(context, action.host!)).catch((error: Error) => `unknown (${error.message})`);
    return state === 'on' ? null : `the ${context.power.name} driver reports ${action.host} ${state}, not on`;
  },
  async reconcile({ context, action }) {
    const state = await context.power.powerState(powerHostOf(context, action.host!)).catch(() => 'unknown');
    if (state !== 'on') return { verdict: 'call' };
    await context.repositories.hostStates.recordPoweredOn(action.host!);
    return { verdict: 'ended', state: 'SUCCEEDED' };
  },
};
