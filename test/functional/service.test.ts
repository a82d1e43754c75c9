// ulm applying plans on the real loopback cloud: drain and undrain, a live migration Nova
// refuses, an applier killed in the middle of a consolidation, a power-saving window opened now,
// night after night (hosts powered off through OpenIPMI's simulator and brought back), and a
// plan made stale by a change in the cloud. Every test leaves the cloud as seeded.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAN_FORMAT, type PlanDocument } from '../../core/plan/format.js';
import type { PowerDriver } from '../../core/power.js';
import { occurrenceAt } from '../../core/policy/power-saving-window.js';
import { createPowerDriver } from '../../plugins/power/index.js';
import { waitForApplier } from '../../services/applier/availability.js';
import { handleCloudEvent } from '../../services/cloud-changes.js';
import { NotificationListener } from '../../services/listener/index.js';
import { WindowScheduler } from '../../services/scheduler/scheduler.js';
import { testTransportUrl } from '../integration/bus/support.js';
import { freeUdpPort } from '../support/ports.js';
import { cloudEnvironment, liveMigrationsPerHost, novaGet, openstack, openstackAction, REPO, requireDevCloud, schedulerSyncSeconds, serverList, sleep } from './dev-cloud.js';
import { computeServices, currentLayout, freshMariaDatabase, openTestRuntime, placementUsage, restoreLayout, waitForPlan, type TestRuntime } from './service-support.js';

/** Nights a recurring window is run for: each one consolidates and restores again. */
const NIGHTS = 3;
const DAY = 86_400_000;
// As many migrations per host at once as the dev cloud's nova-compute runs.
const CONSOLIDATE = { goal: 'consolidate' as const, max_parallel_per_host: liveMigrationsPerHost(), metrics: { missing: 'use_allocations' as const } };

interface ServerGroupShow { members: string[] | string }

function membersOf(group: string): string[] {
  const shown = openstack<ServerGroupShow>(['server', 'group', 'show', group]);
  return Array.isArray(shown.members) ? shown.members : String(shown.members).split(/[,\s]+/).filter(Boolean);
}

/** The live migrations Nova lists (its newest page, newest first), by server: one read of Nova's API for all. */
function liveMigrationsByServer(): Map<string, { id: string; status: string; dest_compute: string }[]> {
  const { migrations } = novaGet<{ migrations: { id: number; status: string; instance_uuid: string; dest_compute: string }[] }>('/os-migrations?migration_type=live-migration');
  const byServer = new Map<string, { id: string; status: string; dest_compute: string }[]>();
  for (const migration of migrations) {
    byServer.set(migration.instance_uuid, [...(byServer.get(migration.instance_uuid) ?? []), { id: String(migration.id), status: migration.status, dest_compute: migration.dest_compute }]);
  }
  return byServer;
}

describe('ulm on the real cloud', function () {
  this.timeout(1_800_000);
  let seeded: Map<string, string>;

  before(() => {
    requireDevCloud();
    seeded = currentLayout();
  });

  describe('applying plans', () => {
    let test: TestRuntime;
    before(async () => { test = await openTestRuntime(); });
    after(async () => {
      await restoreLayout(test.runtime, seeded);
      await test.close();
    });

    it('a drained host is emptied then disabled with ulm\'s reason; undrain enables it and moves its servers back', async () => {
      const { engine } = test.runtime;
      const layout = currentLayout();
      const pinned = new Set(serverList().filter((server) => JSON.stringify(server.Properties ?? '').includes('ulm:migratable')).map((server) => server.ID));
      const counts = new Map<string, number>();
      for (const [server, host] of layout) counts.set(host, (counts.get(host) ?? 0) + (pinned.has(server) ? 100 : 1));
      const host = [...counts].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0][0];
      const drained = [...layout].filter(([, on]) => on === host).map(([server]) => server);

      const { action_plan: plan } = await engine.drainHosts([host]);
      assert.ok(plan, 'the drain made a plan');
      const finished = await waitForPlan(test.runtime, plan.id);
      assert.equal(finished.state, 'SUCCEEDED', finished.failure_reason ?? '');
      const service = computeServices().find((candidate) => candidate.Host === host)!;
      assert.equal(service.Status, 'disabled');
      assert.equal(service['Disabled Reason'], 'ulm: drained for maintenance');
      assert.deepEqual([...currentLayout()].filter(([, on]) => on === host), []);
      assert.equal(placementUsage(host).MEMORY_MB ?? 0, 0);

      // The restore is a plan the applier runs and journals: enable, then the moves back.
      const { results, action_plan: restore } = await engine.undrainHosts([host], { rebalance: true });
      assert.ok(restore, JSON.stringify(results));
      assert.match(results.find((result) => result.host === host)?.detail ?? '', new RegExp(`action plan ${restore.id}`));
      assert.equal((await waitForPlan(test.runtime, restore.id)).state, 'SUCCEEDED');
      assert.equal(computeServices().find((candidate) => candidate.Host === host)!.Status, 'enabled');
      const actions = await engine.listActions(restore.id);
      assert.deepEqual(actions.filter((action) => action.type !== 'live_migrate').map((action) => [action.type, action.host, action.state]), [['enable_compute', host, 'SUCCEEDED']]);
      const after = currentLayout();
      for (const server of drained) assert.equal(after.get(server), host, `server ${server} is back on ${host}`);
    });

    it('a live migration Nova refuses fails with Nova\'s reason, stops the plan, and leaves its hosts enabled', async () => {
      const { repositories, engine } = test.runtime;
      const layout = currentLayout();
      const [moving, other] = membersOf('ulm-anti');
      const source = layout.get(moving)!;
      const destination = layout.get(other)!;
      assert.notEqual(source, destination, 'the anti-affinity members are on different hosts');
      // Moving one anti-affinity member onto another's host: Nova's scheduler refuses it.
      const document: PlanDocument = {
        format: PLAN_FORMAT, instance: null, planner: 'functional test',
        meta: {
          goal: 'drain', status: 'complete', now: new Date().toISOString(), blocked: [], notes: [],
          metrics: {
            active_hosts_before: 0, active_hosts_after: 0, hosts_freed: 0, hosts_disabled: 1, hosts_powered_off: 0, migrations: 1, temporary_migrations: 0,
            servers_migrated: 1, waves: 2, memory_to_move_mb: 0, power_before_w: 0, power_after_w: 0, power_saved_w: 0, hosts_over_limits_before: 0, hosts_over_limits_after: 0,
          },
        },
        actions: [
          { wave: 0, type: 'live_migrate', server: moving, source, destination, reason: 'functional test: a move Nova refuses' },
          { wave: 1, type: 'disable_compute', host: source, reason: 'ulm: functional test' },
        ],
      };
      const created = await repositories.actionPlans.create({ document, state: 'APPROVED' });
      await engine.startActionPlan(created.id);
      const finished = await waitForPlan(test.runtime, created.id);
      assert.equal(finished.state, 'FAILED');
      const [migration, disable] = await engine.listActions(created.id);
      assert.equal(migration.state, 'FAILED');
      assert.match(migration.error ?? '', /Nova/);
      assert.equal(disable.state, 'CANCELLED');
      assert.equal(computeServices().find((service) => service.Host === source)!.Status, 'enabled');
      assert.equal(currentLayout().get(moving), source);
    });
  });

  describe('an applier killed in the middle of a consolidation (MariaDB, RabbitMQ)', () => {
    let directory: string;
    let test: TestRuntime;
    let mariadb: { url: string; drop(): Promise<void> };
    const appliers: ChildProcess[] = [];
    const startApplier = () => {
      const child = spawn(process.execPath, [join(REPO, 'bin/ulm-applier'), '--config-file', test.configFile, '--os-cloud', 'ulm-admin'], {
        env: cloudEnvironment(), stdio: ['ignore', 'ignore', 'inherit'],
      });
      appliers.push(child);
      return child;
    };

    before(async () => {
      directory = mkdtempSync(join(tmpdir(), 'ulm-functional-killed-'));
      mariadb = await freshMariaDatabase();
      const extra = `transport_url = ${testTransportUrl()}\n[database]\nconnection = ${mariadb.url}\n[applier]\nmax_parallel_migrations = 1\n`;
      // This process plans and watches; the appliers are other processes sharing the database and RabbitMQ.
      test = await openTestRuntime({ directory, extra: `[DEFAULT]\n${extra}`, features: [] });
    });
    after(async () => {
      const standby = startApplier();
      // A start is accepted only once an applier consumes the start queue; the clean-up runs whatever happens.
      await waitForApplier(test.runtime.bus, 60_000).then(() => restoreLayout(test.runtime, seeded)).finally(async () => {
        for (const child of appliers) if (child.exitCode === null) child.kill('SIGTERM');
        await sleep(2000);
        void standby;
        await test.close();
        await mariadb.drop();
        rmSync(directory, { recursive: true, force: true });
      });
    });

    it('resumes it after a restart without repeating or losing a migration; the promised hosts end empty and disabled', async () => {
      const { engine } = test.runtime;
      const { action_plan: plan } = await engine.createAudit({ document: { ...CONSOLIDATE, max_parallel_migrations: 1 }, approve: true });
      assert.ok(plan && plan.metrics.migrations >= 3, 'a consolidation with a few migrations');
      const document = await engine.getPlanDocument(plan.id);
      const promised = document.actions.filter((action) => action.type === 'disable_compute').map((action) => action.host);
      // Nova's migration records from before the plan (earlier tests, the seed) are not counted.
      const before = liveMigrationsByServer();
      const earlier = new Set(document.actions.flatMap((action) => action.type === 'live_migrate' ? (before.get(action.server) ?? []).map((migration) => migration.id) : []));
      const first = startApplier();
      await waitForApplier(test.runtime.bus, 30_000);
      await engine.startActionPlan(plan.id);
      for (let waited = 0; ; waited++) {
        const view = await engine.getActionPlan(plan.id);
        if (view.progress.counts.SUCCEEDED >= 1 && view.progress.counts.PENDING >= 1) break;
        assert.ok(waited < 300, 'the plan made progress');
        await sleep(1000);
      }
      first.kill('SIGKILL');
      await sleep(1000);
      startApplier();
      const finished = await waitForPlan(test.runtime, plan.id);
      assert.equal(finished.state, 'SUCCEEDED', finished.failure_reason ?? '');

      const actions = await engine.listActions(plan.id);
      const after = liveMigrationsByServer();
      for (const action of actions.filter((candidate) => candidate.type === 'live_migrate')) {
        assert.equal(action.state, 'SUCCEEDED');
        const completed = (after.get(action.server!) ?? []).filter((migration) => !earlier.has(migration.id) && migration.status === 'completed');
        const planned = actions.filter((candidate) => candidate.server === action.server).length;
        assert.equal(completed.length, planned, `server ${action.server_name}: ${completed.length} completed live migrations for ${planned} planned`);
      }
      const services = computeServices();
      const layout = currentLayout();
      const summary = actions.map((action) => `${action.wave} ${action.type} ${action.server_name ?? action.host} ${action.state} ${action.error ?? ''}`).join('\n');
      for (const host of promised) {
        const service = services.find((candidate) => candidate.Host === host)!;
        assert.equal(service.Status, 'disabled', `${host} is ${service.Status}; the plan's actions:\n${summary}`);
        assert.equal(service['Disabled Reason'], 'ulm: consolidated');
        assert.deepEqual([...layout].filter(([, on]) => on === host), []);
        assert.equal(placementUsage(host).MEMORY_MB ?? 0, 0);
      }
      for (const service of services) if (!promised.includes(service.Host)) assert.equal(service.Status, 'enabled');
    });
  });

  describe('power-saving windows', () => {
    const simulators: { process: ChildProcess; directory: string }[] = [];
    let test: TestRuntime;
    let power: PowerDriver;

    before(async function () {
      if (spawnSync('sh', ['-c', 'command -v ipmi_sim || test -x /usr/bin/ipmi_sim'], { env: { PATH: `${process.env.PATH}:/usr/sbin:/usr/bin` } }).status !== 0) {
        throw new Error('ipmi_sim is missing: apt-get install -y --no-install-recommends openipmi ipmitool (scripts/functional does)');
      }
      const password = randomBytes(6).toString('hex');
      const hosts: Record<string, { address: string; port: number }> = {};
      for (const service of computeServices()) {
        const directory = mkdtempSync(join(tmpdir(), 'ulm-functional-bmc-'));
        const port = await freeUdpPort();
        const child = spawn(join(REPO, 'scripts/ipmi-sim'), [directory, String(port)], { env: { ...process.env, ULM_IPMI_SIM_USER: 'ulm', ULM_IPMI_SIM_PASSWORD: password }, stdio: 'ignore' });
        simulators.push({ process: child, directory });
        hosts[service.Host] = { address: '127.0.0.1', port };
      }
      await sleep(1500);
      power = createPowerDriver('ipmi', { username: 'ulm', password, cipher_suite: 3, hosts, power_on_timeout_seconds: 60, power_off_timeout_seconds: 60, poll_interval_seconds: 1 });
      test = await openTestRuntime({ power });
    });
    after(async () => {
      await restoreLayout(test.runtime, seeded).finally(async () => {
        await test.close();
        for (const simulator of simulators) {
          simulator.process.kill('SIGTERM');
          rmSync(simulator.directory, { recursive: true, force: true });
        }
      });
    });

    it('a window opened now consolidates, disables and powers off the emptied hosts, and restores them when it closes, night after night', async () => {
      const { engine, repositories } = test.runtime;
      await engine.createPolicy({ name: 'nights', document: { ...CONSOLIDATE, power_off: true } });
      const opened = new Date(Date.now() - 60_000);
      const window = await engine.createWindow({
        policy: 'nights',
        window: { name: 'now', opens: `${opened.getUTCMinutes()} ${opened.getUTCHours()} * * *`, duration_minutes: 240, timezone: 'UTC', auto_apply: true, rebalance_on_restore: true },
      });
      const scheduler = new WindowScheduler(test.runtime);
      // The scheduler's clock moves a day on at each night; the cloud's is the real one, so a
      // night's plan may differ from the first's: servers moved minutes ago cost more to move again
      // (the policy's cooldown_minutes).
      for (let night = 0; night < NIGHTS; night++) {
        const evening = currentLayout();
        const tonight = Date.now() + night * DAY;
        const occurrence = occurrenceAt(window.window, tonight)!;
        await scheduler.tick(tonight);
        const run = (await repositories.savings.list({ windowId: window.id })).find((candidate) => candidate.periodStart === new Date(occurrence.opensAt).toISOString());
        assert.ok(run?.actionPlanId, `night ${night + 1}: the window opened and made a plan`);
        const finished = await waitForPlan(test.runtime, run.actionPlanId);
        assert.equal(finished.state, 'SUCCEEDED', finished.failure_reason ?? '');
        const document = await engine.getPlanDocument(run.actionPlanId);
        const emptied = document.actions.filter((action) => action.type === 'power_off').map((action) => action.host);
        assert.ok(emptied.length > 0, 'the plan powers hosts off');
        for (const host of emptied) {
          assert.equal(computeServices().find((service) => service.Host === host)!.Status, 'disabled');
          assert.equal(await power.powerState({ name: host }), 'off');
        }

        // The close: restoring starts restore_minutes before it. Each tick takes the restore's
        // next step: stop the window's plan, start the restore plan, and once that has ended
        // record what the night saved.
        let restorePlanId: string | null | undefined;
        for (let waited = 0; ; waited++) {
          await scheduler.tick(occurrence.restoreAt + 1000 + waited * 1000);
          const current = (await repositories.savings.list({ windowId: window.id })).find((candidate) => candidate.id === run.id)!;
          if (current.periodEnd) {
            assert.equal(current.hostsOff, emptied.length);
            assert.ok(current.hostHoursOff > 0);
            restorePlanId = current.restorePlanId;
            break;
          }
          assert.ok(waited < 600, 'the window was restored');
          await sleep(1000);
        }
        for (const host of emptied) {
          assert.equal(computeServices().find((service) => service.Host === host)!.Status, 'enabled');
          assert.equal(await power.powerState({ name: host }), 'on');
        }
        assert.ok(restorePlanId, 'the night was restored by a plan');
        assert.equal((await waitForPlan(test.runtime, restorePlanId)).state, 'SUCCEEDED');
        // The restore brought every server the night moved back where it was: the next night starts from the same cloud.
        assert.deepEqual(currentLayout(), evening, `night ${night + 1}: every server back on its host of the evening`);
        // As between tests: the next night starts once Nova's scheduler knows where the servers are.
        await sleep((schedulerSyncSeconds() + 1) * 1000);
      }
      assert.equal((await repositories.savings.list({ windowId: window.id })).length, NIGHTS, 'one savings record per night');
      await scheduler.stop();
    });
  });

  describe('notifications', () => {
    let test: TestRuntime;
    let listener: NotificationListener;
    before(async () => {
      test = await openTestRuntime();
      listener = new NotificationListener({ transportUrl: testTransportUrl(), pool: `ulm_functional_${randomBytes(3).toString('hex')}`, handler: (event) => handleCloudEvent(test.runtime, event).then(() => undefined) });
      listener.start();
      await listener.waitUntilConsuming(30_000);
    });
    after(async () => {
      await listener.close();
      await restoreLayout(test.runtime, seeded);
      await test.close();
    });

    it('a recommended plan becomes stale when the cloud changes under it, and is then refused', async () => {
      const { engine } = test.runtime;
      const { action_plan: plan } = await engine.createAudit({ document: CONSOLIDATE });
      assert.ok(plan && plan.state === 'RECOMMENDED');
      const document = await engine.getPlanDocument(plan.id);
      const move = document.actions.find((action) => action.type === 'live_migrate')!;
      assert.ok(move && move.type === 'live_migrate');
      // Someone else moves one of the plan's servers to a host the plan does not use for it.
      const elsewhere = computeServices().map((service) => service.Host).find((host) => host !== move.source && host !== move.destination)!;
      openstackAction(['--os-compute-api-version', '2.30', 'server', 'migrate', '--live-migration', '--host', elsewhere, '--wait', move.server]);
      for (let waited = 0; !(await engine.getActionPlan(plan.id)).stale; waited++) {
        assert.ok(waited < 120, 'the plan was marked stale');
        await sleep(1000);
      }
      await assert.rejects(engine.approveActionPlan(plan.id), /stale/);
      await assert.rejects(engine.startActionPlan(plan.id), /stale|approve it first/);
    });
  });
});
