// Token validation: the cache (one Keystone call per token per token_cache_time, never past the
// token's expiry, invalid tokens remembered briefly, failures not at all) and the Keystone
// validator against a local Keystone stand-in (GET /v3/auth/tokens with X-Subject-Token).
import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import type { CloudConfig } from '../../../openstack/config.js';
import { HttpClient } from '../../../openstack/http.js';
import { KeystoneSession } from '../../../openstack/keystone.js';
import { CachingTokenValidator, KeystoneTokenValidator, type Caller, type TokenValidator } from '../../../services/api/auth/tokens.js';
import { AuthenticationUnavailable } from '../../../services/api/errors.js';
import { caller } from '../../support/api.js';
import { closedPort, json, startLocalServer, type LocalServer, type ReceivedRequest } from '../openstack/local-server.js';

class CountingValidator implements TokenValidator {
  calls = 0;
  answer: (token: string) => Promise<Caller | null> = async (token) => (token === 'good' ? caller('alice', ['admin']) : null);
  async validate(token: string): Promise<Caller | null> {
    this.calls++;
    return this.answer(token);
  }
}

describe('the token cache', () => {
  it('asks once per token within token_cache_time, then again', async () => {
    let now = 1_000_000;
    const inner = new CountingValidator();
    inner.answer = async () => ({ ...caller('alice', ['admin']), expires_at: now + 3_600_000 });
    const cache = new CachingTokenValidator(inner, { ttlSeconds: 300, now: () => now });
    for (let index = 0; index < 5; index++) assert.equal((await cache.validate('good'))?.user_name, 'alice');
    assert.equal(inner.calls, 1);
    now += 299_000;
    await cache.validate('good');
    assert.equal(inner.calls, 1);
    now += 2000;
    await cache.validate('good');
    assert.equal(inner.calls, 2);
  });

  it('never answers for a token past its expiry, however long the cache time', async () => {
    let now = 1_000_000;
    const inner = new CountingValidator();
    inner.answer = async () => ({ ...caller('alice', ['admin']), expires_at: 1_000_000 + 10_000 });
    const cache = new CachingTokenValidator(inner, { ttlSeconds: 3600, now: () => now });
    assert.ok(await cache.validate('good'));
    now += 10_001;
    assert.equal(await cache.validate('good'), null);
    assert.equal(inner.calls, 2, 'asked again once the entry lapsed with the token');
  });

  it('remembers an invalid token for at most a minute (so a retrying client does not hammer Keystone)', async () => {
    let now = 0;
    const inner = new CountingValidator();
    const cache = new CachingTokenValidator(inner, { ttlSeconds: 300, now: () => now });
    assert.equal(await cache.validate('bad'), null);
    assert.equal(await cache.validate('bad'), null);
    assert.equal(inner.calls, 1);
    now += 61_000;
    await cache.validate('bad');
    assert.equal(inner.calls, 2);
  });

  it('does not remember failures to ask, and shares one call among concurrent requests', async () => {
    const inner = new CountingValidator();
    let release: () => void = () => undefined;
    inner.answer = () => new Promise((resolve) => { release = () => resolve(caller('alice', ['admin'])); });
    const cache = new CachingTokenValidator(inner, { ttlSeconds: 300 });
    const waiting = [cache.validate('good'), cache.validate('good'), cache.validate('good')];
    release();
    assert.deepEqual((await Promise.all(waiting)).map((found) => found?.user_name), ['alice', 'alice', 'alice']);
    assert.equal(inner.calls, 1);
    inner.answer = async () => { throw new AuthenticationUnavailable('keystone is down'); };
    await assert.rejects(cache.validate('other'), AuthenticationUnavailable);
    inner.answer = async () => caller('bob', ['reader']);
    assert.equal((await cache.validate('other'))?.user_name, 'bob');
  });

  it('with token_cache_time 0 asks every time; and keeps at most maxEntries', async () => {
    const inner = new CountingValidator();
    const uncached = new CachingTokenValidator(inner, { ttlSeconds: 0 });
    await uncached.validate('good');
    await uncached.validate('good');
    assert.equal(inner.calls, 2);
    const small = new CachingTokenValidator(new CountingValidator(), { ttlSeconds: 300, maxEntries: 3 });
    for (const token of ['a', 'b', 'c', 'd', 'e']) await small.validate(token);
    assert.equal(small.size, 3);
  });
});

/** A Keystone that issues the service token and validates user tokens it was told about. */
async function keystone(options: { users?: Record<string, { roles: string[]; expiresInMs?: number }>; rejectServiceTokenOnce?: boolean; forbid?: boolean } = {}) {
  let issued = 0;
  let rejected = false;
  const server: LocalServer = await startLocalServer((request: ReceivedRequest, response: ServerResponse) => {
    if (request.method === 'POST' && request.url === '/v3/auth/tokens') {
      issued++;
      return json(response, 201, { token: { expires_at: new Date(Date.now() + 3_600_000).toISOString(), user: { id: 'ulm' }, project: { id: 'service' } } }, { 'X-Subject-Token': `service-token-${issued}` });
    }
    if (request.method === 'GET' && request.url.startsWith('/v3/auth/tokens')) {
      if (options.forbid) return json(response, 403, { error: { code: 403, message: 'You are not authorized' } });
      if (options.rejectServiceTokenOnce && !rejected) {
        rejected = true;
        return json(response, 401, { error: { code: 401, message: 'The request you have made requires authentication.' } });
      }
      const user = options.users?.[String(request.headers['x-subject-token'])];
      if (!user) return json(response, 404, { error: { code: 404, message: 'Could not find token' } });
      return json(response, 200, {
        token: {
          expires_at: new Date(Date.now() + (user.expiresInMs ?? 3_600_000)).toISOString(),
          user: { id: 'u-rita', name: 'rita', domain: { id: 'default' } },
          project: { id: 'p-ops', name: 'ops' },
          roles: user.roles.map((name, index) => ({ id: `r${index}`, name })),
        },
      });
    }
    json(response, 500, {});
  });
  return { server, issued: () => issued };
}

function cloudConfig(url: string): CloudConfig {
  return {
    auth_type: 'password', interface: 'public', tls: {}, endpoint_override: {}, sources: [],
    auth: { auth_url: `${url}/v3`, username: 'ulm', password: 'service-password', user_domain_name: 'Default', project_name: 'service', project_domain_name: 'Default' },
  };
}

const noRetries = new HttpClient({ retry: { retries: 0 } });

describe('the Keystone token validator (local Keystone stand-in)', () => {
  let stand: Awaited<ReturnType<typeof keystone>> | undefined;
  afterEach(async () => { await stand?.server.close(); stand = undefined; });

  it('asks GET /v3/auth/tokens with its own token and the caller\'s as X-Subject-Token, without the catalog', async () => {
    stand = await keystone({ users: { 'user-token': { roles: ['reader'] } } });
    const validator = new KeystoneTokenValidator(new KeystoneSession(cloudConfig(stand.server.url), noRetries));
    const found = await validator.validate('user-token', { requestId: 'req-0b1e9a51-7c2d-4f7e-9d3a-5e6f7a8b9c0d' });
    assert.deepEqual({ ...found, expires_at: 0 }, {
      user_id: 'u-rita', user_name: 'rita', user_domain_id: 'default', project_id: 'p-ops', project_name: 'ops', domain_id: null,
      system_scope: null, roles: ['reader'], expires_at: 0,
    });
    const validation = stand.server.received.find((request) => request.method === 'GET')!;
    assert.equal(validation.headers['x-auth-token'], 'service-token-1');
    assert.equal(validation.headers['x-subject-token'], 'user-token');
    assert.equal(validation.headers['x-openstack-request-id'], 'req-0b1e9a51-7c2d-4f7e-9d3a-5e6f7a8b9c0d');
    assert.match(validation.url, /nocatalog/);
  });

  it('takes a 404 for an invalid token, and does not even ask about text that cannot be a token', async () => {
    stand = await keystone();
    const validator = new KeystoneTokenValidator(new KeystoneSession(cloudConfig(stand.server.url), noRetries));
    assert.equal(await validator.validate('gAAAAABunknown'), null);
    const asked = stand.server.received.length;
    assert.equal(await validator.validate('two words'), null);
    assert.equal(await validator.validate('x'.repeat(10_000)), null);
    assert.equal(stand.server.received.length, asked);
  });

  it('authenticates again once when Keystone refuses ulm\'s own token', async () => {
    stand = await keystone({ users: { 'user-token': { roles: ['admin'] } }, rejectServiceTokenOnce: true });
    const validator = new KeystoneTokenValidator(new KeystoneSession(cloudConfig(stand.server.url), noRetries));
    assert.deepEqual((await validator.validate('user-token'))?.roles, ['admin']);
    assert.equal(stand.issued(), 2);
  });

  it('says why it cannot validate: a service user without the right (403), Keystone unreachable', async () => {
    stand = await keystone({ forbid: true });
    const forbidden = new KeystoneTokenValidator(new KeystoneSession(cloudConfig(stand.server.url), noRetries));
    await assert.rejects(forbidden.validate('user-token'), (error: Error) => error instanceof AuthenticationUnavailable && /service user may not validate tokens/.test(error.message));
    const nowhere = new KeystoneTokenValidator(new KeystoneSession(cloudConfig(`http://127.0.0.1:${await closedPort()}`), noRetries));
    await assert.rejects(nowhere.validate('user-token'), (error: Error) => error instanceof AuthenticationUnavailable && /cannot validate tokens right now/.test(error.message));
  });

  it('never puts the service password or a token into an error message', async () => {
    stand = await keystone({ forbid: true });
    const validator = new KeystoneTokenValidator(new KeystoneSession(cloudConfig(stand.server.url), noRetries));
    const error = await validator.validate('user-secret-token').catch((caught: Error) => caught);
    assert.doesNotMatch(String((error as Error).message), /service-password|user-secret-token|service-token-1/);
  });
});
