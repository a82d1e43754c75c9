// Scheduled maintenances carried out by the scheduler's maintenance part over the real engine,
// the real applier and a SQLite database, on a simulated compute cloud with an injected clock:
// the drain starts at its estimated time, the host is in maintenance by `at`, back after
// `until`, a failed drain leaves the host in service, and a restarted scheduler resumes from
// the stored record.
import assert from 'node:assert/strict';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { createLogger } from '../../../openstack/logger.js';
import type { MaintenanceRecord } from '../../../services/db/index.js';
import { MaintenanceRunner } from '../../../services/scheduler/maintenances.js';
import { snapshot } from '../../support/builders.js';
import { useSimulatedEngine } from '../../support/simulated-engine.js';

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
  let now: number;
  const logger = createLogger({ level: 'silent' });

  // Set before the engine starts, as its clock.
  beforeEach(() => {
    now = START;
  });
  const simulated = useSimulatedEngine({
    cluster: CLUSTER, now: () => now, maintenanceSettings: { defaultMigrationSeconds: 60, margin: 0.5, minimumMarginSeconds: 300 },
  });
  const newRunner = () => new MaintenanceRunner({ repositories: simulated.repositories, engine: simulated.engine, logger });

  /** Ticks at `time` until the maintenance stops changing (plans it started run to their end in between). */
  async function tickAt(runner: MaintenanceRunner, time: number, id: string): Promise<MaintenanceRecord> {
    now = time;
    let last = '';
    for (let round = 0; round < 50; round++) {
      await runner.tick(time);
      await runner.settled();
      const record = await simulated.repositories.maintenances.get(id);
      const running = (await simulated.repositories.actionPlans.list({ states: ['APPROVED', 'ONGOING', 'CANCELLING'] })).length;
      const seen = `${record.state} ${record.drainPlanId} ${record.powerOffPlanId} ${record.restorePlanId}`;
      if (!running && seen === last) return record;
      last = seen;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the maintenance did not settle');
  }

  it('drains at the estimated start, is in maintenance by its time, and is back after until, across a scheduler restart', async () => {
    const at = START + 2 * HOUR;
    const scheduled = await simulated.engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(at).toISOString(), until: new Date(at + HOUR).toISOString() });
    // One migration, nothing measured: 60 s plus the least margin of 300 s.
    assert.equal(scheduled.drain_starts_at, new Date(at - 360_000).toISOString());
    assert.equal(scheduled.estimated_drain_seconds, 360);

    const runner = newRunner();
    assert.equal((await tickAt(runner, at - 361_000, scheduled.id)).state, 'SCHEDULED');
    assert.equal(simulated.compute.hostOf.get('vm-3'), 'cmp-3', 'nothing moves before the drain starts');

    const drained = await tickAt(runner, at - 360_000, scheduled.id);
    assert.equal(drained.state, 'IN_MAINTENANCE');
    assert.ok(drained.drainPlanId);
    assert.notEqual(simulated.compute.hostOf.get('vm-3'), 'cmp-3');
    assert.equal(simulated.compute.services.get('cmp-3')!.enabled, false);
    assert.equal((await simulated.engine.status()).maintenances.ongoing[0].id, scheduled.id);

    // A new scheduler (a restart) knows only the record.
    const restarted = newRunner();
    assert.equal((await tickAt(restarted, at + HOUR - 1000, scheduled.id)).state, 'IN_MAINTENANCE');
    const done = await tickAt(restarted, at + HOUR, scheduled.id);
    assert.equal(done.state, 'DONE', done.failureReason ?? '');
    assert.equal(simulated.compute.services.get('cmp-3')!.enabled, true);
    assert.equal((await simulated.engine.status()).maintenances.ongoing.length, 0);
  });

  it('a drain that fails leaves the host in service and the maintenance FAILED with the reason', async () => {
    const at = START + HOUR;
    const scheduled = await simulated.engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(at).toISOString() });
    simulated.compute.refuse.set('vm-3', 'the hypervisor refuses');
    const failed = await tickAt(newRunner(), Date.parse(scheduled.drain_starts_at), scheduled.id);
    assert.equal(failed.state, 'FAILED');
    assert.match(failed.failureReason ?? '', /^drain plan .* ended FAILED.*; the hosts stay in service$/);
    assert.equal(simulated.compute.services.get('cmp-3')!.enabled, true);
    assert.equal(simulated.compute.hostOf.get('vm-3'), 'cmp-3');
  });

  it('with power-off, waits DRAINED for its time; cancelled then, the host comes back without being powered off', async () => {
    const at = START + HOUR;
    const scheduled = await simulated.engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(at).toISOString(), power_off: true });
    const runner = newRunner();
    assert.equal((await tickAt(runner, Date.parse(scheduled.drain_starts_at), scheduled.id)).state, 'DRAINED');
    now = at - 60_000;
    const ended = await simulated.engine.cancelMaintenance(scheduled.id);
    assert.equal(ended.until, new Date(at - 60_000).toISOString());
    const done = await tickAt(runner, at - 60_000, scheduled.id);
    assert.equal(done.state, 'DONE', done.failureReason ?? '');
    assert.equal(done.powerOffPlanId, null);
    assert.equal(simulated.compute.services.get('cmp-3')!.enabled, true);
  });

  it('with power-off, powers the drained host off at its time and on again after until', async () => {
    const at = START + HOUR;
    const scheduled = await simulated.engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(at).toISOString(), until: new Date(at + HOUR).toISOString(), power_off: true });
    const runner = newRunner();
    assert.equal((await tickAt(runner, Date.parse(scheduled.drain_starts_at), scheduled.id)).state, 'DRAINED');
    assert.equal(await simulated.power.powerState({ name: 'cmp-3' }), 'on', 'not powered off before its time');
    const off = await tickAt(runner, at, scheduled.id);
    assert.equal(off.state, 'IN_MAINTENANCE', off.failureReason ?? '');
    assert.ok(off.powerOffPlanId);
    assert.equal(await simulated.power.powerState({ name: 'cmp-3' }), 'off');
    const done = await tickAt(runner, at + HOUR, scheduled.id);
    assert.equal(done.state, 'DONE', done.failureReason ?? '');
    assert.equal(await simulated.power.powerState({ name: 'cmp-3' }), 'on');
    assert.equal(simulated.compute.services.get('cmp-3')!.enabled, true);
  });

  it('cancelled before its drain, nothing moves', async () => {
    const scheduled = await simulated.engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(START + HOUR).toISOString() });
    assert.equal((await simulated.engine.cancelMaintenance(scheduled.id)).state, 'CANCELLED');
    const record = await tickAt(newRunner(), START + HOUR, scheduled.id);
    assert.equal(record.state, 'CANCELLED');
    assert.equal(simulated.compute.hostOf.get('vm-3'), 'cmp-3');
    assert.equal(record.drainPlanId, null);
  });

  it('estimates from the live migrations ulm measured, and refuses an unknown host or a second maintenance of a host', async () => {
    await assert.rejects(simulated.engine.scheduleMaintenance({ hosts: ['cmp-9'], at: new Date(START + HOUR).toISOString() }), /unknown host "cmp-9"/);
    const first = await simulated.engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(START + HOUR).toISOString() });
    await assert.rejects(simulated.engine.scheduleMaintenance({ hosts: ['cmp-3'], at: new Date(START + 2 * HOUR).toISOString() }), new RegExp(`already has maintenance ${first.id}`));
    assert.equal((await tickAt(newRunner(), Date.parse(first.drain_starts_at), first.id)).state, 'IN_MAINTENANCE');
    // The drain's migration is journaled with its times: the next estimate uses them.
    const [measured] = await simulated.repositories.maintenances.measuredMigrationSeconds();
    assert.ok(measured >= 0);
    // The host vm-3 went to: its servers move one at a time (one out of a host at once), each taking the measured time.
    const host = simulated.compute.hostOf.get('vm-3')!;
    const servers = [...simulated.compute.hostOf.values()].filter((on) => on === host).length;
    const next = await simulated.engine.scheduleMaintenance({ hosts: [host], at: new Date(START + 3 * HOUR).toISOString() });
    assert.equal(next.estimated_drain_seconds, Math.ceil(servers * measured + 300));
  });
});
