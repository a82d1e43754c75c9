// Bad input never reaches a 500: for every POST and PATCH route, bodies generated from the
// route's own schema (wrong types, nulls, missing required fields, unknown fields, huge strings,
// arrays for objects, at every depth), whole bodies of the wrong kind, broken JSON, wrong
// content types, and random JSON (fast-check, fixed seed). Each is refused with a 4xx in the one
// error shape, naming the field; random query strings and path segments never reach a 500 either.
import { strict as assert } from 'node:assert';
import { Kind, type TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { ApiRoute } from '../../../services/api/route.js';
import { routeTable } from '../../../services/api/routes/index.js';
import { ADMIN, testApi, type ErrorAnswer, type TestApi } from '../../support/api.js';
import { SERVER_IDS } from '../../support/engine-double.js';

const RICH_POLICY = {
  goal: 'consolidate', drain_hosts: ['cmp-04'], max_host_cpu: 0.8, max_host_memory: 0.9, spare_capacity_hosts: 1,
  max_parallel_migrations: 2, max_parallel_per_host: 1, max_migrations: 10, min_hosts_freed: 1, cooldown_minutes: 30,
  power_off: false, disabled_reason: 'ulm: consolidated', anti_affinity_tag_prefix: 'anti-affinity:',
  exemptions: [{ name: 'databases', servers: ['vm-01'], metadata: { role: 'db' }, tags: ['pinned'], not_during: [{ days: ['mon'], start: '08:00', end: '18:00', timezone: 'UTC' }] }],
  metrics: { statistic: 'p95', window_minutes: 60, granularity_seconds: 60, max_age_minutes: 15, missing: 'refuse' },
  overload: { cpu_threshold: 0.95, memory_threshold: 0.97, samples: 3, window: 5 },
};

const RICH_WINDOW = {
  name: 'nights', opens: 'weekdays 20:00', closes: '06:00', timezone: 'Europe/Berlin', holidays: ['2026-12-25'], off_days: ['sat', 'sun'],
  auto_apply: false, stop_new_waves_minutes: 30, restore_minutes: 30, rebalance_on_restore: false, missed: 'catch_up', enabled: true,
};

interface Ids { planId: string; approvedPlanId: string }

/** A body each route accepts, and its URL: the mutations start from here. */
const VALID: Record<string, (ids: Ids) => { url: string; body: Record<string, unknown> }> = {
  createPolicy: () => ({ url: '/v1/policies', body: { name: 'nightly-2', description: 'nights', document: RICH_POLICY } }),
  validatePolicy: () => ({ url: '/v1/policies/validate', body: { document: RICH_POLICY } }),
  updatePolicy: () => ({ url: '/v1/policies/nightly', body: { name: 'nightly-3', description: 'nights', document: RICH_POLICY } }),
  createWindow: () => ({ url: '/v1/windows', body: { policy: 'nightly', window: RICH_WINDOW } }),
  createAudit: () => ({ url: '/v1/audits', body: { policy: 'nightly', goal: 'consolidate', drain_hosts: ['cmp-01'], approve: false, start: false, triggered_by: 'operator', window_id: null } }),
  approveActionPlan: (ids) => ({ url: `/v1/action_plans/${ids.planId}/approve`, body: {} }),
  startActionPlan: (ids) => ({ url: `/v1/action_plans/${ids.approvedPlanId}/start`, body: { stop_new_waves_at: '2026-11-23T06:30:00Z' } }),
  cancelActionPlan: (ids) => ({ url: `/v1/action_plans/${ids.planId}/cancel`, body: {} }),
  drainHosts: () => ({ url: '/v1/hosts/drain', body: { hosts: ['cmp-01'], dry_run: true } }),
  undrainHosts: () => ({ url: '/v1/hosts/undrain', body: { hosts: ['cmp-04'], rebalance: false } }),
  scheduleMaintenance: () => ({ url: '/v1/maintenances', body: { hosts: ['cmp-01'], at: '2026-11-22T22:00:00+01:00', until: '2026-11-23T06:00:00+01:00', power_off: true } }),
  startHostMaintenance: () => ({ url: '/v1/hosts/cmp-02/maintenance', body: {} }),
  createServerExemption: () => ({ url: `/v1/servers/${SERVER_IDS[0]}/exemptions`, body: { kind: 'windows', windows: [{ days: ['mon'], start: '08:00', end: '18:00', timezone: 'Europe/Berlin' }], reason: 'office hours' } }),
  collectSnapshot: () => ({ url: '/v1/snapshots', body: { policy: 'nightly' } }),
};

async function prepared(): Promise<{ api: TestApi; ids: Ids }> {
  const api = testApi();
  await api.engine.createPolicy({ name: 'nightly', document: { goal: 'consolidate' } });
  const recommended = await api.engine.createAudit({ policy: 'nightly' });
  const approved = await api.engine.createAudit({ policy: 'nightly', approve: true });
  return { api, ids: { planId: recommended.action_plan!.id, approvedPlanId: approved.action_plan!.id } };
}

// ---- mutations generated from a schema ----

type Segment = string | number;

interface Field {
  path: Segment[];
  schema: TSchema;
  required: boolean;
}

/** Every field of a body schema, depth first: object properties and the first item of arrays. */
function fieldsOf(schema: TSchema, prefix: Segment[] = [], depth = 0): Field[] {
  if (depth > 5) return [];
  const out: Field[] = [];
  if (schema[Kind] === 'Object') {
    const required = new Set<string>((schema.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
      const path = [...prefix, name];
      out.push({ path, schema: property, required: required.has(name) }, ...fieldsOf(property, path, depth + 1));
    }
  } else if (schema[Kind] === 'Array') {
    const path = [...prefix, 0];
    out.push({ path, schema: schema.items as TSchema, required: false }, ...fieldsOf(schema.items as TSchema, path, depth + 1));
  }
  return out;
}

/** `document.exemptions[0].not_during[0].start`: how the API names a field. */
function pathText(path: Segment[]): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index ? `.${segment}` : segment)).join('');
}

function isNullable(schema: TSchema): boolean {
  return Array.isArray(schema.anyOf) && (schema.anyOf as TSchema[]).some((option) => option.type === 'null');
}

/** Values of the wrong kind for a field (never one it accepts). */
function wrongValues(schema: TSchema): unknown[] {
  const values: unknown[] = isNullable(schema) ? [] : [null];
  if (Array.isArray(schema.anyOf)) {
    const members = (schema.anyOf as TSchema[]).filter((option) => option.type !== 'null');
    if (members.every((option) => option.const !== undefined)) return [...values, 42, 'certainly-not-one-of-them', [], {}];
    // `X or null`: what X refuses (null aside, which the union accepts).
    if (members.length === 1) return [...values, ...wrongValues(members[0]).filter((value) => value !== null)];
    return values;
  }
  switch (schema.type) {
    case 'string': return [...values, 12345, true, ['text'], { text: 'x' }];
    case 'integer': return [...values, '12', 1.5, true, [1], {}];
    case 'number': return [...values, '0.5', false, [0.5], {}];
    case 'boolean': return [...values, 'true', 1, [], {}];
    case 'array': return [...values, {}, 'item', 7];
    case 'object': return [...values, [], 'object', 7, true];
    default: return values;
  }
}

function setAt(root: Record<string, unknown>, path: Segment[], value: unknown, remove = false): Record<string, unknown> {
  const copy = structuredClone(root);
  let node: Record<string | number, unknown> = copy;
  path.slice(0, -1).forEach((segment, index) => {
    // A parent the valid body lacks: an empty object (or array) of the right kind.
    if (node[segment] === undefined || node[segment] === null || typeof node[segment] !== 'object') node[segment] = typeof path[index + 1] === 'number' ? [] : {};
    if (Array.isArray(node[segment]) && typeof path[index + 1] === 'number' && (node[segment] as unknown[]).length === 0) (node[segment] as unknown[]).push({});
    node = node[segment] as Record<string | number, unknown>;
  });
  const last = path[path.length - 1];
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

/** A refusal: 4xx, never 500, the one error shape, and (when given) the field named. */
function assertRefused(answer: LightMyRequestResponse, what: string, field?: string): void {
  assert.ok(answer.statusCode >= 400 && answer.statusCode < 500, `${what}: expected a 4xx, got ${answer.statusCode} ${answer.body.slice(0, 300)}`);
  const body = answer.json() as ErrorAnswer;
  assert.equal(body.error?.code, answer.statusCode, `${what}: the error shape`);
  assert.ok(Array.isArray(body.error.issues) && typeof body.error.request_id === 'string', `${what}: the error shape`);
  if (field !== undefined) {
    const named = body.error.issues.some((issue) => issue.path === field || issue.path.startsWith(`${field}.`) || issue.path.startsWith(`${field}[`)) || body.error.message.includes(field);
    assert.ok(named, `${what}: the answer does not name ${field}: ${JSON.stringify(body.error)}`);
  }
}

/** Whatever the outcome, never a 500, and errors in the one shape. */
function assertNot500(answer: LightMyRequestResponse, what: string): void {
  assert.ok(answer.statusCode < 500, `${what}: got ${answer.statusCode} ${answer.body.slice(0, 300)}`);
  if (answer.statusCode >= 400) assert.equal((answer.json() as ErrorAnswer).error.code, answer.statusCode, `${what}: the error shape`);
}

const bodyRoutes = routeTable().filter((route) => route.body);

function send(api: TestApi, route: ApiRoute, url: string, payload: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const options: InjectOptions = { method: route.method, url, headers: { ...ADMIN, 'content-type': 'application/json', ...headers } };
  if (payload !== undefined) options.payload = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return api.app.inject(options);
}

describe('ulm-api refuses malformed bodies with a 4xx naming the field, never a 500', function () {
  this.timeout(120_000);

  it('has a valid body for every route that takes one', () => {
    assert.deepEqual(bodyRoutes.map((route) => route.operationId).filter((id) => !VALID[id]), []);
  });

  for (const route of bodyRoutes) {
    describe(`${route.method} ${route.path}`, () => {
      it('accepts the valid body the mutations start from', async () => {
        const { api, ids } = await prepared();
        const { url, body } = VALID[route.operationId](ids);
        const answer = await send(api, route, url, body);
        assert.ok(answer.statusCode < 300, `${answer.statusCode} ${answer.body}`);
      });

      it('refuses every field with a value of the wrong kind, null, missing, unknown, or too long', async () => {
        const { api, ids } = await prepared();
        const { url, body } = VALID[route.operationId](ids);
        let tried = 0;
        for (const field of fieldsOf(route.body!)) {
          const name = pathText(field.path);
          for (const value of wrongValues(field.schema)) {
            assertRefused(await send(api, route, url, setAt(body, field.path, value)), `${name} = ${JSON.stringify(value)}`, name);
            tried++;
          }
          if (field.required) {
            assertRefused(await send(api, route, url, setAt(body, field.path, undefined, true)), `${name} missing`, name);
            tried++;
          }
          if (field.schema[Kind] === 'Object') {
            const unknown = [...field.path, 'surprise_field'];
            assertRefused(await send(api, route, url, setAt(body, unknown, 1)), `${pathText(unknown)} (unknown)`, pathText(unknown));
            tried++;
          }
          if (field.schema.type === 'string') {
            const huge = 'x'.repeat(100_000);
            const answer = await send(api, route, url, setAt(body, field.path, huge));
            if (typeof field.schema.maxLength === 'number' || field.schema.pattern) assertRefused(answer, `${name} = 100 000 characters`, name);
            else assertNot500(answer, `${name} = 100 000 characters`);
            tried++;
          }
        }
        const unknown = await send(api, route, url, { ...body, surprise_field: true });
        assertRefused(unknown, 'an unknown top-level field', 'surprise_field');
        if (Object.keys((route.body as TSchema).properties ?? {}).length) assert.ok(tried >= 4, `only ${tried} mutations generated`);
      });

      it('refuses bodies that are not an object, broken JSON and wrong content types', async () => {
        const { api, ids } = await prepared();
        const { url } = VALID[route.operationId](ids);
        for (const payload of [[], [{}], 'a string', 42, true, null]) {
          assertRefused(await send(api, route, url, payload), `body ${JSON.stringify(payload)}`, 'body');
        }
        const broken = ['{', '{"name": ', '{"a": 1,}', "{'name': 'x'}", '{"a": 1} trailing', '[1, 2', '{"a": tru}', '\u0000', '{"a": "\u0001"}', 'NaN', '{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"admin": true}}}'];
        for (const text of broken) assertRefused(await send(api, route, url, text), `JSON ${JSON.stringify(text)}`, 'body');
        for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
          assertRefused(await send(api, route, url, 'name=x', { 'content-type': type }), `Content-Type ${type}`, 'Content-Type');
        }
        const tooLarge = await send(api, route, url, { filler: 'x'.repeat(2 * 1024 * 1024) });
        assert.equal(tooLarge.statusCode, 413);
        assertRefused(tooLarge, 'a 2 MiB body');
        const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
        assertRefused(await send(api, route, url, deep), '5000 nested arrays', 'body');
        if (!route.bodyOptional) {
          assertRefused(await send(api, route, url, ''), 'an empty body declared as JSON', 'body');
          assertRefused(await api.app.inject({ method: route.method, url, headers: ADMIN }), 'no body at all', 'body');
        }
      });

      it('never answers 500 to random JSON, nor to random fields mixed into a valid body', async () => {
        const { api, ids } = await prepared();
        const { url, body } = VALID[route.operationId](ids);
        await fc.assert(fc.asyncProperty(fc.jsonValue(), async (value) => {
          assertNot500(await send(api, route, url, value), `body ${JSON.stringify(value).slice(0, 200)}`);
        }), { numRuns: 150, seed: 20261122 });
        await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom(...Object.keys(body), 'extra'), fc.jsonValue({ maxDepth: 3 })), async (changes) => {
          assertNot500(await send(api, route, url, { ...body, ...changes }), `body with ${JSON.stringify(changes).slice(0, 200)}`);
        }), { numRuns: 150, seed: 20261122 });
      });
    });
  }
});

describe('ulm-api never answers 500 to random query strings and path segments', function () {
  this.timeout(120_000);

  it('GET routes with query parameters', async () => {
    const { api } = await prepared();
    for (const route of routeTable().filter((candidate) => candidate.method === 'GET' && candidate.query)) {
      const names = Object.keys((route.query as TSchema).properties as object);
      await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom(...names, 'surprise'), fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer().map(String))), async (query) => {
        const text = new URLSearchParams(query).toString();
        const answer = await api.app.inject({ method: 'GET', url: `${route.path}?${text}`, headers: ADMIN });
        assertNot500(answer, `${route.path}?${text}`);
        if (Object.keys(query).includes('surprise')) assertRefused(answer, 'an unknown query parameter', 'surprise');
      }), { numRuns: 60, seed: 20261122 });
    }
  });

  it('routes with path parameters', async () => {
    const { api } = await prepared();
    for (const route of routeTable().filter((candidate) => candidate.params)) {
      await fc.assert(fc.asyncProperty(fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }), async (segment) => {
        const url = route.path.replace(/\{[a-z_]+\}/g, encodeURIComponent(segment));
        const answer = await api.app.inject({ method: route.method, url, headers: ADMIN, ...(route.body ? { payload: {} } : {}) });
        assertNot500(answer, `${route.method} ${url}`);
      }), { numRuns: 40, seed: 20261122 });
    }
  });
});
