// The API's one error shape, and how every error ulm can throw becomes an HTTP status with a
// message that names the field and the fix (a 500 says nothing but the request id).
import { STATUS_CODES } from 'node:http';
import { StateConflict } from '../../core/plan/states.js';
import { ValidationError, type Issue } from '../../core/validation.js';
import { OpenStackConnectionError, OpenStackHttpError, AuthenticationError, EndpointNotFoundError } from '../../openstack/errors.js';
import { PlanNotStartable } from '../applier/executor.js';
import { NoApplierAvailable } from '../applier/availability.js';
import { BusUnavailableError } from '../bus/bus.js';
import { AlreadyExists, HostNotHeld, NotFound } from '../db/errors.js';

/** What every error response carries, under the key `error`. */
export interface ErrorBody {
  error: {
    code: number;
    title: string;
    message: string;
    issues: Issue[];
    request_id: string;
  };
}

/** An error the API answers as it is: status, message, issues and extra headers. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: Issue[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No token, or one Keystone does not know (401 with WWW-Authenticate). */
export class AuthenticationRequired extends ApiError {
  constructor(message: string, wwwAuthenticate: string) {
    super(401, message, [], { 'WWW-Authenticate': wwwAuthenticate });
    this.name = 'AuthenticationRequired';
  }
}

/** A valid token whose roles the policy rule does not accept. */
export class Forbidden extends ApiError {
  constructor(message: string) {
    super(403, message);
    this.name = 'Forbidden';
  }
}

/** ulm cannot tell who the caller is right now (Keystone unreachable, ulm's own credentials refused). */
export class AuthenticationUnavailable extends ApiError {
  constructor(message: string) {
    super(503, message);
    this.name = 'AuthenticationUnavailable';
  }
}

/** How an error is answered, and whether it deserves a stack trace in the log. */
export interface MappedError {
  status: number;
  message: string;
  issues: Issue[];
  headers: Record<string, string>;
  /** Unexpected: logged with its stack at error level; the caller sees a generic message. */
  unexpected: boolean;
}

/** What fastify's own 4xx errors mean to an API caller (its messages name its internals). */
const FASTIFY_ERRORS: Record<string, (error: FastifyLikeError) => { status: number; message: string; issues?: Issue[] }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => ({
    status: 415,
    message: 'the body must be JSON: send it with Content-Type: application/json',
    issues: [{ path: 'Content-Type', message: 'expected application/json' }],
  }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ({
    status: 400,
    message: 'the body is empty but Content-Type says JSON: send a JSON object, e.g. {}',
    issues: [{ path: 'body', message: 'is empty: expected a JSON object' }],
  }),
  FST_ERR_CTP_BODY_TOO_LARGE: () => ({ status: 413, message: 'the body is too large: ulm-api accepts bodies up to 1 MiB' }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ({ status: 400, message: 'Content-Length does not match the body sent' }),
  FST_ERR_CTP_INVALID_JSON_BODY: () => ({ status: 400, message: 'the body is not valid JSON' }),
  FST_ERR_BAD_URL: () => ({ status: 400, message: 'the path is not a valid URL: check its percent-encoding (%XX)' }),
  FST_ERR_MAX_PARAM_LENGTH: () => ({ status: 414, message: 'a path segment is too long: names and ids are at most 255 characters' }),
  FST_ERR_ASYNC_CONSTRAINT: () => ({ status: 400, message: 'the request cannot be routed' }),
};

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message: string;
}

/** Which list to look in when a record is not found: the fix a 404 suggests. */
const WHERE_TO_LOOK: Record<string, string> = {
  policy: 'GET /v1/policies lists them',
  window: 'GET /v1/windows lists them',
  'power-saving window': 'GET /v1/windows lists them',
  audit: 'GET /v1/audits lists them',
  'action plan': 'GET /v1/action_plans lists them',
  action: 'GET /v1/actions?action_plan=ID lists them',
  host: 'GET /v1/hosts lists them',
  server: 'GET /v1/servers lists them',
  snapshot: 'GET /v1/snapshots lists them',
};

export function mapError(error: unknown): MappedError {
  const answer = (status: number, message: string, issues: Issue[] = [], headers: Record<string, string> = {}): MappedError =>
    ({ status, message, issues, headers, unexpected: false });
  if (error instanceof ApiError) return answer(error.status, error.message, error.issues, error.headers);
  if (error instanceof ValidationError) {
    const issues = error.issues.map((issue) => ({ path: issue.path || 'body', message: issue.message }));
    return answer(400, summarise(firstLine(error.message), issues), issues);
  }
  if (error instanceof NotFound) {
    const fix = WHERE_TO_LOOK[error.kind];
    return answer(404, fix ? `${error.message}; ${fix}` : error.message);
  }
  if (error instanceof AlreadyExists) return answer(409, error.message);
  if (error instanceof StateConflict || error instanceof PlanNotStartable || error instanceof HostNotHeld) return answer(409, error.message);
  // The deployment, not the request, is at fault: the message says which process to start or what to set.
  if (error instanceof NoApplierAvailable) return answer(409, error.message);
  if (error instanceof BusUnavailableError) return answer(503, `the message bus cannot be reached: ${error.message}`);
  // The cloud behind the engine: not ulm's bug, and the messages are safe to show (openstack/errors.ts).
  if (error instanceof OpenStackConnectionError) return answer(503, `the cloud cannot be reached: ${error.message}`);
  if (error instanceof OpenStackHttpError || error instanceof EndpointNotFoundError || error instanceof AuthenticationError) {
    return answer(502, `the cloud refused a request ulm made: ${error.message}`);
  }
  const fastifyError = error as FastifyLikeError;
  if (fastifyError && typeof fastifyError === 'object' && typeof fastifyError.code === 'string' && FASTIFY_ERRORS[fastifyError.code]) {
    const known = FASTIFY_ERRORS[fastifyError.code](fastifyError);
    return answer(known.status, known.message, known.issues ?? []);
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return answer(status, fastifyError.message);
  return { status: 500, message: 'ulm-api failed unexpectedly; the operator can find the cause in its log under this request id', issues: [], headers: {}, unexpected: true };
}

export function errorBody(mapped: Pick<MappedError, 'status' | 'message' | 'issues'>, requestId: string): ErrorBody {
  return {
    error: {
      code: mapped.status,
      title: STATUS_CODES[mapped.status] ?? 'Error',
      message: mapped.message,
      issues: mapped.issues,
      request_id: requestId,
    },
  };
}

/** `invalid policy: document.max_host_cpu: expected ...; name: is required ...`: the fields in the message too. */
export function summarise(what: string, issues: Issue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${issue.path}: ${issue.message}`);
  const more = issues.length > 3 ? `; and ${issues.length - 3} more (see issues)` : '';
  return shown.length ? `${what}: ${shown.join('; ')}${more}` : what;
}

/** ValidationError messages list the issues on further lines; the body has them as `issues`. */
function firstLine(message: string): string {
  const [head] = message.split('\n');
  return head.replace(/:$/, '');
}
