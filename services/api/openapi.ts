// The OpenAPI 3.1 document of ulm-api, built from the route table and the very TypeBox schemas
// the routes validate with (JSON Schema 2020-12 is OpenAPI 3.1's schema language), so the
// document cannot drift from what is enforced.
import type { TObject, TSchema } from '@sinclair/typebox';
import { VERSION } from '../version.js';
import type { ApiRoute } from './route.js';
import { ErrorBodySchema, NAMED_SCHEMAS } from './schemas.js';

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  tags: { name: string; description: string }[];
}

const TAGS: Record<string, string> = {
  versions: 'API versions (no token needed).',
  auth: 'The panel\'s session: log in with Keystone credentials, log out (no token needed).',
  policies: 'Operator policies: goal, limits, exemptions.',
  windows: 'Power-saving windows of a policy.',
  audits: 'Runs of the planner on a fresh snapshot.',
  action_plans: 'Plans: preview, approve, start, cancel.',
  actions: 'The steps of an action plan.',
  hosts: 'Compute hosts: drain, undrain, maintenance.',
  maintenances: 'Scheduled maintenances of hosts: drain by a time, power off, bring back.',
  servers: 'Servers and their exemptions.',
  snapshots: 'ulm-cluster/1 snapshots of the cloud.',
  savings: 'Power saved by windows and plans.',
  status: 'ulm\'s status.',
  metrics: 'Prometheus metrics (no token needed).',
};

export function buildOpenApiDocument(routes: readonly ApiRoute[]): OpenApiDocument {
  const used = new Map<string, TSchema>();
  const convert = (schema: TSchema) => toJsonSchema(schema, used, true);
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      security: route.rule ? [{ keystone: [] }] : [],
      ...(route.rule ? { 'x-policy-rule': route.rule } : {}),
    };
    const parameters = [
      ...parametersOf(route.params, 'path', convert),
      ...parametersOf(route.query, 'query', convert),
    ];
    if (parameters.length) operation.parameters = parameters;
    if (route.body) {
      operation.requestBody = { required: !route.bodyOptional, content: { 'application/json': { schema: convert(route.body) } } };
    }
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: convert(response.schema) } } } : {}),
        ...(!response.schema && response.contentType ? { content: { [response.contentType]: { schema: { type: 'string' } } } } : {}),
      };
    }
    const error = (description: string) => ({ description, content: { 'application/json': { schema: convert(ErrorBodySchema) } } });
    if (route.params || route.query || route.body) responses['400'] = error('bad input: the issues name each field and what is expected');
    if (route.rule) {
      responses['401'] = error('no X-Auth-Token, or one Keystone does not accept (see WWW-Authenticate)');
      responses['403'] = error(`the token's roles do not satisfy policy rule ${route.rule}`);
    }
    if (route.body) responses['415'] = error('the body is not sent as application/json');
    responses.default = error('any other error, in the same shape');
    operation.responses = responses;
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = operation;
  }
  // Named schemas may refer to further named schemas: convert until no new one appears.
  const schemas: Record<string, unknown> = {};
  for (let added = true; added;) {
    added = false;
    for (const [name, schema] of [...used]) {
      if (name in schemas) continue;
      schemas[name] = toJsonSchema(schema, used, false);
      added = true;
    }
  }
  const tagNames = [...new Set(routes.map((route) => route.tag))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'ulm',
      version: VERSION,
      description: 'ulm plans and applies live migrations in an OpenStack cloud to save power: consolidation in power-saving windows, host drain and overload relief. Authenticate with a Keystone token in X-Auth-Token; roles are checked against the policy rule shown with each operation (x-policy-rule). Every error is JSON in one shape (components.schemas.Error).',
    },
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: { keystone: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'A Keystone token (openstack token issue).' } },
    },
    tags: tagNames.map((name) => ({ name, description: TAGS[name] ?? name })),
  };
}

function parametersOf(schema: TSchema | undefined, where: 'path' | 'query', convert: (schema: TSchema) => unknown): unknown[] {
  if (!schema) return [];
  const object = schema as TObject;
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(property.description ? { description: property.description } : {}),
    schema: convert(property),
  }));
}

/** Named schemas by their JSON text: Type.Optional() copies a schema, so identity alone misses it. */
let namesByText: Map<string, string> | undefined;

function nameOf(schema: TSchema): string | undefined {
  const named = NAMED_SCHEMAS.get(schema);
  if (named || schema.type !== 'object') return named;
  namesByText ??= new Map([...NAMED_SCHEMAS].map(([known, name]) => [JSON.stringify(known), name]));
  return namesByText.get(JSON.stringify(schema));
}

/**
 * A plain JSON copy of a TypeBox schema (its symbols dropped), with named schemas replaced by
 * `$ref`s to components (except at the top of a component's own definition).
 */
function toJsonSchema(schema: TSchema, used: Map<string, TSchema>, refer: boolean): unknown {
  const name = nameOf(schema);
  if (name && refer) {
    used.set(name, schema);
    return { $ref: `#/components/schemas/${name}` };
  }
  const copy = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(copy);
    if (value && typeof value === 'object') {
      if (nameOf(value as TSchema)) return toJsonSchema(value as TSchema, used, true);
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, copy(inner)]));
    }
    return value;
  };
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, copy(value)]));
}
