// The documents about the API: the version documents (as Nova and Watcher serve them), the
// OpenAPI document (every route, the schemas the routes validate with), Prometheus metrics,
// the generated policy sample, and the panel hook.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAN_STATES } from '../../../core/plan/states.js';
import { PolicySchema } from '../../../core/policy/schema.js';
import { DEFAULT_RULES } from '../../../services/api/auth/default-policy.js';
import { POLICY_SAMPLE_PATH, renderPolicySample } from '../../../services/api/auth/policy-sample.js';
import { routeTable } from '../../../services/api/routes/index.js';
import { HOST_STATES } from '../../../services/api/schemas.js';
import { ADMIN, testApi } from '../../support/api.js';

describe('the version documents', () => {
  it('GET / lists v1 as CURRENT with a self link at the address the caller used', async () => {
    const { app } = testApi();
    const answer = await app.inject({ method: 'GET', url: '/', headers: { host: 'ulm.example.org:9328' } });
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(answer.json(), {
      versions: [{ id: 'v1', status: 'CURRENT', min_version: '1.0', max_version: '1.0', links: [{ rel: 'self', href: 'http://ulm.example.org:9328/v1' }] }],
    });
  });

  it('GET /v1 (and /v1/) shows the version with its media types', async () => {
    const { app } = testApi();
    for (const url of ['/v1', '/v1/']) {
      const body = (await app.inject({ method: 'GET', url, headers: { host: 'ulm.example.org:9328' } })).json();
      assert.equal(body.version.id, 'v1');
      assert.equal(body.version.status, 'CURRENT');
      assert.deepEqual(body.version['media-types'], [{ base: 'application/json', type: 'application/vnd.openstack.ulm.v1+json' }]);
      assert.deepEqual(body.version.links, [{ rel: 'self', href: 'http://ulm.example.org:9328/v1' }]);
    }
  });
});

describe('the OpenAPI document', () => {
  it('has every route with its method, rule, parameters, body and answers', async () => {
    const { app } = testApi();
    const document = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    assert.equal(document.openapi, '3.1.0');
    assert.equal(document.components.securitySchemes.keystone.name, 'X-Auth-Token');
    for (const route of routeTable()) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.path} is missing`);
      assert.equal(operation.operationId, route.operationId);
      assert.deepEqual(operation.security, route.rule ? [{ keystone: [] }] : []);
      if (route.rule) {
        assert.equal(operation['x-policy-rule'], route.rule);
        assert.ok(operation.responses['401'] && operation.responses['403']);
      }
      if (route.body) assert.ok(operation.requestBody.content['application/json'].schema, `${route.path}: body schema`);
      for (const name of (route.path.match(/\{([a-z_]+)\}/g) ?? []).map((part) => part.slice(1, -1))) {
        assert.ok(operation.parameters.some((parameter: { name: string; in: string; required: boolean }) => parameter.name === name && parameter.in === 'path' && parameter.required), `${route.path}: path parameter ${name}`);
      }
      const success = Object.keys(operation.responses).filter((status) => status.startsWith('2'));
      assert.equal(success.length, 1, `${route.path}: one success answer`);
    }
    assert.deepEqual(document.paths['/v1/actions'].get.parameters.map((parameter: { name: string; required: boolean }) => [parameter.name, parameter.required]), [['action_plan', true]]);
  });

  it('includes the schemas, once, and every $ref resolves', async () => {
    const { app } = testApi();
    const document = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    const schemas = document.components.schemas;
    for (const name of ['Policy', 'PowerSavingWindow', 'PolicyView', 'ActionPlanView', 'HostView', 'Error', 'AuditRequest', 'ExemptionRequest', 'TimeWindow', 'ClusterSnapshot']) {
      assert.ok(schemas[name], `components.schemas.${name}`);
    }
    assert.deepEqual(Object.keys(schemas.Policy.properties), Object.keys(PolicySchema.properties), 'the core schema itself');
    assert.equal(schemas.Policy.additionalProperties, false);
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 20);
    for (const ref of refs) {
      const name = ref.replace(/^"\$ref":"#\/components\/schemas\//, '').replace(/"$/, '');
      assert.ok(schemas[name], `${ref} resolves`);
    }
    const createPolicy = document.paths['/v1/policies'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(createPolicy.properties.document, { $ref: '#/components/schemas/Policy' });
    assert.deepEqual(createPolicy.required, ['name', 'document']);
    assert.equal(createPolicy.additionalProperties, false);
    assert.deepEqual(document.paths['/v1/audits'].post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/AuditRequest' });
    assert.deepEqual(schemas.AuditRequest.properties.document, { $ref: '#/components/schemas/Policy' }, 'an optional Policy is still the Policy');
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text: plans and hosts by state, requests by route and status, a duration histogram', async () => {
    const api = testApi();
    await api.engine.createAudit({ goal: 'consolidate' });
    await api.app.inject({ method: 'GET', url: '/v1/hosts', headers: ADMIN });
    await api.app.inject({ method: 'GET', url: '/v1/hosts/cmp-01', headers: ADMIN });
    await api.app.inject({ method: 'GET', url: '/v1/hosts/cmp-99', headers: ADMIN });
    await api.app.inject({ method: 'GET', url: '/v1/nowhere/at/all', headers: ADMIN });
    const answer = await api.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    const text = answer.body;
    for (const state of PLAN_STATES) assert.match(text, new RegExp(`^ulm_action_plans\\{state="${state}"\\} ${state === 'RECOMMENDED' ? 1 : 0}$`, 'm'));
    for (const state of HOST_STATES) assert.match(text, new RegExp(`^ulm_hosts\\{state="${state}"\\} \\d+$`, 'm'));
    assert.match(text, /^ulm_hosts\{state="active"\} 3$/m);
    assert.match(text, /^ulm_engine_up 1$/m);
    assert.match(text, /^ulm_http_requests_total\{method="GET",route="\/v1\/hosts\/\{name\}",status="200"\} 1$/m);
    assert.match(text, /^ulm_http_requests_total\{method="GET",route="\/v1\/hosts\/\{name\}",status="404"\} 1$/m);
    assert.match(text, /^ulm_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m, 'unknown paths do not make new label values');
    assert.match(text, /^# TYPE ulm_http_request_duration_seconds histogram$/m);
    assert.match(text, /^ulm_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/v1\/hosts"\} 1$/m);
    assert.match(text, /^ulm_http_request_duration_seconds_count\{method="GET",route="\/v1\/hosts\/\{name\}"\} 2$/m);
    for (const line of text.trim().split('\n').filter(Boolean)) assert.match(line, /^(# (HELP|TYPE) \S+ .+|[a-z_][a-z0-9_]*(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? ([0-9.e+-]+|Nan|[+-]Inf))$/, line);
  });

  it('carries prom-client\'s process and Node.js metrics', async () => {
    const text = (await testApi().app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
  });

  it('counts each app\'s requests in its own registry: nothing leaks from one app to another', async () => {
    const busy = testApi();
    const quiet = testApi();
    for (let index = 0; index < 3; index++) await busy.app.inject({ method: 'GET', url: '/v1/hosts', headers: ADMIN });
    await busy.app.inject({ method: 'GET', url: '/metrics' });
    const busyText = (await busy.app.inject({ method: 'GET', url: '/metrics' })).body;
    const quietText = (await quiet.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(busyText, /^ulm_http_requests_total\{method="GET",route="\/v1\/hosts",status="200"\} 3$/m);
    assert.doesNotMatch(quietText, /route="\/v1\/hosts"/);
    assert.doesNotMatch(quietText, /route="\/metrics"/, 'its first scrape is counted once answered');
  });

  it('still answers when the engine does not, with ulm_engine_up 0', async () => {
    const api = testApi();
    api.engine.failNext('status', new Error('database is locked'));
    const text = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(text, /^ulm_engine_up 0$/m);
    assert.doesNotMatch(text, /ulm_hosts\{/);
  });
});

describe('the policy sample', () => {
  it('is up to date (bash scripts/genpolicy writes it)', () => {
    assert.equal(readFileSync(POLICY_SAMPLE_PATH, 'utf8'), renderPolicySample());
  });

  it('has a default for every rule a route names, and every operation rule guards a route', () => {
    const routes = routeTable();
    const defaults = new Set(DEFAULT_RULES.map((rule) => rule.name));
    for (const route of routes) if (route.rule) assert.ok(defaults.has(route.rule), `${route.path}: ${route.rule}`);
    for (const rule of DEFAULT_RULES.filter((candidate) => candidate.name.startsWith('ulm:'))) {
      assert.ok(routes.some((route) => route.rule === rule.name), `${rule.name} guards no route`);
    }
    const sample = renderPolicySample(routes);
    assert.match(sample, /^#"ulm:policy:create": "rule:admin_api"$/m);
    assert.match(sample, /^# POST {3}\/v1\/hosts\/drain$/m);
  });
});

describe('the panel hook', () => {
  let directory: string;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'ulm-panel-'));
    mkdirSync(join(directory, 'assets'));
    writeFileSync(join(directory, 'index.html'), '<!doctype html><title>ulm</title>');
    writeFileSync(join(directory, 'assets', 'panel.js'), 'console.log("ulm")');
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

  it('serves the panel at / to a browser, and its files', async () => {
    const { app } = testApi({ panelDirectory: directory });
    const page = await app.inject({ method: 'GET', url: '/', headers: browser });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<title>ulm<\/title>/);
    const script = await app.inject({ method: 'GET', url: '/assets/panel.js' });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /^text\/javascript/);
    assert.equal(script.headers['x-content-type-options'], 'nosniff');
    const route = await app.inject({ method: 'GET', url: '/plans/plan-7', headers: browser });
    assert.match(route.body, /<title>ulm<\/title>/, 'the panel\'s own routes get index.html');
  });

  it('keeps the versions document for JSON clients, and the API and metrics to themselves', async () => {
    const { app } = testApi({ panelDirectory: directory });
    assert.ok((await app.inject({ method: 'GET', url: '/', headers: { accept: 'application/json' } })).json().versions);
    assert.ok((await app.inject({ method: 'GET', url: '/' })).json().versions, 'no Accept: JSON');
    const unknownApi = await app.inject({ method: 'GET', url: '/v1/nothing', headers: browser });
    assert.equal(unknownApi.statusCode, 404);
    assert.equal(unknownApi.json().error.code, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/missing.js' })).statusCode, 404, 'a missing file for a non-browser is a 404');
  });

  it('never serves a file outside its directory', async () => {
    const { app } = testApi({ panelDirectory: directory });
    for (const url of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/%00']) {
      const answer = await app.inject({ method: 'GET', url });
      assert.doesNotMatch(answer.body, /root:/, url);
      assert.ok(answer.statusCode === 404 || answer.statusCode === 400, `${url}: ${answer.statusCode}`);
    }
  });

  it('without a panel, a browser at / gets the versions document', async () => {
    const { app } = testApi({ panelDirectory: null });
    assert.ok((await app.inject({ method: 'GET', url: '/', headers: browser })).json().versions);
  });
});
