// A Keystone v3 session: authenticates with a password, a token or an application credential, scopes to a
// project, domain or the system, reuses the token and renews it before it expires, and looks up
// service endpoints in the token's catalog.
import { findEndpoint, type CatalogService } from './catalog.js';
import type { CloudConfig } from './config.js';
import { AuthenticationError, CloudConfigError, OpenStackHttpError } from './errors.js';
import type { HttpClient } from './http.js';

export interface KeystoneSessionOptions {
  /** Renew this long before expiry, so that no request starts with a token about to lapse. */
  renewBeforeMs?: number;
  now?: () => number;
  /** Sent with every request of this session (see HttpRequest.globalRequestId). */
  globalRequestId?: string;
}

interface Token {
  value: string;
  expiresAt: number;
  catalog: CatalogService[];
  projectId?: string;
  userId?: string;
}

interface TokenBody {
  token: {
    expires_at: string;
    catalog?: CatalogService[];
    project?: { id: string; name?: string };
    user?: { id: string; name?: string };
  };
}

/** The v3 base of an auth_url: `.../v3` kept, a bare Keystone address gets `/v3` (as version discovery would pick). */
export function identityBaseUrl(authUrl: string): string {
  const trimmed = authUrl.replace(/\/+$/, '');
  if (/\/v3$/.test(trimmed)) return trimmed;
  if (/\/v2\.0$/.test(trimmed)) throw new CloudConfigError('auth.auth_url', `"${authUrl}" is a Keystone v2.0 address; ulm speaks v3: use the same address ending in /v3`);
  return `${trimmed}/v3`;
}

/** The POST /v3/auth/tokens body for the configured method and scope. */
export function authRequestBody(config: CloudConfig): unknown {
  const auth = config.auth;
  const domain = (id: string | undefined, name: string | undefined) => (id ? { id } : name ? { name } : auth.default_domain ? { id: auth.default_domain } : undefined);
  if (config.auth_type === 'v3applicationcredential') {
    const credential: Record<string, unknown> = { secret: auth.application_credential_secret };
    if (auth.application_credential_id) credential.id = auth.application_credential_id;
    else {
      credential.name = auth.application_credential_name;
      credential.user = auth.user_id ? { id: auth.user_id } : { name: auth.username, domain: domain(auth.user_domain_id, auth.user_domain_name) };
    }
    // An application credential carries its own scope: Keystone refuses another one.
    return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
  }
  let scope: unknown;
  if (auth.system_scope) scope = { system: { all: true } };
  else if (auth.project_id) scope = { project: { id: auth.project_id } };
  else if (auth.project_name) scope = { project: { name: auth.project_name, domain: domain(auth.project_domain_id, auth.project_domain_name) } };
  else if (auth.domain_id || auth.domain_name) scope = { domain: auth.domain_id ? { id: auth.domain_id } : { name: auth.domain_name } };
  // v3token: an existing token, exchanged for one with this scope (and a catalog).
  if (config.auth_type === 'v3token') return { auth: { identity: { methods: ['token'], token: { id: auth.token } }, ...(scope ? { scope } : {}) } };
  const user = auth.user_id
    ? { id: auth.user_id, password: auth.password }
    : { name: auth.username, domain: domain(auth.user_domain_id, auth.user_domain_name), password: auth.password };
  return { auth: { identity: { methods: ['password'], password: { user } }, ...(scope ? { scope } : {}) } };
}

export class KeystoneSession {
  readonly identityUrl: string;
  private token: Token | undefined;
  private pending: Promise<Token> | undefined;
  private readonly renewBeforeMs: number;
  private readonly now: () => number;
  readonly globalRequestId: string | undefined;

  constructor(readonly config: CloudConfig, readonly http: HttpClient, options: KeystoneSessionOptions = {}) {
    this.identityUrl = identityBaseUrl(config.auth.auth_url);
    this.renewBeforeMs = options.renewBeforeMs ?? 120_000;
    this.now = options.now ?? Date.now;
    this.globalRequestId = options.globalRequestId;
  }

  /** A valid token: the current one, or a new one when it is near its expiry or was rejected. */
  async authToken(): Promise<string> {
    return (await this.validToken()).value;
  }

  /** After a service answered 401 to this token: forget it, so the next call authenticates again. */
  invalidate(tokenValue: string): void {
    if (this.token?.value === tokenValue) this.token = undefined;
  }

  async projectId(): Promise<string | undefined> {
    return (await this.validToken()).projectId;
  }

  /** A service's endpoint: `<type>_endpoint_override` if configured, else from the catalog. */
  async endpoint(serviceType: string): Promise<string> {
    const override = this.config.endpoint_override[serviceType];
    if (override) return override.replace(/\/+$/, '');
    const token = await this.validToken();
    const service = this.config.services?.[serviceType];
    return findEndpoint(token.catalog, { serviceType, interface: service?.interface ?? this.config.interface, region: service?.region_name ?? this.config.region_name });
  }

  private async validToken(): Promise<Token> {
    if (this.token && this.now() < this.token.expiresAt - this.renewBeforeMs) return this.token;
    // One authentication at a time: concurrent callers share it.
    this.pending ??= this.authenticate().finally(() => { this.pending = undefined; });
    this.token = await this.pending;
    return this.token;
  }

  private async authenticate(): Promise<Token> {
    const url = `${this.identityUrl}/auth/tokens`;
    let response;
    try {
      response = await this.http.request<TokenBody>({
        method: 'POST', url, data: authRequestBody(this.config), service: 'identity', idempotent: true,
        globalRequestId: this.globalRequestId,
      });
    } catch (error) {
      if (error instanceof OpenStackHttpError && (error.status === 401 || error.status === 403 || error.status === 400)) {
        throw new AuthenticationError(`Keystone at ${this.identityUrl} refused to authenticate ${this.who()} (HTTP ${error.status}${error.detail ? `: ${error.detail}` : ''}${error.requestId ? `, request id ${error.requestId}` : ''}); ${this.fix(error.status)}`);
      }
      throw error;
    }
    const value = response.headers['x-subject-token'];
    if (!value) throw new AuthenticationError(`Keystone at ${this.identityUrl} answered without an X-Subject-Token header: is auth_url Keystone's address?`);
    const body = response.data.token;
    const expiresAt = Date.parse(body?.expires_at ?? '');
    if (!Number.isFinite(expiresAt)) throw new AuthenticationError(`Keystone at ${this.identityUrl} answered a token without a readable expires_at`);
    return { value, expiresAt, catalog: body.catalog ?? [], projectId: body.project?.id, userId: body.user?.id };
  }

  private who(): string {
    const auth = this.config.auth;
    if (this.config.auth_type === 'v3applicationcredential') return `application credential ${auth.application_credential_id ?? auth.application_credential_name}`;
    if (this.config.auth_type === 'v3token') return 'the given token (OS_TOKEN, --os-token)';
    const scope = auth.project_name ?? auth.project_id ?? auth.domain_name ?? auth.domain_id ?? (auth.system_scope ? 'system' : undefined);
    return `user ${auth.username ?? auth.user_id}${scope ? ` (scope ${scope})` : ''}`;
  }

  private fix(status: number): string {
    if (this.config.auth_type === 'v3applicationcredential') return 'check the application credential id and secret, and that it has not expired';
    if (this.config.auth_type === 'v3token') return 'the token may have expired or been revoked: get a new one (openstack token issue)';
    if (status === 401) return 'check the user name, password and user domain (OS_USERNAME, OS_PASSWORD, OS_USER_DOMAIN_NAME or the clouds.yaml entry)';
    return 'check the project (or domain) and its domain, and that the user has a role there (OS_PROJECT_NAME, OS_PROJECT_DOMAIN_NAME)';
  }
}
