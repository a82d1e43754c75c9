// Scheduled maintenances carried out by the scheduler's maintenance part over the real engine,
// the real applier and a SQLite database, on a simulated compute cloud with an injected clock:
// the drain starts at its estimated time, the host is in maintenance by `at`, back after
// `until`, a failed drain leaves the host in service, and a restarted scheduler resumes from
// the stored record.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { createLogger } from '../../../openstack/logger.js';
import { DEFAULT_APPLIER_SETTINGS, type ApplierContext } from '../../../services/applier/executor.js';
import { ApplierWorker } from '../../../services/applier/worker.js';
import { InProcessBus } from '../../../services/bus/index.js';
import { createRepositories, migrateToLatest, openDatabase, type Database, type MaintenanceRecord, type Repositories } from '../../../services/db/index.js';
import { createEngine } from '../../../services/engine/engine.js';
import { MaintenanceRunner } from '../../../services/scheduler/maintenances.js';
import { snapshot } from '../../support/builders.js';
import { simulatedCloudOf, SimulatedPower, type SimulatedCompute } from '../../support/simulated-compute.js';

const START = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;

// cmp-3 holds one server that fits on cmp-1 or cmp-2.
const CLUSTER: Snapshot = snapshot()
  .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { vcpus: 16, memory_mb: 32768 })
  .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .server('vm-3', { on: 'cmp-3', flavor: { vcpus: 2, memory_mb: 4096 } })
  .build();

describe('scheduled maintenance run by the scheduler', function () {
  this.timeout(30_000);
  let directory: string;
  let database: Database;
  let repositories: Repositories;
  let compute: SimulatedCompute;
  let bus: InProcessBus;
  let worker: ApplierWorker;
  let engine: ReturnType<typeof createEngine>;
  let power: SimulatedPower;
  let now: number;
  const logger = createLogger({ level: 'silent' });

  /** The cloud as the simulated compute has it now. */
  function collect(): Promise<Snapshot> {
    return Promise.resolve({
      ...CLUSTER,
      servers: CLUSTER.servers.map((server) => ({ ...server, host: compute.hostOf.get(server.id) ?? server.host })),
      hosts: CLUSTER.hosts.map((host) => ({ ...host, enabled: compute.services.get(host.name)!.enabled, disabled_reason: compute.services.get(host.name)!.disabledReason })),
    });
  }

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ulm-maintenance-'));
    database = await openDatabase(`sqlite:///${directory}/ulm.sqlite`);
    await migrateToLatest(database);
    repositories = createRepositories(database);
    compute = simulatedCloudOf(CLUSTER);
    now = START;
    const clock = { now: () => now, sleep: async () => undefined };
    const applierSettings = { ...DEFAULT_APPLIER_SETTINGS, pollIntervalMs: 0, serviceUpTimeoutMs: 1000 };
    bus = new InProcessBus({ logger });
    power = new SimulatedPower();
    const context: ApplierContext = { repositories, compute, power, logger, clock, settings: applierSettings };
    worker = new ApplierWorker(context, bus, { holder: 'test:1', sweepMs: 3_600_000 });
    await worker.start();
    engine = createEngine({
      repositories, cloud: () => Promise.reject(new Error('no cloud in this test')), collect, compute: async () => compute, power,
      bus, clock, logger, applierSettings, planner: 'test', version: 'test',
      maintenanceSettings: { defaultMigrationSeconds: 60, margin: 0.5, minimumMarginSeconds: 300 },
    });
  });
  afterEach(async () => {
    await worker.stop();
    await bus.close();
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Ticks at `time` until the maintenance stops changing (plans it started run to their end in between). */
  async function tickAt(runner: MaintenanceRunner, time: number, id: string): Promise<MaintenanceRecord> {
    now = time;
    let last = '';
    for (let round = 0; round < 50; round++) {
      await runner.tick(time);
      await runner.settled();
      const record = await repositories.maintenances.get(id);
      const running = (await repositories.actionPlans.list({ states: ['APPROVED', 'ONGOING', 'CANCELLING'] })).length;
      const seen = `${record.state} ${record.drainPlanId} ${record.powerOffPlanId} ${record.restorePlanId}`;
      if (!running && seen === last) return record;
      last = seen;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the maintenance did not settle');
  }

  it('drains at the estimated start, is in maintenance by its time, and is back after until, across a scheduler restart', async () => {
    const at = START + 2 * HOUR;
    const scheduled = await engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(at).toISOString(), until: new Date(at + HOUR).toISOString() });
    // One migration, nothing measured: 60 s plus the least margin of 300 s.
    assert.equal(scheduled.drain_starts_at, new Date(at - 360_000).toISOString());
    assert.equal(scheduled.estimated_drain_seconds, 360);

    const runner = new MaintenanceRunner({ repositories, engine, logger });
    assert.equal((await tickAt(runner, at - 361_000, scheduled.id)).state, 'SCHEDULED');
    assert.equal(compute.hostOf.get('vm-3'), 'cmp-3', 'nothing moves before the drain starts');

    const drained = await tickAt(runner, at - 360_000, scheduled.id);
    assert.equal(drained.state, 'IN_MAINTENANCE');
    assert.ok(drained.drainPlanId);
    assert.notEqual(compute.hostOf.get('vm-3'), 'cmp-3');
    assert.equal(compute.services.get('cmp-3')!.enabled, false);
    assert.equal((await engine.status()).maintenances.ongoing[0].id, scheduled.id);

    // A new scheduler (a restart) knows only the record.
    const restarted = new MaintenanceRunner({ repositories, engine, logger });
    assert.equal((await tickAt(restarted, at + HOUR - 1000, scheduled.id)).state, 'IN_MAINTENANCE');
    const done = await tickAt(restarted, at + HOUR, scheduled.id);
    assert.equal(done.state, 'DONE', done.failureReason ?? '');
    assert.equal(compute.services.get('cmp-3')!.enabled, true);
    assert.equal((await engine.status()).maintenances.ongoing.length, 0);
  });

  it('a drain that fails leaves the host in service and the maintenance FAILED with the reason', async () => {
    const at = START + HOUR;
    const scheduled = await engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(at).toISOString() });
    compute.refuse.set('vm-3', 'the hypervisor refuses');
    const failed = await tickAt(new MaintenanceRunner({ repositories, engine, logger }), Date.parse(scheduled.drain_starts_at), scheduled.id);
    assert.equal(failed.state, 'FAILED');
    assert.match(failed.failureReason ?? '', /^drain plan .* ended FAILED.*; the hosts stay in service$/);
    assert.equal(compute.services.get('cmp-3')!.enabled, true);
    assert.equal(compute.hostOf.get('vm-3'), 'cmp-3');
  });

  it('with power-off, waits DRAINED for its time; cancelled then, the host comes back without being powered off', async () => {
    const at = START + HOUR;
    const scheduled = await engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(at).toISOString(), power_off: true });
    const runner = new MaintenanceRunner({ repositories, engine, logger });
    assert.equal((await tickAt(runner, Date.parse(scheduled.drain_starts_at), scheduled.id)).state, 'DRAINED');
    now = at - 60_000;
    const ended = await engine.cancelMaintenance(scheduled.id);
    assert.equal(ended.until, new Date(at - 60_000).toISOString());
    const done = await tickAt(runner, at - 60_000, scheduled.id);
    assert.equal(done.state, 'DONE', done.failureReason ?? '');
    assert.equal(done.powerOffPlanId, null);
    assert.equal(compute.services.get('cmp-3')!.enabled, true);
  });

  it('with power-off, powers the drained host off at its time and on again after until', async () => {
    const at = START + HOUR;
    const scheduled = await engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(at).toISOString(), until: new Date(at + HOUR).toISOString(), power_off: true });
    const runner = new MaintenanceRunner({ repositories, engine, logger });
    assert.equal((await tickAt(runner, Date.parse(scheduled.drain_starts_at), scheduled.id)).state, 'DRAINED');
    assert.equal(await power.powerState({ name: 'cmp-3' }), 'on', 'not powered off before its time');
    const off = await tickAt(runner, at, scheduled.id);
    assert.equal(off.state, 'IN_MAINTENANCE', off.failureReason ?? '');
    assert.ok(off.powerOffPlanId);
    assert.equal(await power.powerState({ name: 'cmp-3' }), 'off');
    const done = await tickAt(runner, at + HOUR, scheduled.id);
    assert.equal(done.state, 'DONE', done.failureReason ?? '');
    assert.equal(await power.powerState({ name: 'cmp-3' }), 'on');
    assert.equal(compute.services.get('cmp-3')!.enabled, true);
  });

  it('cancelled before its drain, nothing moves', async () => {
    const scheduled = await engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(START + HOUR).toISOString() });
    assert.equal((await engine.cancelMaintenance(scheduled.id)).state, 'CANCELLED');
    const record = await tickAt(new MaintenanceRunner({ repositories, engine, logger }), START + HOUR, scheduled.id);
    assert.equal(record.state, 'CANCELLED');
    assert.equal(compute.hostOf.get('vm-3'), 'cmp-3');
    assert.equal(record.drainPlanId, null);
  });

  it('estimates from the live migrations ulm measured, and refuses an unknown host or a second maintenance of a host', async () => {
    await assert.rejects(engine.scheduleMaintenance({ hosts: ['cmp-9'], at: new Date(START + HOUR).toISOString() }), /unknown host "cmp-9"/);
    const first = await engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(START + HOUR).toISOString() });
    await assert.rejects(engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(START + 2 * HOUR).toISOString() }), new RegExp(`already has maintenance ${first.id}`));
    assert.equal((await tickAt(new MaintenanceRunner({ repositories, engine, logger }), Date.parse(first.drain_starts_at), first.id)).state, 'IN_MAINTENANCE');
    // The drain's migration is journaled with its times: the next estimate uses them.
    const [measured] = await repositories.maintenances.measuredMigrationSeconds();
    assert.ok(measured >= 0);
    // The host vm-3 went to: its servers move one at a time (one out of a host at once), each taking the measured time.
    const host = compute.hostOf.get('vm-3')!;
    const servers = [...compute.hostOf.values()].filter((on) => on === host).length;
    const next = await engine.scheduleMaintenance({ hosts: [host], at: new Date(START + 3 * HOUR).toISOString() });
    assert.equal(next.estimated_drain_seconds, Math.ceil(servers * measured + 300));
  });
});
