// What a ulm process checks before it starts, against real parts: a SQLite file, the dev cloud's
// RabbitMQ, and ports where nothing listens. A missing part is one line naming the option to fix,
// with no password; a lone API on the in-process bus is told at start that plans cannot start.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigOverrides } from '../../../services/config/index.js';
import { PreflightFailed, layoutWarnings, preflight } from '../../../services/preflight.js';
import { brokerReachable, closedPort, testTransportUrl } from './support.js';

const FAST = { brokerTimeoutMs: 1500 };

describe('preflight: what a ulm process checks before it starts', function () {
  this.timeout(60_000);
  let directory: string;
  const config = (overrides: ConfigOverrides = {}) => loadConfig([], { ...overrides, DEFAULT: { state_path: directory, ...overrides.DEFAULT } });

  beforeEach(() => { directory = mkdtempSync(join(tmpdir(), 'ulm-preflight-')); });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('passes with the embedded defaults (SQLite, in-process bus) for ulm serve', async () => {
    assert.deepEqual(await preflight(config(), ['api', 'applier', 'scheduler', 'monitor', 'listener'], { migrate: true }), { warnings: [] });
  });

  it('passes with the dev cloud\'s RabbitMQ as transport_url', async function () {
    const problem = await brokerReachable();
    if (problem) {
      console.warn(`      skipped: ${problem}`);
      this.skip();
    }
    assert.deepEqual(await preflight(config({ DEFAULT: { transport_url: testTransportUrl() } }), ['api'], { migrate: true, ...FAST }), { warnings: [] });
  });

  it('names a RabbitMQ that does not answer, and [DEFAULT] transport_url, in one line without the password', async () => {
    const port = await closedPort();
    const settings = config({ DEFAULT: { transport_url: `rabbit://ulm:s3cret-word@127.0.0.1:${port}/ulm` } });
    await assert.rejects(preflight(settings, ['applier'], { migrate: true, ...FAST }), (error: Error) => {
      assert.ok(error instanceof PreflightFailed);
      assert.match(error.message, new RegExp(`^cannot start: cannot connect to RabbitMQ at rabbit://ulm:\\*\\*\\*@127\\.0\\.0\\.1:${port}/ulm within 1\\.5 s \\(last error: .*ECONNREFUSED.*\\); check \\[DEFAULT\\] transport_url and that RabbitMQ is running$`));
      assert.ok(!error.message.includes('s3cret-word'));
      assert.ok(!error.message.includes('\n'));
      return true;
    });
  });

  it('names Nova\'s RabbitMQ for the listener only, as [listener] transport_url', async () => {
    const port = await closedPort();
    const settings = config({ listener: { transport_url: `rabbit://nova:pw@127.0.0.1:${port}/` } });
    await preflight(settings, ['api', 'applier'], { migrate: true, ...FAST });
    await assert.rejects(preflight(settings, ['listener'], { migrate: true, ...FAST }), /^PreflightFailed: cannot start: cannot connect to RabbitMQ at rabbit:\/\/nova:\*\*\*@127\.0\.0\.1:\d+\/ .*; check \[listener\] transport_url/);
  });

  it('names every missing part at once: the database and the broker', async () => {
    const [databasePort, brokerPort] = [await closedPort(), await closedPort()];
    const settings = config({
      DEFAULT: { transport_url: `rabbit://ulm:pw@127.0.0.1:${brokerPort}/` },
      database: { connection: `mysql+pymysql://ulm:db-secret@127.0.0.1:${databasePort}/ulm`, max_retries: 0 },
    });
    await assert.rejects(preflight(settings, ['scheduler'], FAST), (error: Error) => {
      assert.match(error.message, new RegExp(`^cannot start: cannot open the database mysql\\+pymysql://ulm:\\*+@127\\.0\\.0\\.1:${databasePort}/ulm: .*; check \\[database\\] connection and that the database server is running; and cannot connect to RabbitMQ .*; check \\[DEFAULT\\] transport_url`));
      assert.ok(!error.message.includes('db-secret'));
      return true;
    });
  });

  it('names a database whose schema is behind, and the command that upgrades it, when the process does not upgrade it itself', async () => {
    await assert.rejects(preflight(config(), ['api'], { migrate: false }), /^PreflightFailed: cannot start: the database sqlite:\/\/\/.*ulm\.sqlite lacks \d+ schema upgrade\(s\) \(at none, this ulm needs .*\): run "ulm-manage db sync"$/);
  });

  it('warns a process that starts plans without an applier on the in-process bus, naming transport_url', async () => {
    const settings = config();
    const [warning] = (await preflight(settings, ['api'], { migrate: true })).warnings;
    assert.match(warning, /^plans cannot start in this process layout: api without an applier on the in-process bus \(\[DEFAULT\] transport_url is empty\), so a plan start is refused \(409\); run "ulm serve", or set \[DEFAULT\] transport_url to the RabbitMQ that ulm-applier uses$/);
    assert.match(layoutWarnings(settings, ['api', 'scheduler', 'monitor', 'listener'])[0], /api, scheduler, monitor without an applier/);
    assert.deepEqual(layoutWarnings(settings, ['api', 'applier']), [], 'ulm serve runs its own applier');
    assert.deepEqual(layoutWarnings(settings, ['applier']), []);
    assert.deepEqual(layoutWarnings(settings, ['listener']), [], 'the listener starts no plans');
    assert.deepEqual(layoutWarnings(config({ DEFAULT: { transport_url: 'rabbit://ulm:pw@mq.example.org:5672/' } }), ['api']), [], 'on RabbitMQ an applier elsewhere takes the jobs');
  });
});
