// The real `bin/ulm-api` started alone with the default empty transport_url (in-process bus,
// SQLite in a temp dir, the loopback cloud's credentials): it says at start that plans cannot
// start in this layout, and a start, through the HTTP API or `ulm plan start --wait`, is refused
// with 409 and a message naming transport_url, at once, instead of waiting forever for an applier
// that is not there. A refused audit with start leaves no plan APPROVED. Nothing moves in the cloud.
// And a daemon whose database does not answer exits 1 with one line naming it.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from '../integration/bus/support.js';
import { CLOUD, cloudEnvironment, openstack, REPO, requireDevCloud, sleep, ulm } from './dev-cloud.js';

const CONSOLIDATE = { goal: 'consolidate', max_parallel_per_host: 1, metrics: { missing: 'use_allocations' } };
const NAMES_THE_FIX = /no ulm-applier takes action plans: this ulm-api uses the in-process bus \(transport_url is empty\).*set \[DEFAULT\] transport_url to the RabbitMQ that ulm-applier uses/;

interface ErrorAnswer { error: { code: number; message: string } }
interface PlanView { id: string; state: string }
interface AuditAnswer { id: string; state: string; action_plan_id: string | null; failure_reason: string | null }

describe('ulm-api alone on the in-process bus (the real process, loopback cloud)', function () {
  this.timeout(600_000);
  let directory: string;
  let api: ChildProcess | undefined;
  let url: string;
  let token: string;
  let stderr = '';

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'X-Auth-Token': token, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(120_000),
    });
    return { status: response.status, body: await response.json() as T };
  }

  async function plans(): Promise<PlanView[]> {
    const answer = await call<{ action_plans: PlanView[] }>('GET', '/v1/action_plans');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.action_plans;
  }

  before(async () => {
    requireDevCloud();
    const built = join(REPO, 'dist', 'services', 'preflight.js');
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(REPO, 'services', 'preflight.ts')).mtimeMs) throw new Error('ulm is not built from the current sources: run npm run build');
    directory = mkdtempSync(join(tmpdir(), 'ulm-lone-api-'));
    const port = await closedPort();
    url = `http://127.0.0.1:${port}`;
    const configFile = join(directory, 'ulm.conf');
    // No transport_url: the embedded default, as a first deployment would leave it.
    writeFileSync(configFile, `[DEFAULT]\nstate_path = ${directory}\n[api]\nbind_host = 127.0.0.1\nbind_port = ${port}\n`);
    api = spawn(process.execPath, [join(REPO, 'bin', 'ulm-api'), '--config-file', configFile, '--os-cloud', CLOUD], { env: cloudEnvironment(), stdio: ['ignore', 'ignore', 'pipe'] });
    api.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    for (let waited = 0; !/REST API on/.test(stderr); waited += 1) {
      assert.ok(api.exitCode === null, `ulm-api exited ${api.exitCode}:\n${stderr}`);
      assert.ok(waited < 600, `ulm-api did not start within 60 s:\n${stderr}`);
      await sleep(100);
    }
    token = openstack<{ id: string }>(['token', 'issue']).id;
  });

  after(async () => {
    if (api && api.exitCode === null) {
      const exited = new Promise((resolve) => api!.once('exit', resolve));
      api.kill('SIGTERM');
      await exited;
    }
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('says at start that plans cannot start in this process layout, naming transport_url', () => {
    assert.match(stderr, /^warning: plans cannot start in this process layout: api without an applier on the in-process bus \(\[DEFAULT\] transport_url is empty\).*set \[DEFAULT\] transport_url/m);
  });

  it('refuses an audit with start (409, naming transport_url) and leaves no plan APPROVED', async () => {
    const before = await plans();
    const answer = await call<ErrorAnswer>('POST', '/v1/audits', { document: CONSOLIDATE, start: true });
    assert.equal(answer.status, 409, JSON.stringify(answer.body));
    assert.match(answer.body.error.message, NAMES_THE_FIX);
    const made = (await plans()).filter((plan) => !before.some((earlier) => earlier.id === plan.id));
    assert.deepEqual(made.filter((plan) => plan.state === 'APPROVED'), [], 'the refused start left an APPROVED plan');
  });

  it('refuses to start an approved plan (409 from the API; `ulm plan start --wait` exits at once with the message)', async () => {
    // An audit answers 202 at once; the planning goes on in the background until it ends.
    const submitted = await call<{ audit: AuditAnswer }>('POST', '/v1/audits', { document: CONSOLIDATE, approve: true });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    let audit = submitted.body.audit;
    for (let waited = 0; audit.state === 'PENDING' || audit.state === 'ONGOING'; waited++) {
      assert.ok(waited < 600, 'the audit ended');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      audit = (await call<AuditAnswer>('GET', `/v1/audits/${audit.id}`)).body;
    }
    assert.ok(audit.action_plan_id, `the dev cloud gives a consolidation plan: audit ${audit.state} ${audit.failure_reason ?? ''}`);
    const plan = (await call<PlanView>('GET', `/v1/action_plans/${audit.action_plan_id}`)).body;
    assert.equal(plan.state, 'APPROVED');

    const answer = await call<ErrorAnswer>('POST', `/v1/action_plans/${plan.id}/start`);
    assert.equal(answer.status, 409, JSON.stringify(answer.body));
    assert.match(answer.body.error.message, NAMES_THE_FIX);

    const started = Date.now();
    const run = ulm(['plan', 'start', plan.id, '--wait', '--os-ulm-url', url]);
    assert.notEqual(run.status, 0, `ulm plan start --wait succeeded:\n${run.stdout}`);
    assert.match(run.stderr, NAMES_THE_FIX);
    assert.ok(Date.now() - started < 60_000, '--wait did not wait for an applier that is not there');

    const [view] = (await plans()).filter((candidate) => candidate.id === plan.id);
    assert.equal(view.state, 'APPROVED', 'the refused start left the plan as it was, to start once an applier runs');
  });
});

describe('a ulm daemon whose database does not answer', function () {
  this.timeout(120_000);

  it('exits 1 with one line naming the database and [database] connection, without the password', async () => {
    requireDevCloud();
    const directory = mkdtempSync(join(tmpdir(), 'ulm-no-database-'));
    try {
      const port = await closedPort();
      const configFile = join(directory, 'ulm.conf');
      writeFileSync(configFile, `[DEFAULT]\nstate_path = ${directory}\n[database]\nconnection = mysql+pymysql://ulm:db-secret@127.0.0.1:${port}/ulm\nmax_retries = 0\n`);
      for (const daemon of ['ulm-applier', 'ulm-api']) {
        const run = spawnSync(process.execPath, [join(REPO, 'bin', daemon), '--config-file', configFile, '--os-cloud', CLOUD], { env: cloudEnvironment(), encoding: 'utf8', timeout: 60_000 });
        assert.equal(run.status, 1, `${daemon} exited ${run.status}:\n${run.stderr}`);
        const lines = run.stderr.trim().split('\n');
        assert.equal(lines.length, 1, `${daemon} said more than one line:\n${run.stderr}`);
        assert.match(lines[0], new RegExp(`^${daemon}: cannot start: cannot open the database mysql\\+pymysql://ulm:\\*+@127\\.0\\.0\\.1:${port}/ulm: .*ECONNREFUSED.*; check \\[database\\] connection and that the database server is running$`));
        assert.ok(!run.stderr.includes('db-secret'));
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
