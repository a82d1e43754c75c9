// ulm-api's authentication and roles against the real Keystone of the loopback cloud: users with
// admin, reader and member on a project of their own and a reader on the system scope (made here,
// removed after), real tokens, validated by ulm with the service credentials of clouds.yaml, and
// cached. The engine is the test double: only authentication and the policy are under test.
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
import type { ApiRoute } from '../../services/api/route.js';
import { routeTable } from '../../services/api/routes/index.js';
import { loadConfig, type ConfigOverrides } from '../../services/config/index.js';
import { EngineDouble, SERVER_IDS, VALID_POLICY } from '../support/engine-double.js';
import { cloudEnvironment, devCloudConfig, STATE } from './dev-cloud.js';

const PREFIX = 'ulm-api-auth-';
const ROLES = ['admin', 'reader', 'member'] as const;
/** The project's roles, and a reader on the system scope (Keystone's `--system all`). */
type Role = (typeof ROLES)[number] | 'systemReader';

/** Every GET that needs a token: ulm's records all belong to the cloud, none to one project. */
const CLOUD_WIDE_READS = routeTable().filter((route) => route.method === 'GET' && route.rule !== null);
const WRITES = routeTable().filter((route) => route.method !== 'GET' && route.rule !== null);

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
  const passwords = {} as Record<string, string>;
  let readerRoleId = '';
  let systemReaderId = '';

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

  function app(overrides: ConfigOverrides = {}, http: HttpClient = new HttpClient({ logger: quiet }), engine = new EngineDouble()): ApiApp {
    // No [keystone_authtoken] credentials: ulm-api falls back to clouds.yaml (OS_CLOUD), as in development.
    const config = loadConfig([], overrides);
    return createApiApp({ engine, logger: quiet, panelDirectory: null, auth: apiAuthenticationFromConfig(config, { logger: quiet, env: cloudEnvironment(), http }) });
  }

  /** A password user of this test, with a token in the given scope. */
  async function userWithToken(name: string, scope: { project_id: string } | { system_scope: 'all' }, grant: (userId: string) => Promise<void>): Promise<string> {
    const password = randomBytes(18).toString('base64url');
    passwords[name] = password;
    const { user } = await keystone<{ user: { id: string } }>('POST', '/users', { user: { name: `${PREFIX}${suffix}-${name}`, password, domain_id: 'default' } });
    userIds.push(user.id);
    await grant(user.id);
    const session = new KeystoneSession(resolveCloudConfig({
      env: {},
      overrides: { auth: { auth_url: cloud.auth.auth_url, username: `${PREFIX}${suffix}-${name}`, password, user_domain_name: 'Default', ...scope } },
    }), new HttpClient({ logger: quiet }));
    return session.authToken();
  }

  /** An engine double holding one record of each kind, and a request for each route naming them. */
  async function recordsAndRequests(): Promise<{ engine: EngineDouble; requestFor: (route: ApiRoute) => { method: ApiRoute['method']; url: string; payload?: object } }> {
    const engine = new EngineDouble();
    const policy = await engine.createPolicy({ name: 'nightly', document: VALID_POLICY });
    const window = await engine.createWindow({ policy: 'nightly', window: { name: 'nights', opens: 'weekdays 20:00', closes: '06:00', timezone: 'Europe/Berlin' } });
    const { audit, action_plan: plan } = await engine.createAudit({ policy: 'nightly' });
    const maintenance = await engine.scheduleMaintenance({ hosts: ['cmp-02'], at: '2026-11-22T22:00:00+01:00', until: '2026-11-23T06:00:00+01:00', power_off: false, created_by: 'test' });
    const ids: Record<string, string> = {
      policies: policy.id, windows: window.id, audits: audit.id, action_plans: plan!.id, maintenances: maintenance.id,
      snapshots: 'snapshot-1', servers: SERVER_IDS[0], hosts: 'cmp-01',
    };
    const requestFor = (route: ApiRoute) => {
      const collection = route.path.split('/')[2];
      const url = route.path.replace(/\{[a-z_]+\}/, ids[collection] ?? 'unknown');
      const query = route.operationId === 'listActions' ? `?action_plan=${ids.action_plans}` : '';
      return { method: route.method, url: `${url}${query}`, ...(route.body ? { payload: {} } : {}) };
    };
    return { engine, requestFor };
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
    const roleId = (name: string) => roles.find((candidate) => candidate.name === name)!.id;
    for (const role of ROLES) {
      tokens[role] = await userWithToken(role, { project_id: projectId }, (userId) => keystone('PUT', `/projects/${projectId}/users/${userId}/roles/${roleId(role)}`));
    }
    // As `openstack role add --system all --user U reader`.
    readerRoleId = roleId('reader');
    tokens.systemReader = await userWithToken('system-reader', { system_scope: 'all' }, async (userId) => {
      systemReaderId = userId;
      await keystone('PUT', `/system/users/${userId}/roles/${readerRoleId}`);
    });
  });

  after(async () => {
    if (!admin) return;
    if (systemReaderId) await keystone('DELETE', `/system/users/${systemReaderId}/roles/${readerRoleId}`).catch(() => undefined);
    for (const id of userIds) await keystone('DELETE', `/users/${id}`).catch(() => undefined);
    if (projectId) {
      await keystone('PATCH', `/projects/${projectId}`, { project: { enabled: false } }).catch(() => undefined);
      await keystone('DELETE', `/projects/${projectId}`).catch(() => undefined);
    }
  });

  it('Keystone gives a project member reader by implication, and a system reader a token scoped to the system', async () => {
    const validator = new KeystoneTokenValidator(new KeystoneSession(cloud, new HttpClient({ logger: quiet })));
    assert.deepEqual((await validator.validate(tokens.member))?.roles.sort(), ['member', 'reader']);
    assert.deepEqual((await validator.validate(tokens.reader))?.roles, ['reader']);
    assert.ok((await validator.validate(tokens.admin))?.roles.includes('admin'));
    assert.equal((await validator.validate(tokens.reader))?.project_id, projectId);
    const systemReader = await validator.validate(tokens.systemReader);
    assert.equal(systemReader?.system_scope, 'all');
    assert.deepEqual(systemReader?.roles, ['reader']);
    assert.equal(systemReader?.project_id, null);
  });

  it('every cloud-wide read: 401 without a token, 403 for a project\'s reader and member, 200 for a system reader and an admin', async () => {
    const { engine, requestFor } = await recordsAndRequests();
    const api = app({}, undefined, engine);
    assert.ok(CLOUD_WIDE_READS.length >= 20, `${CLOUD_WIDE_READS.length} reads`);
    for (const route of CLOUD_WIDE_READS) {
      const request = requestFor(route);
      const name = `${route.method} ${request.url}`;
      assert.equal((await api.inject(request)).statusCode, 401, `${name} without a token`);
      for (const role of ['reader', 'member'] as const) {
        const refused = await api.inject({ ...request, headers: { 'x-auth-token': tokens[role] } });
        assert.equal(refused.statusCode, 403, `${name} as the project's ${role}`);
        assert.match(refused.json().error.message, /reader role on the system scope/);
      }
      for (const role of ['systemReader', 'admin'] as const) {
        const answer = await api.inject({ ...request, headers: { 'x-auth-token': tokens[role] } });
        assert.equal(answer.statusCode, 200, `${name} as ${role}: ${answer.body.slice(0, 300)}`);
      }
    }
  });

  it('every write: 403 for a system reader and a project\'s reader, the admin passes the policy', async () => {
    const { engine, requestFor } = await recordsAndRequests();
    const api = app({}, undefined, engine);
    for (const route of WRITES) {
      const request = requestFor(route);
      for (const role of ['systemReader', 'reader'] as const) {
        const refused = await api.inject({ ...request, headers: { 'x-auth-token': tokens[role] } });
        assert.equal(refused.statusCode, 403, `${route.method} ${request.url} as ${role}`);
        assert.match(refused.json().error.message, /needs the admin role/);
      }
    }
    for (const route of WRITES) {
      const request = requestFor(route);
      const answer = await api.inject({ ...request, headers: { 'x-auth-token': tokens.admin } });
      assert.ok(![401, 403].includes(answer.statusCode), `${route.method} ${request.url} as admin: ${answer.statusCode} ${answer.body.slice(0, 300)}`);
    }
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

  it('a system reader logs in to the panel with a token scoped to the system, and reads hosts with it', async () => {
    const api = app();
    const login = await api.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: `${PREFIX}${suffix}-system-reader`, password: passwords['system-reader'], system_scope: 'all' } });
    assert.equal(login.statusCode, 200, login.body);
    const session = login.json() as { token: string; project: unknown; system_scope?: string; roles: string[] };
    assert.equal(session.project, null);
    assert.equal(session.system_scope, 'all');
    assert.deepEqual(session.roles, ['reader']);
    assert.equal((await api.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': session.token } })).statusCode, 200);
    // Keystone refuses a system token to a user whose roles are on a project only.
    const refused = await api.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: `${PREFIX}${suffix}-reader`, password: passwords.reader, system_scope: 'all' } });
    assert.equal(refused.statusCode, 401);
  });

  it('403 for a member, on reads and on writes', async () => {
    const api = app();
    for (const request of [{ method: 'GET' as const, url: '/v1/hosts' }, { method: 'GET' as const, url: '/v1/policies' }, { method: 'POST' as const, url: '/v1/policies', payload: { name: 'x', document: VALID_POLICY } }]) {
      const answer = await api.inject({ ...request, headers: { 'x-auth-token': tokens.member } });
      assert.equal(answer.statusCode, 403, `${request.method} ${request.url}`);
      assert.match(answer.json().error.message, /policy does not allow ulm:/);
    }
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
      assert.equal((await api.inject({ method: 'GET', url: '/v1/hosts', headers: { 'x-auth-token': tokens.systemReader } })).statusCode, 200);
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
