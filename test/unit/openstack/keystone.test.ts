// The Keystone session against a local Keystone stand-in: how it authenticates and scopes,
// reuses and renews its token, finds endpoints, re-authenticates after a 401, and that no
// password, secret or token ever reaches a log line or an error message.
import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import type { CloudConfig } from '../../../openstack/config.js';
import { AuthenticationError, EndpointNotFoundError } from '../../../openstack/errors.js';
import { HttpClient } from '../../../openstack/http.js';
import { authRequestBody, identityBaseUrl, KeystoneSession } from '../../../openstack/keystone.js';
import { createLogger } from '../../../openstack/logger.js';
import { ServiceClient } from '../../../openstack/service-client.js';
import { capturedLog, json, startLocalServer, type LocalServer, type ReceivedRequest } from './local-server.js';

const PASSWORD = 'correct-horse-battery-staple';
const SECRET = 'app-cred-secret-5f2e9c';

function config(url: string, overrides: Partial<CloudConfig['auth']> = {}, authType: CloudConfig['auth_type'] = 'password'): CloudConfig {
  return {
    auth_type: authType,
    auth: { auth_url: `${url}/v3`, username: 'admin', password: PASSWORD, user_domain_name: 'Default', project_name: 'admin', project_domain_name: 'Default', ...overrides },
    interface: 'public', region_name: 'RegionOne', tls: {}, endpoint_override: {}, sources: [],
  };
}

/** A Keystone that issues numbered tokens valid for `lifetimeMs`, and a compute service that checks them. */
async function keystone(options: { lifetimeMs?: number; now?: () => number; refuse?: boolean; computeRejects?: Set<string> } = {}) {
  let issued = 0;
  const tokens: string[] = [];
  let base = '';
  const server = await startLocalServer((request: ReceivedRequest, response: ServerResponse) => {
    if (request.method === 'POST' && request.url === '/v3/auth/tokens') {
      if (options.refuse) return json(response, 401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } }, { 'X-OpenStack-Request-ID': 'req-keystone-401' });
      const token = `gAAAAA-token-${++issued}-${'x'.repeat(20)}`;
      tokens.push(token);
      const expires = new Date((options.now ?? Date.now)() + (options.lifetimeMs ?? 3_600_000)).toISOString();
      return json(response, 201, {
        token: {
          expires_at: expires, project: { id: 'p1', name: 'admin' }, user: { id: 'u1', name: 'admin' },
          catalog: [
            { type: 'compute', name: 'nova', endpoints: [
              { interface: 'public', region_id: 'RegionOne', url: `${base}/compute/v2.1/` },
              { interface: 'internal', region_id: 'RegionOne', url: `${base}/internal/compute` },
              { interface: 'public', region_id: 'RegionTwo', url: `${base}/two/compute` },
            ] },
            { type: 'metric', name: 'gnocchi', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: `${base}/metric` }] },
          ],
        },
      }, { 'X-Subject-Token': token, 'X-OpenStack-Request-ID': `req-keystone-${issued}` });
    }
    if (request.url.startsWith('/compute/v2.1/servers')) {
      const token = String(request.headers['x-auth-token']);
      if (options.computeRejects?.has(token)) return json(response, 401, { error: { message: 'token revoked' } });
      return json(response, 200, { servers: [] }, { 'X-OpenStack-Request-ID': 'req-nova-1' });
    }
    json(response, 404, { error: { message: 'not here' } });
  });
  base = server.url;
  return { server, tokens, authRequests: () => server.received.filter((request) => request.url === '/v3/auth/tokens') };
}

describe('Keystone session', () => {
  let server: LocalServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  describe('authentication and scope', () => {
    it('a password user is scoped to a project named with its domain', () => {
      assert.deepEqual(authRequestBody(config('http://k')), {
        auth: {
          identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password: PASSWORD } } },
          scope: { project: { name: 'admin', domain: { name: 'Default' } } },
        },
      });
    });

    it('ids win over names, and the default domain fills a missing domain', () => {
      const body = authRequestBody(config('http://k', { user_domain_name: undefined, project_domain_name: undefined, default_domain: 'default', project_id: 'p-42' })) as { auth: { identity: { password: { user: unknown } }; scope: unknown } };
      assert.deepEqual(body.auth.identity.password.user, { name: 'admin', domain: { id: 'default' }, password: PASSWORD });
      assert.deepEqual(body.auth.scope, { project: { id: 'p-42' } });
    });

    it('a domain or system scope replaces the project', () => {
      const domain = authRequestBody(config('http://k', { project_name: undefined, domain_name: 'Default' })) as { auth: { scope: unknown } };
      assert.deepEqual(domain.auth.scope, { domain: { name: 'Default' } });
      const system = authRequestBody(config('http://k', { project_name: undefined, system_scope: 'all' })) as { auth: { scope: unknown } };
      assert.deepEqual(system.auth.scope, { system: { all: true } });
    });

    it('an application credential authenticates by id and secret, with no scope of its own', () => {
      const body = authRequestBody(config('http://k', { username: undefined, password: undefined, application_credential_id: 'ac-1', application_credential_secret: SECRET }, 'v3applicationcredential'));
      assert.deepEqual(body, { auth: { identity: { methods: ['application_credential'], application_credential: { id: 'ac-1', secret: SECRET } } } });
    });

    it('an application credential by name carries its user', () => {
      const body = authRequestBody(config('http://k', { application_credential_name: 'ulm', application_credential_secret: SECRET }, 'v3applicationcredential')) as { auth: { identity: { application_credential: unknown } } };
      assert.deepEqual(body.auth.identity.application_credential, { name: 'ulm', secret: SECRET, user: { name: 'admin', domain: { name: 'Default' } } });
    });

    it('auth_url without a version gets /v3; a v2.0 URL is refused with the fix', () => {
      assert.equal(identityBaseUrl('https://keystone.example:5000'), 'https://keystone.example:5000/v3');
      assert.equal(identityBaseUrl('https://keystone.example:5000/v3/'), 'https://keystone.example:5000/v3');
      assert.throws(() => identityBaseUrl('https://keystone.example:5000/v2.0'), /v2\.0 address; ulm speaks v3/);
    });
  });

  describe('token life', () => {
    it('reuses one token for many requests', async () => {
      const cloud = await keystone();
      server = cloud.server;
      const session = new KeystoneSession(config(server.url), new HttpClient());
      const first = await session.authToken();
      assert.equal(await session.authToken(), first);
      assert.equal(await session.authToken(), first);
      assert.equal(cloud.authRequests().length, 1);
    });

    it('renews the token before it expires', async () => {
      let now = Date.parse('2026-11-22T20:00:00Z');
      const cloud = await keystone({ lifetimeMs: 3_600_000, now: () => now });
      server = cloud.server;
      const session = new KeystoneSession(config(server.url), new HttpClient(), { now: () => now, renewBeforeMs: 120_000 });
      const first = await session.authToken();
      now += 3_600_000 - 121_000;
      assert.equal(await session.authToken(), first, 'still more than the margin before expiry');
      now += 2_000;
      const second = await session.authToken();
      assert.notEqual(second, first, 'within the margin: a new token');
      assert.equal(cloud.authRequests().length, 2);
    });

    it('concurrent callers share one authentication', async () => {
      const cloud = await keystone();
      server = cloud.server;
      const session = new KeystoneSession(config(server.url), new HttpClient());
      const tokens = await Promise.all([session.authToken(), session.authToken(), session.authToken()]);
      assert.equal(new Set(tokens).size, 1);
      assert.equal(cloud.authRequests().length, 1);
    });

    it('a service that answers 401 gets one retry with a fresh token', async () => {
      const rejected = new Set<string>();
      const cloud = await keystone({ computeRejects: rejected });
      server = cloud.server;
      const session = new KeystoneSession(config(server.url), new HttpClient());
      rejected.add(await session.authToken());
      const nova = new ServiceClient(session, { name: 'Nova', serviceType: 'compute' });
      assert.deepEqual(await nova.get('/servers/detail'), { servers: [] });
      assert.equal(cloud.authRequests().length, 2);
    });
  });

  describe('service catalog', () => {
    it('finds the endpoint by type, interface and region, without a trailing slash', async () => {
      server = (await keystone()).server;
      const session = new KeystoneSession(config(server.url), new HttpClient());
      assert.equal(await session.endpoint('compute'), `${server.url}/compute/v2.1`);
      const internal = new KeystoneSession({ ...config(server.url), interface: 'internal' }, new HttpClient());
      assert.equal(await internal.endpoint('compute'), `${server.url}/internal/compute`);
      const two = new KeystoneSession({ ...config(server.url), region_name: 'RegionTwo' }, new HttpClient());
      assert.equal(await two.endpoint('compute'), `${server.url}/two/compute`);
    });

    it('a service\'s own interface and region (ulm.conf [nova]) win over the cloud\'s for that service only', async () => {
      server = (await keystone()).server;
      const session = new KeystoneSession({ ...config(server.url), services: { compute: { interface: 'internal' }, metric: { region_name: 'RegionTwo' } } }, new HttpClient());
      assert.equal(await session.endpoint('compute'), `${server.url}/internal/compute`);
      const two = new KeystoneSession({ ...config(server.url), services: { compute: { region_name: 'RegionTwo' } } }, new HttpClient());
      assert.equal(await two.endpoint('compute'), `${server.url}/two/compute`);
    });

    it('a missing service names what the catalog has', async () => {
      server = (await keystone()).server;
      const session = new KeystoneSession(config(server.url), new HttpClient());
      await assert.rejects(session.endpoint('placement'), (error: Error) => error instanceof EndpointNotFoundError && /no "placement" service \(it has: compute, metric\)/.test(error.message));
    });

    it('endpoints in several regions and no region given: asks to choose one', async () => {
      server = (await keystone()).server;
      const session = new KeystoneSession({ ...config(server.url), region_name: undefined }, new HttpClient());
      await assert.rejects(session.endpoint('compute'), /several regions \(RegionOne, RegionTwo\); choose one with OS_REGION_NAME/);
    });

    it('an endpoint override from clouds.yaml wins over the catalog', async () => {
      server = (await keystone()).server;
      const session = new KeystoneSession({ ...config(server.url), endpoint_override: { metric: 'http://gnocchi.example:8041/' } }, new HttpClient());
      assert.equal(await session.endpoint('metric'), 'http://gnocchi.example:8041');
    });
  });

  describe('secrets', () => {
    it('no password, token or secret reaches the log at debug level, even when Keystone refuses', async () => {
      const log = capturedLog();
      const logger = createLogger({ level: 'trace', destination: log });
      const cloud = await keystone();
      server = cloud.server;
      const session = new KeystoneSession(config(server.url), new HttpClient({ logger }));
      const nova = new ServiceClient(session, { name: 'Nova', serviceType: 'compute' });
      await nova.get('/servers/detail');
      const appCredential = new KeystoneSession(config(server.url, { application_credential_id: 'ac-1', application_credential_secret: SECRET }, 'v3applicationcredential'), new HttpClient({ logger }));
      await appCredential.authToken();
      const refusing = await keystone({ refuse: true });
      const refused = new KeystoneSession(config(refusing.server.url), new HttpClient({ logger }));
      await assert.rejects(refused.authToken(), (error: Error) => {
        assert.ok(error instanceof AuthenticationError);
        assert.match(error.message, /refused to authenticate user admin \(scope admin\) \(HTTP 401: The request you have made requires authentication\., request id req-keystone-401\); check the user name, password and user domain/);
        assert.doesNotMatch(error.message, new RegExp(PASSWORD));
        return true;
      });
      await refusing.server.close();
      assert.ok(log.lines.length >= 4, 'every request was logged');
      const text = log.text();
      assert.doesNotMatch(text, new RegExp(PASSWORD));
      assert.doesNotMatch(text, new RegExp(SECRET));
      for (const token of cloud.tokens) assert.ok(!text.includes(token), 'a token was logged');
      assert.match(text, /"request_id":"req-keystone-1"/);
      assert.match(text, /"request_id":"req-nova-1"/);
    });

    it('redaction censors a secret field that a caller would log by mistake', () => {
      const log = capturedLog();
      createLogger({ destination: log }).info({ auth: { password: PASSWORD, application_credential_secret: SECRET }, headers: { 'X-Auth-Token': 'tok-123' } }, 'oops');
      assert.doesNotMatch(log.text(), new RegExp(`${PASSWORD}|${SECRET}|tok-123`));
    });
  });
});
