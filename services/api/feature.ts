// The API as a feature of a ulm process (services/features.ts): builds the app from the
// runtime's configuration (Keystone token validation with [keystone_authtoken], the policy
// file of [api] policy_file) and listens on [api] bind_host:bind_port.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { VERSION } from '../version.js';
import { ValidationError } from '../../core/validation.js';
import { CloudConfigError } from '../../openstack/errors.js';
import { HttpClient } from '../../openstack/http.js';
import { KeystoneSession } from '../../openstack/keystone.js';
import { listOptions, sourceOf, type Config } from '../config/index.js';
import type { Engine } from '../../core/api/engine.js';
import type { RunningFeature } from '../running-feature.js';
import { serviceCloudConfig, type Runtime } from '../runtime.js';
import { createApiApp, type ApiAppOptions, type ApiAuthentication } from './app.js';
import { FilePolicy, resolvePolicyFile } from './auth/policy.js';
import { KeystonePasswordLogin } from './auth/keystone-login.js';
import { CachingTokenValidator, KeystoneTokenValidator } from './auth/tokens.js';

export const AUTH_STRATEGIES = ['keystone', 'noauth'] as const;
export type AuthStrategy = (typeof AUTH_STRATEGIES)[number];

/**
 * `[api] auth_strategy`. The option belongs in services/config/options.ts (see the API's
 * report); until it is there, keystone, which is the only safe choice anyway.
 */
export function authStrategyOf(config: Config): AuthStrategy {
  const value = (config.api as Record<string, unknown>).auth_strategy;
  if (value === undefined) return 'keystone';
  if (value === 'keystone' || value === 'noauth') return value;
  throw new ValidationError('invalid configuration', [{ path: '[api] auth_strategy', message: `${JSON.stringify(value)} is not one of ${AUTH_STRATEGIES.join(', ')}` }]);
}

export interface AuthenticationOptions {
  logger: Logger;
  /** Environment for clouds.yaml / OS_* when [keystone_authtoken] names no credentials. */
  env?: Record<string, string | undefined>;
  /** clouds.yaml entry to use then (ulm serve --os-cloud). */
  cloudName?: string;
  /** The HTTP layer to Keystone (tests count the calls). */
  http?: HttpClient;
}

/** Keystone token validation (cached for [keystone_authtoken] token_cache_time) and the panel's login, or noauth. */
export function apiAuthenticationFromConfig(config: Config, options: AuthenticationOptions): ApiAuthentication {
  if (authStrategyOf(config) === 'noauth') return { strategy: 'noauth' };
  let cloud;
  try {
    cloud = serviceCloudConfig(config, { env: options.env, cloudName: options.cloudName });
  } catch (error) {
    if (!(error instanceof CloudConfigError)) throw error;
    throw new ValidationError('ulm-api cannot validate tokens', [{
      path: config.keystone_authtoken.auth_url ? `[keystone_authtoken] ${error.field.replace(/^auth\./, '')}` : error.field,
      message: `${error.message.slice(error.field.length + 2)}; ulm-api validates callers' tokens with the service user of [keystone_authtoken] (auth_url, username, password, project_name), or else with the cloud of clouds.yaml / OS_*`,
    }]);
  }
  const http = options.http ?? new HttpClient({ logger: options.logger, tls: cloud.tls, timeoutMs: cloud.api_timeout_ms ?? 15_000, userAgent: `ulm-api/${VERSION}` });
  const session = new KeystoneSession(cloud, http);
  return {
    strategy: 'keystone',
    tokens: new CachingTokenValidator(new KeystoneTokenValidator(session), { ttlSeconds: config.keystone_authtoken.token_cache_time }),
    wwwAuthenticateUri: config.keystone_authtoken.www_authenticate_uri || cloud.auth.auth_url,
    // The panel's login asks the Keystone that validates the tokens, so its tokens are accepted.
    login: new KeystonePasswordLogin(session.identityUrl, http),
  };
}

/** The configuration files the loaded configuration came from (policy_file is looked up next to them). */
export function configurationFilesOf(config: Config): string[] {
  const files = new Set<string>();
  for (const { section, name } of listOptions()) {
    const source = sourceOf(config, section, name);
    const file = source && /^(.*):\d+$/.exec(source)?.[1];
    if (file) files.add(file);
  }
  return [...files];
}

/** `[api] policy_file` as a path: next to the configuration files, else where oslo looks (~/.ulm, /etc/ulm). */
export function policyFileOf(config: Config): string | null {
  const places = [...configurationFilesOf(config), join(homedir(), '.ulm', 'ulm.conf'), '/etc/ulm/ulm.conf'];
  return resolvePolicyFile(config.api.policy_file, places);
}

/** Everything createApiApp needs, from the configuration. */
export function apiOptionsFromConfig(config: Config, edges: { engine: Engine; logger: Logger } & Omit<AuthenticationOptions, 'logger'>): ApiAppOptions {
  const file = policyFileOf(config);
  edges.logger.info({ policy_file: file }, 'ulm-api policy: the built-in rules, overridden by the policy file when it exists');
  return {
    engine: edges.engine,
    logger: edges.logger,
    auth: apiAuthenticationFromConfig(config, edges),
    policy: new FilePolicy({ file, logger: edges.logger }),
  };
}

export async function startApi(runtime: Runtime, options: { host?: string; port?: number } = {}): Promise<RunningFeature> {
  const config = runtime.config;
  const app = createApiApp(apiOptionsFromConfig(config, { engine: runtime.engine, logger: runtime.logger, cloudName: runtime.cloudName }));
  const host = options.host ?? config.api.bind_host;
  await app.listen({ host, port: options.port ?? config.api.bind_port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? config.api.bind_port;
  const where = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  if (config.api.workers > 1) runtime.logger.warn({ workers: config.api.workers }, '[api] workers > 1 is not supported yet: one process serves the API');
  return {
    name: 'api',
    description: `api: REST API on ${where} (${authStrategyOf(config) === 'noauth' ? 'NO AUTHENTICATION: development only' : 'Keystone tokens'})`,
    stop: () => app.close(),
    port,
  };
}
