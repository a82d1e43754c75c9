// Which ulm a command talks to, chosen per invocation: ulm-api at --os-ulm-url / ULM_URL, direct
// mode with --direct, else the `ulm` service of the Keystone catalog when it has one, else direct
// mode (an engine in this process on the local configuration). (Its options are in global-options.ts.)
import type { Command } from 'commander';
import type { CloudConfig } from '../openstack/config.js';
import { AuthenticationError, EndpointNotFoundError, OpenStackConnectionError, OpenStackHttpError } from '../openstack/errors.js';
import { HttpClient, newRequestId } from '../openstack/http.js';
import { KeystoneSession } from '../openstack/keystone.js';
import { createLogger } from '../openstack/logger.js';
import { ValidationError } from '../core/validation.js';
import type { Engine } from '../core/api/engine.js';
import { ApiEngine } from './api-engine.js';
import { cloudConfigAsking, type AuthOptions } from './auth.js';
import type { DirectBackend } from './direct.js';
import { CommandFailure, EXIT_USAGE } from './errors.js';
import { VERSION } from '../services/version.js';

/** The Keystone catalog's service type for ulm-api. */
export const ULM_SERVICE_TYPE = 'ulm';

export interface BackendOptions extends AuthOptions {
  osUlmUrl?: string;
  direct?: boolean;
  /** Direct mode's configuration (services/config's --config-file and --config-dir). */
  configFile?: string[];
  configDir?: string[];
  debug?: boolean;
}

export type BackendChoice =
  | { kind: 'api'; url: string; from: '--os-ulm-url' | 'ULM_URL' | 'the service catalog' }
  | { kind: 'direct'; why: string };

export interface Backend {
  kind: 'api' | 'direct';
  engine: Engine;
  /** For messages: `ulm-api at URL` or `direct mode`. */
  description: string;
  /**
   * True when plans started by this command run only while this process runs them (direct mode
   * on the in-process bus): commands that start a plan then run it here and wait for its end.
   */
  runsPlansHere: boolean;
  /** Direct mode: an applier in this process (progress is read from the plan); nothing against the API. */
  startApplier(): Promise<void>;
  /** Direct mode: the local runtime, for the few things only it has. */
  direct?: DirectBackend;
  /** ulm-api: the HTTP engine, for what only the API offers (remote validation). */
  api?: ApiEngine;
  close(): Promise<void>;
}

/** What the options and environment decide on their own; null: ask the catalog. */
export function explicitChoice(options: Pick<BackendOptions, 'osUlmUrl' | 'direct'>, env: Record<string, string | undefined> = process.env): BackendChoice | null {
  if (options.osUlmUrl && options.direct) {
    throw new ValidationError('invalid options', [{ path: '--direct', message: 'cannot be used with --os-ulm-url: choose the API (--os-ulm-url) or this process (--direct)' }]);
  }
  if (options.osUlmUrl) return { kind: 'api', url: options.osUlmUrl, from: '--os-ulm-url' };
  // An option beats the environment: --direct wins over an exported ULM_URL.
  if (options.direct) return { kind: 'direct', why: '--direct' };
  if (env.ULM_URL) return { kind: 'api', url: env.ULM_URL, from: 'ULM_URL' };
  return null;
}

/** The choice, asking `lookUpCatalog` (the ulm endpoint, or null when the catalog has none) only when needed. */
export async function chooseBackend(
  options: Pick<BackendOptions, 'osUlmUrl' | 'direct'>,
  env: Record<string, string | undefined>,
  lookUpCatalog: () => Promise<string | null>,
): Promise<BackendChoice> {
  const explicit = explicitChoice(options, env);
  if (explicit) return explicit;
  const url = await lookUpCatalog();
  return url
    ? { kind: 'api', url, from: 'the service catalog' }
    : { kind: 'direct', why: `the service catalog has no "${ULM_SERVICE_TYPE}" service` };
}

/** True when the caller gave any OpenStack setting at all (an option, an OS_* variable). */
export function hasCloudSettings(options: AuthOptions, env: Record<string, string | undefined>): boolean {
  const given = Object.entries(options).some(([key, value]) => key.startsWith('os') && key !== 'osUlmUrl' && typeof value === 'string' && value !== '');
  return given || Object.keys(env).some((name) => name.startsWith('OS_') && env[name]);
}

/** The Keystone session of this command (one token for the catalog lookup and every API call). */
function keystoneSession(config: CloudConfig, debug: boolean): KeystoneSession {
  const logger = createLogger({ level: debug ? 'debug' : 'warn', destination: { write: (line: string) => { process.stderr.write(humanLogLine(line)); } } });
  const http = new HttpClient({ logger, tls: config.tls, timeoutMs: config.api_timeout_ms, userAgent: `ulm/${VERSION}` });
  return new KeystoneSession(config, http, { globalRequestId: newRequestId() });
}

/**
 * The OpenStack layer's JSON log lines (pino) as the same one-line form as the API requests':
 * `DEBUG POST http://keystone/v3/auth/tokens 201 in 463 ms (request id req-...)`.
 */
export function humanLogLine(line: string): string {
  let entry: { level?: number; msg?: string; duration_ms?: number; request_id?: string; retry_in_ms?: number };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = (entry.level ?? 30) >= 40 ? 'WARNING' : 'DEBUG';
  const duration = entry.duration_ms !== undefined ? ` in ${entry.duration_ms} ms` : '';
  const retry = entry.retry_in_ms !== undefined ? `, retrying in ${entry.retry_in_ms} ms` : '';
  return `${level} ${entry.msg ?? ''}${duration}${entry.request_id ? ` (request id ${entry.request_id})` : ''}${retry}\n`;
}

/** The ulm endpoint in the catalog (or `ulm_endpoint_override`), null when there is none. */
async function catalogEndpoint(session: KeystoneSession): Promise<string | null> {
  try {
    return await session.endpoint(ULM_SERVICE_TYPE);
  } catch (error) {
    if (error instanceof EndpointNotFoundError) return null;
    throw asCloudFailure(error);
  }
}

/** Keystone failures end the command with exit 1 and Keystone's words. */
function asCloudFailure(error: unknown): unknown {
  if (error instanceof AuthenticationError || error instanceof OpenStackHttpError || error instanceof OpenStackConnectionError) return new CommandFailure(error.message);
  return error;
}

export function debugLine(enabled: boolean | undefined): ((line: string) => void) | undefined {
  return enabled ? (line) => process.stderr.write(`DEBUG ${line}\n`) : undefined;
}

/** Opens the backend the options and the catalog choose. */
export async function openBackend(options: BackendOptions, env: Record<string, string | undefined> = process.env): Promise<Backend> {
  const debug = debugLine(options.debug);
  let session: KeystoneSession | null = null;
  let cloudConfig: CloudConfig | null = null;
  const explicit = explicitChoice(options, env);
  // The cloud settings: needed for a token, and to look ulm up in the catalog.
  if (explicit?.kind !== 'direct') {
    try {
      cloudConfig = await cloudConfigAsking(options, env);
      session = keystoneSession(cloudConfig, Boolean(options.debug));
    } catch (error) {
      // With an explicit API address and no OpenStack settings at all, call without a token
      // (an API with auth_strategy noauth); any setting given must be right, though.
      if (!(error instanceof ValidationError) || hasCloudSettings(options, env)) throw error;
      debug?.(`no OpenStack credentials given (${error.issues.map((issue) => issue.path).join(', ')})`);
    }
  }
  const choice = await chooseBackend(options, env, async () => (session ? catalogEndpoint(session) : null));
  if (choice.kind === 'api') {
    debug?.(`using ulm-api at ${choice.url} (from ${choice.from}${session ? ', with a Keystone token' : ', without a token'})`);
    const api = new ApiEngine({
      url: choice.url,
      token: session ? async () => {
        try {
          return await session.authToken();
        } catch (error) {
          throw asCloudFailure(error);
        }
      } : undefined,
      tokenRejected: session ? (token) => session.invalidate(token) : undefined,
      requestId: session?.globalRequestId,
      debug,
      tls: cloudConfig?.tls,
      userAgent: `ulm/${VERSION}`,
    });
    return {
      kind: 'api', engine: api, api, description: `ulm-api at ${api.url}`, runsPlansHere: false,
      async startApplier() { /* the API's appliers run the plans */ },
      async close() { api.close(); },
    };
  }
  debug?.(`direct mode: ${choice.why}; ulm's engine runs in this process on the local configuration`);
  if (!session && choice.why !== '--direct') {
    debug?.('no OpenStack credentials: direct mode uses the configuration\'s [keystone_authtoken] service user, if any');
  }
  // The configuration files ulm's daemons would read (oslo's default locations unless named).
  const { configFilesFrom } = await import('../services/config/index.js');
  const configFile = configFilesFrom({ configFile: options.configFile ?? [], configDir: options.configDir ?? [] });
  debug?.(`direct mode reads ${configFile.length ? configFile.join(', ') : 'no configuration file (the defaults)'}`);
  // Loaded only here: talking to the API needs none of the database, bus and cloud layers.
  const { openDirectBackend } = await import('./direct.js');
  const direct = await openDirectBackend({ ...options, configFile }).catch((error: unknown) => {
    throw asCloudFailure(error);
  });
  let applier: Promise<unknown> | null = null;
  const runsPlansHere = !direct.runtime.config.DEFAULT.transport_url;
  // One applier per process, however many plans this command starts.
  const startApplier = async () => { applier ??= direct.startApplier(); await applier; };
  return {
    kind: 'direct', engine: runsPlansHere ? withApplierFirst(direct.engine, startApplier) : direct.engine, direct,
    description: 'direct mode',
    runsPlansHere,
    startApplier,
    close: () => direct.close(),
  };
}

/** Engine operations that may start a plan: the engine accepts a start only where an applier takes it. */
const STARTS_PLANS: ReadonlySet<string> = new Set(['createAudit', 'startActionPlan', 'drainHosts', 'undrainHosts']);

/**
 * Direct mode on the in-process bus: this process is where plans run, so its applier is started
 * before any operation that may start one (the engine refuses a start no applier would take).
 */
function withApplierFirst(engine: Engine, startApplier: () => Promise<void>): Engine {
  return new Proxy(engine, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !STARTS_PLANS.has(property) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await startApplier();
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Runs `work` on the backend of this invocation, and closes it however `work` ends. */
export async function withBackend<T>(command: Command, work: (backend: Backend) => Promise<T>): Promise<T> {
  const backend = await openBackend(command.optsWithGlobals<BackendOptions>());
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

/** For commands that only make sense in one mode: a usage error that says what to use instead. */
export function requireDirect(backend: Backend, instead: string): void {
  if (backend.kind !== 'direct') throw new CommandFailure(`this command runs the work in this process and needs direct mode (--direct); against ${backend.description}, ${instead}`, EXIT_USAGE);
}
