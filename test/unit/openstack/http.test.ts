// The HTTP layer against a real local server: retries with backoff on connection errors and
// 5xx, Retry-After honoured, which methods may be repeated, and what each request logs.
import { strict as assert } from 'node:assert';
import { createLogger } from '../../../openstack/logger.js';
import { HttpClient } from '../../../openstack/http.js';
import { OpenStackConnectionError, OpenStackHttpError } from '../../../openstack/errors.js';
import { capturedLog, closedPort, json, startLocalServer, type LocalServer } from './local-server.js';

/** Answers the scripted statuses in order, then 200. */
async function scripted(statuses: Array<number | [number, Record<string, string>]>): Promise<LocalServer> {
  let index = 0;
  return startLocalServer((_request, response) => {
    const next = statuses[index++];
    if (next === undefined) return json(response, 200, { ok: true }, { 'X-OpenStack-Request-ID': `req-answer-${index}` });
    const [status, headers] = Array.isArray(next) ? next : [next, {}];
    json(response, status, { error: { message: `scripted ${status}` } }, { 'X-OpenStack-Request-ID': `req-answer-${index}`, ...headers });
  });
}

function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => { delays.push(ms); } };
}

describe('OpenStack HTTP layer', () => {
  let server: LocalServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  describe('retries', () => {
    it('a GET that meets 503 is tried again and returns the later answer', async () => {
      server = await scripted([503]);
      const { delays, sleep } = recordingSleep();
      const response = await new HttpClient({ sleep, random: () => 1 }).request({ method: 'GET', url: `${server.url}/servers` });
      assert.equal(response.status, 200);
      assert.equal(server.received.length, 2);
      assert.deepEqual(delays, [500]);
    });

    it('backoff doubles from one retry to the next when the service gives no Retry-After', async () => {
      server = await scripted([500, 502, 504]);
      const { delays, sleep } = recordingSleep();
      await new HttpClient({ sleep, random: () => 1, retry: { baseDelayMs: 200 } }).request({ method: 'GET', url: server.url });
      assert.deepEqual(delays, [200, 400, 800]);
    });

    it('jitter keeps each backoff between half and all of its ceiling', async () => {
      server = await scripted([500, 500]);
      const { delays, sleep } = recordingSleep();
      await new HttpClient({ sleep, random: () => 0, retry: { baseDelayMs: 1000 } }).request({ method: 'GET', url: server.url });
      assert.deepEqual(delays, [500, 1000]);
    });

    it('Retry-After in seconds is waited for instead of the backoff', async () => {
      server = await scripted([[503, { 'Retry-After': '7' }], [429, { 'Retry-After': '2' }]]);
      const { delays, sleep } = recordingSleep();
      await new HttpClient({ sleep }).request({ method: 'GET', url: server.url });
      assert.deepEqual(delays, [7000, 2000]);
    });

    it('Retry-After as an HTTP date is waited for until that date', async () => {
      const now = Date.parse('2026-11-22T12:00:00Z');
      server = await scripted([[503, { 'Retry-After': 'Sun, 22 Nov 2026 12:00:05 GMT' }]]);
      const { delays, sleep } = recordingSleep();
      await new HttpClient({ sleep, now: () => now }).request({ method: 'GET', url: server.url });
      assert.deepEqual(delays, [5000]);
    });

    it('Retry-After really delays the next attempt (real clock)', async () => {
      server = await scripted([[503, { 'Retry-After': '1' }]]);
      const started = Date.now();
      await new HttpClient().request({ method: 'GET', url: server.url });
      assert.equal(server.received.length, 2);
      assert.ok(Date.now() - started >= 950, `second attempt after ${Date.now() - started} ms`);
    });

    it('a Retry-After longer than the limit is not waited for: the request fails and says why', async () => {
      server = await scripted([[503, { 'Retry-After': '3600' }]]);
      const { delays, sleep } = recordingSleep();
      await assert.rejects(new HttpClient({ sleep }).request({ method: 'GET', url: server.url }), (error: Error) => {
        assert.ok(error instanceof OpenStackHttpError);
        assert.match(error.message, /asked to retry after 3600 s/);
        return true;
      });
      assert.deepEqual(delays, []);
    });

    it('gives up after the configured retries with the status, the service\'s words and the request id', async () => {
      server = await scripted([503, 503, 503, 503, 503]);
      const { sleep } = recordingSleep();
      await assert.rejects(new HttpClient({ sleep, retry: { retries: 2 } }).request({ method: 'GET', url: `${server.url}/os-hypervisors` }), (error: Error) => {
        assert.ok(error instanceof OpenStackHttpError);
        assert.equal(error.status, 503);
        assert.equal(error.requestId, 'req-answer-3');
        assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/os-hypervisors failed with HTTP 503: scripted 503 \(request id req-answer-3\)\. gave up after 3 attempts/);
        return true;
      });
      assert.equal(server.received.length, 3);
    });

    it('a 4xx is an answer, not a reason to retry', async () => {
      server = await scripted([404]);
      await assert.rejects(new HttpClient({ sleep: recordingSleep().sleep }).request({ method: 'GET', url: server.url }), OpenStackHttpError);
      assert.equal(server.received.length, 1);
    });

    it('a POST that meets 500 is not sent again: it may have been carried out', async () => {
      server = await scripted([500]);
      await assert.rejects(new HttpClient({ sleep: recordingSleep().sleep }).request({ method: 'POST', url: server.url, data: { 'os-migrateLive': { host: 'cmp-2' } } }), OpenStackHttpError);
      assert.equal(server.received.length, 1);
    });

    it('a POST that meets 503 is sent again: the service did not take it', async () => {
      server = await scripted([503]);
      const response = await new HttpClient({ sleep: recordingSleep().sleep }).request({ method: 'POST', url: server.url, data: {} });
      assert.equal(response.status, 200);
      assert.equal(server.received.length, 2);
    });

    it('a POST marked idempotent (a read, like Gnocchi aggregates) is retried on 500', async () => {
      server = await scripted([500]);
      await new HttpClient({ sleep: recordingSleep().sleep }).request({ method: 'POST', url: server.url, data: {}, idempotent: true });
      assert.equal(server.received.length, 2);
    });

    it('connection refused is retried with backoff, then reported with the address and the attempts', async () => {
      const port = await closedPort();
      const { delays, sleep } = recordingSleep();
      await assert.rejects(new HttpClient({ sleep, random: () => 1, retry: { retries: 2, baseDelayMs: 100 } }).request({ method: 'GET', url: `http://127.0.0.1:${port}/v2.1` }), (error: Error) => {
        assert.ok(error instanceof OpenStackConnectionError);
        assert.equal(error.code, 'ECONNREFUSED');
        assert.match(error.message, new RegExp(`GET http://127.0.0.1:${port}/v2.1: cannot reach the service \\(ECONNREFUSED.*\\) after 3 attempts`));
        return true;
      });
      assert.deepEqual(delays, [100, 200]);
    });

    it('a service that comes up while we back off is reached', async () => {
      const port = await closedPort();
      let late: LocalServer | undefined;
      const sleep = async () => {
        late ??= await startLocalServerOn(port);
      };
      const response = await new HttpClient({ sleep }).request({ method: 'GET', url: `http://127.0.0.1:${port}/` });
      assert.equal(response.status, 200);
      await late?.close();
    });
  });

  describe('request ids and logging', () => {
    it('sends the global request id and logs method, URL, status and the service\'s request id', async () => {
      server = await scripted([]);
      const log = capturedLog();
      const client = new HttpClient({ logger: createLogger({ level: 'debug', destination: log }) });
      const response = await client.request({ method: 'GET', url: `${server.url}/servers/detail`, params: { all_tenants: 1 }, service: 'compute', globalRequestId: 'req-11111111-2222-3333-4444-555555555555' });
      assert.equal(server.received[0].headers['x-openstack-request-id'], 'req-11111111-2222-3333-4444-555555555555');
      assert.equal(response.requestId, 'req-answer-1');
      const [record] = log.records();
      assert.equal(record.method, 'GET');
      assert.equal(record.url, `${server.url}/servers/detail?all_tenants=1`);
      assert.equal(record.status, 200);
      assert.equal(record.request_id, 'req-answer-1');
      assert.equal(record.global_request_id, 'req-11111111-2222-3333-4444-555555555555');
      assert.equal(record.service, 'compute');
      assert.equal(typeof record.duration_ms, 'number');
    });

    it('logs every attempt; a retry is a warning that says when the next attempt comes', async () => {
      server = await scripted([[503, { 'Retry-After': '3' }]]);
      const log = capturedLog();
      await new HttpClient({ logger: createLogger({ level: 'debug', destination: log }), sleep: recordingSleep().sleep }).request({ method: 'GET', url: server.url });
      const records = log.records();
      assert.equal(records.length, 2);
      assert.equal(records[0].level, 40);
      assert.equal(records[0].status, 503);
      assert.equal(records[0].retry_in_ms, 3000);
      assert.equal(records[0].request_id, 'req-answer-1');
      assert.equal(records[1].status, 200);
    });

    it('a URL with user:password@ is logged and reported without them', async () => {
      const port = await closedPort();
      const log = capturedLog();
      const client = new HttpClient({ logger: createLogger({ level: 'debug', destination: log }), retry: { retries: 0 } });
      await assert.rejects(client.request({ method: 'GET', url: `http://admin:hunter2-secret@127.0.0.1:${port}/v3?token=abc-secret-token` }), (error: Error) => {
        assert.doesNotMatch(error.message, /hunter2|abc-secret-token/);
        return true;
      });
      assert.doesNotMatch(log.text(), /hunter2|abc-secret-token/);
      assert.match(log.text(), /token=%5Bredacted%5D/);
    });
  });
});

async function startLocalServerOn(port: number): Promise<LocalServer> {
  const { createServer } = await import('node:http');
  const server = createServer((_request, response) => json(response, 200, { ok: true }));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, port, received: [], close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}
