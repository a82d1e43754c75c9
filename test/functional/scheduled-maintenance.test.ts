// A scheduled maintenance of one host on the real loopback cloud, run by the scheduler's tick at
// chosen instants (the drain's estimated start, the maintenance's time, its end): nothing moves
// before the drain starts, the host is empty and disabled at TIME, and back in service after
// `until`, as python-openstackclient sees it. The cloud is left as seeded.
import assert from 'node:assert/strict';
import type { MaintenanceRecord } from '../../services/db/index.js';
import { WindowScheduler } from '../../services/scheduler/scheduler.js';
import { requireDevCloud, serverList, sleep } from './dev-cloud.js';
import { computeServices, currentLayout, openTestRuntime, restoreLayout, type TestRuntime } from './service-support.js';

const MINUTE = 60_000;

describe('a scheduled maintenance on the real cloud', function () {
  this.timeout(1_200_000);
  let seeded: Map<string, string>;
  let test: TestRuntime;

  before(async () => {
    requireDevCloud();
    seeded = currentLayout();
    // A least margin of one minute, so that a maintenance three minutes ahead starts its drain later than now.
    test = await openTestRuntime({ extra: '[scheduler]\nmaintenance_minimum_margin_seconds = 60\nmaintenance_default_migration_seconds = 20\n' });
  });
  after(async () => {
    await restoreLayout(test.runtime, seeded).finally(() => test.close());
  });

  /** Ticks at `time` until the maintenance settles in one of `states` (its plans run for real meanwhile). */
  async function tickUntil(scheduler: WindowScheduler, time: number, id: string, states: string[]): Promise<MaintenanceRecord> {
    for (let waited = 0; waited < 1200; waited++) {
      await scheduler.tick(time);
      await scheduler.maintenances.settled();
      const record = await test.runtime.repositories.maintenances.get(id);
      if (states.includes(record.state)) return record;
      if (['FAILED', 'CANCELLED', 'DONE'].includes(record.state)) assert.fail(`maintenance ended ${record.state}: ${record.failureReason ?? ''}`);
      await sleep(500);
    }
    throw new Error(`maintenance ${id} never reached ${states.join(' or ')}`);
  }

  it('drains the host by its time and brings it back after until', async () => {
    const { engine } = test.runtime;
    const layout = currentLayout();
    const pinned = new Set(serverList().filter((server) => JSON.stringify(server.Properties ?? '').includes('ulm:migratable')).map((server) => server.ID));
    const counts = new Map<string, number>();
    for (const [server, on] of layout) counts.set(on, (counts.get(on) ?? 0) + (pinned.has(server) ? 100 : 1));
    const host = [...counts].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0][0];
    const servers = [...layout].filter(([, on]) => on === host).map(([server]) => server);

    const at = Date.now() + 3 * MINUTE;
    const until = at + 2 * MINUTE;
    const maintenance = await engine.scheduleMaintenance({ hosts: [host], at: new Date(at).toISOString(), until: new Date(until).toISOString() });
    assert.equal(maintenance.state, 'SCHEDULED');
    const drainStartsAt = Date.parse(maintenance.drain_starts_at);
    assert.ok(drainStartsAt < at && drainStartsAt > Date.now(), `the drain starts between now and TIME: ${maintenance.drain_starts_at}`);
    assert.equal((await engine.getHost(host).catch(() => null))?.name ?? host, host);

    const scheduler = new WindowScheduler(test.runtime);
    try {
      // Before the estimated start, nothing happens.
      await scheduler.tick(drainStartsAt - 1000);
      await scheduler.maintenances.settled();
      assert.equal((await engine.getMaintenance(maintenance.id)).state, 'SCHEDULED');
      assert.deepEqual([...currentLayout()].filter(([, on]) => on === host).map(([server]) => server).sort(), [...servers].sort());

      // From the estimated start the drain runs; by TIME the host is empty and disabled.
      await tickUntil(scheduler, drainStartsAt, maintenance.id, ['IN_MAINTENANCE']);
      const inMaintenance = await tickUntil(scheduler, at, maintenance.id, ['IN_MAINTENANCE']);
      assert.ok(inMaintenance.drainPlanId);
      const service = computeServices().find((candidate) => candidate.Host === host)!;
      assert.equal(service.Status, 'disabled');
      assert.match(service['Disabled Reason'] ?? '', /^ulm/);
      assert.deepEqual([...currentLayout()].filter(([, on]) => on === host), [], `${host} is empty`);
      assert.equal((await engine.status()).maintenances.ongoing[0]?.id, maintenance.id);

      // Before until it stays; after until it is back in service.
      assert.equal((await tickUntil(scheduler, until - 1000, maintenance.id, ['IN_MAINTENANCE'])).state, 'IN_MAINTENANCE');
      const done = await tickUntil(scheduler, until, maintenance.id, ['DONE']);
      assert.equal(done.failureReason, null);
      assert.equal(computeServices().find((candidate) => candidate.Host === host)!.Status, 'enabled');
    } finally {
      await scheduler.stop();
    }
  });
});
