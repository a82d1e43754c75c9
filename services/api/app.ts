// The ulm-api application: a fastify app over the engine, with request ids, Keystone token
// authentication, policy rules, JSON errors in one shape, metrics and the panel hook. The
// process (process.ts) and the tests build it the same way, with different edges.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from '@fastify/helmet';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import { findJsonSyntaxProblem } from '../../core/json-position.js';
import { newRequestId } from '../../openstack/http.js';
import { silentLogger } from '../../openstack/logger.js';
import type { Engine } from '../../core/api/engine.js';
import type { PasswordLogin } from './auth/keystone-login.js';
import { FilePolicy, type PolicyEnforcer } from './auth/policy.js';
import { NOAUTH_CALLER, type Caller, type TokenValidator } from './auth/tokens.js';
import { ApiError, AuthenticationRequired, errorBody, Forbidden, mapError } from './errors.js';
import { HttpMetrics } from './metrics.js';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi.js';
import { defaultPanelDirectory, findPanelFile, isApiPath, PANEL_SECURITY_HEADERS } from './panel.js';
import { documentedPath, fastifyPath, pathMatches, type ApiRoute } from './route.js';
import { apiRoutes } from './routes/index.js';
import type { SessionSupport } from './routes/session.js';

/** How callers are authenticated. */
export type ApiAuthentication =
  | {
    strategy: 'keystone';
    /** Validates X-Auth-Token (KeystoneTokenValidator, usually inside a CachingTokenValidator). */
    tokens: TokenValidator;
    /** Sent in WWW-Authenticate: `Keystone uri="..."`. */
    wwwAuthenticateUri: string;
    /** How the panel logs users in (POST /v1/auth/login); absent: no login routes. */
    login?: PasswordLogin;
  }
  /** No token is asked for and every caller is admin: local development only, never a cloud. */
  | { strategy: 'noauth' };

export interface ApiAppOptions {
  /** Every operation the API offers (core/api/engine.ts). */
  engine: Engine;
  auth: ApiAuthentication;
  /** Who may do what; default: the built-in rules (auth/default-policy.ts). */
  policy?: PolicyEnforcer;
  /** Request log lines carry `request_id`; default: no logging. */
  logger?: Logger;
  /**
   * The panel hook: a directory served at `/` for non-API paths (GET / with Accept: text/html
   * gives its index.html; Accept: application/json keeps the versions document). Default:
   * `web/static` of the ulm package when it exists; null: no panel.
   */
  panelDirectory?: string | null;
  /** Largest request body accepted, in bytes; default 1 MiB. */
  bodyLimit?: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    apiRoute?: ApiRoute;
  }
  interface FastifyRequest {
    caller: Caller | null;
  }
}

/** The app createApiApp builds (fastify with ulm's pino logger). */
export type ApiApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

/** An incoming X-OpenStack-Request-ID is kept when it has oslo's form, so one id follows a request across services. */
const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : newRequestId();
}

export function createApiApp(options: ApiAppOptions): ApiApp {
  const logger = options.logger ?? silentLogger();
  const policy = options.policy ?? new FilePolicy({ file: null, logger });
  const panelDirectory = options.panelDirectory === undefined ? defaultPanelDirectory() : options.panelDirectory;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const metrics = new HttpMetrics();
  if (options.auth.strategy === 'noauth') {
    logger.warn('[api] auth_strategy = noauth: no token is asked for and every caller is admin; for local development only');
  }

  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    genReqId: (raw) => requestIdOf(raw.headers['x-openstack-request-id']),
    bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    return503OnClosing: true,
    // Errors raised before routing (a malformed URL) get the same JSON shape as every other.
    frameworkErrors: (error, request, reply) => { sendError(error, request, reply); },
  });
  app.decorateRequest('caller', null);
  // Content-Security-Policy, X-Frame-Options and their kin on every answer: the panel's pages
  // above all, and the API's JSON too (nothing it answers is meant to be framed or sniffed).
  void app.register(helmet, PANEL_SECURITY_HEADERS);

  // Only JSON bodies; anything else is answered 415 by fastify, in our shape (errors.ts).
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    const depth = nestingDepth(text);
    if (depth > MAX_NESTING) {
      const message = `is nested ${depth} levels deep; ulm's bodies need at most ${MAX_NESTING}`;
      return done(new ApiError(400, `the body ${message}`, [{ path: 'body', message }]), undefined);
    }
    parseJson(request, text, (error: Error | null, value?: unknown) => {
      if (!error) return done(null, value);
      if ((error as FastifyError).code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return done(error as FastifyError, undefined);
      done(invalidJson(text, error), undefined);
    });
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-OpenStack-Request-ID', request.id);
    // An empty body is no body, whatever Content-Type says: axios, for one, sends a form type on
    // a bodiless POST (approve, start, cancel), which would otherwise be answered 415.
    const headers = request.headers;
    if (headers['content-type'] !== undefined && headers['transfer-encoding'] === undefined && (headers['content-length'] ?? '0') === '0') {
      delete headers['content-type'];
    }
    const route = request.routeOptions.config.apiRoute;
    if (!route || route.rule === null) return;
    const caller = await authenticate(request);
    request.caller = caller;
    if (!policy.allows(route.rule, caller)) {
      request.log.info({ user_id: caller.user_id, roles: caller.roles, rule: route.rule }, 'refused by policy');
      const needed = route.method === 'GET'
        ? 'reading the cloud\'s records needs the admin role, or the reader role on the system scope (openstack role add --system all --user USER reader, then a token with --os-system-scope all); a project\'s reader may not'
        : 'this needs the admin role';
      throw new Forbidden(`policy does not allow ${route.rule} to be performed by user ${caller.user_name ?? caller.user_id} with roles [${caller.roles.join(', ')}] (${scopeOf(caller)}): ${needed}, unless [api] policy_file says otherwise`);
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const pattern = request.routeOptions.config.apiRoute ? documentedPath(request.routeOptions.url ?? '') : 'unmatched';
    metrics.observe(request.method, pattern, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error, request, reply) => { sendError(error, request, reply); });

  let openApi: OpenApiDocument | undefined;
  const routes = apiRoutes({
    metrics,
    openApiDocument: () => (openApi ??= buildOpenApiDocument(routes)),
    panelDirectory,
    onMetricsEngineError: (error) => logger.warn({ err: error }, 'metrics: the engine did not answer; ulm_engine_up is 0'),
    session: sessionSupportOf(options.auth),
  });
  for (const route of routes) {
    app.route({
      method: route.method,
      url: fastifyPath(route.path),
      config: { apiRoute: route },
      handler: async (request, reply) => {
        const input = route.readInput(request);
        const result = await route.handle({ ...input, engine: options.engine, caller: request.caller, request });
        reply.code(result.status);
        if (result.headers) reply.headers(result.headers);
        if (result.contentType) reply.type(result.contentType);
        return result.status === 204 || result.body === undefined ? reply.send() : reply.send(result.body);
      },
    });
  }

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0];
    if (panelDirectory && (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(path)) {
      const file = await findPanelFile(panelDirectory, request);
      if (file) return reply.code(200).type(file.contentType).send(file.content);
    }
    const allowed: string[] = [...new Set(routes.filter((route) => pathMatches(route.path, path)).map((route) => route.method))];
    if (allowed.length) {
      if (allowed.includes('GET')) allowed.push('HEAD');
      throw new ApiError(405, `${request.method} is not allowed on ${path}; it answers ${allowed.join(', ')}`, [], { Allow: allowed.join(', ') });
    }
    throw new ApiError(404, `there is nothing at ${request.method} ${path}; GET /v1/openapi.json lists every route`);
  });

  async function authenticate(request: FastifyRequest): Promise<Caller> {
    const auth = options.auth;
    if (auth.strategy === 'noauth') return NOAUTH_CALLER;
    const challenge = `Keystone uri="${auth.wwwAuthenticateUri}"`;
    const token = request.headers['x-auth-token'];
    if (typeof token !== 'string' || token === '') {
      throw new AuthenticationRequired('no X-Auth-Token header: get a Keystone token (openstack token issue) and send it as X-Auth-Token', challenge);
    }
    const caller = await auth.tokens.validate(token, { requestId: request.id });
    if (!caller) {
      throw new AuthenticationRequired('the X-Auth-Token is not valid: it expired, was revoked, or was not issued by this cloud\'s Keystone; get a new one (openstack token issue)', challenge);
    }
    request.log.debug({ user_id: caller.user_id, project_id: caller.project_id, roles: caller.roles }, 'authenticated');
    return caller;
  }

  return app;
}

/** The token's scope in words, for 403 messages. */
function scopeOf(caller: Caller): string {
  if (caller.system_scope) return `system scope ${caller.system_scope}`;
  if (caller.project_id) return `project ${caller.project_name ?? caller.project_id}`;
  if (caller.domain_id) return `domain ${caller.domain_id}`;
  return 'unscoped';
}

/** What the /v1/auth routes offer: the noauth notice, or Keystone login when the API can log users in. */
function sessionSupportOf(auth: ApiAuthentication): SessionSupport | null {
  if (auth.strategy === 'noauth') return { strategy: 'noauth' };
  return auth.login ? { strategy: 'keystone', login: auth.login, wwwAuthenticateUri: auth.wwwAuthenticateUri } : null;
}

/** Answers any error in the one JSON shape; only the unexpected ones are logged with their stack. */
function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = mapError(error);
  if (mapped.unexpected) request.log.error({ err: error }, 'unexpected error');
  else if (mapped.status >= 500) request.log.warn({ status: mapped.status, detail: mapped.message }, 'request failed');
  else request.log.info({ status: mapped.status, detail: mapped.message }, 'request refused');
  if (reply.sent) return;
  reply.code(mapped.status)
    .headers({ ...mapped.headers, 'X-OpenStack-Request-ID': request.id })
    .type('application/json; charset=utf-8')
    .send(errorBody(mapped, request.id));
}

/**
 * No ulm body nests more than a few levels (a policy's exemption windows are the deepest, at 6).
 * Much deeper JSON is refused before it is parsed: walking it (to validate it, to quote it in an
 * error) would exhaust the stack.
 */
const MAX_NESTING = 32;

/** The deepest nesting of arrays and objects in JSON text, strings skipped (stops counting past the limit). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (inString) {
      if (char === '\\') at++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      deepest = Math.max(deepest, ++depth);
      if (deepest > MAX_NESTING) return deepest;
    } else if (char === ']' || char === '}') {
      depth--;
    }
  }
  return deepest;
}

/** A 400 that points at the spot: `line 3, column 14: expected ',' or '}'`. */
function invalidJson(text: string, error: Error): ApiError {
  const problem = findJsonSyntaxProblem(text);
  if (!problem) {
    // Valid syntax that fastify still refused (secure-json-parse): a prototype-poisoning key.
    const reason = /prototype/i.test(error.message) || /__proto__/.test(text) ? 'it has a __proto__ or constructor.prototype key, which ulm does not accept' : 'it cannot be read as JSON';
    return new ApiError(400, `the body is refused: ${reason}`, [{ path: 'body', message: reason }]);
  }
  const where = `line ${problem.line}, column ${problem.column}`;
  return new ApiError(400, `the body is not valid JSON: ${where}: expected ${problem.expected}`, [{ path: 'body', message: `${where}: expected ${problem.expected}` }]);
}
