// Logging in to the panel as one logs in to Horizon: the browser sends a user name and password
// to ulm-api, which asks Keystone for a token scoped to a project, or to the system for a system
// reader or admin (password method), and hands the token back; the browser never talks to
// Keystone. Logging out revokes the token in Keystone.
import { AuthenticationError, CloudConfigError, OpenStackConnectionError, OpenStackHttpError } from '../../../openstack/errors.js';
import type { HttpClient } from '../../../openstack/http.js';
import { AuthenticationUnavailable } from '../errors.js';
import type { LoginSession, NamedInDomain } from '../../../core/api/records.js';

/** What the login form sends (POST /v1/auth/login). */
export interface LoginRequest {
  username: string;
  password: string;
  /** The project to scope the token to; absent with system_scope. */
  project_name?: string;
  /** "all": a token scoped to the system instead of a project (Keystone's `--os-system-scope all`). */
  system_scope?: 'all';
  /** Default "Default", Keystone's default domain, as Horizon's single-domain login assumes. */
  user_domain_name?: string;
  project_domain_name?: string;
}

export interface RequestContext {
  /** Sent to Keystone as X-OpenStack-Request-ID, so that both logs show the same request. */
  requestId?: string;
}

/** How ulm-api logs a user in and out (a double in the unit tests). */
export interface PasswordLogin {
  /** The session, or null when Keystone refuses the credentials or the project. */
  login(request: LoginRequest, context?: RequestContext): Promise<LoginSession | null>;
  /** Revokes the token in Keystone; a token Keystone no longer knows is not an error. */
  logout(token: string, context?: RequestContext): Promise<void>;
}

interface TokenBody {
  token?: {
    expires_at?: string;
    user?: { id?: string; name?: string; domain?: { id?: string; name?: string } };
    project?: { id?: string; name?: string; domain?: { id?: string; name?: string } };
    system?: { all?: boolean };
    roles?: Array<{ name?: string }>;
  };
}

export const DEFAULT_DOMAIN_NAME = 'Default';

/** Asks Keystone at the identity URL ulm-api already validates tokens with. */
export class KeystonePasswordLogin implements PasswordLogin {
  constructor(private readonly identityUrl: string, private readonly http: HttpClient) {}

  async login(request: LoginRequest, context: RequestContext = {}): Promise<LoginSession | null> {
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: request.username, domain: { name: request.user_domain_name ?? DEFAULT_DOMAIN_NAME }, password: request.password } },
        },
        scope: request.system_scope
          ? { system: { all: true } }
          : { project: { name: request.project_name, domain: { name: request.project_domain_name ?? DEFAULT_DOMAIN_NAME } } },
      },
    };
    let response;
    try {
      // The HTTP layer logs method, URL and status only: the password in the body is never logged.
      response = await this.http.request<TokenBody>({
        method: 'POST',
        url: `${this.identityUrl}/auth/tokens`,
        params: { nocatalog: 'true' },
        data: body,
        service: 'identity',
        // Asking for a token twice only makes two tokens: safe to retry after a lost answer.
        idempotent: true,
        globalRequestId: context.requestId,
        // 401: wrong name, password or domain; 400/403/404: a project the user has no role on, or a malformed scope.
        acceptStatus: [400, 401, 403, 404],
      });
    } catch (error) {
      throw unavailable(error);
    }
    if (response.status >= 300) return null;
    const token = response.headers['x-subject-token'];
    const found = response.data?.token;
    const scoped = request.system_scope ? found?.system?.all === true : Boolean(found?.project?.id);
    if (!token || !found?.user?.id || !scoped || !Number.isFinite(Date.parse(found.expires_at ?? ''))) {
      throw new AuthenticationUnavailable(`Keystone at ${this.identityUrl} answered the login without a usable token: is this Keystone's address?`);
    }
    return {
      token,
      expires_at: new Date(Date.parse(found.expires_at!)).toISOString(),
      user: named(found.user, request.username),
      project: request.system_scope ? null : named(found.project!, request.project_name ?? ''),
      ...(request.system_scope ? { system_scope: 'all' as const } : {}),
      roles: (found.roles ?? []).map((role) => role.name).filter((name): name is string => typeof name === 'string'),
    };
  }

  async logout(token: string, context: RequestContext = {}): Promise<void> {
    try {
      // A user may revoke its own token (Keystone's identity:revoke_token allows the token's subject).
      await this.http.request({
        method: 'DELETE',
        url: `${this.identityUrl}/auth/tokens`,
        headers: { 'X-Auth-Token': token, 'X-Subject-Token': token },
        service: 'identity',
        globalRequestId: context.requestId,
        acceptStatus: [401, 403, 404],
      });
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function named(entry: { id?: string; name?: string; domain?: { id?: string; name?: string } }, fallbackName: string): NamedInDomain {
  return { id: entry.id ?? '', name: entry.name ?? fallbackName, domain: { id: entry.domain?.id ?? null, name: entry.domain?.name ?? null } };
}

function unavailable(error: unknown): Error {
  if (error instanceof OpenStackConnectionError || error instanceof OpenStackHttpError || error instanceof CloudConfigError || error instanceof AuthenticationError) {
    return new AuthenticationUnavailable(`ulm cannot log anyone in right now: Keystone did not answer as expected: ${error.message}`);
  }
  return error as Error;
}
