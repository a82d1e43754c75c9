// Resolves which cloud to talk to and how to authenticate, the way python-openstackclient reads
// it: command-line options win over OS_* variables, which win over the clouds.yaml entry
// (with secure.yaml merged into it) named by --os-cloud or OS_CLOUD.
import { homedir } from 'node:os';
import { CloudConfigError } from './errors.js';
import { findCloudsFile, findSecureFile, mergeSettings, searchedCloudsFiles, type SearchPathInputs } from './clouds-yaml.js';
import type { TlsOptions } from './http.js';

/** Keystone v3 auth settings, named as in clouds.yaml's `auth:` section. */
export interface AuthSettings {
  auth_url?: string;
  username?: string;
  user_id?: string;
  password?: string;
  user_domain_name?: string;
  user_domain_id?: string;
  project_name?: string;
  project_id?: string;
  project_domain_name?: string;
  project_domain_id?: string;
  domain_name?: string;
  domain_id?: string;
  /** OSC's --os-default-domain: the domain of the user and project when neither names one. */
  default_domain?: string;
  system_scope?: string;
  application_credential_id?: string;
  application_credential_name?: string;
  application_credential_secret?: string;
  /** auth_type v3token: an existing token, to be rescoped (OS_TOKEN, --os-token). */
  token?: string;
}

export const AUTH_TYPES = ['password', 'v3token', 'v3applicationcredential'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];
export const INTERFACES = ['public', 'internal', 'admin'] as const;
export type Interface = (typeof INTERFACES)[number];

/** Everything needed to open a Keystone session; settings named as in clouds.yaml. */
export interface CloudConfig {
  /** The clouds.yaml entry used, if any. */
  cloud?: string;
  auth_type: AuthType;
  auth: AuthSettings & { auth_url: string };
  region_name?: string;
  interface: Interface;
  tls: TlsOptions;
  /** `<service type>_endpoint_override` settings, e.g. { metric: 'https://gnocchi.example:8041' }. */
  endpoint_override: Record<string, string>;
  api_timeout_ms?: number;
  /** Per service type (compute, placement, metric): settings that differ from the cloud-wide ones. */
  services?: Record<string, ServiceClientSettings>;
  /** Where the settings came from, for messages (never the values). */
  sources: string[];
}

/** How ulm calls one service, where it differs from the cloud's settings (ulm.conf [nova], [placement], [gnocchi]). */
export interface ServiceClientSettings {
  interface?: Interface;
  region_name?: string;
  timeout_ms?: number;
  tls?: TlsOptions;
}

/** Settings as given: a clouds.yaml entry, OS_* variables or command-line options. */
export interface CloudSettings {
  auth_type?: string;
  auth?: AuthSettings;
  region_name?: string;
  interface?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  verify?: boolean;
  insecure?: boolean;
  api_timeout?: number;
  [key: string]: unknown;
}

export interface ResolveOptions {
  /** --os-cloud; falls back to OS_CLOUD. */
  cloud?: string;
  /** Command-line options (--os-*), strongest. */
  overrides?: CloudSettings;
  env?: Record<string, string | undefined>;
  cwd?: string;
  home?: string;
}

/** OS_* variable -> auth setting, as keystoneauth's loader options name them (OS_TENANT_* are v2 aliases). */
const AUTH_VARIABLES: Record<string, keyof AuthSettings> = {
  OS_AUTH_URL: 'auth_url',
  OS_USERNAME: 'username',
  OS_USER_ID: 'user_id',
  OS_PASSWORD: 'password',
  OS_USER_DOMAIN_NAME: 'user_domain_name',
  OS_USER_DOMAIN_ID: 'user_domain_id',
  OS_PROJECT_NAME: 'project_name',
  OS_TENANT_NAME: 'project_name',
  OS_PROJECT_ID: 'project_id',
  OS_TENANT_ID: 'project_id',
  OS_PROJECT_DOMAIN_NAME: 'project_domain_name',
  OS_PROJECT_DOMAIN_ID: 'project_domain_id',
  OS_DOMAIN_NAME: 'domain_name',
  OS_DOMAIN_ID: 'domain_id',
  OS_DEFAULT_DOMAIN: 'default_domain',
  OS_SYSTEM_SCOPE: 'system_scope',
  OS_APPLICATION_CREDENTIAL_ID: 'application_credential_id',
  OS_APPLICATION_CREDENTIAL_NAME: 'application_credential_name',
  OS_APPLICATION_CREDENTIAL_SECRET: 'application_credential_secret',
  OS_TOKEN: 'token',
};

/** The OS_* variables as settings (empty strings count as unset, as in OSC). */
export function settingsFromEnvironment(env: Record<string, string | undefined>): CloudSettings {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const auth: AuthSettings = {};
  for (const [name, key] of Object.entries(AUTH_VARIABLES)) {
    const found = value(name);
    if (found !== undefined && auth[key] === undefined) auth[key] = found;
  }
  const settings: CloudSettings = { auth };
  const set = (key: string, found: unknown) => { if (found !== undefined) settings[key] = found; };
  set('auth_type', value('OS_AUTH_TYPE'));
  set('region_name', value('OS_REGION_NAME'));
  set('interface', value('OS_INTERFACE') ?? value('OS_ENDPOINT_TYPE'));
  set('cacert', value('OS_CACERT'));
  set('cert', value('OS_CERT'));
  set('key', value('OS_KEY'));
  if (value('OS_INSECURE') !== undefined) settings.insecure = parseBoolean(value('OS_INSECURE')!, 'OS_INSECURE');
  if (value('OS_IDENTITY_API_VERSION') !== undefined && !/^3(\.\d+)?$/.test(value('OS_IDENTITY_API_VERSION')!)) {
    throw new CloudConfigError('OS_IDENTITY_API_VERSION', `"${value('OS_IDENTITY_API_VERSION')}" is not supported: ulm speaks Keystone v3 only; set it to 3 or unset it`);
  }
  return settings;
}

function parseBoolean(text: string, field: string): boolean {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new CloudConfigError(field, `"${text}" is not a boolean; use true or false`);
}

/** Resolves the cloud configuration; throws CloudConfigError naming the setting to fix. */
export function resolveCloudConfig(options: ResolveOptions = {}): CloudConfig {
  const env = options.env ?? process.env;
  const inputs: SearchPathInputs = { env, cwd: options.cwd ?? process.cwd(), home: options.home ?? safeHome() };
  const cloudName = options.cloud ?? (env.OS_CLOUD || undefined);
  const sources: string[] = [];
  let settings: Record<string, unknown> = {};
  if (cloudName !== undefined) {
    const file = findCloudsFile(inputs);
    const field = options.cloud !== undefined ? '--os-cloud' : 'OS_CLOUD';
    if (!file) {
      throw new CloudConfigError(field, `cloud "${cloudName}" asked for, but no clouds.yaml was found (looked at ${searchedCloudsFiles(inputs).join(', ')}); set OS_CLIENT_CONFIG_FILE to your clouds.yaml`);
    }
    const entry = file.clouds[cloudName];
    if (!entry || typeof entry !== 'object') {
      const known = Object.keys(file.clouds);
      throw new CloudConfigError(field, `cloud "${cloudName}" is not in ${file.path}; the clouds there are: ${known.length ? known.join(', ') : 'none'}`);
    }
    if (entry.profile !== undefined || entry.cloud !== undefined) {
      throw new CloudConfigError(`${file.path}: clouds.${cloudName}.profile`, 'vendor profiles (clouds-public.yaml) are not supported; write the settings into the entry');
    }
    settings = entry;
    sources.push(`clouds.yaml ${file.path} (cloud ${cloudName})`);
    const secure = findSecureFile(inputs);
    const secureEntry = secure?.clouds[cloudName];
    if (secure && secureEntry && typeof secureEntry === 'object') {
      settings = mergeSettings(settings, secureEntry);
      sources.push(`secure.yaml ${secure.path}`);
    }
  }
  const fromEnvironment = settingsFromEnvironment(env);
  if (Object.keys(fromEnvironment.auth ?? {}).length || Object.keys(fromEnvironment).length > 1) sources.push('OS_* environment variables');
  settings = mergeSettings(settings, fromEnvironment as Record<string, unknown>);
  if (options.overrides) {
    settings = mergeSettings(settings, options.overrides as Record<string, unknown>);
    sources.push('command-line options');
  }
  return finish(settings as CloudSettings, cloudName, sources);
}

function safeHome(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

function finish(settings: CloudSettings, cloudName: string | undefined, sources: string[]): CloudConfig {
  const auth: AuthSettings = { ...(settings.auth ?? {}) };
  if (!auth.auth_url) {
    throw new CloudConfigError('auth.auth_url', cloudName
      ? `is not set for cloud "${cloudName}"; add auth.auth_url to its clouds.yaml entry or set OS_AUTH_URL`
      : 'no cloud given: use --os-cloud NAME (an entry of clouds.yaml), or set OS_AUTH_URL (--os-auth-url) and the credentials (e.g. source an openrc file)');
  }
  try {
    const url = new URL(auth.auth_url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new CloudConfigError('auth.auth_url', `"${auth.auth_url}" is not an http(s) URL; use Keystone's address, e.g. https://keystone.example.com:5000/v3`);
  }
  const authType = normaliseAuthType(settings.auth_type, auth);
  // As python-openstackclient (--os-default-domain): a user or project named without its domain is in "default".
  if (!auth.default_domain) auth.default_domain = 'default';
  if (authType === 'password') {
    if (!auth.username && !auth.user_id) throw new CloudConfigError('auth.username', 'is not set; give OS_USERNAME (--os-username) or auth.username in clouds.yaml (or a user id)');
    if (!auth.password) throw new CloudConfigError('auth.password', 'is not set; give OS_PASSWORD or auth.password in clouds.yaml or secure.yaml (--os-password works too but shows in the process list)');
  } else if (authType === 'v3token') {
    if (!auth.token) throw new CloudConfigError('auth.token', 'is not set; auth type v3token needs a token: give OS_TOKEN (or --os-token), e.g. from openstack token issue');
  } else {
    if (!auth.application_credential_secret) throw new CloudConfigError('auth.application_credential_secret', 'is not set; give OS_APPLICATION_CREDENTIAL_SECRET or put it in clouds.yaml / secure.yaml');
    if (!auth.application_credential_id && !auth.application_credential_name) {
      throw new CloudConfigError('auth.application_credential_id', 'is not set; give OS_APPLICATION_CREDENTIAL_ID (or the credential\'s name with its user)');
    }
    if (!auth.application_credential_id && !auth.username && !auth.user_id) {
      throw new CloudConfigError('auth.username', 'an application credential given by name needs its user: set OS_USERNAME and OS_USER_DOMAIN_NAME, or use OS_APPLICATION_CREDENTIAL_ID');
    }
  }
  const iface = normaliseInterface(settings.interface ?? (settings.endpoint_type as string | undefined));
  const regions = settings.regions;
  let regionName = settings.region_name;
  if (!regionName && Array.isArray(regions) && regions.length === 1) {
    const only = regions[0];
    regionName = typeof only === 'string' ? only : (only as { name?: string })?.name;
  }
  const verify = settings.verify;
  const insecure = settings.insecure === true || verify === false;
  const endpointOverride: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    const match = /^(.+)_endpoint_override$/.exec(key);
    if (match && typeof value === 'string') endpointOverride[match[1].replace(/_/g, '-')] = value;
  }
  let apiTimeoutMs: number | undefined;
  if (settings.api_timeout !== undefined) {
    const seconds = Number(settings.api_timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new CloudConfigError('api_timeout', `"${settings.api_timeout}" is not a positive number of seconds`);
    apiTimeoutMs = seconds * 1000;
  }
  return {
    cloud: cloudName,
    auth_type: authType,
    auth: { ...auth, auth_url: auth.auth_url },
    region_name: regionName || undefined,
    interface: iface,
    tls: { cacert: settings.cacert || undefined, cert: settings.cert || undefined, key: settings.key || undefined, insecure },
    endpoint_override: endpointOverride,
    api_timeout_ms: apiTimeoutMs,
    sources,
  };
}

function normaliseAuthType(value: string | undefined, auth: AuthSettings): AuthType {
  if (value === undefined || value === '') {
    if (auth.token && !auth.password) return 'v3token';
    return auth.application_credential_secret && !auth.password ? 'v3applicationcredential' : 'password';
  }
  const type = value.toLowerCase();
  if (type === 'password' || type === 'v3password') return 'password';
  if (type === 'token' || type === 'v3token') return 'v3token';
  if (type === 'v3applicationcredential' || type === 'applicationcredential' || type === 'application_credential') return 'v3applicationcredential';
  throw new CloudConfigError('auth_type', `"${value}" is not supported; use "password", "v3token" or "v3applicationcredential"`);
}

function normaliseInterface(value: string | undefined): Interface {
  if (value === undefined || value === '') return 'public';
  const iface = value.toLowerCase().replace(/url$/, '');
  if ((INTERFACES as readonly string[]).includes(iface)) return iface as Interface;
  throw new CloudConfigError('interface', `"${value}" is not an endpoint interface; use public, internal or admin`);
}

/** A one-line description of the cloud for messages and logs: never a secret. */
export function describeCloud(config: CloudConfig): string {
  const who = config.auth_type === 'password'
    ? `user ${config.auth.username ?? config.auth.user_id}`
    : config.auth_type === 'v3token' ? 'a token' : `application credential ${config.auth.application_credential_id ?? config.auth.application_credential_name}`;
  const name = config.cloud ? `cloud "${config.cloud}" ` : '';
  return `${name}at ${config.auth.auth_url} as ${who}${config.region_name ? `, region ${config.region_name}` : ''}`;
}
