// ulm-api for route-level tests: the real app over the Engine test double, with a token
// validator double that knows a few tokens (admin, reader, member, none), and the log lines kept.
import { createApiApp, type ApiApp, type ApiAppOptions } from '../../services/api/app.js';
import type { PolicyEnforcer } from '../../services/api/auth/policy.js';
import type { Caller, TokenValidator } from '../../services/api/auth/tokens.js';
import { createLogger } from '../../openstack/logger.js';
import { EngineDouble } from './engine-double.js';

export const WWW_AUTHENTICATE_URI = 'http://keystone.test:5000/v3';

/** The tokens the validator double knows, by the roles their caller has. */
export const TOKENS = {
  admin: 'token-admin',
  /** reader on the system scope: reads the whole cloud. */
  reader: 'token-reader',
  /** reader on a project only (Nova's project reader): refused ulm's cloud-wide records. */
  projectReader: 'token-project-reader',
  member: 'token-member',
  nothing: 'token-no-roles',
} as const;

export function caller(name: string, roles: string[]): Caller {
  return {
    user_id: `user-${name}`, user_name: name, user_domain_id: 'default', project_id: 'project-ops', project_name: 'ops',
    domain_id: null, system_scope: null, roles, expires_at: Date.now() + 3_600_000,
  };
}

/** Keystone's answers, with its default implied roles (admin > member > reader) as a real token carries them. */
export class TokenValidatorDouble implements TokenValidator {
  readonly validated: string[] = [];
  readonly callers = new Map<string, Caller>([
    [TOKENS.admin, caller('alice', ['admin', 'member', 'reader'])],
    [TOKENS.reader, { ...caller('rita', ['reader']), project_id: null, project_name: null, system_scope: 'all' }],
    [TOKENS.projectReader, caller('pia', ['reader'])],
    [TOKENS.member, caller('max', ['member', 'reader'])],
    [TOKENS.nothing, caller('nemo', [])],
  ]);

  async validate(token: string): Promise<Caller | null> {
    this.validated.push(token);
    return this.callers.get(token) ?? null;
  }
}

export interface TestApi {
  app: ApiApp;
  engine: EngineDouble;
  tokens: TokenValidatorDouble;
  /** Every log line, parsed. */
  logs: Array<Record<string, unknown>>;
}

export interface TestApiOptions {
  /** noauth instead of the token double. */
  noauth?: boolean;
  policy?: PolicyEnforcer;
  panelDirectory?: string | null;
  engine?: EngineDouble;
  extra?: Partial<ApiAppOptions>;
}

export function testApi(options: TestApiOptions = {}): TestApi {
  const engine = options.engine ?? new EngineDouble();
  const tokens = new TokenValidatorDouble();
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>); } } });
  const app = createApiApp({
    engine,
    auth: options.noauth ? { strategy: 'noauth' } : { strategy: 'keystone', tokens, wwwAuthenticateUri: WWW_AUTHENTICATE_URI },
    logger,
    panelDirectory: options.panelDirectory ?? null,
    ...(options.policy ? { policy: options.policy } : {}),
    ...options.extra,
  });
  return { app, engine, tokens, logs };
}

/** Headers of an admin request with a JSON body. */
export const ADMIN = { 'x-auth-token': TOKENS.admin } as const;

/** The error body every 4xx/5xx carries. */
export interface ErrorAnswer {
  error: { code: number; title: string; message: string; issues: { path: string; message: string }[]; request_id: string };
}
