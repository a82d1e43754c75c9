// Power driver "none", the default: ulm only disables nova-compute on emptied hosts and never touches their power.
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { requirePowerOffConfirmation, type PowerDriver, type PowerDriverContext, type PowerDriverPlugin, type PowerHost, type PowerOffConfirmation, type PowerOutcome, type PowerState } from '../../../core/power.js';
import { checkHostName, contextOf, validateOptions } from '../common.js';

export const name = 'none';

export const optionsSchema = Type.Object({}, { additionalProperties: false, description: 'driver none takes no options' });
export type NoneOptions = Static<typeof optionsSchema>;

export const hostSettingsSchema = Type.Object({}, { additionalProperties: false });

const compiledOptions = TypeCompiler.Compile(optionsSchema);

/**
 * Reports `unknown` for every state, because this driver observes nothing: a host it "powered
 * off" was never powered off, and saying `off` (or guessing `on`) would mislead the panel and
 * the applier. `changed: false` and `controlsPower: false` tell the applier not to wait.
 */
export function createDriver(options: unknown = {}, context?: PowerDriverContext): PowerDriver {
  validateOptions<NoneOptions>(name, compiledOptions, options);
  const { logger } = contextOf(context);
  const untouched = (host: PowerHost): PowerOutcome => ({ host: host.name, state: 'unknown', changed: false });
  return {
    name,
    controlsPower: false,
    async powerOff(host: PowerHost, confirmation: PowerOffConfirmation): Promise<PowerOutcome> {
      checkHostName(name, 'power off', host);
      // Same contract as the real drivers, so that a caller that forgets the check fails in
      // development with driver none rather than in production with ipmi.
      requirePowerOffConfirmation(name, host, confirmation);
      logger.info({ driver: name, host: host.name }, 'power driver none: host left powered; it stays disabled in Nova');
      return untouched(host);
    },
    async powerOn(host: PowerHost): Promise<PowerOutcome> {
      checkHostName(name, 'power on', host);
      logger.debug({ driver: name, host: host.name }, 'power driver none: nothing to power on');
      return untouched(host);
    },
    async powerState(host: PowerHost): Promise<PowerState> {
      checkHostName(name, 'power state', host);
      return 'unknown';
    },
  };
}

export const plugin: PowerDriverPlugin = {
  name,
  description: 'never power hosts off; emptied hosts are only disabled in Nova',
  optionsSchema,
  hostSettingsSchema,
  create: createDriver,
};
