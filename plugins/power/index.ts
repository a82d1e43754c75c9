// The power driver registry: every driver ulm ships, in one explicit list, and the one way to create one by name.
import type { PowerDriver, PowerDriverContext, PowerDriverPlugin } from '../../core/power.js';
import { ValidationError } from '../../core/validation.js';
import { plugin as ipmi } from './ipmi/index.js';
import { plugin as ironic } from './ironic/index.js';
import { plugin as none } from './none/index.js';
import { plugin as redfish } from './redfish/index.js';

/** Every power driver, by the name it reports. Adding one means adding a line here. */
export const POWER_DRIVERS: readonly PowerDriverPlugin[] = [none, ipmi, redfish, ironic];

export const DEFAULT_POWER_DRIVER = 'none';

export function powerDriverNames(): string[] {
  return POWER_DRIVERS.map((plugin) => plugin.name);
}

export function findPowerDriver(name: string): PowerDriverPlugin | undefined {
  return POWER_DRIVERS.find((plugin) => plugin.name === name);
}

/**
 * Creates the driver `name` with its options (as an operator writes them: snake_case, defaults
 * left out). Unknown names and bad options throw a ValidationError that names the field and the fix.
 */
export function createPowerDriver(name: string, options: unknown = {}, context: PowerDriverContext = {}): PowerDriver {
  const plugin = findPowerDriver(name);
  if (!plugin) {
    throw new ValidationError('unknown power driver', [{
      path: 'power.driver',
      message: `${JSON.stringify(name)} is not a power driver; use one of ${powerDriverNames().join(', ')}`,
    }]);
  }
  return plugin.create(options, context);
}

export type { PowerDriver, PowerDriverContext, PowerDriverPlugin } from '../../core/power.js';
