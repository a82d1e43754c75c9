// Deleting policies and windows over the real engine, the real applier and a SQLite database on a
// simulated compute cloud: a policy with windows is refused naming them, deleted with them when
// asked, and a window run in progress is never stranded: its hosts come back through a restore
// plan and the run is closed before the window goes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { createLogger } from '../../../openstack/logger.js';
import { DEFAULT_APPLIER_SETTINGS, type ApplierContext } from '../../../services/applier/executor.js';
import { ApplierWorker } from '../../../services/applier/worker.js';
import { InProcessBus } from '../../../services/bus/index.js';
import { createRepositories, migrateToLatest, openDatabase, PolicyHasWindows, WindowRunInProgress, type Database, type Repositories } from '../../../services/db/index.js';
import { createEngine } from '../../../services/engine/engine.js';
import { snapshot } from '../../support/builders.js';
import { simulatedCloudOf, SimulatedPower, type SimulatedCompute } from '../../support/simulated-compute.js';

const START = Date.parse('2026-12-01T21:00:00Z');

// Two small servers on two hosts: consolidating empties one host and puts it in maintenance.
const CLUSTER: Snapshot = snapshot()
  .hosts(['cmp-1', 'cmp-2'], { vcpus: 16, memory_mb: 32768 })
  .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .server('vm-2', { on: 'cmp-2', flavor: { vcpus: 2, memory_mb: 4096 } })
  .build();

const NIGHTS = { name: 'nights', opens: 'daily 20:00', closes: '06:00', timezone: 'UTC' };

describe('deleting policies and windows', function () {
  this.timeout(30_000);
  let directory: string;
  let database: Database;
  let repositories: Repositories;
  let compute: SimulatedCompute;
  let bus: InProcessBus;
  let worker: ApplierWorker;
  let engine: ReturnType<typeof createEngine>;
  const logger = createLogger({ level: 'silent' });

  function collect(): Promise<Snapshot> {
    return Promise.resolve({
      ...CLUSTER,
      servers: CLUSTER.servers.map((server) => ({ ...server, host: compute.hostOf.get(server.id) ?? server.host })),
      hosts: CLUSTER.hosts.map((host) => ({ ...host, enabled: compute.services.get(host.name)!.enabled, disabled_reason: compute.services.get(host.name)!.disabledReason })),
    });
  }

  async function settled(planId: string): Promise<string> {
    for (let round = 0; round < 200; round++) {
      const { state } = await repositories.actionPlans.get(planId);
      if (['SUCCEEDED', 'FAILED', 'CANCELLED', 'SUPERSEDED'].includes(state)) return state;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`plan ${planId} did not end`);
  }

  /** A window run in progress as the scheduler leaves it at night: its plan done, a host in maintenance. */
  async function nightInProgress(windowId: string, policy: string): Promise<{ runId: string; planId: string }> {
    const outcome = await engine.createAudit({ policy, triggered_by: 'window', window_id: windowId, approve: true });
    assert.ok(outcome.action_plan, outcome.audit.failure_reason ?? 'no plan');
    const run = await repositories.savings.create({ windowId, periodStart: new Date(START).toISOString() });
    await repositories.savings.setActionPlan(run.id, outcome.action_plan.id);
    await engine.startActionPlan(outcome.action_plan.id);
    assert.equal(await settled(outcome.action_plan.id), 'SUCCEEDED');
    assert.equal([...compute.services.values()].filter((service) => !service.enabled).length, 1, 'one host in maintenance');
    return { runId: run.id, planId: outcome.action_plan.id };
  }

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ulm-window-deletion-'));
    database = await openDatabase(`sqlite:///${directory}/ulm.sqlite`);
    await migrateToLatest(database);
    repositories = createRepositories(database);
    compute = simulatedCloudOf(CLUSTER);
    const clock = { now: () => START, sleep: async () => undefined };
    const applierSettings = { ...DEFAULT_APPLIER_SETTINGS, pollIntervalMs: 0, serviceUpTimeoutMs: 1000 };
    bus = new InProcessBus({ logger });
    const power = new SimulatedPower();
    const context: ApplierContext = { repositories, compute, power, logger, clock, settings: applierSettings };
    worker = new ApplierWorker(context, bus, { holder: 'test:1', sweepMs: 3_600_000 });
    await worker.start();
    engine = createEngine({
      repositories, cloud: () => Promise.reject(new Error('no cloud in this test')), collect, compute: async () => compute, power,
      bus, clock, logger, applierSettings, planner: 'test', version: 'test',
    });
    await engine.createPolicy({ name: 'night', document: { goal: 'consolidate', max_host_cpu: 0.8, max_host_memory: 0.9, metrics: { missing: 'use_allocations' } } });
  });
  afterEach(async () => {
    await worker.stop();
    await bus.close();
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('refuses a policy with windows, naming each window by name and id, and keeps them', async () => {
    const window = await engine.createWindow({ policy: 'night', window: NIGHTS });
    await assert.rejects(engine.deletePolicy('night'), (error: Error) => {
      assert.ok(error instanceof PolicyHasWindows);
      assert.match(error.message, new RegExp(`^policy night has 1 window: nights \\(${window.id}\\); .*--with-windows`));
      return true;
    });
    assert.equal((await engine.listWindows()).length, 1);
    assert.equal((await engine.getPolicy('night')).name, 'night');
  });

  it('deletes a policy without windows, and one with windows when asked', async () => {
    await engine.createPolicy({ name: 'empty', document: { goal: 'consolidate', max_host_cpu: 0.8, max_host_memory: 0.9 } });
    await engine.deletePolicy('empty');
    await engine.createWindow({ policy: 'night', window: NIGHTS });
    await engine.deletePolicy('night', { with_windows: true });
    assert.deepEqual(await engine.listPolicies(), []);
    assert.deepEqual(await engine.listWindows(), []);
  });

  it('deleting a window during its run restores its hosts through a restore plan and closes the run', async () => {
    const window = await engine.createWindow({ policy: 'night', window: NIGHTS });
    const { runId } = await nightInProgress(window.id, 'night');
    await engine.deleteWindow(window.id);
    const run = await repositories.savings.get(runId);
    assert.equal(run.periodEnd, new Date(START).toISOString(), 'the run is closed');
    assert.ok(run.restorePlanId, 'a restore plan brings the hosts back');
    assert.equal(run.windowId, null, 'the run stays in the history without its window');
    assert.equal(await settled(run.restorePlanId), 'SUCCEEDED');
    assert.ok([...compute.services.values()].every((service) => service.enabled), 'every host back in service');
    await assert.rejects(engine.getWindow(window.id), /not found/);
  });

  it('deleting a policy with --with-windows during a run restores the run first', async () => {
    const window = await engine.createWindow({ policy: 'night', window: NIGHTS });
    const { runId } = await nightInProgress(window.id, 'night');
    await engine.deletePolicy('night', { with_windows: true });
    const run = await repositories.savings.get(runId);
    assert.ok(run.periodEnd && run.restorePlanId);
    assert.equal(await settled(run.restorePlanId), 'SUCCEEDED');
    assert.ok([...compute.services.values()].every((service) => service.enabled));
  });

  it('while the run\'s plan still has migrations in flight: 409 saying so and how to end it, the window stays', async () => {
    const window = await engine.createWindow({ policy: 'night', window: NIGHTS });
    const outcome = await engine.createAudit({ policy: 'night', triggered_by: 'window', window_id: window.id, approve: true });
    const run = await repositories.savings.create({ windowId: window.id, periodStart: new Date(START).toISOString() });
    await repositories.savings.setActionPlan(run.id, outcome.action_plan!.id);
    // As an applier leaves it mid-wave (no applier takes it in this test).
    await repositories.actionPlans.updateState(outcome.action_plan!.id, 'ONGOING', { from: ['APPROVED'] });
    await assert.rejects(engine.deleteWindow(window.id), (error: Error) => error instanceof WindowRunInProgress
      && error.message.includes(`its plan ${outcome.action_plan!.id} is stopping`) && error.message.includes('delete the window again'));
    assert.equal((await repositories.actionPlans.get(outcome.action_plan!.id)).state, 'CANCELLING', 'the plan starts nothing more');
    assert.equal((await repositories.savings.get(run.id)).periodEnd, null, 'the run stays open for the scheduler to restore');
    assert.equal((await engine.getWindow(window.id)).id, window.id);
  });

  it('the repository never deletes a window whose run is open: 409 saying how to end it', async () => {
    const window = await engine.createWindow({ policy: 'night', window: NIGHTS });
    await repositories.savings.create({ windowId: window.id, periodStart: new Date(START).toISOString() });
    await assert.rejects(repositories.windows.delete(window.id), (error: Error) => error instanceof WindowRunInProgress && /has a run in progress.*ulm window delete/.test(error.message));
    await assert.rejects(repositories.policies.delete(window.policy_id, { withWindows: true }), WindowRunInProgress);
    assert.equal((await engine.listWindows()).length, 1);
  });
});
