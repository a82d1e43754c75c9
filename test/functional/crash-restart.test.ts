// ulm's processes killed (SIGKILL) in the middle of a plan on the real loopback cloud, at each of
// the applier's crash points (services/applier/crash-points.ts), then started again: the plan
// ends as planned with no live migration repeated or lost and every host in service or in
// maintenance as planned, read back from Nova's API apart from ulm's clients. A scheduler killed right
// after it made a window's restore plan: the applier alone brings the hosts back before the
// close, and a restarted scheduler ends the run without a second restore. The processes share a
// fresh MariaDB database and a RabbitMQ virtual host of their own with this test's runtime,
// which plans and watches. Every test leaves the cloud as seeded.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PowerDriver } from '../../core/power.js';
import { createPowerDriver } from '../../plugins/power/index.js';
import { waitForApplier } from '../../services/applier/availability.js';
import type { CrashPoint } from '../../services/applier/crash-points.js';
import type { ActionView } from '../../core/api/records.js';
import { rabbitmqctl, testTransportUrl } from '../integration/bus/support.js';
import { freeUdpPort } from '../support/ports.js';
import { CLOUD, cloudEnvironment, novaGet, REPO, requireDevCloud, serverList, sleep } from './dev-cloud.js';
import { startFeatures, stopFeatures } from '../../services/features.js';
import { computeServices, currentLayout, freshMariaDatabase, openTestRuntime, restoreLayout, waitForPlan, type TestRuntime } from './service-support.js';

/** A ulm process this test started, with what it wrote (shown when it did not end as expected). */
interface UlmProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A RabbitMQ virtual host of this test's own: no other consumer of the applier's queue takes its jobs. */
async function freshVirtualHost(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ulm_crash_${randomBytes(4).toString('hex')}`;
  const url = new URL(testTransportUrl());
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, decodeURIComponent(url.username), '.*', '.*', '.*');
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => { await rabbitmqctl('delete_vhost', name); } };
}

type LiveMigrationRecord = { id: number; status: string; instance_uuid: string; dest_compute: string };

/** Nova's live migrations updated since `since` (Nova's API). */
function liveMigrationsSince(since: string): LiveMigrationRecord[] {
  return novaGet<{ migrations: LiveMigrationRecord[] }>(`/os-migrations?migration_type=live-migration&changes-since=${encodeURIComponent(since)}`).migrations;
}

/**
 * Server id -> the destinations of its completed live migrations newer than migration `floor`
 * (the newest when the test began: the previous test's last moves may be seconds old), oldest first.
 */
function completedLiveMigrationsAfter(floor: number, since: string): Map<string, string[]> {
  const completed = new Map<string, string[]>();
  for (const migration of liveMigrationsSince(since).filter((candidate) => candidate.id > floor && candidate.status === 'completed').sort((a, b) => a.id - b.id)) {
    completed.set(migration.instance_uuid, [...(completed.get(migration.instance_uuid) ?? []), migration.dest_compute]);
  }
  return completed;
}

/** The compute host holding the fewest servers (at least one), none of them pinned: the smallest drain. */
function smallestDrain(): { host: string; servers: string[] } {
  const servers = serverList();
  const pinned = new Set(servers.filter((server) => JSON.stringify(server.Properties ?? '').includes('ulm:migratable')).map((server) => server.Host));
  const candidates = [...new Set(servers.map((server) => server.Host).filter((host): host is string => host !== null && !pinned.has(host)))]
    .map((host) => ({ host, servers: servers.filter((server) => server.Host === host).map((server) => server.ID) }))
    .sort((a, b) => a.servers.length - b.servers.length || a.host.localeCompare(b.host));
  assert.ok(candidates.length, 'no compute host holds servers none of which is pinned');
  return candidates[0];
}

function journal(actions: ActionView[]): string {
  return actions.map((action) => `  wave ${action.wave} ${action.type} ${action.server_name ?? action.host} ${action.state} attempts=${action.attempts} nova_migration=${action.nova_migration_id ?? '-'} ${action.error ?? ''}`).join('\n');
}

/** Phases with the seconds since the test began, when ULM_TEST_LOG asks for logs (where a slow run spends its time). */
function say(message: string, began: number): void {
  if (process.env.ULM_TEST_LOG) process.stderr.write(`    [crash-restart +${Math.round((Date.now() - began) / 1000)} s] ${message}\n`);
}

describe('ulm processes killed mid-plan on the real cloud (MariaDB, RabbitMQ)', function () {
  this.timeout(900_000);
  let seeded: Map<string, string>;
  let directory: string;
  let test: TestRuntime;
  let mariadb: { url: string; drop(): Promise<void> };
  let virtualHost: { url: string; drop(): Promise<void> };
  let power: PowerDriver;
  let ipmiOptions: Record<string, unknown>;
  const simulators: { process: ChildProcess; directory: string }[] = [];
  const started: UlmProcess[] = [];
  /**
   * When the running test began, the newest of Nova's live migrations then, and the live
   * migrations its plans asked for (server id -> destinations in order).
   */
  let since: string;
  let migrationFloor: number;
  let began: number;
  let planned: Map<string, string[]>;

  /**
   * bin/ulm-applier or bin/ulm-scheduler on the shared configuration; `ipmi`: the applier with the
   * simulated BMCs (ipmi-applier.ts); `crashAt`: ULM_TEST_CRASH_AT.
   */
  function startUlm(kind: 'applier' | 'scheduler', options: { crashAt?: CrashPoint; ipmi?: boolean } = {}): UlmProcess {
    const env = cloudEnvironment(options.ipmi ? { ULM_TEST_IPMI_OPTIONS: JSON.stringify(ipmiOptions) } : {});
    delete env.ULM_TEST_CRASH_AT;
    if (options.crashAt) env.ULM_TEST_CRASH_AT = options.crashAt;
    const args = options.ipmi
      ? ['--import', 'tsx', join(REPO, 'test/functional/ipmi-applier.ts'), test.configFile]
      : [join(REPO, `bin/ulm-${kind}`), '--config-file', test.configFile, '--os-cloud', CLOUD];
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const ulm = { name: `${options.ipmi ? 'ipmi-applier' : `ulm-${kind}`}${options.crashAt ? ` (ULM_TEST_CRASH_AT=${options.crashAt})` : ''}`, child, output: () => output, exited };
    started.push(ulm);
    say(`started ${ulm.name}`, began);
    return ulm;
  }

  /** Starts an applier and waits until it takes plans from the queue (a start nobody takes is refused). */
  async function startApplier(options: { crashAt?: CrashPoint; ipmi?: boolean } = {}): Promise<UlmProcess> {
    const applier = startUlm('applier', options);
    await Promise.race([
      waitForApplier(test.runtime.bus, 60_000, 250),
      applier.exited.then(({ code, signal }) => { throw new Error(`${applier.name} ended at start (${signal ?? code}):\n${applier.output()}`); }),
    ]);
    return applier;
  }

  async function stop(ulm: UlmProcess): Promise<void> {
    if (ulm.child.exitCode !== null || ulm.child.signalCode !== null) return;
    ulm.child.kill('SIGTERM');
    const ended = await Promise.race([ulm.exited.then(() => true), sleep(30_000).then(() => false)]);
    if (!ended) ulm.child.kill('SIGKILL');
    await ulm.exited;
  }

  async function stopAll(): Promise<void> {
    for (const ulm of started.splice(0)) await stop(ulm);
  }

  /** Waits for a process started with ULM_TEST_CRASH_AT to kill itself there. */
  async function killedAt(ulm: UlmProcess, point: CrashPoint): Promise<void> {
    const ended = await Promise.race([ulm.exited, sleep(240_000).then(() => null)]);
    assert.ok(ended, `${ulm.name} did not reach ${point} within 240 s:\n${ulm.output()}`);
    assert.equal(ended.signal, 'SIGKILL', `${ulm.name} ended with ${ended.signal ?? `exit code ${ended.code}`}, not killed at ${point}:\n${ulm.output()}`);
    assert.match(ulm.output(), new RegExp(`killing this process at ${point.replace('.', '\\.')}`));
    say(`${ulm.name} killed itself`, began);
  }

  /**
   * One plan run by an applier killed at `point` (started by `start` once that applier listens),
   * then by a second applier started without the variable, to its end; returns the plan's id.
   * Every applier is stopped before the next phase, so that the next plan's applier is the one asked for.
   */
  async function killedThenResumed(point: CrashPoint, ipmi: boolean, start: () => Promise<string>): Promise<string> {
    await stopAll();
    const first = await startApplier({ crashAt: point, ipmi });
    const planId = await start();
    await killedAt(first, point);
    await startApplier({ ipmi });
    await assertRanOnceAsPlanned(planId);
    await stopAll();
    return planId;
  }

  /**
   * The plan ended SUCCEEDED with every action SUCCEEDED, and the cloud, as Nova's API says apart
   * from ulm's clients, is as the plan says: each server it moved is on its destination, Nova completed
   * exactly the live migrations this test's plans asked for (none repeated, none lost), the plan's
   * disabled hosts are disabled with its reason and empty, every other host is enabled, and the
   * hosts it powered off or on are off or on. `hosts: false` for a plan whose hosts a later plan
   * changed since: only its migrations are checked.
   */
  async function assertRanOnceAsPlanned(planId: string, options: { hosts?: boolean } = {}): Promise<void> {
    const { engine } = test.runtime;
    const finished = await waitForPlan(test.runtime, planId, 300_000);
    const actions = await engine.listActions(planId);
    say(`plan ${planId} (${finished.goal}) ${finished.state}`, began);
    assert.equal(finished.state, 'SUCCEEDED', `plan ${finished.state}: ${finished.failure_reason ?? ''}\n${journal(actions)}`);
    for (const action of actions) assert.equal(action.state, 'SUCCEEDED', journal(actions));
    const moves = actions.filter((action) => action.type === 'live_migrate');
    for (const move of moves) planned.set(move.server!, [...(planned.get(move.server!) ?? []), move.destination!]);
    const completed = completedLiveMigrationsAfter(migrationFloor, since);
    const layout = currentLayout();
    for (const move of moves) {
      assert.deepEqual(completed.get(move.server!) ?? [], planned.get(move.server!), `server ${move.server_name}: the destinations of Nova's completed live migrations since the test began, against those planned\n${journal(actions)}`);
      assert.equal(layout.get(move.server!), planned.get(move.server!)!.at(-1), `server ${move.server_name} is on its destination`);
    }
    if (options.hosts === false) return;
    const disabled = new Map(actions.filter((action) => action.type === 'disable_compute').map((action) => [action.host!, action.reason]));
    for (const service of computeServices()) {
      if (disabled.has(service.Host)) {
        assert.equal(service.Status, 'disabled', `${service.Host} is in maintenance as planned\n${journal(actions)}`);
        assert.equal(service['Disabled Reason'], disabled.get(service.Host));
        assert.deepEqual([...layout].filter(([, host]) => host === service.Host), [], `${service.Host} is empty`);
      } else {
        assert.equal(service.Status, 'enabled', `${service.Host} is in service as planned\n${journal(actions)}`);
      }
    }
    for (const action of actions.filter((candidate) => candidate.type === 'power_off')) assert.equal(await power.powerState({ name: action.host! }), 'off', `${action.host} is powered off`);
    for (const action of actions.filter((candidate) => candidate.type === 'power_on')) assert.equal(await power.powerState({ name: action.host! }), 'on', `${action.host} is powered on`);
  }

  /** The drained servers are back on their seeded hosts and ulm holds no host any more. */
  async function assertBackAsSeeded(servers: string[]): Promise<void> {
    const layout = currentLayout();
    for (const server of servers) assert.equal(layout.get(server), seeded.get(server), `server ${server} is back on its seeded host`);
    const held = (await test.runtime.repositories.hostStates.list()).filter((record) => record.disabled || record.poweredOff);
    assert.deepEqual(held.map((record) => record.host), [], 'ulm holds no host');
  }

  async function drain(host: string, powerOff: boolean): Promise<string> {
    const { action_plan: plan } = powerOff
      ? await test.runtime.engine.createAudit({ document: { goal: 'drain', drain_hosts: [host], power_off: true, metrics: { missing: 'use_allocations' } }, approve: true, start: true })
      : await test.runtime.engine.drainHosts([host]);
    assert.ok(plan, `the drain of ${host} made a plan`);
    const document = await test.runtime.engine.getPlanDocument(plan.id);
    const types = document.actions.map((action) => action.type).filter((type) => type !== 'live_migrate');
    assert.deepEqual(types, powerOff ? ['disable_compute', 'power_off'] : ['disable_compute'],
      `the drain of ${host} empties it (${document.meta.status}; blocked: ${JSON.stringify(document.meta.blocked)}; notes: ${JSON.stringify(document.meta.notes)})`);
    return plan.id;
  }

  /** The restore plan of an undrain that also moves the drained servers back. */
  async function undrain(host: string, poweredOff: boolean): Promise<string> {
    const { action_plan: plan } = await test.runtime.engine.undrainHosts([host], { rebalance: true });
    assert.ok(plan, `the undrain of ${host} made a restore plan`);
    const types = (await test.runtime.engine.listActions(plan.id)).map((action) => action.type).filter((type) => type !== 'live_migrate');
    assert.deepEqual(types, poweredOff ? ['power_on', 'enable_compute'] : ['enable_compute']);
    return plan.id;
  }

  before(async function () {
    requireDevCloud();
    // The cloud is shared: start from the seeded layout (scripts/dev-cloud/reset, when the tree has it).
    if (existsSync(join(REPO, 'scripts/dev-cloud/reset'))) {
      const reset = spawnSync('bash', [join(REPO, 'scripts/dev-cloud/reset')], { encoding: 'utf8', timeout: 900_000 });
      assert.equal(reset.status, 0, `scripts/dev-cloud/reset failed:\n${reset.stdout}${reset.stderr}`);
    }
    seeded = currentLayout();
    directory = mkdtempSync(join(tmpdir(), 'ulm-functional-crash-'));
    mariadb = await freshMariaDatabase();
    virtualHost = await freshVirtualHost();
    const password = randomBytes(6).toString('hex');
    const hosts: Record<string, { address: string; port: number }> = {};
    for (const service of computeServices()) {
      const bmc = mkdtempSync(join(tmpdir(), 'ulm-functional-bmc-'));
      const port = await freeUdpPort();
      const child = spawn(join(REPO, 'scripts/ipmi-sim'), [bmc, String(port)], { env: { ...process.env, ULM_IPMI_SIM_USER: 'ulm', ULM_IPMI_SIM_PASSWORD: password }, stdio: 'ignore' });
      simulators.push({ process: child, directory: bmc });
      hosts[service.Host] = { address: '127.0.0.1', port };
    }
    await sleep(1500);
    ipmiOptions = { username: 'ulm', password, cipher_suite: 3, hosts, power_on_timeout_seconds: 60, power_off_timeout_seconds: 60, poll_interval_seconds: 1 };
    power = createPowerDriver('ipmi', ipmiOptions);
    const extra = `[DEFAULT]\ntransport_url = ${virtualHost.url}\n[database]\nconnection = ${mariadb.url}\n`
      + '[applier]\npoll_interval_seconds = 1\nlease_seconds = 5\nmax_parallel_migrations = 1\n[scheduler]\ntick_seconds = 2\n';
    // This process plans and watches; the appliers and the scheduler are other processes.
    test = await openTestRuntime({ directory, extra, features: [], power });
  });

  beforeEach(() => {
    began = Date.now();
    since = new Date(began - 60_000).toISOString();
    migrationFloor = Math.max(0, ...liveMigrationsSince(since).map((migration) => migration.id));
    planned = new Map();
  });

  // Each test ends with the cloud as seeded; when one failed half-way, an applier in this
  // process (with the simulated BMCs) brings the hosts ulm holds back and the servers home.
  afterEach(async () => {
    await stopAll();
    // A plan a failed test left running would be resumed by the next test's applier: cancel it.
    const unfinished = await test.runtime.engine.listActionPlans({ state: ['APPROVED', 'ONGOING', 'CANCELLING'] });
    const held = (await test.runtime.repositories.hostStates.list()).filter((record) => record.disabled || record.poweredOff).map((record) => record.host);
    const layout = currentLayout();
    if (!unfinished.length && !held.length && [...seeded].every(([server, host]) => layout.get(server) === host) && computeServices().every((service) => service.Status === 'enabled')) return;
    const applier = await startFeatures(test.runtime, ['applier']);
    try {
      for (const plan of unfinished) {
        if (plan.state !== 'CANCELLING') await test.runtime.engine.cancelActionPlan(plan.id);
        await waitForPlan(test.runtime, plan.id, 300_000);
      }
      if (held.length) {
        const { action_plan: restore } = await test.runtime.engine.undrainHosts(held);
        if (restore) await waitForPlan(test.runtime, restore.id, 300_000);
      }
      await restoreLayout(test.runtime, seeded);
    } finally {
      await stopFeatures(applier);
    }
  });

  after(async () => {
    await stopAll();
    await test?.close();
    await mariadb?.drop();
    await virtualHost?.drop();
    for (const simulator of simulators) {
      simulator.process.kill('SIGTERM');
      rmSync(simulator.directory, { recursive: true, force: true });
    }
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  // The live migration points, each in a drain and in the restore plan that moves the servers back.
  for (const [drainPoint, restorePoint] of [['migration.before-call', 'migration.after-call'], ['migration.polling', 'migration.completed']] as const) {
    it(`appliers killed at ${drainPoint} (a drain) and ${restorePoint} (its undrain moving the servers back): each plan ends with no live migration repeated or lost`, async () => {
      const { host, servers } = smallestDrain();
      await killedThenResumed(drainPoint, false, () => drain(host, false));
      await killedThenResumed(restorePoint, false, () => undrain(host, false));
      await assertBackAsSeeded(servers);
    });
  }

  it('appliers killed at maintenance.after-disable (a drain with power-off) and restore.after-power-on (its undrain): the host is powered off, then on and back in service', async () => {
    const { host, servers } = smallestDrain();
    await killedThenResumed('maintenance.after-disable', true, async () => {
      const planId = await drain(host, true);
      return planId;
    });
    const [record] = (await test.runtime.repositories.hostStates.list()).filter((candidate) => candidate.host === host);
    assert.ok(record?.disabled && record.poweredOff, `ulm holds ${host} disabled and powered off: ${JSON.stringify(record)}`);
    await killedThenResumed('restore.after-power-on', true, () => undrain(host, true));
    await assertBackAsSeeded(servers);
  });

  it('an applier killed at restore.after-enable (the undrain of a host drained with power-off): a second one ends the restore, the host on and in service', async () => {
    const { host, servers } = smallestDrain();
    await startApplier({ ipmi: true });
    await assertRanOnceAsPlanned(await drain(host, true));
    await killedThenResumed('restore.after-enable', true, () => undrain(host, true));
    await assertBackAsSeeded(servers);
  });

  it('a scheduler killed right after it made a window\'s restore plan: the applier restores the host before the close; a restarted scheduler ends the run without a second restore', async () => {
    const { engine, repositories } = test.runtime;
    const { host, servers } = smallestDrain();
    // A 15-minute window (the shortest) opened this minute, draining one host; its restore is
    // brought forward once the drain is done (below), so that it comes during the test.
    const opensAt = Math.floor(Date.now() / 60_000) * 60_000;
    const opened = new Date(opensAt);
    const closesAt = opensAt + 15 * 60_000;
    await engine.createPolicy({ name: 'crash-restart-window', document: { goal: 'drain', drain_hosts: [host], metrics: { missing: 'use_allocations' } } });
    const window = await engine.createWindow({
      policy: 'crash-restart-window',
      window: {
        name: 'crash-restart', opens: `${opened.getUTCMinutes()} ${opened.getUTCHours()} * * *`, duration_minutes: 15, restore_minutes: 0, stop_new_waves_minutes: 0,
        timezone: 'UTC', auto_apply: true, rebalance_on_restore: true,
      },
    });
    try {
      await startApplier();
      const scheduler = startUlm('scheduler');
      const runOfWindow = async () => (await repositories.savings.list({ windowId: window.id }))[0];
      let run = await runOfWindow();
      for (let waited = 0; !run?.actionPlanId; waited++) {
        assert.ok(waited < 120, `the window opened and made its plan:\n${scheduler.output()}`);
        assert.equal(scheduler.child.exitCode, null, `the scheduler ended:\n${scheduler.output()}`);
        await sleep(500);
        run = await runOfWindow();
      }
      await assertRanOnceAsPlanned(run.actionPlanId);

      // The operator restores 14 minutes before the close instead of 0: the restore time is now.
      await repositories.windows.update(window.id, { restore_minutes: 14 });
      for (let waited = 0; !run.restorePlanId; waited++) {
        assert.ok(waited < 300, `the window made its restore plan:\n${scheduler.output()}`);
        assert.equal(scheduler.child.exitCode, null, `the scheduler ended:\n${scheduler.output()}`);
        await sleep(200);
        run = await runOfWindow();
      }
      scheduler.child.kill('SIGKILL');
      assert.equal((await scheduler.exited).signal, 'SIGKILL');
      say('scheduler killed', began);
      const restorePlanId = run.restorePlanId;
      assert.equal((await runOfWindow()).periodEnd, null, 'the scheduler was killed before it ended the run');

      // No scheduler runs: the applier takes the restore plan to its end on its own.
      await assertRanOnceAsPlanned(restorePlanId);
      assert.ok(Date.now() < closesAt, `${host} was back in service before the window closed`);
      await assertBackAsSeeded(servers);

      const restarted = startUlm('scheduler');
      for (let waited = 0; !run.periodEnd; waited++) {
        assert.ok(waited < 120, `the restarted scheduler ended the run:\n${restarted.output()}`);
        await sleep(1000);
        run = await runOfWindow();
      }
      say('restarted scheduler ended the run', began);
      assert.equal(run.restorePlanId, restorePlanId, 'the run kept its one restore plan');
      const restores: string[] = [];
      for (const plan of await engine.listActionPlans({ limit: 100 })) {
        if ((await engine.listActions(plan.id)).some((action) => action.type === 'enable_compute' && action.host === host && Date.parse(action.finished_at ?? action.started_at ?? '') >= began)) restores.push(plan.id);
      }
      assert.deepEqual(restores, [restorePlanId], 'one restore plan for the window');
    } finally {
      await repositories.windows.update(window.id, { enabled: false });
    }
  });
});
