// ulm's states say what happened in Nova, on the real loopback cloud, through the `ulm` command
// against a ulm-api in this process: a drain whose every destination was disabled meanwhile does
// not pass for a success; an undrain with --rebalance names the server that may no longer move and
// disables nothing; a window opening on a host that is already empty puts it into maintenance and
// brings it back; `ulm host list` shows the host an undrain enabled as in service at once. Each
// part leaves the cloud as it found it (restoreLayout).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createLogger } from '../../openstack/logger.js';
import { occurrenceAt } from '../../core/policy/power-saving-window.js';
import { ApplierWorker } from '../../services/applier/worker.js';
import { createApiApp, type ApiApp } from '../../services/api/app.js';
import { WindowScheduler } from '../../services/scheduler/scheduler.js';
import { cloudEnvironment, openstackAction, REPO, requireDevCloud, serverList, sleep, type Run } from './dev-cloud.js';
import { computeServices, currentLayout, openTestRuntime, restoreLayout, waitForPlan, type TestRuntime } from './service-support.js';

/** Why the test disables hosts itself: an operator's reason, not ulm's. */
const RACK_WORK = 'rack work';

interface OscServer { ID: string; Name: string; Host: string | null; Properties?: unknown }
interface HostRow { Name: string; State: string; 'Held By ulm': boolean }

/** A ulm-api on the test's runtime (noauth: tokens are tested elsewhere) and `ulm` pointed at it. */
interface Service {
  test: TestRuntime;
  app: ApiApp;
  applier: ApplierWorker;
  ulm(...args: string[]): Promise<Run>;
}

async function startService(): Promise<Service> {
  const test = await openTestRuntime({ features: [] });
  // The applier alone, without the serve feature's snapshot after each plan: the hosts view then
  // shows ulm's own changes from its records only, as it must before any new snapshot exists.
  const applier = new ApplierWorker(await test.runtime.applierContext(), test.runtime.bus, { holder: test.runtime.holder, leaseMs: 10_000 });
  await applier.start();
  const app = createApiApp({ engine: test.runtime.engine, auth: { strategy: 'noauth' }, logger: createLogger({ level: 'silent' }), panelDirectory: null });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // No OpenStack settings: the CLI calls the noauth API without a token.
  const env = Object.fromEntries(Object.entries(cloudEnvironment()).filter(([name]) => !name.startsWith('OS_') && name !== 'ULM_URL'));
  return { test, app, applier, ulm: (...args) => ulmAsync([...args, '--os-ulm-url', url], env) };
}

async function stopService(service: Service | undefined, seeded: Map<string, string>): Promise<void> {
  if (!service) return;
  try {
    await restoreLayout(service.test.runtime, seeded);
  } finally {
    await service.applier.stop();
    await service.app.close();
    await service.test.close();
  }
}

/** `./bin/ulm ARGS` as an operator runs it, without blocking this process (the API lives here). */
function ulmAsync(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'ulm'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGTERM'), 600_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ status: code ?? -1, stdout, stderr }); });
  });
}

function servers(): OscServer[] {
  return serverList();
}

/** The ids of the servers on `host`, in a layout read from Nova. */
function serversOn(host: string, layout: Map<string, string> = currentLayout()): string[] {
  return [...layout].filter(([, on]) => on === host).map(([server]) => server).sort();
}

function serviceOf(host: string): { Status: string; 'Disabled Reason': string | null } {
  const found = computeServices().find((service) => service.Host === host);
  assert.ok(found, `${host} has a nova-compute service`);
  return found;
}

/**
 * The host with the fewest servers among those holding at least two, none of them pinned by
 * Nova metadata (ulm:migratable): a small drain every server of which can move. With its
 * servers' ids and every server's name (one reading of Nova: each call of the client is slow).
 */
function smallMovableHost(): { host: string; held: string[]; names: Map<string, string> } {
  const listed = servers();
  const byHost = new Map<string, OscServer[]>();
  for (const server of listed) if (server.Host) byHost.set(server.Host, [...(byHost.get(server.Host) ?? []), server]);
  const candidates = [...byHost]
    .filter(([, held]) => held.length >= 2 && !held.some((server) => JSON.stringify(server.Properties ?? '').includes('ulm:migratable')))
    .sort((a, b) => a[1].length - b[1].length || a[0].localeCompare(b[0]));
  assert.ok(candidates.length, 'a host holds at least two movable servers');
  const [host, held] = candidates[0];
  return { host, held: held.map((server) => server.ID).sort(), names: new Map(listed.map((server) => [server.ID, server.Name])) };
}

describe('ulm\'s states say what happened in Nova (real cloud, ulm command against ulm-api)', function () {
  this.timeout(900_000);
  let seeded: Map<string, string>;

  before(() => {
    requireDevCloud();
    seeded = currentLayout();
    const disabled = computeServices().filter((service) => service.Status !== 'enabled').map((service) => service.Host);
    assert.deepEqual(disabled, [], 'every host is enabled before the tests (bash scripts/dev-cloud/reset puts the cloud back)');
  });

  describe('plans whose moves cannot all happen', () => {
    let service: Service | undefined;
    beforeEach(async () => { service = await startService(); });
    afterEach(async () => {
      await stopService(service, seeded);
      service = undefined;
    });

    it('a drain whose every destination was disabled meanwhile is not SUCCEEDED: plan start --wait exits 1 with the reason, the host stays enabled with its servers', async () => {
      const { ulm, test } = service!;
      const { host, held } = smallMovableHost();
      const drain = await ulm('host', 'drain', host, '--dry-run', '-f', 'json');
      assert.equal(drain.status, 0, drain.stderr);
      const planId = (JSON.parse(drain.stdout) as { action_plan_id: string }).action_plan_id;
      const approve = await ulm('plan', 'approve', planId);
      assert.equal(approve.status, 0, approve.stderr);
      const document = await test.runtime.engine.getPlanDocument(planId);
      const destinations = [...new Set(document.actions.flatMap((action) => (action.type === 'live_migrate' ? [action.destination] : [])))].sort();
      assert.ok(destinations.length > 0, 'the drain moves servers somewhere');

      try {
        for (const destination of destinations) openstackAction(['compute', 'service', 'set', '--disable', '--disable-reason', RACK_WORK, destination, 'nova-compute']);
        const start = await ulm('plan', 'start', planId, '--wait');
        const plan = await test.runtime.engine.getActionPlan(planId);
        assert.notEqual(plan.state, 'SUCCEEDED', `every destination (${destinations.join(', ')}) was disabled, yet the plan SUCCEEDED`);
        assert.equal(start.status, 1, `plan start --wait exited ${start.status} for a plan that is ${plan.state}:\n${start.stderr}`);
        if (plan.stale) {
          // Refused at start: the reason names the hosts disabled meanwhile and why.
          assert.match(start.stderr, new RegExp(`action plan ${planId} is stale`));
          assert.match(start.stderr, new RegExp(`host (${destinations.join('|')}) was disabled meanwhile \\(reason: "${RACK_WORK}"\\)`));
          assert.notEqual(plan.state, 'ONGOING');
          assert.deepEqual((await test.runtime.engine.listActions(planId)).filter((action) => action.state !== 'PENDING').map((action) => `${action.type} ${action.state}`), [], 'nothing of a refused plan ran');
        } else {
          // Started all the same: every move was skipped, so the drain met its goal only in part.
          assert.equal(plan.state, 'PARTIAL', `a started plan whose moves could not happen ends PARTIAL, not ${plan.state}`);
          assert.match(start.stderr, new RegExp(`action plan ${planId} ended PARTIAL`));
        }
        const drained = serviceOf(host);
        assert.equal(drained.Status, 'enabled', `${host} was disabled (${drained['Disabled Reason']}) though its servers could not leave`);
        assert.deepEqual(serversOn(host), held, `${host} still holds its servers`);
      } finally {
        for (const destination of destinations) openstackAction(['compute', 'service', 'set', '--enable', destination, 'nova-compute']);
      }
    });

    it('undrain --rebalance --wait moves the servers back but the one now never-move, names it with its reason, and disables no other host', async () => {
      const { ulm, test } = service!;
      const { host, held: drained, names } = smallMovableHost();
      const drain = await ulm('host', 'drain', host, '--wait', '-f', 'json');
      assert.equal(drain.status, 0, drain.stderr);
      assert.match(drain.stderr, /SUCCEEDED/);
      const drainedLayout = currentLayout();
      assert.deepEqual(serversOn(host, drainedLayout), [], `${host} is empty after its drain`);

      // The first of its former servers becomes never-move, the way an operator tells ulm.
      const [pinned, ...movable] = [...drained].sort((a, b) => names.get(a)!.localeCompare(names.get(b)!));
      const pinnedAt = drainedLayout.get(pinned)!;
      const reason = 'licence bound to its host';
      const set = await ulm('server', 'set', pinned, '--never-move', '--reason', reason);
      assert.equal(set.status, 0, set.stderr);
      try {
        const undrain = await ulm('host', 'undrain', host, '--rebalance', '--wait', '-f', 'json');
        const restored = JSON.parse(undrain.stdout || '[]') as { Host: string; Restored: boolean; Detail: string }[];
        // Documented: 0 when every named host is back in service and every server that could move back did.
        assert.equal(undrain.status, 0, `undrain exited ${undrain.status}:\n${undrain.stderr}`);
        assert.deepEqual(restored.map((row) => [row.Host, row.Restored]), [[host, true]], undrain.stdout);
        const named = undrain.stderr.split('\n').find((line) => line.includes(names.get(pinned)!));
        assert.ok(named, `the never-move server ${names.get(pinned)} is named on stderr:\n${undrain.stderr}`);
        assert.match(named, /^not moved back: /);
        assert.ok(named.includes(reason), `its reason is given: ${named}`);

        const layout = currentLayout();
        for (const server of movable) assert.equal(layout.get(server), host, `${names.get(server)} is back on ${host}`);
        assert.equal(layout.get(pinned), pinnedAt, `${names.get(pinned)} stayed on ${pinnedAt}`);
        const services = computeServices();
        assert.deepEqual(services.filter((candidate) => candidate.Status !== 'enabled').map((candidate) => `${candidate.Host}: ${candidate['Disabled Reason']}`), [], 'every host is in service');
        const restoreId = /action plan (\S+?)\)?$/.exec(restored[0].Detail)?.[1];
        assert.ok(restoreId, `the undrain names its restore plan: ${restored[0].Detail}`);
        const kinds = (await test.runtime.engine.listActions(restoreId)).map((action) => action.type);
        assert.ok(!kinds.includes('disable_compute') && !kinds.includes('power_off'), `the restore plan takes no host out of service: ${kinds.join(', ')}`);
      } finally {
        const unset = await ulm('server', 'unset', pinned);
        assert.equal(unset.status, 0, unset.stderr);
      }
    });
  });

  describe('a host ulm emptied and brought back without its servers', () => {
    let service: Service | undefined;
    let host: string;
    let undrain: Run;
    let listed: Run;
    /** ulm host list's row for the host, right after the undrain. */
    const listedRow = () => (JSON.parse(listed.stdout) as HostRow[]).find((candidate) => candidate.Name === host);

    before(async () => {
      service = await startService();
      ({ host } = smallMovableHost());
      const drain = await service.ulm('host', 'drain', host, '--wait');
      assert.equal(drain.status, 0, drain.stderr);
      undrain = await service.ulm('host', 'undrain', host, '-f', 'json');
      // At once: no monitor runs here and the applier takes no snapshot after a plan, so the
      // latest snapshot is the undrain's, taken while the host was still disabled.
      listed = await service.ulm('host', 'list', '--long', '-f', 'json');
    });
    after(async () => { await stopService(service, seeded); });

    it('ulm host list shows the host in service right after ulm host undrain returned', () => {
      assert.equal(undrain.status, 0, undrain.stderr);
      assert.equal(listed.status, 0, listed.stderr);
      const row = listedRow();
      assert.ok(row, `${host} is listed`);
      assert.equal(serviceOf(host).Status, 'enabled', 'Nova has it enabled');
      assert.equal(row.State, 'empty', `${host} is enabled and holds no server; ulm host list says ${row.State}`);
      assert.equal(row['Held By ulm'], false);
    });

    it('a window opening on it puts it into maintenance with ulm\'s reason, and its close brings it back', async () => {
      const { engine, repositories } = service!.test.runtime;
      // Empty and in service, as the test above checked against Nova.
      assert.equal(listedRow()?.State, 'empty', `${host} is empty and enabled before the window opens`);
      // No migration budget: the window's plan can only take hosts that are already empty.
      await engine.createPolicy({ name: 'empty-hosts-off', document: { goal: 'consolidate', max_migrations: 0, metrics: { missing: 'use_allocations' } } });
      const opened = new Date(Date.now() - 60_000);
      const window = await engine.createWindow({
        policy: 'empty-hosts-off',
        window: { name: 'now', opens: `${opened.getUTCMinutes()} ${opened.getUTCHours()} * * *`, duration_minutes: 240, timezone: 'UTC', auto_apply: true },
      });
      const scheduler = new WindowScheduler(service!.test.runtime);
      try {
        await scheduler.tick(Date.now());
        const [run] = await repositories.savings.list({ windowId: window.id });
        assert.ok(run?.actionPlanId, 'the window opened and made a plan');
        const finished = await waitForPlan(service!.test.runtime, run.actionPlanId);
        assert.equal(finished.state, 'SUCCEEDED', finished.failure_reason ?? '');
        const document = await engine.getPlanDocument(run.actionPlanId);
        const disables = document.actions.flatMap((action) => (action.type === 'disable_compute' ? [action] : []));
        assert.deepEqual(disables.map((action) => action.host), [host], 'the window\'s plan takes the empty host, and only it, out of service');
        const disabled = serviceOf(host);
        assert.equal(disabled.Status, 'disabled', `${host} is in maintenance`);
        assert.equal(disabled['Disabled Reason'], disables[0].reason);
        assert.match(disabled['Disabled Reason'] ?? '', /^ulm\b/, 'with ulm\'s reason');

        // The close: restoring starts restore_minutes before it.
        const occurrence = occurrenceAt(window.window, Date.now())!;
        await scheduler.tick(occurrence.restoreAt + 1000);
        for (let waited = 0; serviceOf(host).Status !== 'enabled'; waited++) {
          assert.ok(waited < 120, `${host} was enabled again when the window closed`);
          await sleep(1000);
        }
      } finally {
        await scheduler.stop();
      }
    });
  });
});
