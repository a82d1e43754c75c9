// Power driver "redfish": each host's BMC through its Redfish API (ComputerSystem PowerState and the ComputerSystem.Reset action).
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import {
  requirePowerOffConfirmation, type PowerDriver, type PowerDriverContext, type PowerDriverPlugin, type PowerHost, type PowerOffConfirmation, type PowerOperation,
  type PowerOutcome, type PowerState,
} from '../../../core/power.js';
import { ValidationError } from '../../../core/validation.js';
import {
  HostTemplate, checkHostName, compileHostSettings, contextOf, expandTemplate, failure, hostSettings, resolveWaiting, validateOptions, waitForPowerState,
  waitTimedOut, waitingOptions, withRetries,
} from '../common.js';
import { answerFailure, bodyObject, bodyText, httpClient, isSuccess, networkFailure } from '../http.js';

export const name = 'redfish';

// No user@ part: credentials belong in username and password, which are never logged.
const ServiceUrl = Type.String({ pattern: '^https?://[^/\\s@]+/?$', expected: 'a BMC URL without a path or user, e.g. "https://cmp-01-bmc.example.org"' });
const SystemId = Type.String({ minLength: 1, pattern: '^[^/\\s]+$', expected: 'a Redfish system id, e.g. "1" or "System.Embedded.1"' });
const Username = Type.String({ minLength: 1, description: 'Redfish user' });
const Password = Type.String({ minLength: 1, description: 'Redfish password; never logged' });
const RESET_TYPES = ['GracefulShutdown', 'ForceOff'] as const;

export const hostSettingsSchema = Type.Object({
  url: Type.Optional(ServiceUrl),
  system_id: Type.Optional(SystemId),
  username: Type.Optional(Username),
  password: Type.Optional(Password),
}, { additionalProperties: false });
export type RedfishHostSettings = Static<typeof hostSettingsSchema>;

export const optionsSchema = Type.Object({
  url_template: Type.Optional(HostTemplate('Redfish service of a host, {host} replaced by its name', 'https://{host}-bmc.example.org')),
  hosts: Type.Optional(Type.Record(Type.String({ minLength: 1 }), hostSettingsSchema, {
    description: 'per-host settings by Nova host name, e.g. {"cmp-01": {"url": "https://10.0.0.11"}}; they win over url_template',
  })),
  system_id: Type.Optional(SystemId),
  username: Username,
  password: Password,
  authentication: Type.Optional(Type.Union([Type.Literal('session'), Type.Literal('basic')], {
    description: 'session: log in once per operation and log out after (default); basic: HTTP basic authentication on every request',
  })),
  verify_tls: Type.Optional(Type.Boolean({ description: 'verify the BMCs\' TLS certificates (default true); many BMCs ship self-signed ones: prefer ca_file' })),
  ca_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of the CA that signed the BMCs\' certificates (default: the system\'s CAs)' })),
  power_off_reset_type: Type.Optional(Type.Union(RESET_TYPES.map((type) => Type.Literal(type)), {
    description: 'GracefulShutdown: the operating system stops cleanly (default); ForceOff: cut the power at once',
  })),
  force_off_after_timeout: Type.Optional(Type.Boolean({ description: 'when a GracefulShutdown has not powered the host off within power_off_timeout_seconds, send ForceOff (default false)' })),
  request_timeout_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'one HTTP request gives up after this long (default 30)' })),
  ...waitingOptions,
}, { additionalProperties: false });
export type RedfishOptions = Static<typeof optionsSchema>;

const compiledOptions = TypeCompiler.Compile(optionsSchema);
const compiledHostSettings = compileHostSettings(hostSettingsSchema);

function validate(options: unknown): RedfishOptions {
  const valid = validateOptions<RedfishOptions>(name, compiledOptions, options);
  if (!valid.url_template && !Object.values(valid.hosts ?? {}).some((host) => host.url)) {
    throw new ValidationError(`invalid options of power driver ${name}`, [{
      path: 'power.redfish.url_template',
      message: 'is required unless hosts gives each host a url: give the Redfish URL of a host, e.g. "https://{host}-bmc.example.org"',
    }]);
  }
  return valid;
}

const MAP: Record<string, PowerState> = { On: 'on', Off: 'off' };

/** Redfish `PowerState` -> ulm's: PoweringOn, PoweringOff and Paused are neither on nor off yet. */
export function powerStateOf(value: unknown): PowerState {
  return typeof value === 'string' ? MAP[value] ?? 'unknown' : 'unknown';
}

/** The message of a Redfish error body: `error.message`, then each `@Message.ExtendedInfo` message. */
export function redfishMessage(response: AxiosResponse): string {
  const error = bodyObject(response).error as { message?: unknown; '@Message.ExtendedInfo'?: unknown } | undefined;
  const parts: string[] = [];
  if (error && typeof error.message === 'string') parts.push(error.message);
  if (error && Array.isArray(error['@Message.ExtendedInfo'])) {
    for (const info of error['@Message.ExtendedInfo'] as { Message?: unknown }[]) {
      if (typeof info?.Message === 'string' && !parts.includes(info.Message)) parts.push(info.Message);
    }
  }
  return parts.join(' ') || bodyText(response);
}

interface Bmc {
  url: string;
  systemId?: string;
  username: string;
  password: string;
}

/** Requests to one BMC within one operation, authenticated either way. */
interface Connection {
  request(method: Method, path: string, what: string, body?: unknown): Promise<AxiosResponse>;
  secrets: string[];
}

export function createDriver(rawOptions: unknown, context?: PowerDriverContext): PowerDriver {
  const options = validate(rawOptions);
  const { logger, clock } = contextOf(context);
  const waiting = resolveWaiting(options);
  const authentication = options.authentication ?? 'session';
  const resetTypeOff = options.power_off_reset_type ?? 'GracefulShutdown';
  let http: AxiosInstance;
  try {
    http = httpClient({ timeoutMilliseconds: (options.request_timeout_seconds ?? 30) * 1000, verifyTls: options.verify_tls ?? true, ...(options.ca_file ? { caFile: options.ca_file } : {}) });
  } catch (error) {
    throw new ValidationError(`invalid options of power driver ${name}`, [{ path: 'power.redfish.ca_file', message: `cannot be read (${(error as Error).message}); give a readable PEM file` }]);
  }
  const tlsFix = 'give the CA in power.redfish.ca_file (or, knowingly, set verify_tls false)';
  const authenticationFix = 'check power.redfish username and password';
  /** System paths found by listing /redfish/v1/Systems, by BMC URL: they do not change. */
  const systemPaths = new Map<string, string>();

  function bmcOf(host: PowerHost, operation: PowerOperation): Bmc {
    checkHostName(name, operation, host);
    const settings = hostSettings<RedfishHostSettings>(name, operation, host, options.hosts, compiledHostSettings);
    const url = settings.url ?? (options.url_template ? expandTemplate(options.url_template, host.name) : undefined);
    if (!url) throw failure(name, host.name, operation, 'configuration', `no Redfish URL: set power.redfish.hosts.${host.name}.url or power.redfish.url_template`);
    const systemId = settings.system_id ?? options.system_id;
    return {
      url: url.replace(/\/+$/, ''),
      ...(systemId ? { systemId } : {}),
      username: settings.username ?? options.username,
      password: settings.password ?? options.password,
    };
  }

  async function send(host: PowerHost, operation: PowerOperation, bmc: Bmc, method: Method, path: string, headers: Record<string, string>, body: unknown, secrets: string[], useBasic: boolean): Promise<AxiosResponse> {
    const url = new URL(path, `${bmc.url}/`);
    // A Location header or an action target naming another server would get the session token or
    // the password: only the BMC itself is spoken to.
    if (url.origin !== new URL(bmc.url).origin) {
      throw failure(name, host.name, operation, 'remote', `the BMC at ${bmc.url} pointed to another server (${url.origin}); ulm sends its credentials to the BMC only`);
    }
    const attempt = async () => {
      try {
        return await http.request({ method, url: url.href, headers, data: body, ...(useBasic ? { auth: { username: bmc.username, password: bmc.password } } : {}) });
      } catch (error) {
        throw networkFailure(name, host.name, operation, bmc.url, error, secrets, tlsFix);
      }
    };
    // A reset is sent once: sent twice, some BMCs answer the second with an error. The wait
    // that follows it shows whether it took.
    if (method !== 'GET' && method !== 'DELETE' && !path.endsWith('/Sessions')) return attempt();
    return withRetries(attempt, waiting.retries, waiting.retryDelayMilliseconds, clock, (error, attemptNumber) => {
      logger.warn({ driver: name, host: host.name, bmc: bmc.url, attempt: attemptNumber, failure: error.failure }, 'Redfish request failed; trying again');
    });
  }

  /** Runs `work` with a connection to the BMC: a session logged in before and out after, or basic authentication. */
  async function withConnection<T>(host: PowerHost, operation: PowerOperation, bmc: Bmc, work: (connection: Connection) => Promise<T>): Promise<T> {
    const secrets = [bmc.password];
    const checked = async (response: AxiosResponse, what: string) => {
      if (!isSuccess(response)) throw answerFailure(name, host.name, operation, what, response, redfishMessage(response), secrets, authenticationFix);
      return response;
    };
    if (authentication === 'basic') {
      return work({ secrets, request: async (method, path, what, body) => checked(await send(host, operation, bmc, method, path, {}, body, secrets, true), what) });
    }
    const login = await checked(await send(host, operation, bmc, 'POST', '/redfish/v1/SessionService/Sessions', { 'Content-Type': 'application/json' },
      { UserName: bmc.username, Password: bmc.password }, secrets, false), 'logging in (POST /redfish/v1/SessionService/Sessions)');
    const token = String(login.headers['x-auth-token'] ?? '');
    if (!token) throw failure(name, host.name, operation, 'remote', `the BMC at ${bmc.url} created a session without an X-Auth-Token header; try authentication "basic"`);
    secrets.push(token);
    const location = login.headers.location ? String(login.headers.location) : undefined;
    try {
      return await work({ secrets, request: async (method, path, what, body) => checked(await send(host, operation, bmc, method, path, { 'X-Auth-Token': token }, body, secrets, false), what) });
    } finally {
      if (location) {
        // Logging out frees one of the BMC's few session slots; failing to is not the operation's failure.
        await send(host, operation, bmc, 'DELETE', location, { 'X-Auth-Token': token }, undefined, secrets, false)
          .catch((error: Error) => logger.debug({ driver: name, host: host.name, bmc: bmc.url, error: error.message }, 'Redfish logout failed'));
      }
    }
  }

  async function systemPath(host: PowerHost, operation: PowerOperation, bmc: Bmc, connection: Connection): Promise<string> {
    if (bmc.systemId) return `/redfish/v1/Systems/${encodeURIComponent(bmc.systemId)}`;
    const known = systemPaths.get(bmc.url);
    if (known) return known;
    const listing = bodyObject(await connection.request('GET', '/redfish/v1/Systems', 'listing systems (GET /redfish/v1/Systems)'));
    const members = Array.isArray(listing.Members) ? (listing.Members as { '@odata.id'?: unknown }[]).map((member) => member['@odata.id']).filter((id): id is string => typeof id === 'string') : [];
    if (members.length !== 1) {
      throw failure(name, host.name, operation, 'configuration', members.length
        ? `the BMC at ${bmc.url} manages ${members.length} systems (${members.join(', ')}): set power.redfish.system_id or hosts.${host.name}.system_id`
        : `the BMC at ${bmc.url} lists no system under /redfish/v1/Systems`);
    }
    systemPaths.set(bmc.url, members[0]);
    return members[0];
  }

  async function readSystem(connection: Connection, path: string): Promise<Record<string, unknown>> {
    return bodyObject(await connection.request('GET', path, `reading the system (GET ${path})`));
  }

  async function reset(host: PowerHost, operation: PowerOperation, connection: Connection, path: string, system: Record<string, unknown>, resetType: string): Promise<void> {
    const action = (system.Actions as Record<string, { target?: unknown; 'ResetType@Redfish.AllowableValues'?: unknown }> | undefined)?.['#ComputerSystem.Reset'];
    const target = typeof action?.target === 'string' ? action.target : `${path}/Actions/ComputerSystem.Reset`;
    const allowed = action?.['ResetType@Redfish.AllowableValues'];
    if (Array.isArray(allowed) && !allowed.includes(resetType)) {
      throw failure(name, host.name, operation, 'configuration', `the BMC does not accept ResetType ${resetType} (it accepts ${allowed.join(', ')})`
        + (operation === 'power off' ? '; set power.redfish.power_off_reset_type to one of them' : ''));
    }
    logger.info({ driver: name, host: host.name, resetType }, operation === 'power off' ? 'powering host off' : 'powering host on');
    await connection.request('POST', target, `${resetType} (POST ${target})`, { ResetType: resetType });
  }

  async function change(host: PowerHost, operation: 'power off' | 'power on'): Promise<PowerOutcome> {
    const bmc = bmcOf(host, operation);
    const wanted: PowerState = operation === 'power off' ? 'off' : 'on';
    const timeout = operation === 'power off' ? waiting.powerOffTimeoutMilliseconds : waiting.powerOnTimeoutMilliseconds;
    return withConnection(host, operation, bmc, async (connection) => {
      const path = await systemPath(host, operation, bmc, connection);
      const system = await readSystem(connection, path);
      if (powerStateOf(system.PowerState) === wanted) return { host: host.name, state: wanted, changed: false };
      const read = async () => powerStateOf((await readSystem(connection, path)).PowerState);
      await reset(host, operation, connection, path, system, operation === 'power off' ? resetTypeOff : 'On');
      let wait = await waitForPowerState(read, wanted, timeout, waiting.pollIntervalMilliseconds, clock);
      if (!wait.reached && operation === 'power off' && resetTypeOff === 'GracefulShutdown' && options.force_off_after_timeout) {
        logger.warn({ driver: name, host: host.name, seconds: timeout / 1000 }, 'graceful shutdown did not power the host off in time; forcing it off');
        await reset(host, operation, connection, path, system, 'ForceOff');
        wait = await waitForPowerState(read, wanted, timeout, waiting.pollIntervalMilliseconds, clock);
      }
      if (!wait.reached) {
        throw waitTimedOut(name, host.name, operation, wanted, wait.last, timeout, operation === 'power off' && resetTypeOff === 'GracefulShutdown'
          ? 'the operating system did not shut down: look at the host\'s console, raise power_off_timeout_seconds or set force_off_after_timeout'
          : `look at the BMC, or raise ${operation === 'power off' ? 'power_off' : 'power_on'}_timeout_seconds`);
      }
      logger.info({ driver: name, host: host.name, seconds: wait.waitedMilliseconds / 1000 }, operation === 'power off' ? 'host powered off' : 'host powered on');
      return { host: host.name, state: wanted, changed: true };
    });
  }

  return {
    name,
    controlsPower: true,
    async powerOff(host: PowerHost, confirmation: PowerOffConfirmation): Promise<PowerOutcome> {
      requirePowerOffConfirmation(name, host, confirmation);
      return change(host, 'power off');
    },
    powerOn: (host: PowerHost) => change(host, 'power on'),
    async powerState(host: PowerHost): Promise<PowerState> {
      const bmc = bmcOf(host, 'power state');
      return withConnection(host, 'power state', bmc, async (connection) => {
        const path = await systemPath(host, 'power state', bmc, connection);
        return powerStateOf((await readSystem(connection, path)).PowerState);
      });
    },
  };
}

export const plugin: PowerDriverPlugin = {
  name,
  description: 'the Redfish API of each host\'s BMC',
  optionsSchema,
  hostSettingsSchema,
  create: createDriver,
};
