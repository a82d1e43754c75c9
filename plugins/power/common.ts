// What the power drivers share: option pieces, host settings lookup, bounded waits, retries, and keeping secrets out of messages.
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { silentLogger } from '../../openstack/logger.js';
import {
  PowerError, type HostPowerSettings, type PowerClock, type PowerDriverContext, type PowerFailure, type PowerHost, type PowerLogger, type PowerOperation, type PowerState,
} from '../../core/power.js';
import { ValidationError, check, issuesOf } from '../../core/validation.js';

export const Seconds = (description: string, defaultSeconds: number) =>
  Type.Optional(Type.Number({ exclusiveMinimum: 0, description: `${description} (default ${defaultSeconds})` }));

export const Retries = (description: string, defaultRetries: number) =>
  Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: `${description} (default ${defaultRetries})` }));

/** Options every driver that talks to a BMC or to Ironic has: how long to wait, how often to try. */
export const waitingOptions = {
  power_on_timeout_seconds: Seconds('after powering on, how long to wait for the host to be reported on', 300),
  power_off_timeout_seconds: Seconds('after powering off, how long to wait for the host to be reported off', 300),
  poll_interval_seconds: Seconds('seconds between two looks at the power state while waiting', 5),
  retries: Retries('further attempts of a request that timed out or found nothing answering', 2),
  retry_delay_seconds: Seconds('seconds between two attempts', 5),
};

export interface Waiting {
  powerOnTimeoutMilliseconds: number;
  powerOffTimeoutMilliseconds: number;
  pollIntervalMilliseconds: number;
  retries: number;
  retryDelayMilliseconds: number;
}

export function resolveWaiting(options: {
  power_on_timeout_seconds?: number; power_off_timeout_seconds?: number; poll_interval_seconds?: number; retries?: number; retry_delay_seconds?: number;
}): Waiting {
  return {
    powerOnTimeoutMilliseconds: (options.power_on_timeout_seconds ?? 300) * 1000,
    powerOffTimeoutMilliseconds: (options.power_off_timeout_seconds ?? 300) * 1000,
    pollIntervalMilliseconds: (options.poll_interval_seconds ?? 5) * 1000,
    retries: options.retries ?? 2,
    retryDelayMilliseconds: (options.retry_delay_seconds ?? 5) * 1000,
  };
}

/** A template naming a host's BMC, URL or node: `{host}` stands for the Nova host name. */
export const HostTemplate = (description: string, example: string) => Type.String({
  minLength: 1, pattern: '\\{host\\}', expected: `a template containing {host}, e.g. "${example}"`, description,
});

/** Validates a driver's options; errors read `power.ipmi.port: expected ...`. */
export function validateOptions<T>(driver: string, compiled: TypeCheck<TSchema>, options: unknown): T {
  const what = `invalid options of power driver ${driver}`;
  try {
    return check<T>(compiled, options ?? {}, what, `power.${driver}`);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // The usual message quotes the bad value: not for a password, even a mistyped one.
    throw new ValidationError(what, error.issues.map((issue) => (/(^|\.)password$/.test(issue.path) && !/is required/.test(issue.message)
      ? { path: issue.path, message: 'expected a non-empty string (the value given is not shown: it is a secret)' }
      : issue)));
  }
}

/**
 * Host names go into URLs and command arguments: accept only what Nova accepts as a host name, so
 * that a name can neither change a URL's path nor look like an ipmitool option.
 */
export function checkHostName(driver: string, operation: PowerOperation, host: PowerHost): void {
  if (typeof host?.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(host.name)) {
    throw new PowerError({
      driver, host: String(host?.name), operation, failure: 'configuration',
      reason: 'the host name must be a Nova host name (letters, digits, ".", "_", "-"; not starting with "-")',
    });
  }
}

export function expandTemplate(template: string, host: string): string {
  return template.replaceAll('{host}', host);
}

/**
 * One host's settings: the call's own (from the host's record), over the options' `hosts` map,
 * over nothing. The call's settings are checked here because they do not come through the options.
 */
export function hostSettings<T>(
  driver: string, operation: PowerOperation, host: PowerHost, fromOptions: Record<string, T> | undefined, compiled: TypeCheck<TSchema>,
): Partial<T> {
  const fromCall: HostPowerSettings = host.settings ?? {};
  if (!compiled.Check(fromCall)) {
    const issues = issuesOf(compiled, fromCall, `hosts.${host.name}`).map((issue) => `${issue.path}: ${issue.message}`);
    throw new PowerError({ driver, host: host.name, operation, failure: 'configuration', reason: `bad per-host settings: ${issues.join('; ')}` });
  }
  return { ...(fromOptions?.[host.name] ?? {}), ...(fromCall as Partial<T>) };
}

export function compileHostSettings(schema: TSchema): TypeCheck<TSchema> {
  return TypeCompiler.Compile(schema);
}

/** Replaces every secret in a text by `***`: BMCs and APIs sometimes echo what they were sent. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

export const realClock: PowerClock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

const silent = silentLogger();

export function contextOf(context: PowerDriverContext | undefined): { logger: PowerLogger; clock: PowerClock } {
  return { logger: context?.logger ?? silent, clock: context?.clock ?? realClock };
}

/**
 * Reads the power state until it is `wanted` or the time is up. Returns the last state seen, so
 * that the caller can say what the BMC reported when the wait failed.
 */
export async function waitForPowerState(
  read: () => Promise<PowerState>, wanted: PowerState, timeoutMilliseconds: number, intervalMilliseconds: number, clock: PowerClock,
): Promise<{ reached: boolean; last: PowerState; waitedMilliseconds: number }> {
  const started = clock.now();
  while (true) {
    const last = await read();
    const waited = clock.now() - started;
    if (last === wanted) return { reached: true, last, waitedMilliseconds: waited };
    if (waited + intervalMilliseconds > timeoutMilliseconds) return { reached: false, last, waitedMilliseconds: waited };
    await clock.sleep(intervalMilliseconds);
  }
}

/** Tries `attempt` again after failures that may pass (nothing answered, no answer in time), up to `retries` more times. */
export async function withRetries<T>(
  attempt: () => Promise<T>, retries: number, delayMilliseconds: number, clock: PowerClock,
  onRetry: (error: PowerError, attemptNumber: number) => void,
): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = error instanceof PowerError && (error.failure === 'unreachable' || error.failure === 'timeout');
      if (!retryable || attemptNumber > retries) throw error;
      onRetry(error, attemptNumber);
      await clock.sleep(delayMilliseconds);
    }
  }
}

/** A PowerError for a wait that ran out. */
export function waitTimedOut(driver: string, host: string, operation: PowerOperation, wanted: PowerState, last: PowerState, timeoutMilliseconds: number, fix: string): PowerError {
  return new PowerError({
    driver, host, operation, failure: 'timeout',
    reason: `still reported ${last} instead of ${wanted} after ${timeoutMilliseconds / 1000} s; ${fix}`,
  });
}

/** Builds an Error to use as a PowerError's cause: message only, secrets removed, nothing else that a logger could serialise. */
export function cleanCause(message: string, secrets: readonly (string | undefined)[]): Error {
  return new Error(redact(message, secrets));
}

export function failure(driver: string, host: string, operation: PowerOperation, kind: PowerFailure, reason: string, cause?: Error): PowerError {
  return new PowerError({ driver, host, operation, failure: kind, reason, ...(cause ? { cause } : {}) });
}
