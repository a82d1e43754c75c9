// The panel's session routes (/v1/auth) over a Keystone login double: the strategy, log in with
// a project-scoped token, wrong credentials (401, nothing said about which part), a password
// that is never answered nor logged, log out, and no routes where the API cannot log anyone in.
import { strict as assert } from 'node:assert';
import type { LoginSession } from '../../../core/api/records.js';
import type { LoginRequest, PasswordLogin } from '../../../services/api/auth/keystone-login.js';
import { testApi, WWW_AUTHENTICATE_URI, type ErrorAnswer } from '../../support/api.js';

const PASSWORD = 'correct horse battery staple';

class PasswordLoginDouble implements PasswordLogin {
  readonly logins: LoginRequest[] = [];
  readonly revoked: string[] = [];

  async login(request: LoginRequest): Promise<LoginSession | null> {
    this.logins.push(request);
    if (request.system_scope === 'all' && request.username === 'sam' && request.password === PASSWORD) {
      return {
        token: 'token-sam', expires_at: '2026-11-22T20:00:00.000Z', user: { id: 'user-sam', name: 'sam', domain: { id: 'default', name: 'Default' } },
        project: null, system_scope: 'all', roles: ['reader'],
      };
    }
    if (request.username !== 'alice' || request.password !== PASSWORD || request.project_name !== 'ops') return null;
    return {
      token: 'token-alice',
      expires_at: '2026-11-22T20:00:00.000Z',
      user: { id: 'user-alice', name: 'alice', domain: { id: 'default', name: 'Default' } },
      project: { id: 'project-ops', name: 'ops', domain: { id: 'default', name: 'Default' } },
      roles: ['admin', 'member', 'reader'],
    };
  }

  async logout(token: string): Promise<void> {
    this.revoked.push(token);
  }
}

function sessionApi() {
  const login = new PasswordLoginDouble();
  const api = testApi({ extra: { auth: { strategy: 'keystone', tokens: { validate: async () => null }, wwwAuthenticateUri: WWW_AUTHENTICATE_URI, login } } });
  return { ...api, login };
}

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  ({ method: 'POST' as const, url, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } });

describe('the panel\'s session routes (/v1/auth)', () => {
  it('say how callers authenticate: keystone, or noauth', async () => {
    assert.deepEqual((await sessionApi().app.inject({ method: 'GET', url: '/v1/auth' })).json(), { auth_strategy: 'keystone' });
    assert.deepEqual((await testApi({ noauth: true }).app.inject({ method: 'GET', url: '/v1/auth' })).json(), { auth_strategy: 'noauth' });
  });

  it('log in with Keystone credentials: the token, its expiry, user, project and roles; never cached', async () => {
    const { app, login } = sessionApi();
    const answer = await app.inject(post('/v1/auth/login', { username: 'alice', password: PASSWORD, project_name: 'ops', user_domain_name: 'Default' }));
    assert.equal(answer.statusCode, 200, answer.body);
    assert.equal(answer.headers['cache-control'], 'no-store');
    const body = answer.json() as LoginSession;
    assert.equal(body.token, 'token-alice');
    assert.equal(body.project?.name, 'ops');
    assert.deepEqual(body.roles, ['admin', 'member', 'reader']);
    assert.deepEqual(login.logins, [{ username: 'alice', password: PASSWORD, project_name: 'ops', user_domain_name: 'Default' }]);
  });

  it('log a system reader in with a token scoped to the system; the scope is a project or the system, exactly one', async () => {
    const { app, login } = sessionApi();
    const answer = await app.inject(post('/v1/auth/login', { username: 'sam', password: PASSWORD, system_scope: 'all' }));
    assert.equal(answer.statusCode, 200, answer.body);
    const body = answer.json() as LoginSession;
    assert.equal(body.project, null);
    assert.equal(body.system_scope, 'all');
    assert.deepEqual(login.logins, [{ username: 'sam', password: PASSWORD, system_scope: 'all' }]);
    const neither = await app.inject(post('/v1/auth/login', { username: 'sam', password: PASSWORD }));
    assert.equal(neither.statusCode, 400);
    assert.deepEqual((neither.json() as ErrorAnswer).error.issues.map((issue) => issue.path), ['project_name']);
    const both = await app.inject(post('/v1/auth/login', { username: 'sam', password: PASSWORD, project_name: 'ops', system_scope: 'all' }));
    assert.equal(both.statusCode, 400);
    assert.match((both.json() as ErrorAnswer).error.message, /either project_name or system_scope, not both/);
    assert.equal(login.logins.length, 1, 'a refused scope never reaches Keystone');
  });

  it('answer wrong credentials with 401 and WWW-Authenticate, without saying which part was wrong', async () => {
    const { app } = sessionApi();
    const answer = await app.inject(post('/v1/auth/login', { username: 'alice', password: 'wrong', project_name: 'ops' }));
    assert.equal(answer.statusCode, 401);
    assert.equal(answer.headers['www-authenticate'], `Keystone uri="${WWW_AUTHENTICATE_URI}"`);
    assert.match((answer.json() as ErrorAnswer).error.message, /check the user name, password, domain and project/);
  });

  it('never answer nor log the password, whatever is wrong with it', async () => {
    const { app, logs, login } = sessionApi();
    const secret = `${PASSWORD}-${'x'.repeat(5000)}`;
    for (const password of [secret, 12345678, { secret: PASSWORD }, '']) {
      const answer = await app.inject(post('/v1/auth/login', { username: 'alice', password, project_name: 'ops' }));
      assert.equal(answer.statusCode, 400);
      const error = (answer.json() as ErrorAnswer).error;
      assert.deepEqual(error.issues.map((issue) => issue.path), ['password']);
      assert.doesNotMatch(answer.body, /correct horse|12345678/);
    }
    await app.inject(post('/v1/auth/login', { username: 'alice', password: PASSWORD, project_name: 'ops' }));
    assert.equal(login.logins.length, 1, 'bad passwords never reach Keystone');
    assert.doesNotMatch(JSON.stringify(logs), /correct horse|12345678/);
    assert.match(JSON.stringify(logs), /logged in/);
  });

  it('name the missing fields', async () => {
    const answer = await sessionApi().app.inject(post('/v1/auth/login', { username: 'alice' }));
    assert.equal(answer.statusCode, 400);
    assert.deepEqual((answer.json() as ErrorAnswer).error.issues.map((issue) => issue.path).sort(), ['password', 'project_name']);
  });

  it('log out by revoking the token in Keystone (204, also without a token)', async () => {
    const { app, login } = sessionApi();
    assert.equal((await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { 'x-auth-token': 'token-alice' } })).statusCode, 204);
    assert.equal((await app.inject({ method: 'POST', url: '/v1/auth/logout' })).statusCode, 204);
    assert.deepEqual(login.revoked, ['token-alice']);
  });

  it('are documented, public, under the tag auth', async () => {
    const document = (await sessionApi().app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    assert.deepEqual(document.paths['/v1/auth/login'].post.security, []);
    assert.deepEqual(document.paths['/v1/auth/login'].post.tags, ['auth']);
    assert.equal(document.paths['/v1/auth/login'].post.requestBody.content['application/json'].schema.properties.password.type, 'string');
    assert.ok(document.tags.some((tag: { name: string }) => tag.name === 'auth'));
  });

  it('do not exist where the API cannot log anyone in (noauth has no login; a validator without login has none)', async () => {
    assert.equal((await testApi({ noauth: true }).app.inject(post('/v1/auth/login', { username: 'a', password: 'b', project_name: 'c' }))).statusCode, 404);
    assert.equal((await testApi().app.inject({ method: 'GET', url: '/v1/auth' })).statusCode, 404);
  });
});
