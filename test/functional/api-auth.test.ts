// ulm-api's authentication and roles against the real Keystone of the loopback cloud: users with
// admin, reader and member on a project of their own (made here, removed after), real tokens,
// validated by ulm with the service credentials of clouds.yaml, and cached. The engine is the
// test double: only authentication and the policy are under test.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolveCloudConfig, type CloudConfig } from '../../openstack/config.js';
import { HttpClient, type HttpRequest, type HttpResponse } from '../../openstack/http.js';
import { KeystoneSession } from '../../openstack/keystone.js';
import { createLogger } from '../../openstack/logger.js';
import { createApiApp, type ApiApp } from '../../services/api/app.js';
import { KeystoneTokenValidator } from '../../services/api/auth/tokens.js';
import { apiAuthenticationFromConfig } from '../../services/api/feature.js';
import { loadConfig, type ConfigOverrides } from '../../services/config/index.js';
import { EngineDouble, VALID_POLICY } from '../support/engine-double.js';
import { cloudEnvironment, devCloudConfig, STATE } from './dev-cloud.js';

const PREFIX = 'ulm-api-auth-';
const ROLES = ['admin', 'reader', 'member'] as const;
type Role = (typeof ROLES)[number];

/** The HTTP layer to Keystone, counting token validations (GET /v3/auth/tokens). */
class CountingHttp extends HttpClient {
  validations = 0;
  override async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    if (request.method === 'GET' && /\/auth\/tokens$/.test(request.url)) this.validations++;
    return super.request<T>(request);
  }
}

const quiet = createLogger({ level: 'silent' });

describe('ulm-api against the real Keystone: 401, 403 by role, token cache', function () {
  this.timeout(120_000);
  const suffix = randomBytes(4).toString('hex');
  let admin: KeystoneSession;
  let cloud: CloudConfig;
  let projectId: string | undefined;
  const userIds: string[] = [];
  const tokens = {} as Record<Role, string>;

  /** A Keystone admin call with the dev cloud's admin token. */
  async function keystone<T>(method: HttpRequest['method'], path: string, data?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await admin.http.request<T>({ method, url: `${admin.identityUrl}${path}`, data, headers: { 'X-Auth-Token': await admin.authToken(), ...headers }, service: 'identity' });
    return response.data;
  }

  /** Users and projects of this test left behind by an interrupted run. */
  async function removeLeftovers(): Promise<void> {
    const { users } = await keystone<{ users: { id: string; name: string }[] }>('GET', '/users');
    for (const user of users.filter((candidate) => candidate.name.startsWith(PREFIX))) await keystone('DELETE', `/users/${user.id}`);
    const { projects } = await keystone<{ projects: { id: string; name: string }[] }>('GET', '/projects');
    for (const project of projects.filter((candidate) => candidate.name.startsWith(PREFIX))) {
      await keystone('PATCH', `/projects/${project.id}`, { project: { enabled: false } });
      await keystone('DELETE', `/projects/${project.id}`);
    }
  }

  function app(overrides: ConfigOverrides = {}, http: HttpClient = new HttpClient({ logger: quiet })): ApiApp {
    // No [keystone_authtoken] credentials: ulm-api falls back to clouds.yaml (OS_CLOUD), as in development.
    const config = loadConfig([], overrides);
    return createApiApp({ engine: new EngineDouble(), logger: quiet, panelDirectory: null, auth: apiAuthenticationFromConfig(config, { logger: quiet, env: cloudEnvironment(), http }) });
  }

  before(async () => {
    if (!existsSync(`${STATE}/clouds.yaml`)) {
      throw new Error(`the dev cloud is not up (no ${STATE}/clouds.yaml): run bash scripts/dev-cloud/up (it leaves the cloud running)`);
    }
    cloud = devCloudConfig();
    admin = new KeystoneSession(cloud, new HttpClient({ logger: quiet }));
    await removeLeftovers();
    const project = await keystone<{ project: { id: string } }>('POST', '/projects', { project: { name: `${PREFIX}${suffix}`, domain_id: 'default', description: 'ulm functional test of ulm-api auth; removed by the test' } });
    projectId = project.project.id;
    const { roles } = await keystone<{ roles: { id: string; name: string }[] }>('GET', '/roles');
    for (const role of ROLES) {
      const password = randomBytes(18).toString('base64url');
      const { user } = await keystone<{ user: { id: string } }>('POST', '/users', { user: { name: `${PREFIX}${suffix}-${role}`, password, domain_id: 'default', default_project_id: projectId } });
      userIds.push(user.id);
      await keystone('PUT', `/projects/${projectId}/users/${user.id}/roles/${roles.find((candidate) => candidate.name === role)!.id}`);
      const session = new KeystoneSession(resolveCloudConfig({
        env: {},
        overrides: { auth: { auth_url: cloud.auth.auth_url, username: `${PREFIX}${suffix}-${role}`, password, user_domain_name: 'Default', project_id: projectId } },
      }), new HttpClient({ logger: quiet }));
      tokens[role] = await session.authToken();
    }
  });

  after(async () => {
    if (!admin) return;
    for (const id of userIds) await keystone('DELETE', `/users/${id}`).catch(() => undefined);
    if (projectId) {
      await keystone('PATCH', `/projects/${projectId}`, { project: { enabled: false } }).catch(() => undefined);
      await keystone('DELETE', `/projects/${projectId}`).catch(() => undefined);
    }
  });

  it('Keystone gives the member reader by implication (why the reader rule excludes members)', async () => {
    const validator = new KeystoneTokenValidator(new KeystoneSession(cloud, new HttpClient({ logger: quiet })));
    assert.deepEqual((await validator.validate(tokens.member))?.roles.sort(), ['member', 'reader']);
    assert.deepEqual((await validator.validate(tokens.reader))?.roles, ['reader']);
    assert.ok((await validator.validate(tokens.admin))?.roles.includes('admin'));
    assert.equal((await validator.validate(tokens.reader))?.project_id, projectId);
  });

  it('401 without a token, or with one Keystone does not know, with WWW-Authenticate naming Keystone', async () => {
    const api = app();
    const none = await api.inject({ method: 'GET', url: '/v1/hosts' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['www-authenticate'], `Keystone uri="${cloud.auth.auth_url}"`);
    for (const garbage of ['garbage', `gAAAAAB${randomBytes(90).toString('base64url')}`]) {
      const answer = await api.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': garbage } });
      assert.equal(answer.statusCode, 401, garbage);
      assert.equal(answer.json().error.code, 401);
    }
  });

  it('403 for a member, on reads and on writes', async () => {
    const api = app();
    for (const request of [{ method: 'GET' as const, url: '/v1/hosts' }, { method: 'GET' as const, url: '/v1/policies' }, { method: 'POST' as const, url: '/v1/policies', payload: { name: 'x', document: VALID_POLICY } }]) {
      const answer = await api.inject({ ...request, headers: { 'x-auth-token': tokens.member } });
      assert.equal(answer.statusCode, 403, `${request.method} ${request.url}`);
      assert.match(answer.json().error.message, /policy does not allow ulm:/);
    }
  });

  it('a reader reads, and gets 403 on POST', async () => {
    const api = app();
    for (const url of ['/v1/hosts', '/v1/policies', '/v1/status', '/v1/action_plans']) {
      assert.equal((await api.inject({ method: 'GET', url, headers: { 'x-auth-token': tokens.reader } })).statusCode, 200, url);
    }
    const write = await api.inject({ method: 'POST', url: '/v1/policies', headers: { 'x-auth-token': tokens.reader }, payload: { name: 'nightly', document: VALID_POLICY } });
    assert.equal(write.statusCode, 403);
    assert.equal((await api.inject({ method: 'POST', url: '/v1/hosts/drain', headers: { 'x-auth-token': tokens.reader }, payload: { hosts: ['cmp-01'] } })).statusCode, 403);
  });

  it('an admin passes: reads and writes', async () => {
    const api = app();
    assert.equal((await api.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': tokens.admin } })).statusCode, 200);
    const created = await api.inject({ method: 'POST', url: '/v1/policies', headers: { 'x-auth-token': tokens.admin }, payload: { name: 'nightly', document: VALID_POLICY } });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((await api.inject({ method: 'DELETE', url: '/v1/policies/nightly', headers: { 'x-auth-token': tokens.admin } })).statusCode, 204);
  });

  it('asks Keystone once for repeated requests with one token (token_cache_time), once more for another token', async () => {
    const http = new CountingHttp({ logger: quiet });
    const api = app({ keystone_authtoken: { token_cache_time: 300 } }, http);
    for (let index = 0; index < 5; index++) {
      assert.equal((await api.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': tokens.reader } })).statusCode, 200);
    }
    assert.equal(http.validations, 1);
    await Promise.all([1, 2, 3].map(() => api.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': tokens.admin } })));
    assert.equal(http.validations, 2, 'concurrent requests with a new token share one validation');
    await api.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': 'garbage-token' } });
    await api.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': 'garbage-token' } });
    assert.equal(http.validations, 3, 'an invalid token is remembered too');
  });

  it('with token_cache_time 0, a revoked token is refused at once', async () => {
    const session = new KeystoneSession(resolveCloudConfig({ env: cloudEnvironment() }), new HttpClient({ logger: quiet }));
    const token = await session.authToken();
    const http = new CountingHttp({ logger: quiet });
    const api = app({ keystone_authtoken: { token_cache_time: 0 } }, http);
    assert.equal((await api.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': token } })).statusCode, 200);
    await keystone('DELETE', '/auth/tokens', undefined, { 'X-Subject-Token': token });
    assert.equal((await api.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': token } })).statusCode, 401);
    assert.equal(http.validations, 2);
  });
});
