// The Engine over HTTP against a small local server: requests carry the token and one request id,
// list answers are unwrapped, and the API's errors come back as ulm's error classes (400 a usage
// error with the field paths, exit 2; 404 and 409 a failure with the API's message and request
// id, exit 1), with --debug lines that never hold the token.
import assert from 'node:assert/strict';
import { ApiEngine, apiBaseUrl, inCommandWords, UlmApiError } from '../../../cli/api-engine.js';
import { CommandFailure, EXIT_FAILED } from '../../../cli/errors.js';
import { ValidationError } from '../../../core/validation.js';
import { apiError, hostView, planView, policyView, startFakeApi, type FakeApi } from './fake-api.js';

const TOKEN = 'gAAAAA-secret-token-value';
const REQUEST_ID = 'req-11111111-2222-4333-8444-555555555555';

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected the call to fail');
}

describe('the API engine (Engine over HTTP)', () => {
  let api: FakeApi;
  let debug: string[];
  let engine: ApiEngine;

  beforeEach(async () => {
    api = await startFakeApi({});
    debug = [];
    engine = new ApiEngine({ url: `${api.url}/v1/`, token: async () => TOKEN, requestId: REQUEST_ID, debug: (line) => debug.push(line) });
  });
  afterEach(async () => {
    engine.close();
    await api.close();
  });

  it('sends the token and the request id, and unwraps list answers', async () => {
    api.routes['GET /v1/hosts'] = { status: 200, body: { hosts: [hostView('cmp-01'), hostView('cmp-02')] } };
    const hosts = await engine.listHosts();
    assert.deepEqual(hosts.map((host) => host.name), ['cmp-01', 'cmp-02']);
    assert.equal(api.requests[0].headers['x-auth-token'], TOKEN);
    assert.equal(api.requests[0].headers['x-openstack-request-id'], REQUEST_ID);
    assert.equal(api.requests[0].url, '/v1/hosts', 'a base URL ending in /v1/ is not doubled');
  });

  it('logs each request for --debug: method, URL, status, request id and duration, never the token', async () => {
    api.routes['GET /v1/policies/night'] = { status: 200, body: policyView(), headers: { 'X-OpenStack-Request-ID': 'req-aaaaaaaa-0000-4000-8000-000000000000' } };
    await engine.getPolicy('night');
    assert.equal(debug.length, 1);
    assert.match(debug[0], new RegExp(`^GET ${api.url}/v1/policies/night -> 200 in \\d+ ms \\(request id req-aaaaaaaa-0000-4000-8000-000000000000, global ${REQUEST_ID}\\)$`));
    assert.ok(!debug.join('\n').includes(TOKEN));
  });

  it('encodes names in paths and puts filters in the query string', async () => {
    api.routes['GET /v1/action_plans'] = { status: 200, body: { action_plans: [planView()] } };
    api.routes['GET /v1/policies/a%2Fb%20c'] = { status: 200, body: policyView({ name: 'a/b c' }) };
    await engine.listActionPlans({ state: ['ONGOING', 'FAILED'], limit: 5 });
    await engine.getPolicy('a/b c');
    assert.equal(api.requests[0].url, '/v1/action_plans?state=ONGOING%2CFAILED&limit=5');
    assert.equal(api.requests[1].url, '/v1/policies/a%2Fb%20c');
  });

  it('sends bodiless POSTs as an empty JSON object, not as a form', async () => {
    api.routes['POST /v1/action_plans/plan-1/approve'] = { status: 200, body: planView({ state: 'APPROVED' }) };
    assert.equal((await engine.approveActionPlan('plan-1')).state, 'APPROVED');
    assert.equal(api.requests[0].headers['content-type'], 'application/json');
    assert.deepEqual(api.requests[0].body, {});
  });

  it('turns a 400 into a usage error with the API\'s field paths and its request id', async () => {
    api.routes['POST /v1/policies'] = apiError(400, 'invalid policy: document.max_host_cpu: expected a number > 0 and <= 1, got 2', [
      { path: 'document.max_host_cpu', message: 'expected a number > 0 and <= 1, got 2' },
      { path: 'document.bogus', message: 'is not a known field' },
    ], 'req-bbbbbbbb-0000-4000-8000-000000000000');
    const error = await failure(engine.createPolicy({ name: 'night', document: { goal: 'consolidate', max_host_cpu: 2 } }));
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(error.issues.map((issue) => issue.path), ['document.max_host_cpu', 'document.bogus']);
    assert.equal(error.message.split('\n')[0], 'invalid policy (request id req-bbbbbbbb-0000-4000-8000-000000000000):');
  });

  it('turns a 404 into a failure (exit 1) with the API\'s message in command words and the request id', async () => {
    api.routes['GET /v1/policies/nope'] = apiError(404, 'policy nope not found; GET /v1/policies lists them', [], 'req-cccccccc-0000-4000-8000-000000000000');
    const error = await failure(engine.getPolicy('nope'));
    assert.ok(error instanceof UlmApiError && error instanceof CommandFailure);
    assert.equal(error.exitCode, EXIT_FAILED);
    assert.equal(error.status, 404);
    assert.equal(error.requestId, 'req-cccccccc-0000-4000-8000-000000000000');
    assert.equal(error.message, 'policy nope not found; ulm policy list lists them (HTTP 404, request id req-cccccccc-0000-4000-8000-000000000000)');
  });

  it('turns a 409 into a failure (exit 1)', async () => {
    api.routes['POST /v1/action_plans/plan-1/start'] = apiError(409, 'action plan is RECOMMENDED; it cannot become ONGOING (approve it first)');
    const error = await failure(engine.startActionPlan('plan-1'));
    assert.ok(error instanceof UlmApiError);
    assert.equal(error.exitCode, EXIT_FAILED);
    assert.match(error.message, /approve it first\) \(HTTP 409, request id req-/);
  });

  it('renews a token the API rejects, once', async () => {
    const tokens = ['expired-token', 'fresh-token'];
    const rejected: string[] = [];
    const renewing = new ApiEngine({ url: api.url, token: async () => tokens[0], tokenRejected: (token) => { rejected.push(token); tokens.shift(); } });
    api.routes['GET /v1/status'] = (request) => request.headers['x-auth-token'] === 'fresh-token'
      ? { status: 200, body: { version: '0.1.0' } }
      : apiError(401, 'the X-Auth-Token is not valid');
    assert.equal((await renewing.status()).version, '0.1.0');
    assert.deepEqual(rejected, ['expired-token']);
    renewing.close();
  });

  it('says what to do when the API wants a token and none was sent', async () => {
    const tokenless = new ApiEngine({ url: api.url });
    api.routes['GET /v1/hosts'] = apiError(401, 'no X-Auth-Token header');
    const error = await failure(tokenless.listHosts());
    assert.ok(error instanceof UlmApiError);
    assert.match(error.message, /give credentials \(--os-cloud, OS_CLOUD or the OS_\* variables\)/);
    assert.equal(api.requests[0].headers['x-auth-token'], undefined);
    tokenless.close();
  });

  it('answers an error page that is not ulm\'s JSON with its text and the status', async () => {
    api.routes['GET /v1/status'] = { status: 502, body: 'Bad Gateway' };
    const error = await failure(engine.status());
    assert.ok(error instanceof UlmApiError);
    assert.match(error.message, /Bad Gateway \(HTTP 502, request id /);
  });

  it('says how to reach the API when nothing listens', async () => {
    await api.close();
    const error = await failure(engine.listHosts());
    assert.ok(error instanceof CommandFailure);
    assert.match(error.message, /cannot reach ulm-api at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED.*--os-ulm-url or ULM_URL, or use --direct/);
    api = await startFakeApi({});
  });

  it('counts removed exemptions from the list it asks for first (the API answers 204)', async () => {
    api.routes['GET /v1/servers/s-1/exemptions'] = { status: 200, body: { exemptions: [{ kind: 'never' }, { kind: 'windows' }, { kind: 'windows' }] } };
    api.routes['DELETE /v1/servers/s-1/exemptions'] = { status: 204 };
    assert.equal(await engine.removeExemptions('s-1', 'windows'), 2);
    assert.equal(api.requests[1].url, '/v1/servers/s-1/exemptions?kind=windows');
  });

  it('refuses a URL that is not one, naming --os-ulm-url', () => {
    assert.throws(() => new ApiEngine({ url: 'not a url' }), (error: unknown) => error instanceof ValidationError && error.issues[0].path === '--os-ulm-url');
    assert.equal(apiBaseUrl('http://ulm:9328/v1/'), 'http://ulm:9328');
    assert.equal(inCommandWords('host x not found; GET /v1/hosts lists them'), 'host x not found; ulm host list lists them');
  });
});
