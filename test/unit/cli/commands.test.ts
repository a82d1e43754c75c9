// The commands end to end in this process, against a fake ulm-api: what they send, what they
// print in each format, and the exit codes scripts rely on (0 ok, 1 failed, 2 bad input).
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { ProgressDisplay } from '../../../cli/progress.js';
import {
  actionView, apiError, auditView, hostView, planView, policyView, serverView, startFakeApi, windowView, type FakeApi,
} from './fake-api.js';
import { runUlm } from '../../support/ulm-in-process.js';

/** `ulm ARGS` in this process, with no OpenStack settings from the environment. */
const ulm = (args: string[]) => runUlm(args);

describe('ulm commands against a fake ulm-api', function () {
  this.timeout(20_000);
  let api: FakeApi;
  const at = () => ['--os-ulm-url', api.url];

  beforeEach(async () => {
    api = await startFakeApi({
      'GET /v1/hosts': { status: 200, body: { hosts: [hostView('cmp-02', { servers: 5 }), hostView('cmp-01', { state: 'maintenance', servers: 0, held_by_ulm: true })] } },
      'GET /v1/policies': { status: 200, body: { policies: [policyView()] } },
      'GET /v1/windows': { status: 200, body: { windows: [windowView()] } },
      'GET /v1/servers': { status: 200, body: { servers: [serverView('s-1', 'db-01'), serverView('s-2', 'web-01')] } },
    });
  });
  afterEach(() => api.close());

  it('host list has a Name column, like the OpenStack client\'s lists, in every format', async () => {
    const table = await ulm(['host', 'list', ...at()]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout.split('\n')[1], /\| Name\s+\| State\s+\| Servers\s+\| vCPUs/);
    const json = JSON.parse((await ulm(['host', 'list', '-f', 'json', ...at()])).stdout) as Record<string, unknown>[];
    assert.deepEqual(json.map((row) => row.Name), ['cmp-02', 'cmp-01']);
    assert.equal(json[0]['CPU Usage %'], 12.3);
    assert.deepEqual((parseYaml((await ulm(['host', 'list', '-f', 'yaml', ...at()])).stdout) as Record<string, unknown>[])[1].State, 'maintenance');
    assert.equal((await ulm(['host', 'list', '-f', 'value', '-c', 'Name', '--sort-column', 'Name', ...at()])).stdout, 'cmp-01\ncmp-02\n');
    assert.match((await ulm(['host', 'list', '-f', 'csv', '-c', 'Name', '-c', 'Servers', ...at()])).stdout, /^Name,Servers\ncmp-02,5\ncmp-01,0\n$/);
    assert.match((await ulm(['host', 'list', '--long', '-f', 'csv', ...at()])).stdout.split('\n')[0], /,Held By ulm,Powered Off,Action Plan$/);
  });

  it('a -c naming no column is a usage error (exit 2) that lists the columns', async () => {
    const run = await ulm(['host', 'list', '-c', 'Nom', ...at()]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no column named "Nom"; the columns are: Name, State/);
  });

  it('a verb of plan keeps its own -f and -c, though plan (offline mode) has them too', async () => {
    api.routes['GET /v1/action_plans/plan-1'] = { status: 200, body: planView() };
    api.routes['GET /v1/actions'] = { status: 200, body: { actions: [actionView(1), actionView(2, { wave: 1, type: 'disable_compute', server: null, server_name: null, host: 'cmp-03', source: null, destination: null })] } };
    const run = await ulm(['plan', 'show', 'plan-1', '-f', 'value', '-c', 'state', '-c', 'migrations', ...at()]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'RECOMMENDED\n3\n');
    const shown = JSON.parse((await ulm(['plan', 'show', 'plan-1', '-f', 'json', ...at()])).stdout) as { actions: unknown[]; state: string };
    assert.equal(shown.actions.length, 2);
    const table = (await ulm(['plan', 'show', 'plan-1', ...at()])).stdout;
    assert.match(table, /^Action plan plan-1\n/);
    assert.match(table, /Metrics[\s\S]*hosts freed\s+\| 2/);
    assert.match(table, /Progress[\s\S]*wave\s+\| not started \(2 waves\)/);
    assert.match(table, /Waves[\s\S]*\| 1\s+\| live migrate\s+\| vm-01\s+\| cmp-03 \| cmp-01 \| PENDING/);
    assert.match(table, /\| 2\s+\| disable compute\s+\| cmp-03/);
  });

  it('plan explain lists blocked servers and the planner\'s notes', async () => {
    api.routes['GET /v1/action_plans/plan-1/document'] = {
      status: 200,
      body: { format: 'ulm-plan/1', instance: null, planner: 'ulm', actions: [], meta: { goal: 'consolidate', status: 'partial', now: '2026-11-22T10:00:00Z', metrics: planView().metrics, blocked: [{ server: 's-9', server_name: 'db-09', host: 'cmp-04', constraint: 'exemption', detail: 'exempt during 08:00-18:00' }], notes: ['cmp-06 kept: N+1 spare capacity'] } },
    };
    const table = await ulm(['plan', 'explain', 'plan-1', ...at()]);
    assert.match(table.stdout, /db-09\s+\| cmp-04 \| exemption/);
    assert.match(table.stdout, /Note: cmp-06 kept: N\+1 spare capacity/);
    const json = await ulm(['plan', 'explain', 'plan-1', '-f', 'json', '-c', 'Server Name', ...at()]);
    assert.deepEqual(JSON.parse(json.stdout), [{ 'Server Name': 'db-09' }]);
    assert.match(json.stderr, /note: goal consolidate, partial/);
  });

  it('policy create sends the document the options describe', async () => {
    api.routes['POST /v1/policies'] = (request) => ({ status: 201, body: policyView({ name: 'night', document: (request.body as { document: never }).document }) });
    const run = await ulm(['policy', 'create', 'night', '--goal', 'consolidate', '--max-host-cpu', '75%', '--max-parallel-migrations', '4', '--no-power-off', '--metrics-missing', 'use_allocations', '-f', 'json', ...at()]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(api.requests[0].body, { name: 'night', document: { goal: 'consolidate', max_host_cpu: 0.75, max_parallel_migrations: 4, power_off: false, metrics: { missing: 'use_allocations' } } });
    assert.equal((JSON.parse(run.stdout) as { document: { max_host_cpu: number } }).document.max_host_cpu, 0.75);
  });

  it('the API\'s 400 exits 2 and prints each field path', async () => {
    api.routes['POST /v1/policies'] = apiError(400, 'invalid policy: document.drain_hosts: is required for goal "drain"', [{ path: 'document.drain_hosts', message: 'is required for goal "drain"' }]);
    const run = await ulm(['policy', 'create', 'maint', '--goal', 'drain', ...at()]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^ulm: invalid policy \(request id req-[0-9a-f-]+\):\n {2}document\.drain_hosts: is required for goal "drain"\n$/);
  });

  it('a not-found exits 1 with the API\'s message and request id', async () => {
    api.routes['GET /v1/policies/nope'] = apiError(404, 'policy nope not found; GET /v1/policies lists them', [], 'req-dddddddd-0000-4000-8000-000000000000');
    const run = await ulm(['policy', 'show', 'nope', ...at()]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'ulm: policy nope not found; ulm policy list lists them (HTTP 404, request id req-dddddddd-0000-4000-8000-000000000000)\n');
  });

  it('bad options exit 2 before anything is sent', async () => {
    for (const args of [
      ['policy', 'create', 'x', '--goal', 'consolidate', '--max-host-cpu', '2'],
      ['window', 'create', 'w', '--policy', 'night', '--opens', 'weekdays 20:00'],
      ['window', 'create', 'w', '--policy', 'night', '--opens', 'weekdays 20:00', '--closes', '07:00', '--duration', '11h'],
      ['server', 'set', 'db-01', '--not-during', '08:00-18:00 someday'],
      ['server', 'set', 'db-01'],
      ['plan', 'list', '--state', 'RUNNING'],
      ['audit', 'create', '--policy', 'night', '--wait'],
      ['host', 'list', '-f', 'xml'],
      ['completion', 'fish'],
    ]) {
      const run = await ulm([...args, ...at()]);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    }
    assert.equal(api.requests.length, 0);
  });

  it('server set turns --not-during into time windows, by server name', async () => {
    api.routes['POST /v1/servers/s-1/exemptions'] = { status: 201, body: {} };
    const run = await ulm(['server', 'set', 'db-01', '--not-during', '08:00-18:00 mon-fri Europe/Berlin', '--not-during', 'sat,sun', '--reason', 'office hours', ...at()]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(api.requests.at(-1)!.body, {
      kind: 'windows', reason: 'office hours',
      windows: [{ start: '08:00', end: '18:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], timezone: 'Europe/Berlin' }, { start: '00:00', end: '24:00', days: ['sat', 'sun'] }],
    });
  });

  it('window create sends the window the options describe', async () => {
    api.routes['POST /v1/windows'] = { status: 201, body: windowView() };
    const run = await ulm(['window', 'create', 'weeknights', '--policy', 'night', '--opens', 'weekdays 20:00', '--duration', '11h', '--timezone', 'Europe/Berlin',
      '--holiday', '2026-12-24', '--holiday', '2026-12-25', '--off-day', 'sat,sun', '--auto-apply', '-f', 'value', '-c', 'name', ...at()]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'weeknights\n');
    assert.deepEqual(api.requests[0].body, { policy: 'night', window: { name: 'weeknights', opens: 'weekdays 20:00', duration_minutes: 660, timezone: 'Europe/Berlin', holidays: ['2026-12-24', '2026-12-25'], off_days: ['sat', 'sun'], auto_apply: true } });
  });

  it('plan start --wait follows the plan to its end and exits 1 when it fails', async () => {
    let polls = 0;
    api.routes['POST /v1/action_plans/plan-1/start'] = { status: 202, body: planView({ state: 'APPROVED' }) };
    api.routes['GET /v1/action_plans/plan-1'] = () => {
      polls++;
      if (polls === 1) return { status: 200, body: planView({ state: 'ONGOING', progress: { waves: 2, current_wave: 0, counts: { PENDING: 3, ONGOING: 2, SUCCEEDED: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 0 }, transfers: [{ server: 'vm-01', source: 'cmp-03', destination: 'cmp-01' }], done: { migrations: 0, hosts_disabled: 0, hosts_powered_off: 0, hosts_powered_on: 0, hosts_enabled: 0 } } }) };
      return { status: 200, body: planView({ state: 'FAILED', failure_reason: 'vm-01: migration timed out', progress: { waves: 2, current_wave: 0, counts: { PENDING: 0, ONGOING: 0, SUCCEEDED: 1, FAILED: 1, SKIPPED: 0, CANCELLED: 3 }, transfers: [], done: { migrations: 1, hosts_disabled: 0, hosts_powered_off: 0, hosts_powered_on: 0, hosts_enabled: 0 } } }) };
    };
    const run = await ulm(['plan', 'start', 'plan-1', '--wait', '-f', 'value', '-c', 'state', ...at()]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, 'FAILED\n');
    assert.match(run.stderr, /ONGOING: wave 1 of 2; 0 of 5 actions succeeded, 2 running; moving vm-01 cmp-03 -> cmp-01\n/);
    assert.match(run.stderr, /ulm: action plan plan-1 ended FAILED: vm-01: migration timed out/);
  });

  it('host drain --dry-run prints the plan it made and leaves it RECOMMENDED', async () => {
    api.routes['POST /v1/hosts/drain'] = { status: 202, body: { audit: auditView({ goal: 'drain', policy_name: 'ad hoc (drain)' }), action_plan: planView() } };
    const run = await ulm(['host', 'drain', 'cmp-03', '--dry-run', '-f', 'json', ...at()]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(api.requests[0].body, { hosts: ['cmp-03'], dry_run: true });
    assert.equal((JSON.parse(run.stdout) as { action_plan_state: string }).action_plan_state, 'RECOMMENDED');
    assert.match(run.stderr, /dry run: action plan plan-1 waits as RECOMMENDED/);
  });

  it('an audit that fails exits 1 with its reason', async () => {
    api.routes['POST /v1/audits'] = { status: 201, body: { audit: auditView({ state: 'FAILED', failure_reason: 'servers without fresh metrics: vm-03', action_plan_id: null }), action_plan: null } };
    const run = await ulm(['consolidate', '--dry-run', ...at()]);
    assert.equal(run.status, 1);
    assert.deepEqual(api.requests[0].body, { goal: 'consolidate', approve: false, start: false, document: { goal: 'consolidate' } });
    assert.match(run.stderr, /no consolidation: servers without fresh metrics: vm-03/);
  });

  it('host undrain exits 1 when a host was not restored', async () => {
    api.routes['POST /v1/hosts/undrain'] = { status: 200, body: { results: [{ host: 'cmp-07', restored: false, detail: 'ulm did not disable it' }] } };
    const run = await ulm(['host', 'undrain', 'cmp-07', '-f', 'csv', ...at()]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, 'Host,Restored,Detail\ncmp-07,false,ulm did not disable it\n');
  });

  it('savings show prints each run and totals', async () => {
    api.routes['GET /v1/savings'] = { status: 200, body: { savings: [
      { window_id: 'w-1', window_name: 'weeknights', state: 'CLOSED', action_plan_id: 'plan-1', restore_plan_id: 'plan-1r', period_start: '2026-11-20T19:00:00Z', period_end: '2026-11-21T06:00:00Z', hosts_off: 2, host_hours_off: 22, energy_kwh: 4.4 },
      { window_id: 'w-1', window_name: 'weeknights', state: 'OPEN', action_plan_id: 'plan-2', restore_plan_id: null, period_start: '2026-11-21T19:00:00Z', period_end: null, hosts_off: 1, host_hours_off: 5.5, energy_kwh: 1.1 },
    ] } };
    const json = JSON.parse((await ulm(['savings', 'show', '-f', 'json', ...at()])).stdout) as { runs: unknown[]; totals: { energy_kwh: number; host_hours_off: number } };
    assert.equal(json.runs.length, 2);
    assert.deepEqual([json.totals.host_hours_off, json.totals.energy_kwh], [27.5, 5.5]);
    const csv = (await ulm(['savings', 'show', '-f', 'csv', ...at()])).stdout.trim().split('\n');
    assert.equal(csv.length, 4);
    assert.equal(csv[1].split(',').slice(0, 4).join(','), 'weeknights,CLOSED,plan-1,plan-1r');
    assert.equal(csv[3], 'TOTAL,,,,,,,27.5,5.5');
    assert.match((await ulm(['savings', 'show', ...at()])).stdout, /Totals[\s\S]*all windows\s+\| 2\s+\| 27\.5\s+\| 5\.5/);
  });

  it('plan apply needs direct mode (exit 2 against the API)', async () => {
    const run = await ulm(['plan', 'apply', 'plan-1', ...at()]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /needs direct mode \(--direct\).*use ulm plan start PLAN --wait/);
  });

  it('every command has --help with examples', async () => {
    const { buildProgram } = await import('../../../cli/main.js');
    const program = await buildProgram();
    const visit = (command: typeof program, path: string[]): string[][] => [path, ...command.commands.filter((child) => child.name() !== 'help').flatMap((child) => visit(child, [...path, child.name()]))];
    const leaves = visit(program, []).filter((path) => path.length && !['plan', 'snapshot', 'policy', 'window', 'audit', 'host', 'server', 'savings', 'serve'].includes(path.join(' ')));
    assert.ok(leaves.length >= 35, `${leaves.length} commands`);
    for (const path of leaves) {
      const run = await ulm([...path, '--help']);
      assert.equal(run.status, 0, path.join(' '));
      assert.match(run.stdout, /Examples:\n {2}\S/, `ulm ${path.join(' ')} --help has examples`);
    }
    assert.match((await ulm(['--help'])).stdout, /Exit status:\n {2}0 {2}success\n {2}1 {2}the operation failed/);
  });

  it('shows progress in place on a terminal and as plain lines elsewhere', () => {
    const written: string[] = [];
    const terminal = new ProgressDisplay({ isTTY: true, columns: 40, write: (text: string) => written.push(text) });
    terminal.show('action plan plan-1 ONGOING: wave 1 of 2; 0 of 5 actions succeeded');
    terminal.show('action plan plan-1 ONGOING: wave 1 of 2; 0 of 5 actions succeeded');
    terminal.finish('done');
    // One column short of the terminal, so that the cursor never wraps to a new line.
    assert.deepEqual(written, ['\r\x1b[2Kaction plan plan-1 ONGOING: wave 1 of …', '\r\x1b[2Kdone\n']);
    const plain: string[] = [];
    const log = new ProgressDisplay({ write: (text: string) => plain.push(text) });
    log.show('a');
    log.show('a');
    log.show('b');
    log.finish('b');
    assert.deepEqual(plain, ['a\n', 'b\n']);
  });
});
