// Powering emptied compute hosts off and back on: the interface every power driver implements, its error, and the safety guard they share (types and pure code only).
import type { TSchema } from '@sinclair/typebox';
import type { Clock } from './clock.js';

/** What a driver knows of a host's power: `unknown` whenever it cannot observe it, never a guess. */
export type PowerState = 'on' | 'off' | 'unknown';

export type PowerOperation = 'power off' | 'power on' | 'power state';

/**
 * Per-host settings of one driver (a BMC address, a Redfish URL, an Ironic node...), checked
 * against that driver's `hostSettingsSchema`. They override the driver's options for this host.
 */
export type HostPowerSettings = Readonly<Record<string, unknown>>;

/** The host a driver acts on: its Nova hypervisor host name, and optional per-host settings. */
export interface PowerHost {
  name: string;
  settings?: HostPowerSettings;
}

/**
 * The caller's word that the host holds no server and that ulm disabled its nova-compute
 * service: the applier gives it only after checking both in Nova just before powering off.
 * Typed as the literal `true` so that it cannot be passed by accident, and checked at run time
 * too because plans and API calls arrive as JSON.
 */
export interface PowerOffConfirmation {
  verifiedEmptyAndDisabled: true;
}

/** What a power operation did: the state the driver last observed, and whether it changed anything. */
export interface PowerOutcome {
  host: string;
  state: PowerState;
  changed: boolean;
}

export interface PowerDriver {
  /** The registry name: none, ipmi, redfish, ironic. */
  readonly name: string;
  /** False for the `none` driver: the applier then does not wait for power states. */
  readonly controlsPower: boolean;
  /** Powers the host off and waits (bounded) until the BMC reports it off. Refused without the confirmation. */
  powerOff(host: PowerHost, confirmation: PowerOffConfirmation): Promise<PowerOutcome>;
  /** Powers the host on and waits (bounded) until the BMC reports it on. */
  powerOn(host: PowerHost): Promise<PowerOutcome>;
  /** Asks the BMC; throws a PowerError when the BMC cannot be asked. */
  powerState(host: PowerHost): Promise<PowerState>;
}

/**
 * Why a power operation failed, for the journal and for retries: only `unreachable` and
 * `timeout` may succeed when tried again unchanged.
 */
export type PowerFailure =
  | 'refused' // a safety rule of ulm said no
  | 'configuration' // the driver's options or the host's settings are wrong or missing
  | 'authentication' // the BMC or Ironic refused the credentials
  | 'unreachable' // nothing answered
  | 'timeout' // no answer, or the wanted state not reached, in time
  | 'remote'; // the BMC or Ironic answered with an error

export interface PowerErrorDetails {
  driver: string;
  host: string;
  operation: PowerOperation;
  failure: PowerFailure;
  /** What went wrong and, where ulm knows it, the fix. Never holds a password or a token. */
  reason: string;
  /** The underlying error, already stripped of secrets. */
  cause?: Error;
}

/** A power operation that did not happen or did not finish: names the host, the operation and the cause. */
export class PowerError extends Error {
  readonly driver: string;
  readonly host: string;
  readonly operation: PowerOperation;
  readonly failure: PowerFailure;
  readonly reason: string;

  constructor(details: PowerErrorDetails) {
    super(`power driver ${details.driver}: cannot ${details.operation} host ${details.host}: ${details.reason}`, details.cause ? { cause: details.cause } : undefined);
    this.name = 'PowerError';
    this.driver = details.driver;
    this.host = details.host;
    this.operation = details.operation;
    this.failure = details.failure;
    this.reason = details.reason;
  }

  /** Whether trying again later may succeed. */
  get transient(): boolean {
    return this.failure === 'unreachable' || this.failure === 'timeout';
  }
}

/**
 * The rule every driver applies before powering a host off: only with the caller's explicit
 * confirmation that the host is empty and disabled by ulm. A host powered off with servers on it
 * takes them down; one still enabled in Nova receives new servers that then die.
 */
export function requirePowerOffConfirmation(driver: string, host: PowerHost, confirmation: unknown): void {
  const confirmed = typeof confirmation === 'object' && confirmation !== null
    && (confirmation as { verifiedEmptyAndDisabled?: unknown }).verifiedEmptyAndDisabled === true;
  if (!confirmed) {
    throw new PowerError({
      driver, host: host.name, operation: 'power off', failure: 'refused',
      reason: 'refused: ulm powers a host off only after verifying in Nova that it holds no server and that ulm disabled its nova-compute service; '
        + 'call powerOff(host, { verifiedEmptyAndDisabled: true }) once both are checked',
    });
  }
}

/** The structured logger drivers write to: pino's Logger fits. Drivers never pass it a secret. */
export interface PowerLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * A Keystone-authenticated session, as openstack/ provides it: the endpoint of a service type
 * from the catalog (interface and region already chosen), and a valid token. openstack/'s
 * KeystoneSession fits through `{ endpoint: (type) => session.endpoint(type), token: () =>
 * session.authToken(), invalidate: (token) => session.invalidate(token) }`.
 */
export interface CloudSession {
  endpoint(serviceType: string): Promise<string>;
  token(): Promise<string>;
  /** Called with a token a service answered 401 to, so that the next `token()` is a new one. */
  invalidate?(token: string): void;
}

/** Time for bounded waits: the one clock (core/clock.ts), injected so that tests need not wait. */
export type PowerClock = Clock;

/** What a driver receives from the process that creates it. */
export interface PowerDriverContext {
  logger?: PowerLogger;
  /** Needed by the ironic driver only. */
  cloud?: CloudSession;
  clock?: PowerClock;
}

/** One entry of the power driver registry: a name, the schema of its options, and a factory. */
export interface PowerDriverPlugin {
  readonly name: string;
  /** One line for `ulm.conf` and the docs. */
  readonly description: string;
  /** JSON schema (TypeBox) of the options, as an operator writes them. */
  readonly optionsSchema: TSchema;
  /** JSON schema (TypeBox) of one host's settings: `options.hosts[name]` and `PowerHost.settings`. */
  readonly hostSettingsSchema: TSchema;
  /** Validates the options (a ValidationError names each bad option) and builds the driver. */
  create(options: unknown, context?: PowerDriverContext): PowerDriver;
}
