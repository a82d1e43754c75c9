// Who an X-Auth-Token stands for: validated against Keystone (GET /v3/auth/tokens with
// X-Subject-Token, as keystonemiddleware does), and cached so that a busy panel does not ask
// Keystone on every request.
import { createHash } from 'node:crypto';
import { OpenStackConnectionError, OpenStackHttpError, AuthenticationError, CloudConfigError } from '../../../openstack/errors.js';
import type { KeystoneSession } from '../../../openstack/keystone.js';
import { AuthenticationUnavailable } from '../errors.js';

/** The caller a valid token stands for: what policy rules look at. */
export interface Caller {
  user_id: string;
  user_name: string | null;
  user_domain_id: string | null;
  project_id: string | null;
  project_name: string | null;
  /** A domain-scoped token's domain. */
  domain_id: string | null;
  /** `all` for a system-scoped token. */
  system_scope: string | null;
  /** Role names as Keystone puts them in the token (implied roles included). */
  roles: string[];
  /** When the token expires (milliseconds since the epoch). */
  expires_at: number;
}

export interface ValidationContext {
  /** Sent to Keystone as X-OpenStack-Request-ID, so that both logs show the same request. */
  requestId?: string;
}

export interface TokenValidator {
  /** The caller, or null when the token is not valid (unknown, expired, revoked). */
  validate(token: string, context?: ValidationContext): Promise<Caller | null>;
}

interface TokenBody {
  token?: {
    expires_at?: string;
    user?: { id?: string; name?: string; domain?: { id?: string } };
    project?: { id?: string; name?: string };
    domain?: { id?: string };
    system?: Record<string, unknown>;
    roles?: Array<{ id?: string; name?: string }>;
  };
}

/** Fernet and JWS tokens are a few hundred printable characters; anything else is not worth a call. */
const PLAUSIBLE_TOKEN = /^[\x21-\x7e]{1,8192}$/;

export class KeystoneTokenValidator implements TokenValidator {
  constructor(private readonly session: KeystoneSession) {}

  async validate(token: string, context: ValidationContext = {}): Promise<Caller | null> {
    if (!PLAUSIBLE_TOKEN.test(token)) return null;
    // Once more after Keystone refused ulm's own token (expired or revoked since it was issued).
    for (let attempt = 1; attempt <= 2; attempt++) {
      const serviceToken = await this.serviceToken();
      let response;
      try {
        response = await this.session.http.request<TokenBody>({
          method: 'GET',
          url: `${this.session.identityUrl}/auth/tokens`,
          params: { nocatalog: 'true' },
          headers: { 'X-Auth-Token': serviceToken, 'X-Subject-Token': token },
          service: 'identity',
          globalRequestId: context.requestId,
          acceptStatus: [400, 401, 403, 404],
        });
      } catch (error) {
        throw unavailable(error);
      }
      if (response.status === 200) return callerOf(response.data);
      // 404: Keystone does not know the token (expired, revoked, made up); 400: not a token at all.
      if (response.status === 404 || response.status === 400) return null;
      if (response.status === 403) {
        throw new AuthenticationUnavailable(`ulm's service user may not validate tokens in Keystone (HTTP 403${response.requestId ? `, request id ${response.requestId}` : ''}); give it the service or admin role ([keystone_authtoken] username)`);
      }
      this.session.invalidate(serviceToken);
    }
    throw new AuthenticationUnavailable('Keystone refused ulm\'s own token twice: check [keystone_authtoken] credentials');
  }

  private async serviceToken(): Promise<string> {
    try {
      return await this.session.authToken();
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function unavailable(error: unknown): Error {
  if (error instanceof AuthenticationError) return new AuthenticationUnavailable(`ulm cannot validate tokens: its own Keystone credentials were refused ([keystone_authtoken]): ${error.message}`);
  if (error instanceof OpenStackConnectionError || error instanceof OpenStackHttpError || error instanceof CloudConfigError) {
    return new AuthenticationUnavailable(`ulm cannot validate tokens right now: ${error.message}`);
  }
  return error as Error;
}

function callerOf(body: TokenBody): Caller | null {
  const token = body?.token;
  const expiresAt = Date.parse(token?.expires_at ?? '');
  if (!token?.user?.id || !Number.isFinite(expiresAt)) return null;
  return {
    user_id: token.user.id,
    user_name: token.user.name ?? null,
    user_domain_id: token.user.domain?.id ?? null,
    project_id: token.project?.id ?? null,
    project_name: token.project?.name ?? null,
    domain_id: token.domain?.id ?? null,
    system_scope: token.system ? Object.keys(token.system).find((key) => token.system![key] === true) ?? null : null,
    roles: (token.roles ?? []).map((role) => role.name).filter((name): name is string => typeof name === 'string'),
    expires_at: expiresAt,
  };
}

export interface TokenCacheOptions {
  /** `[keystone_authtoken] token_cache_time`: 0 asks Keystone every time. */
  ttlSeconds: number;
  /**
   * Invalid tokens are remembered too (as keystonemiddleware does), so that a client retrying a
   * bad token does not hammer Keystone; not longer than this, so a fresh token issued by a
   * lagging Keystone replica is not refused for long.
   */
  invalidTtlSeconds?: number;
  /** Bounds memory whatever tokens clients make up. */
  maxEntries?: number;
  now?: () => number;
}

interface CacheEntry {
  caller: Caller | null;
  until: number;
}

/** Remembers validations for ttlSeconds, never past the token's own expiry. */
export class CachingTokenValidator implements TokenValidator {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<Caller | null>>();
  private readonly ttlMs: number;
  private readonly invalidTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly inner: TokenValidator, options: TokenCacheOptions) {
    this.ttlMs = options.ttlSeconds * 1000;
    this.invalidTtlMs = Math.min(this.ttlMs, (options.invalidTtlSeconds ?? 60) * 1000);
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async validate(token: string, context?: ValidationContext): Promise<Caller | null> {
    // Keyed by a digest: the cache never holds a usable token.
    const key = createHash('sha256').update(token).digest('hex');
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && now < cached.until) {
      return cached.caller && now < cached.caller.expires_at ? cached.caller : null;
    }
    if (cached) this.entries.delete(key);
    // Concurrent requests with one token share one call to Keystone.
    let validation = this.pending.get(key);
    if (!validation) {
      validation = this.inner.validate(token, context).finally(() => this.pending.delete(key));
      this.pending.set(key, validation);
      validation.then((caller) => this.remember(key, caller), () => undefined);
    }
    const caller = await validation;
    return caller && this.now() < caller.expires_at ? caller : null;
  }

  /** How many validations are remembered (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private remember(key: string, caller: Caller | null): void {
    if (this.ttlMs <= 0) return;
    const now = this.now();
    const until = caller ? Math.min(now + this.ttlMs, caller.expires_at) : now + this.invalidTtlMs;
    if (until <= now) return;
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { caller, until });
  }
}

/** With `[api] auth_strategy = noauth` every caller is this admin (development only). */
export const NOAUTH_CALLER: Caller = {
  user_id: 'noauth', user_name: 'noauth', user_domain_id: null, project_id: null, project_name: null,
  domain_id: null, system_scope: 'all', roles: ['admin', 'reader'], expires_at: Number.MAX_SAFE_INTEGER,
};
