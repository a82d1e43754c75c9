// `--wait` follows a plan through ulm-api restarts and proxies' 502/503/504 (real HTTP on
// loopback, the real API client), backing off between tries, and `--timeout` bounds the wait.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiEngine } from '../../../cli/api-engine.js';
import { followPlan, isTransient, retryDelay, withActivity } from '../../../cli/progress.js';
import { runUlm } from '../../support/ulm-in-process.js';
import { planView, startFakeApi } from './fake-api.js';

/** What the stand-in API answers to each poll, in turn: a status and a plan state, or `down` (not listening). */
type Turn = { status: number; state?: string } | 'down';

/** A stand-in ulm-api whose answers follow `turns`, and that can stop listening and come back on the same port. */
class FlakyApi {
  private server: Server | null = null;
  port = 0;
  polls = 0;
  constructor(private readonly turns: Turn[]) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const turn = this.turns[Math.min(this.polls, this.turns.length - 1)];
      this.polls += 1;
      const { status, state } = turn as { status: number; state?: string };
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(status === 200 ? planView({ state: state as never }) : { error: { code: status, message: 'Bad Gateway' } }));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  }

  /** Before the next poll: listening or not, as its turn says. */
  async prepare(): Promise<void> {
    const down = this.turns[Math.min(this.polls, this.turns.length - 1)] === 'down';
    if (down && this.server) await this.stop();
    if (down) this.polls += 1;
    if (!down && !this.server) await this.start();
  }
}

describe('--wait through an API restart', () => {
  it('retries connection refused, 502, 503 and 504 with growing pauses, and ends with the plan', async () => {
    const api = new FlakyApi([{ status: 200, state: 'ONGOING' }, { status: 503 }, 'down', { status: 502 }, { status: 504 }, { status: 200, state: 'SUCCEEDED' }]);
    await api.start();
    const engine = new ApiEngine({ url: `http://127.0.0.1:${api.port}` });
    const pauses: number[] = [];
    const lines: string[] = [];
    try {
      const ended = await followPlan(engine, 'plan-1', {
        intervalMs: 1000,
        stream: { write: (text: string) => lines.push(text) },
        sleep: async (ms) => { pauses.push(ms); await api.prepare(); },
      });
      assert.equal(ended.state, 'SUCCEEDED');
      // After ONGOING the poll interval; then 1 s, 2 s, 4 s, 8 s for the four failed polls in a row.
      assert.deepEqual(pauses, [1000, 1000, 2000, 4000, 8000]);
      assert.ok(lines.some((line) => /cannot read it now \(cannot reach ulm-api at .*\), retry 2 in 2 s/.test(line)), lines.join(''));
    } finally {
      engine.close();
      await api.stop();
    }
  });

  it('gives up at once on an error that will not pass (the plan is gone)', async () => {
    const api = new FlakyApi([{ status: 404 }]);
    await api.start();
    const engine = new ApiEngine({ url: `http://127.0.0.1:${api.port}` });
    try {
      await assert.rejects(followPlan(engine, 'plan-1', { stream: { write: () => true }, sleep: async () => undefined }), /HTTP 404/);
      assert.equal(api.polls, 1);
    } finally {
      engine.close();
      await api.stop();
    }
  });

  it('stops waiting at --timeout with a message saying the plan goes on', async () => {
    const api = new FlakyApi([{ status: 200, state: 'ONGOING' }, { status: 503 }, { status: 200, state: 'ONGOING' }]);
    await api.start();
    const engine = new ApiEngine({ url: `http://127.0.0.1:${api.port}` });
    let clock = 0;
    try {
      await assert.rejects(followPlan(engine, 'plan-1', {
        intervalMs: 1000, timeoutMs: 10_000, now: () => clock, stream: { write: () => true },
        sleep: async (ms) => { clock += ms; await api.prepare(); },
      }), /stopped waiting after 10 s \(--timeout\): action plan plan-1 is still ONGOING and goes on; follow it with ulm plan show plan-1/);
      assert.ok(clock <= 10_000, `no pause beyond the deadline (${clock} ms)`);
    } finally {
      engine.close();
      await api.stop();
    }
  });

  it('tells passing failures from lasting ones, and backs off up to 30 s', () => {
    assert.equal(isTransient({ status: 503 }), true);
    assert.equal(isTransient({ code: 'ECONNRESET' }), true);
    assert.equal(isTransient({ status: 409 }), false);
    assert.equal(isTransient(new Error('boom')), false);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelay(attempt, 1000)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});

describe('ulm plan start --wait --timeout', function () {
  this.timeout(20_000);

  it('exits 1 when the plan has not ended in time, and 2 (starting nothing) for a timeout that is no number', async () => {
    const api = await startFakeApi({
      'POST /v1/action_plans/plan-1/start': { status: 202, body: planView({ state: 'ONGOING' }) },
      'GET /v1/action_plans/plan-1': { status: 200, body: planView({ state: 'ONGOING' }) },
    });
    try {
      const run = await runUlm(['plan', 'start', 'plan-1', '--wait', '--timeout', '1', '--os-ulm-url', api.url]);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /stopped waiting after 1 s \(--timeout\): action plan plan-1 is still ONGOING/);
      const starts = api.requests.filter((request) => request.method === 'POST').length;
      const bad = await runUlm(['plan', 'start', 'plan-1', '--wait', '--timeout', 'soon', '--os-ulm-url', api.url]);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^usage: ulm plan start \[options\] <plan>\nerror: option '--timeout <seconds>' argument 'soon' is invalid\. give a positive number of seconds/);
      assert.equal(api.requests.filter((request) => request.method === 'POST').length, starts, 'nothing started');
    } finally {
      await api.close();
    }
  });
});

describe('progress of long commands', () => {
  it('shows what runs on a terminal\'s standard error and clears it after; nothing elsewhere', async () => {
    let terminal = '';
    const answer = await withActivity('collecting the cloud and planning', async () => 42, { isTTY: true, columns: 80, write: (text: string) => { terminal += text; } });
    assert.equal(answer, 42);
    const clear = '\r\u001b[2K';
    assert.equal(terminal, `${clear}collecting the cloud and planning... 0 s${clear}`);
    let pipe = '';
    await assert.rejects(withActivity('collecting', async () => { throw new Error('refused'); }, { isTTY: false, write: (text: string) => { pipe += text; } }), /refused/);
    assert.equal(pipe, '');
  });
});
