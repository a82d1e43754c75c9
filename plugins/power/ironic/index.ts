// Power driver "ironic": each host's Ironic node, through the Bare Metal API (PUT /v1/nodes/{node}/states/power, then GET /v1/nodes/{node} until done).
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import {
  PowerError, requirePowerOffConfirmation, type CloudSession, type PowerDriver, type PowerDriverContext, type PowerDriverPlugin, type PowerHost, type PowerOffConfirmation,
  type PowerOperation, type PowerOutcome, type PowerState,
} from '../../../core/power.js';
import {
  HostTemplate, checkHostName, compileHostSettings, contextOf, expandTemplate, failure, hostSettings, resolveWaiting, validateOptions, waitForPowerState,
  waitTimedOut, waitingOptions, withRetries,
} from '../common.js';
import { answerFailure, bodyObject, bodyText, httpClient, isSuccess, networkFailure } from '../http.js';

export const name = 'ironic';

/** 1.27 brings `soft power off`; `fields` (1.8) and node names in URLs (1.5) come before it. */
export const IRONIC_API_VERSION = '1.27';

const NodeIdent = Type.String({ minLength: 1, pattern: '^[^/\\s?#]+$', expected: 'an Ironic node name or UUID' });

export const hostSettingsSchema = Type.Object({
  node: Type.Optional(NodeIdent),
}, { additionalProperties: false });
export type IronicHostSettings = Static<typeof hostSettingsSchema>;

export const optionsSchema = Type.Object({
  node_template: Type.Optional(HostTemplate('Ironic node name of a host, {host} replaced by its name (default "{host}")', '{host}')),
  hosts: Type.Optional(Type.Record(Type.String({ minLength: 1 }), hostSettingsSchema, {
    description: 'per-host settings by Nova host name, e.g. {"cmp-01": {"node": "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"}}; they win over the lookup',
  })),
  find_node_by: Type.Optional(Type.Union([Type.Literal('name'), Type.Literal('instance_info')], {
    description: 'name: the node named by node_template (default); instance_info: the node whose instance_info field (instance_info_field) is the host name',
  })),
  instance_info_field: Type.Optional(Type.String({ minLength: 1, description: 'the instance_info field holding the host name, with find_node_by instance_info (default "display_name")' })),
  soft_power_off: Type.Optional(Type.Boolean({ description: 'ask Ironic for "soft power off" (the operating system stops cleanly) instead of "power off" (default false)' })),
  service_type: Type.Optional(Type.String({ minLength: 1, description: 'Ironic\'s service type in the Keystone catalog (default "baremetal")' })),
  request_timeout_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'one HTTP request gives up after this long (default 30)' })),
  ...waitingOptions,
}, { additionalProperties: false });
export type IronicOptions = Static<typeof optionsSchema>;

const compiledOptions = TypeCompiler.Compile(optionsSchema);
const compiledHostSettings = compileHostSettings(hostSettingsSchema);

/** Ironic `power_state` -> ulm's; null (not yet known) and `error` are unknown. */
export function powerStateOf(value: unknown): PowerState {
  return value === 'power on' ? 'on' : value === 'power off' ? 'off' : 'unknown';
}

/** The message of an Ironic error body: `error_message` is a JSON string holding `faultstring` (or, newer, an object). */
export function ironicMessage(response: AxiosResponse): string {
  const raw = bodyObject(response).error_message;
  let inner: unknown = raw;
  if (typeof raw === 'string') {
    try {
      inner = JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  if (inner && typeof inner === 'object' && typeof (inner as { faultstring?: unknown }).faultstring === 'string') return (inner as { faultstring: string }).faultstring;
  return typeof raw === 'string' ? raw : bodyText(response);
}

interface Node {
  uuid?: string;
  name?: string;
  power_state?: string | null;
  target_power_state?: string | null;
  last_error?: string | null;
}

export function createDriver(rawOptions: unknown, context?: PowerDriverContext): PowerDriver {
  const options = validateOptions<IronicOptions>(name, compiledOptions, rawOptions);
  if (!context?.cloud) {
    throw new Error('power driver ironic needs a Keystone session to reach Ironic: the process creating it must pass context.cloud');
  }
  const cloud: CloudSession = context.cloud;
  const { logger, clock } = contextOf(context);
  const waiting = resolveWaiting(options);
  const http: AxiosInstance = httpClient({ timeoutMilliseconds: (options.request_timeout_seconds ?? 30) * 1000, verifyTls: true });
  const serviceType = options.service_type ?? 'baremetal';
  const findBy = options.find_node_by ?? 'name';
  const instanceInfoField = options.instance_info_field ?? 'display_name';
  /** Node UUIDs found through instance_info, by host: a listing of every node is not repeated per call. */
  const nodesFound = new Map<string, string>();

  async function baseUrl(host: PowerHost, operation: PowerOperation): Promise<string> {
    let endpoint: string;
    try {
      endpoint = await cloud.endpoint(serviceType);
    } catch (error) {
      throw failure(name, host.name, operation, 'configuration', `no ${serviceType} endpoint in the Keystone catalog: ${(error as Error).message}`);
    }
    // Catalogs register Ironic with and without the version.
    return endpoint.replace(/\/+$/, '').replace(/\/v1$/, '');
  }

  async function token(host: PowerHost, operation: PowerOperation): Promise<string> {
    try {
      return await cloud.token();
    } catch (error) {
      throw failure(name, host.name, operation, 'authentication', `cannot get a Keystone token: ${(error as Error).message}`);
    }
  }

  /**
   * One request to Ironic. Retried: when nothing answered, and on 409 (another conductor task
   * holds the node's lock) or 503, which Ironic answers before doing anything. On 401 the
   * session is told, and a new token asked for, once: tokens are revoked before they expire.
   */
  async function request(host: PowerHost, operation: PowerOperation, method: Method, path: string, what: string, body?: unknown): Promise<AxiosResponse> {
    const base = await baseUrl(host, operation);
    let authToken = await token(host, operation);
    let renewed = false;
    const attempt = async (): Promise<AxiosResponse> => {
      let response: AxiosResponse;
      try {
        response = await http.request({
          method, url: `${base}${path}`, data: body,
          headers: { 'X-Auth-Token': authToken, 'X-OpenStack-Ironic-API-Version': IRONIC_API_VERSION, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        });
      } catch (error) {
        throw networkFailure(name, host.name, operation, `Ironic at ${base}`, error, [authToken], 'give the CA of Ironic\'s certificate to the system\'s CAs');
      }
      if (response.status === 401 && !renewed) {
        renewed = true;
        cloud.invalidate?.(authToken);
        authToken = await token(host, operation);
        return attempt();
      }
      if (isSuccess(response)) return response;
      const error = answerFailure(name, host.name, operation, what, response, ironicMessage(response), [authToken], 'check the credentials of ulm\'s Keystone user and its role on Ironic');
      // Marked as timeout so that withRetries tries again: Ironic did nothing yet.
      if (response.status === 409 || response.status === 503) throw new PowerError({ driver: name, host: host.name, operation, failure: 'timeout', reason: error.reason, ...(error.cause instanceof Error ? { cause: error.cause } : {}) });
      throw error;
    };
    return withRetries(attempt, waiting.retries, waiting.retryDelayMilliseconds, clock, (error, attemptNumber) => {
      logger.warn({ driver: name, host: host.name, attempt: attemptNumber, failure: error.failure, reason: error.reason }, 'Ironic request failed; trying again');
    });
  }

  async function nodeOf(host: PowerHost, operation: PowerOperation): Promise<string> {
    checkHostName(name, operation, host);
    const settings = hostSettings<IronicHostSettings>(name, operation, host, options.hosts, compiledHostSettings);
    if (settings.node) return settings.node;
    if (findBy === 'name') return expandTemplate(options.node_template ?? '{host}', host.name);
    const known = nodesFound.get(host.name);
    if (known) return known;
    const matches: string[] = [];
    let next: string | undefined = `/v1/nodes?fields=uuid,name,instance_info&limit=200`;
    while (next) {
      const page = bodyObject(await request(host, operation, 'GET', next, 'listing nodes (GET /v1/nodes)'));
      for (const node of (Array.isArray(page.nodes) ? page.nodes : []) as { uuid?: string; instance_info?: Record<string, unknown> }[]) {
        if (node.uuid && node.instance_info?.[instanceInfoField] === host.name) matches.push(node.uuid);
      }
      // `next` is an absolute URL; only its path and query are used, against the catalog's endpoint.
      next = typeof page.next === 'string' ? (() => { const url = new URL(page.next); return `${url.pathname.replace(/^.*(\/v1\/)/, '$1')}${url.search}`; })() : undefined;
    }
    if (matches.length !== 1) {
      throw failure(name, host.name, operation, 'configuration', matches.length
        ? `${matches.length} Ironic nodes have instance_info.${instanceInfoField} = "${host.name}" (${matches.join(', ')}): set power.ironic.hosts.${host.name}.node`
        : `no Ironic node has instance_info.${instanceInfoField} = "${host.name}": set power.ironic.hosts.${host.name}.node, or find_node_by name`);
    }
    nodesFound.set(host.name, matches[0]);
    return matches[0];
  }

  async function readNode(host: PowerHost, operation: PowerOperation, node: string): Promise<Node> {
    const path = `/v1/nodes/${encodeURIComponent(node)}`;
    return bodyObject(await request(host, operation, 'GET', `${path}?fields=uuid,name,power_state,target_power_state,last_error`, `reading node ${node} (GET ${path})`)) as Node;
  }

  async function change(host: PowerHost, operation: 'power off' | 'power on'): Promise<PowerOutcome> {
    const node = await nodeOf(host, operation);
    const wanted: PowerState = operation === 'power off' ? 'off' : 'on';
    const timeout = operation === 'power off' ? waiting.powerOffTimeoutMilliseconds : waiting.powerOnTimeoutMilliseconds;
    const before = await readNode(host, operation, node);
    if (powerStateOf(before.power_state) === wanted && !before.target_power_state) return { host: host.name, state: wanted, changed: false };
    const target = operation === 'power on' ? 'power on' : options.soft_power_off ? 'soft power off' : 'power off';
    const path = `/v1/nodes/${encodeURIComponent(node)}/states/power`;
    logger.info({ driver: name, host: host.name, node, target }, operation === 'power off' ? 'powering host off' : 'powering host on');
    await request(host, operation, 'PUT', path, `asking for ${target} (PUT ${path})`, { target });
    let last: Node = before;
    const read = async (): Promise<PowerState> => {
      last = await readNode(host, operation, node);
      // A new last_error, with nothing pending any more: the conductor tried and failed.
      if (!last.target_power_state && last.last_error && last.last_error !== before.last_error && powerStateOf(last.power_state) !== wanted) {
        throw failure(name, host.name, operation, 'remote', `Ironic reports for node ${node}: ${last.last_error}`);
      }
      return last.target_power_state ? 'unknown' : powerStateOf(last.power_state);
    };
    const wait = await waitForPowerState(read, wanted, timeout, waiting.pollIntervalMilliseconds, clock);
    if (!wait.reached) {
      throw waitTimedOut(name, host.name, operation, wanted, wait.last, timeout,
        `Ironic's node ${node} has power_state ${String(last.power_state)}, target_power_state ${String(last.target_power_state)}${last.last_error ? `, last_error "${last.last_error}"` : ''}`);
    }
    logger.info({ driver: name, host: host.name, node, seconds: wait.waitedMilliseconds / 1000 }, operation === 'power off' ? 'host powered off' : 'host powered on');
    return { host: host.name, state: wanted, changed: true };
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
      const node = await nodeOf(host, 'power state');
      const found = await readNode(host, 'power state', node);
      return found.target_power_state ? 'unknown' : powerStateOf(found.power_state);
    },
  };
}

export const plugin: PowerDriverPlugin = {
  name,
  description: 'the Ironic node of each host',
  optionsSchema,
  hostSettingsSchema,
  create: createDriver,
};
