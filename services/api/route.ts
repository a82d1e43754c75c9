// How an API route is written: method, path, policy rule, the TypeBox schemas of its input and
// answers, and a handler. One table of these drives fastify, input validation, the policy
// check and the OpenAPI document, so what is documented is what is enforced.
import type { Static, TSchema, TObject, TProperties } from '@sinclair/typebox';
import { Kind } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { FastifyRequest } from 'fastify';
import { issuesOf, ValidationError, type Issue } from '../../core/validation.js';
import type { Engine } from '../../core/api/engine.js';
import type { Caller } from './auth/tokens.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ResponseDefinition {
  description: string;
  /** The JSON body's schema; absent for 204 and non-JSON answers. */
  schema?: TSchema;
  /** Other than application/json (the metrics' text format). */
  contentType?: string;
}

/** What a handler receives: the validated input, the engine and who is calling. */
export interface RouteInput<Params, Query, Body> {
  params: Params;
  query: Query;
  body: Body;
  engine: Engine;
  /** Who called: null on public routes (no token asked for). */
  caller: Caller | null;
  request: FastifyRequest;
}

/** What a handler answers: a status and a body (JSON unless contentType says otherwise). */
export interface RouteResult {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteDefinition<Params extends TSchema, Query extends TSchema, Body extends TSchema> {
  method: HttpMethod;
  /** OpenAPI style: `/v1/policies/{policy}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** The OpenAPI tag (the resource). */
  tag: string;
  /** The policy rule checked before anything else; null: public, no token needed. */
  rule: string | null;
  params?: Params;
  query?: Query;
  body?: Body;
  /** The body may be left out altogether (approve, start, cancel take none). */
  bodyOptional?: boolean;
  responses: Record<number, ResponseDefinition>;
  handler: (input: RouteInput<Static<Params>, Static<Query>, Static<Body>>) => Promise<RouteResult>;
}

/** A route with its schemas compiled once, ready to register. */
export interface ApiRoute {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  rule: string | null;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  bodyOptional: boolean;
  responses: Record<number, ResponseDefinition>;
  /** Validates and converts the raw input; throws ValidationError naming every bad field. */
  readInput(request: FastifyRequest): { params: unknown; query: unknown; body: unknown };
  handle(input: RouteInput<unknown, unknown, unknown>): Promise<RouteResult>;
}

type EmptyObject = TObject<TProperties>;

export function defineRoute<
  Params extends TSchema = EmptyObject,
  Query extends TSchema = EmptyObject,
  Body extends TSchema = EmptyObject,
>(definition: RouteDefinition<Params, Query, Body>): ApiRoute {
  const compiled = {
    params: definition.params ? TypeCompiler.Compile(definition.params) : undefined,
    query: definition.query ? TypeCompiler.Compile(definition.query) : undefined,
    body: definition.body ? TypeCompiler.Compile(definition.body) : undefined,
  };
  return {
    method: definition.method,
    path: definition.path,
    operationId: definition.operationId,
    summary: definition.summary,
    description: definition.description,
    tag: definition.tag,
    rule: definition.rule,
    params: definition.params,
    query: definition.query,
    body: definition.body,
    bodyOptional: definition.bodyOptional ?? false,
    responses: definition.responses,
    readInput: (request) => readInput(definition as unknown as RouteDefinition<TSchema, TSchema, TSchema>, compiled, request),
    handle: (input) => definition.handler(input as RouteInput<Static<Params>, Static<Query>, Static<Body>>),
  };
}

function readInput(
  definition: RouteDefinition<TSchema, TSchema, TSchema>,
  compiled: { params?: TypeCheck<TSchema>; query?: TypeCheck<TSchema>; body?: TypeCheck<TSchema> },
  request: FastifyRequest,
): { params: unknown; query: unknown; body: unknown } {
  const issues: Issue[] = [];
  const params = request.params ?? {};
  if (compiled.params && !compiled.params.Check(params)) issues.push(...issuesOf(compiled.params, params).map(inPath('path parameter')));
  let query: unknown = request.query ?? {};
  if (definition.query && compiled.query) {
    query = convertQuery(definition.query, query as Record<string, unknown>);
    if (!compiled.query.Check(query)) issues.push(...issuesOf(compiled.query, query).map(inPath('query parameter')));
  } else {
    // A route without query parameters still says so when given some: a typo must not pass silently.
    for (const name of Object.keys(query as object)) issues.push({ path: name, message: 'is not a known field; this route takes no query parameters' });
  }
  let body: unknown = request.body;
  if (compiled.body) {
    if (body === undefined && definition.bodyOptional) body = {};
    if (body === undefined) {
      issues.push({ path: 'body', message: 'is required: send a JSON object with Content-Type: application/json' });
    } else if (!compiled.body.Check(body)) {
      issues.push(...issuesOf(compiled.body, body).map((issue) => ({ path: issue.path || 'body', message: issue.message })));
    }
  }
  if (issues.length) throw new ValidationError('invalid request', issues);
  return { params, query, body };
}

function inPath(where: string) {
  return (issue: Issue): Issue => ({ path: issue.path, message: `${issue.message} (${where})` });
}

/**
 * Query strings are text: turn `limit=5` into 5 and `dry_run=true` into true where the schema
 * says so, and nothing else (`5x`, `1e3` stay text, so that the schema names them as wrong).
 */
function convertQuery(schema: TSchema, query: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema as TObject).properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    const property = properties[name] as TSchema | undefined;
    const kind = property?.[Kind] as string | undefined;
    if (typeof value !== 'string' || !property) out[name] = value;
    else if (kind === 'Integer' && /^-?\d{1,15}$/.test(value)) out[name] = Number(value);
    else if (kind === 'Number' && /^-?\d{1,15}(\.\d+)?$/.test(value)) out[name] = Number(value);
    else if (kind === 'Boolean' && (value === 'true' || value === 'false')) out[name] = value === 'true';
    else out[name] = value;
  }
  return out;
}

/** `/v1/policies/{policy}` -> `/v1/policies/:policy` (fastify's form). */
export function fastifyPath(path: string): string {
  return path.replace(/\{([a-z_]+)\}/g, ':$1');
}

/** `/v1/policies/:policy` -> `/v1/policies/{policy}` (the form metrics and documents show). */
export function documentedPath(path: string): string {
  return path.replace(/:([a-z_]+)/g, '{$1}');
}

/** Matches a concrete path against an OpenAPI-style path (for 405 answers). */
export function pathMatches(pattern: string, path: string): boolean {
  const expression = new RegExp(`^${pattern.split(/\{[a-z_]+\}/).map(escapeRegExp).join('[^/]+')}/?$`);
  return expression.test(path);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Answers. */
export const ok = (body: unknown): RouteResult => ({ status: 200, body });
export const created = (body: unknown): RouteResult => ({ status: 201, body });
export const accepted = (body: unknown): RouteResult => ({ status: 202, body });
export const noContent = (): RouteResult => ({ status: 204 });
