// The `ulm` command (built, ./bin/ulm) against a running ulm-api: the real app (createApiApp)
// over the real engine (openRuntime on a temporary SQLite database) and the loopback cloud, with
// Keystone tokens from the dev cloud. Every command in every output format, -c, --sort-column,
// the OpenStack options before or after the command (a token too), usage errors (exit 2,
// naming the field) and not-found (exit 1). Plans are made but not run,
// but for one small drain with --wait, undone after (undrain --rebalance, and the servers it
// moved put back, so that the next test finds the seeded layout). The format matrix (some
// hundred runs) goes to a second app on the same
// engine with auth_strategy noauth: a token per run would double its time, and tokens are tested
// by every other case.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createLogger } from '../../openstack/logger.js';
import { ApplierWorker } from '../../services/applier/worker.js';
import { createApiApp, type ApiApp } from '../../services/api/app.js';
import { apiAuthenticationFromConfig } from '../../services/api/feature.js';
import { loadConfig } from '../../services/config/index.js';
import { openRuntime, type Runtime } from '../../services/runtime.js';
import { recordPlanTimes } from '../support/plan-times.js';
import { CLOUD, cloudEnvironment, devCloudConfig, devCloudOptions, openstack, openstackAction, REPO, requireDevCloud, serverList, sleep } from './dev-cloud.js';

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

const FORMATS = ['table', 'json', 'yaml', 'value', 'csv'] as const;

/** `./bin/ulm ARGS` as an operator runs it, without blocking this process (the API lives here). */
function ulmAsync(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'ulm'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGTERM'), 300_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ status: code ?? -1, stdout, stderr }); });
  });
}

/** The output of one format, parsed enough to know it is that format. */
function checkFormat(format: (typeof FORMATS)[number], run: Run, what: string): void {
  assert.equal(run.status, 0, `${what} -f ${format} exited ${run.status}:\n${run.stderr}`);
  assert.ok(run.stdout.length > 0 || format === 'value', `${what} -f ${format} printed nothing`);
  if (format === 'json') JSON.parse(run.stdout);
  if (format === 'yaml') parseYaml(run.stdout);
  if (format === 'table' && run.stdout.trim()) assert.match(run.stdout, /^\+-+\+/m, `${what} -f table draws a table`);
  if (format === 'csv' || format === 'value') assert.ok(!run.stdout.includes('+--'), `${what} -f ${format} is not a table`);
}

describe('the ulm command against a running ulm-api (real engine, loopback cloud)', function () {
  this.timeout(900_000);
  let directory: string;
  let runtime: Runtime;
  let app: ApiApp;
  let openApp: ApiApp;
  let applier: ApplierWorker;
  let url: string;
  let openUrl: string;
  const env = { ...cloudEnvironment() };
  delete env.ULM_URL;
  /** No OpenStack settings at all: the CLI calls the noauth app without a token. */
  const bareEnv = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('OS_')));
  const ulm = (...args: string[]) => ulmAsync([...args, '--os-ulm-url', url], env);
  const ulmOpen = (...args: string[]) => ulmAsync([...args, '--os-ulm-url', openUrl], bareEnv);
  const listening = (server: ApiApp) => {
    const address = server.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };
  /** Ids the commands below make and use. */
  const made = { policy: 'ulm-ft-cli', window: '', audit: '', plan: '', drainPlan: '', snapshot: '', server: '', host: '' };

  before(async () => {
    requireDevCloud();
    const built = join(REPO, 'dist', 'cli', 'backend.js');
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(REPO, 'cli', 'backend.ts')).mtimeMs) throw new Error('ulm is not built from the current sources: run npm run build');
    directory = mkdtempSync(join(tmpdir(), 'ulm-cli-functional-'));
    const config = loadConfig([], { ...devCloudOptions(), DEFAULT: { state_path: directory } });
    const logger = createLogger({ level: 'silent' });
    runtime = await openRuntime(config, { cloudConfig: devCloudConfig(), migrate: true, logger });
    // Tokens are validated with the dev cloud's credentials, as ulm-api does with clouds.yaml.
    app = createApiApp({ engine: runtime.engine, auth: apiAuthenticationFromConfig(config, { logger, env: cloudEnvironment() }), logger, panelDirectory: null });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = listening(app);
    openApp = createApiApp({ engine: runtime.engine, auth: { strategy: 'noauth' }, logger, panelDirectory: null });
    await openApp.listen({ host: '127.0.0.1', port: 0 });
    openUrl = listening(openApp);
    applier = new ApplierWorker(await runtime.applierContext(), runtime.bus, { holder: runtime.holder, leaseMs: 30_000 });
    await applier.start();
  });

  after(async () => {
    await applier?.stop();
    await app?.close();
    await openApp?.close();
    // The drain and the undrain's rebalancing ran here: the applier's speed report reads them.
    if (runtime) await recordPlanTimes(runtime).catch((error: unknown) => console.warn(`plan times not recorded: ${String(error)}`));
    await runtime?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('collects a snapshot (snapshot create), with a Keystone token, and says so with --debug', async () => {
    const run = await ulmAsync(['--debug', 'snapshot', 'create', '-f', 'json', '--os-ulm-url', url], env);
    assert.equal(run.status, 0, run.stderr);
    const view = JSON.parse(run.stdout) as { id: string; hosts: number; servers: number };
    assert.ok(view.hosts >= 1 && view.servers >= 1);
    made.snapshot = view.id;
    assert.match(run.stderr, new RegExp(`^DEBUG using ulm-api at ${url} \\(from --os-ulm-url, with a Keystone token\\)$`, 'm'));
    assert.match(run.stderr, new RegExp(`^DEBUG POST ${url}/v1/snapshots -> 201 in \\d+ ms \\(request id req-[0-9a-f-]+\\)$`, 'm'));
    assert.ok(!/X-Auth-Token|gAAAA/.test(run.stderr), 'no token in the debug lines');
  });

  it('makes a policy, a window, an audit and dry-run plans (create commands)', async () => {
    const policy = await ulm('policy', 'create', made.policy, '--goal', 'consolidate', '--max-host-cpu', '90%', '--metrics-missing', 'use_allocations', '--description', 'functional test', '-f', 'json');
    assert.equal(policy.status, 0, policy.stderr);
    assert.equal((JSON.parse(policy.stdout) as { document: { max_host_cpu: number } }).document.max_host_cpu, 0.9);

    const window = await ulm('window', 'create', 'ft-weeknights', '--policy', made.policy, '--opens', 'weekdays 20:00', '--closes', '07:00', '--timezone', 'Europe/Berlin', '--holiday', '2026-12-24', '--off-day', 'sat,sun', '-f', 'json');
    assert.equal(window.status, 0, window.stderr);
    made.window = (JSON.parse(window.stdout) as { id: string }).id;

    const audit = await ulm('audit', 'create', '--policy', made.policy, '-f', 'json');
    assert.equal(audit.status, 0, audit.stderr);
    const outcome = JSON.parse(audit.stdout) as { audit_id: string; audit_state: string; action_plan_id: string; action_plan_state: string };
    assert.equal(outcome.audit_state, 'SUCCEEDED');
    assert.equal(outcome.action_plan_state, 'RECOMMENDED');
    Object.assign(made, { audit: outcome.audit_id, plan: outcome.action_plan_id });

    const hosts = JSON.parse((await ulm('host', 'list', '-f', 'json', '--sort-column', 'Servers')).stdout) as { Name: string; Servers: number; State: string }[];
    made.host = hosts.find((host) => host.State === 'active' && host.Servers > 0)!.Name;
    const drain = await ulm('host', 'drain', made.host, '--dry-run', '-f', 'json');
    assert.equal(drain.status, 0, drain.stderr);
    made.drainPlan = (JSON.parse(drain.stdout) as { action_plan_id: string }).action_plan_id;
    assert.match(drain.stderr, /dry run: action plan \S+ waits as RECOMMENDED/);

    writeFileSync(join(directory, 'limits.yaml'), 'goal: consolidate\nmax_host_cpu: 0.9\nmetrics:\n  missing: use_allocations\n');
    const consolidate = await ulm('consolidate', '--policy', join(directory, 'limits.yaml'), '--dry-run', '-f', 'value', '-c', 'action_plan_state');
    assert.equal(consolidate.status, 0, consolidate.stderr);
    assert.equal(consolidate.stdout, 'RECOMMENDED\n');
  });

  it('prints every list in every format, with -c and --sort-column', async () => {
    const lists: Array<[args: string[], column: string, sortBy: string]> = [
      [['policy', 'list'], 'Name', 'Name'],
      [['window', 'list'], 'Name', 'Next Opening'],
      [['audit', 'list'], 'State', 'Created At'],
      [['plan', 'list'], 'State', 'Migrations'],
      [['plan', 'list', '--state', 'RECOMMENDED'], 'ID', 'Created At'],
      [['plan', 'explain', made.plan], 'Server Name', 'Host'],
      [['host', 'list'], 'Name', 'CPU Usage %'],
      [['host', 'list', '--long'], 'Held By ulm', 'Name'],
      [['server', 'list'], 'Name', 'Host'],
      [['snapshot', 'list'], 'Hosts', 'Collected At'],
      [['savings', 'show'], 'Window', 'Period Start'],
    ];
    for (const [args, column, sortBy] of lists) {
      const runs = await Promise.all(FORMATS.map((format) => ulmOpen(...args, '-f', format)));
      runs.forEach((run, index) => checkFormat(FORMATS[index], run, args.join(' ')));
      const picked = await ulmOpen(...args, '-f', 'json', '-c', column, '--sort-column', sortBy);
      assert.equal(picked.status, 0, `${args.join(' ')} -c ${column} --sort-column ${sortBy}: ${picked.stderr}`);
      const rows = JSON.parse(picked.stdout) as Record<string, unknown>[] | { runs: Record<string, unknown>[] };
      for (const row of Array.isArray(rows) ? rows : rows.runs) assert.deepEqual(Object.keys(row), [column], args.join(' '));
    }
  });

  it('host list has a Name column with every host, like the OpenStack client\'s lists', async () => {
    const table = await ulm('host', 'list');
    assert.match(table.stdout.split('\n')[1], /^\| Name\s+\| State\s+\| Servers\s+\| vCPUs\s+\| Memory MB\s+\| vCPU Allocation %/);
    const names = (await ulm('host', 'list', '-f', 'value', '-c', 'Name', '--sort-column', 'Name')).stdout.trim().split('\n');
    const hypervisors = openstack<Array<{ 'Hypervisor Hostname': string }>>(['hypervisor', 'list']).map((entry) => entry['Hypervisor Hostname'].split('.')[0]).sort();
    assert.deepEqual(names, hypervisors);
  });

  it('shows each record in every format, and -c picks fields', async () => {
    const servers = JSON.parse((await ulm('server', 'list', '-f', 'json')).stdout) as { ID: string; Name: string }[];
    made.server = servers[0].ID;
    const shows: Array<[args: string[], field: string]> = [
      [['policy', 'show', made.policy], 'goal'],
      [['window', 'show', made.window], 'next_opens_at'],
      [['window', 'show', 'ft-weeknights'], 'policy'],
      [['audit', 'show', made.audit], 'state'],
      [['plan', 'show', made.plan], 'state'],
      [['host', 'show', made.host], 'state'],
      [['server', 'show', made.server], 'host'],
      [['snapshot', 'show', made.snapshot], 'hosts'],
      [['status'], 'version'],
      [['policy', 'validate', '--goal', 'consolidate', '--max-host-cpu', '0.8'], 'max_host_cpu'],
    ];
    for (const [args, field] of shows) {
      const runs = await Promise.all(FORMATS.map((format) => ulmOpen(...args, '-f', format)));
      runs.forEach((run, index) => checkFormat(FORMATS[index], run, args.join(' ')));
      const picked = await ulmOpen(...args, '-f', 'json', '-c', field);
      assert.equal(picked.status, 0, picked.stderr);
      assert.deepEqual(Object.keys(JSON.parse(picked.stdout) as object), [field], args.join(' '));
    }
    const plan = await ulm('plan', 'show', made.plan);
    // A cloud left packed by an earlier run has nothing to consolidate: then the plan is empty.
    assert.match(plan.stdout, /^Action plan \S+\n[\s\S]*Metrics[\s\S]*Progress[\s\S]*(Waves|Nothing to do: the plan has no actions\.)/);
    assert.equal((await ulm('plan', 'show', made.plan, '-f', 'value', '-c', 'state')).stdout, 'RECOMMENDED\n');
  });

  it('changes and deletes (set, unset, delete) and the plan life cycle (approve, cancel)', async () => {
    const set = await ulm('policy', 'set', made.policy, '--max-parallel-migrations', '3', '-f', 'json', '-c', 'document');
    assert.equal(set.status, 0, set.stderr);
    assert.deepEqual((JSON.parse(set.stdout) as { document: object }).document, { goal: 'consolidate', max_host_cpu: 0.9, metrics: { missing: 'use_allocations' }, max_parallel_migrations: 3 });

    assert.equal((await ulm('server', 'set', made.server, '--not-during', '08:00-18:00 mon-fri Europe/Berlin', '--anti-affinity-tag', 'ft-db', '--reason', 'functional test')).status, 0);
    const exempt = JSON.parse((await ulm('server', 'list', '--exempt', '-f', 'json', '-c', 'ID', '-c', 'Exemptions')).stdout) as { ID: string; Exemptions: string }[];
    assert.deepEqual(exempt, [{ ID: made.server, Exemptions: 'not during 08:00-18:00 mon-fri Europe/Berlin (functional test); anti-affinity ft-db (functional test)' }]);
    assert.equal((await ulm('server', 'unset', made.server, '--not-during')).status, 0);
    assert.match((await ulm('server', 'list', '--exempt', '-f', 'value', '-c', 'Exemptions')).stdout, /^anti-affinity ft-db/);
    assert.equal((await ulm('server', 'unset', made.server)).status, 0);
    assert.equal((await ulm('server', 'list', '--exempt', '-f', 'value')).stdout, '');

    assert.equal((await ulm('plan', 'approve', made.plan, '-f', 'value', '-c', 'state')).stdout, 'APPROVED\n');
    assert.equal((await ulm('plan', 'cancel', made.plan, '-f', 'value', '-c', 'state')).stdout, 'CANCELLED\n');
    assert.equal((await ulm('plan', 'cancel', made.drainPlan, '--wait', '-f', 'value', '-c', 'state')).stdout, 'CANCELLED\n');
    assert.equal((await ulm('window', 'delete', made.window)).status, 0);
    assert.equal((await ulm('window', 'list', '-f', 'value')).stdout, '');
  });

  it('bad input exits 2 and names the field', async () => {
    const cases: Array<[args: string[], field: RegExp]> = [
      // checked by the API (the engine's schema), answered 400
      [['policy', 'create', 'ft-bad', '--goal', 'drain'], /document\.drain_hosts: is required for goal "drain"/],
      [['window', 'create', 'ft-bad', '--policy', made.policy, '--opens', 'funday 20:00', '--closes', '07:00'], /window\.opens: "funday 20:00" is not a schedule/],
      [['window', 'create', 'ft-bad', '--policy', made.policy, '--opens', 'daily 20:00', '--closes', '07:00', '--timezone', 'Mars/Olympus'], /window\.timezone: "Mars\/Olympus" is not an IANA time zone/],
      [['host', 'drain', made.host, made.host, '--dry-run'], /hosts\[1\]: ".*" is already listed at hosts\[0\]/],
      // checked here, before anything is sent
      [['server', 'set', made.server, '--not-during', '08:00-18:00 funday'], /--not-during: "funday"/],
      [['policy', 'create', 'ft-bad', '--goal', 'consolidate', '--max-host-cpu', '150%'], /--max-host-cpu: "150%" is not a fraction/],
      [['plan', 'list', '--state', 'RUNNING'], /--state: "RUNNING" is not a plan state/],
      [['host', 'list', '-c', 'Hostname'], /no column named "Hostname"; the columns are: Name, State/],
      [['policy', 'validate', '--goal', 'drain'], /policy\.drain_hosts: is required/],
    ];
    for (const [args, field] of cases) {
      const run = await ulm(...args);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, field, args.join(' '));
    }
  });

  it('takes the OpenStack options before or after the command, a token (v3token) and the default domain, with the real Keystone', async () => {
    const withoutCloud = { ...env };
    delete withoutCloud.OS_CLOUD;
    const before = await ulmAsync(['--os-cloud', CLOUD, '--os-ulm-url', url, '-f', 'value', '-c', 'Name', 'host', 'list'], withoutCloud);
    assert.equal(before.status, 0, before.stderr);
    assert.ok(before.stdout.trim().split('\n').length >= 2, before.stdout);
    const after = await ulmAsync(['host', 'list', '-f', 'value', '-c', 'Name', '--os-cloud', CLOUD, '--os-ulm-url', url], withoutCloud);
    assert.equal(after.stdout, before.stdout);
    // A token from the openstack client, rescoped by name: user and project domains are "default".
    const token = openstack<{ id: string }>(['token', 'issue']);
    const clouds = parseYaml(readFileSync(env.OS_CLIENT_CONFIG_FILE!, 'utf8')) as { clouds: Record<string, { auth: { auth_url: string; project_name: string } }> };
    const { auth_url: authUrl, project_name: project } = clouds.clouds[CLOUD].auth;
    const withToken = await ulmAsync(['--os-auth-url', authUrl, '--os-token', token.id, '--os-project-name', project, '--os-ulm-url', url, 'host', 'list', '-f', 'value', '-c', 'Name'], bareEnv);
    assert.equal(withToken.status, 0, withToken.stderr);
    assert.equal(withToken.stdout, before.stdout);
    // No password and no terminal to ask on: the error names what to set.
    const noPassword = await ulmAsync(['--os-auth-url', authUrl, '--os-username', 'admin', '--os-project-name', project, '--os-ulm-url', url, 'host', 'list'], bareEnv);
    assert.equal(noPassword.status, 2);
    assert.match(noPassword.stderr, /auth\.password: is not set and standard input is not a terminal to ask for it: set OS_PASSWORD \(or --os-password/);
  });

  it('a not-found or a refused state change exits 1 with the API\'s message and request id', async () => {
    const cases: Array<[args: string[], message: RegExp]> = [
      [['policy', 'show', 'ft-nope'], /^ulm: policy ft-nope not found; ulm policy list lists them \(HTTP 404, request id req-[0-9a-f-]+\)$/m],
      [['plan', 'show', '00000000-0000-4000-8000-000000000000'], /not found.*\(HTTP 404, request id req-/],
      [['host', 'show', 'cmp-99'], /host cmp-99 not found; ulm host list lists them \(HTTP 404/],
      [['audit', 'show', 'ft-nope'], /HTTP 404/],
      [['plan', 'start', made.plan], /action plan is CANCELLED; it cannot become ONGOING \(HTTP 409/],
    ];
    for (const [args, message] of cases) {
      const run = await ulm(...args);
      assert.equal(run.status, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
  });

  it('drains a host with --wait, following it to SUCCEEDED, then brings it back (undrain --rebalance --wait)', async function () {
    const placed = () => new Map(serverList().map((server) => [server.ID, server.Host]));
    // The host with the fewest servers right now: a small plan.
    assert.equal((await ulm('snapshot', 'create', '-f', 'value', '-c', 'id')).status, 0);
    const hosts = JSON.parse((await ulm('host', 'list', '-f', 'json', '--sort-column', 'Servers')).stdout) as { Name: string; Servers: number; State: string }[];
    const host = hosts.find((entry) => entry.State === 'active' && entry.Servers > 0)?.Name;
    if (!host) this.skip();
    const before = placed();
    /** Where each server this test moved was before: only those are moved back. */
    const original = new Map<string, string>();
    try {
      const drain = await ulm('host', 'drain', host!, '--wait', '-f', 'json');
      const planId = (JSON.parse(drain.stdout || '{}') as { action_plan_id?: string }).action_plan_id;
      if (planId) {
        const shown = JSON.parse((await ulm('plan', 'show', planId, '-f', 'json')).stdout) as { actions: { type: string; server: string | null; state: string }[] };
        for (const action of shown.actions) if (action.type === 'live_migrate' && action.server && action.state === 'SUCCEEDED' && before.has(action.server)) original.set(action.server, before.get(action.server)!);
      }
      assert.equal(drain.status, 0, drain.stderr);
      assert.match(drain.stderr, /ONGOING: wave 1 of \d+; \d+ of \d+ actions succeeded/);
      assert.match(drain.stderr, /SUCCEEDED: wave \d+ of \d+; (\d+) of \1 actions succeeded\n/);
      assert.equal((await ulm('host', 'show', host!, '-f', 'value', '-c', 'state')).stdout, 'maintenance\n');
      const undrain = await ulm('host', 'undrain', host!, '--rebalance', '--wait', '-f', 'json');
      assert.equal(undrain.status, 0, undrain.stderr);
      assert.equal((JSON.parse(undrain.stdout) as { Host: string; Restored: boolean }[])[0].Restored, true);
    } finally {
      // Leave the shared cloud as it was: the host enabled, the servers this test moved back home.
      openstackAction(['compute', 'service', 'set', '--enable', host!, 'nova-compute']);
      const now = placed();
      for (const [id, home] of original) {
        if (now.get(id) && now.get(id) !== home) openstackAction(['--os-compute-api-version', '2.30', 'server', 'migrate', '--live-migration', '--host', home, id]);
      }
      for (let attempt = 0; attempt < 60 && [...original].some(([id, home]) => placed().get(id) !== home); attempt++) await sleep(2000);
    }
    const after = placed();
    assert.deepEqual([...original].filter(([id, home]) => after.get(id) !== home), [], 'every server this test moved is back on its host');
  });

  it('deletes the policy it made (policy delete); deleting it again exits 1', async () => {
    assert.equal((await ulm('policy', 'delete', made.policy)).status, 0);
    const again = await ulm('policy', 'delete', made.policy);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /1 of 1 policies not deleted: ulm-ft-cli/);
  });

  it('works without the API: --direct, or when the catalog has no ulm service', async () => {
    const state = join(directory, 'direct');
    writeFileSync(join(directory, 'direct.conf'), `[DEFAULT]\nstate_path = ${state}\n`);
    const local = (...args: string[]) => ulmAsync([...args, '--config-file', join(directory, 'direct.conf')], env);
    const created = await local('--direct', '--debug', 'policy', 'create', 'ft-direct', '--goal', 'consolidate', '-f', 'value', '-c', 'name');
    assert.equal(created.status, 0, created.stderr);
    assert.equal(created.stdout, 'ft-direct\n');
    assert.match(created.stderr, /^DEBUG direct mode: --direct; ulm's engine runs in this process/m);
    // No --os-ulm-url, no ULM_URL: the dev cloud's catalog has no "ulm" service, so direct mode again.
    const listed = await local('--debug', 'policy', 'list', '-f', 'value', '-c', 'Name');
    assert.equal(listed.status, 0, listed.stderr);
    assert.equal(listed.stdout, 'ft-direct\n');
    assert.match(listed.stderr, /^DEBUG direct mode: the service catalog has no "ulm" service/m);
    const missing = await local('--direct', 'plan', 'apply', '00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /action plan 00000000-0000-4000-8000-000000000000 not found/);
    assert.equal((await local('--direct', 'policy', 'create', 'ft-bad', '--goal', 'drain')).status, 2);
  });

  it('prints shell completion for bash and zsh', async () => {
    const bash = await ulmAsync(['completion', 'bash'], env);
    assert.equal(bash.status, 0);
    assert.match(bash.stdout, /complete -F _ulm_complete ulm/);
    assert.match((await ulmAsync(['completion', 'zsh'], env)).stdout, /^#compdef ulm/);
  });
});
