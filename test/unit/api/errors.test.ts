// ulm-api's one error shape: each error class the engine throws becomes its status with a
// message naming the fix; unknown routes, wrong methods, bad JSON and wrong content types are
// JSON too; the unexpected is a 500 that says only the request id (and is logged with its
// stack); every answer and every log line of a request carries its X-OpenStack-Request-ID.
import { strict as assert } from 'node:assert';
import { pino } from 'pino';
import { StateConflict } from '../../../core/plan/states.js';
import { ValidationError } from '../../../core/validation.js';
import { OpenStackConnectionError, OpenStackHttpError } from '../../../openstack/errors.js';
import { NoApplierAvailable, ensureApplierAvailable } from '../../../services/applier/availability.js';
import { PlanNotStartable } from '../../../services/applier/executor.js';
import { BusUnavailableError, InProcessBus } from '../../../services/bus/index.js';
import { AlreadyExists, AuditStateConflict, HostNotHeld, NotFound } from '../../../services/db/errors.js';
import type { Engine } from '../../../core/api/engine.js';
import { ADMIN, testApi, type ErrorAnswer } from '../../support/api.js';
import { VALID_POLICY } from '../../support/engine-double.js';

const INCOMING_ID = 'req-0b1e9a51-7c2d-4f7e-9d3a-5e6f7a8b9c0d';

function assertErrorShape(body: unknown, status: number): asserts body is ErrorAnswer {
  const error = (body as ErrorAnswer).error;
  assert.ok(error, `no "error" key in ${JSON.stringify(body)}`);
  assert.equal(error.code, status);
  assert.equal(typeof error.title, 'string');
  assert.ok(error.message.length > 0);
  assert.ok(Array.isArray(error.issues));
  assert.match(error.request_id, /^req-[0-9a-f-]{36}$/);
}

describe('ulm-api errors', () => {
  const cases: Array<{ error: Error; operation: keyof Engine; url: string; method?: 'GET' | 'POST'; payload?: unknown; status: number; message: RegExp }> = [
    { error: new NotFound('policy', 'nightly'), operation: 'getPolicy', url: '/v1/policies/nightly', status: 404, message: /policy nightly not found; GET \/v1\/policies lists them/ },
    { error: new AlreadyExists('policy', 'name', 'nightly'), operation: 'createPolicy', url: '/v1/policies', method: 'POST', payload: { name: 'nightly', document: VALID_POLICY }, status: 409, message: /already exists; choose another name/ },
    { error: new StateConflict('action plan', 'SUCCEEDED', 'APPROVED'), operation: 'approveActionPlan', url: '/v1/action_plans/p1/approve', method: 'POST', status: 409, message: /action plan is SUCCEEDED; it cannot become APPROVED/ },
    { error: new AuditStateConflict('SUCCEEDED', 'ONGOING'), operation: 'getAudit', url: '/v1/audits/a1', status: 409, message: /audit is SUCCEEDED/ },
    { error: new PlanNotStartable('action plan p1 is stale (cmp-02 went down); make a new audit instead'), operation: 'startActionPlan', url: '/v1/action_plans/p1/start', method: 'POST', status: 409, message: /stale .*make a new audit/ },
    { error: new HostNotHeld('cmp-02', 'disabled'), operation: 'submitUndrain', url: '/v1/hosts/undrain', method: 'POST', payload: { hosts: ['cmp-02'] }, status: 409, message: /was not disabled by ulm/ },
    { error: new ValidationError('invalid audit', [{ path: 'drain_hosts', message: 'is required for goal "drain"' }]), operation: 'createAudit', url: '/v1/audits', method: 'POST', payload: { goal: 'drain' }, status: 400, message: /invalid audit: drain_hosts: is required/ },
    { error: new OpenStackConnectionError({ method: 'GET', url: 'http://nova.test/v2.1/servers', code: 'ECONNREFUSED', reason: 'ECONNREFUSED', attempts: 4 }), operation: 'listServers', url: '/v1/servers', status: 503, message: /the cloud cannot be reached: .*cannot reach the service/ },
    { error: new OpenStackHttpError({ method: 'POST', url: 'http://nova.test/v2.1/servers/x/action', status: 400, detail: 'host is not up' }), operation: 'drainHosts', url: '/v1/hosts/drain', method: 'POST', payload: { hosts: ['cmp-01'] }, status: 502, message: /the cloud refused a request ulm made: .*host is not up/ },
  ];

  for (const entry of cases) {
    it(`${entry.error.name} from the engine: ${entry.status}`, async () => {
      const api = testApi();
      api.engine.failNext(entry.operation, entry.error);
      const answer = await api.app.inject({ method: entry.method ?? 'GET', url: entry.url, headers: ADMIN, ...(entry.payload !== undefined ? { payload: entry.payload as object } : {}) });
      assert.equal(answer.statusCode, entry.status, answer.body);
      const body = answer.json();
      assertErrorShape(body, entry.status);
      assert.match(body.error.message, entry.message);
    });
  }

  it('a start no applier would run is a 409 whose message names transport_url (the in-process bus of a lone ulm-api)', async () => {
    const bus = new InProcessBus({ logger: pino({ level: 'silent' }) });
    const refused = await ensureApplierAvailable(bus).then(() => undefined, (error: unknown) => error as Error);
    await bus.close();
    assert.ok(refused instanceof NoApplierAvailable, 'an in-process bus without an applier refuses');
    for (const [operation, url, payload] of [['startActionPlan', '/v1/action_plans/p1/start', undefined], ['createAudit', '/v1/audits', { goal: 'consolidate', start: true }]] as const) {
      const api = testApi();
      api.engine.failNext(operation, refused);
      const answer = await api.app.inject({ method: 'POST', url, headers: ADMIN, ...(payload ? { payload } : {}) });
      assert.equal(answer.statusCode, 409, answer.body);
      const body = answer.json();
      assertErrorShape(body, 409);
      assert.equal(body.error.message, refused.message);
      assert.match(body.error.message, /\[DEFAULT\] transport_url/);
    }
  });

  it('a broker that cannot say whether an applier listens is a 503 naming the bus', async () => {
    const api = testApi();
    api.engine.failNext('startActionPlan', new BusUnavailableError('cannot ask RabbitMQ at rabbit://ulm:***@mq:5672/ who consumes queue applier.start-plan: not connected'));
    const answer = await api.app.inject({ method: 'POST', url: '/v1/action_plans/p1/start', headers: ADMIN });
    assert.equal(answer.statusCode, 503, answer.body);
    assert.match(answer.json().error.message, /^the message bus cannot be reached: cannot ask RabbitMQ at rabbit:\/\/ulm:\*\*\*@mq:5672\//);
  });

  it('a ValidationError keeps its issues, each naming the field', async () => {
    const api = testApi();
    api.engine.failNext('createAudit', new ValidationError('invalid audit', [{ path: 'drain_hosts', message: 'is required for goal "drain"' }, { path: '', message: 'the policy is empty' }]));
    const body = (await api.app.inject({ method: 'POST', url: '/v1/audits', headers: ADMIN, payload: { goal: 'drain' } })).json();
    assert.deepEqual(body.error.issues, [{ path: 'drain_hosts', message: 'is required for goal "drain"' }, { path: 'body', message: 'the policy is empty' }]);
  });

  it('anything unexpected is a 500 that names only the request id, and is logged with its stack under that id', async () => {
    const api = testApi();
    api.engine.failNext('listHosts', new TypeError('Cannot read properties of undefined (reading \'vcpus\') at /srv/secret/path.js'));
    const answer = await api.app.inject({ method: 'GET', url: '/v1/hosts', headers: { ...ADMIN, 'x-openstack-request-id': INCOMING_ID } });
    assert.equal(answer.statusCode, 500);
    const body = answer.json();
    assertErrorShape(body, 500);
    assert.equal(body.error.request_id, INCOMING_ID);
    assert.doesNotMatch(answer.body, /vcpus|secret|TypeError/);
    const logged = api.logs.find((line) => line.msg === 'unexpected error');
    assert.ok(logged, 'the error is logged');
    assert.equal(logged.request_id, INCOMING_ID);
    assert.match(String((logged.err as { stack: string }).stack), /TypeError: Cannot read properties/);
  });

  it('an unknown route is a JSON 404 that says where the routes are listed', async () => {
    const { app } = testApi();
    const answer = await app.inject({ method: 'GET', url: '/v1/hypervisors', headers: ADMIN });
    assert.equal(answer.statusCode, 404);
    const body = answer.json();
    assertErrorShape(body, 404);
    assert.match(body.error.message, /GET \/v1\/hypervisors.*openapi\.json/);
  });

  it('a known path with the wrong method is a 405 with Allow', async () => {
    const { app } = testApi();
    const answer = await app.inject({ method: 'PUT', url: '/v1/policies/nightly', headers: ADMIN, payload: {} });
    assert.equal(answer.statusCode, 405);
    assert.equal(answer.headers.allow, 'GET, PATCH, DELETE, HEAD');
    assertErrorShape(answer.json(), 405);
    assert.equal((await app.inject({ method: 'DELETE', url: '/v1/hosts/drain', headers: ADMIN })).statusCode, 405);
  });

  it('invalid JSON is a 400 naming the line and column', async () => {
    const { app } = testApi();
    const answer = await app.inject({ method: 'POST', url: '/v1/policies', headers: { ...ADMIN, 'content-type': 'application/json' }, payload: '{\n  "name": "nightly",\n  "document": {"goal": "consolidate",}\n}' });
    assert.equal(answer.statusCode, 400);
    const body = answer.json();
    assertErrorShape(body, 400);
    assert.match(body.error.message, /line 3, column 38/);
    assert.deepEqual(body.error.issues.map((issue: { path: string }) => issue.path), ['body']);
  });

  it('a body that is not JSON is a 415 naming Content-Type', async () => {
    const { app } = testApi();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const answer = await app.inject({ method: 'POST', url: '/v1/policies', headers: { ...ADMIN, 'content-type': type }, payload: 'name=nightly' });
      assert.equal(answer.statusCode, 415, type);
      const body = answer.json();
      assertErrorShape(body, 415);
      assert.equal(body.error.issues[0].path, 'Content-Type');
    }
  });

  it('takes an empty body as no body, whatever Content-Type says (axios sends a form type on a bodiless POST)', async () => {
    const api = testApi();
    const { action_plan: plan } = await api.engine.createAudit({ goal: 'consolidate' });
    for (const type of ['application/x-www-form-urlencoded', 'application/json', 'text/plain']) {
      const answer = await api.app.inject({ method: 'POST', url: `/v1/action_plans/${plan!.id}/cancel`, headers: { ...ADMIN, 'content-type': type, 'content-length': '0' } });
      assert.notEqual(answer.statusCode, 415, type);
      assert.ok(answer.statusCode === 200 || answer.statusCode === 409, `${type}: ${answer.statusCode} ${answer.body}`);
    }
    const required = await api.app.inject({ method: 'POST', url: '/v1/policies', headers: { ...ADMIN, 'content-type': 'application/json' }, payload: '' });
    assert.equal(required.statusCode, 400);
    assert.equal(required.json().error.issues[0].path, 'body');
  });

  it('a malformed path is a JSON 400, a path segment past 255 characters a JSON 414', async () => {
    const { app } = testApi();
    const bad = await app.inject({ method: 'GET', url: '/v1/policies/%E0%A4%A', headers: ADMIN });
    assert.equal(bad.statusCode, 400);
    assertErrorShape(bad.json(), 400);
    const long = await app.inject({ method: 'GET', url: `/v1/policies/${'p'.repeat(300)}`, headers: ADMIN });
    assert.equal(long.statusCode, 414);
    assertErrorShape(long.json(), 414);
  });
});

describe('ulm-api request ids', () => {
  it('keeps an incoming req-<uuid> and answers it on success and on error', async () => {
    const { app } = testApi();
    const ok = await app.inject({ method: 'GET', url: '/v1/hosts', headers: { ...ADMIN, 'x-openstack-request-id': INCOMING_ID } });
    assert.equal(ok.headers['x-openstack-request-id'], INCOMING_ID);
    const failed = await app.inject({ method: 'GET', url: '/v1/hosts/cmp-99', headers: { ...ADMIN, 'x-openstack-request-id': INCOMING_ID } });
    assert.equal(failed.headers['x-openstack-request-id'], INCOMING_ID);
    assert.equal(failed.json().error.request_id, INCOMING_ID);
  });

  it('makes its own id when none, or one not of the form req-<uuid>, is given (a header is no place for log injection)', async () => {
    const { app } = testApi();
    for (const given of [undefined, 'req-123', 'hello\nworld', `req-${'a'.repeat(36)}`]) {
      const answer = await app.inject({ method: 'GET', url: '/v1', headers: given === undefined ? {} : { 'x-openstack-request-id': given.replace('\n', ' ') } });
      const id = String(answer.headers['x-openstack-request-id']);
      assert.match(id, /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.notEqual(id, given);
    }
  });

  it('puts the request id in every log line of the request', async () => {
    const api = testApi();
    await api.app.inject({ method: 'POST', url: '/v1/policies', headers: { ...ADMIN, 'x-openstack-request-id': INCOMING_ID }, payload: { name: 'x', document: { goal: 'nope' } } });
    const lines = api.logs.filter((line) => line.request_id === INCOMING_ID);
    assert.ok(lines.length >= 3, 'incoming request, authenticated, refused, completed');
    assert.ok(lines.some((line) => line.msg === 'request refused'));
    // No log line of this request lacks it (lines without any request id belong to no request).
    assert.ok(api.logs.every((line) => line.request_id === undefined || line.request_id === INCOMING_ID));
  });

  it('never logs the token', async () => {
    const api = testApi();
    await api.app.inject({ method: 'GET', url: '/v1/hosts', headers: ADMIN });
    await api.app.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': 'gAAAAA-not-a-real-token' } });
    assert.doesNotMatch(JSON.stringify(api.logs), /token-admin|gAAAAA-not-a-real-token/);
  });
});
