// The monitor stores a collection as a snapshot only when the cloud's layout changed (hosts,
// servers and where they run; not the usage figures) or every [monitor] keep_every_minutes.
// Over a real SQLite database, with collections from the snapshot builders and an injected clock.
import assert from 'node:assert/strict';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { createLogger } from '../../../openstack/logger.js';
import { layoutDigest, OverloadMonitor, shouldStoreSnapshot } from '../../../services/monitor/monitor.js';
import type { Runtime } from '../../../services/runtime.js';
import { snapshot } from '../../support/builders.js';
import { useTestDatabase } from '../../support/database.js';

const START = Date.parse('2026-12-01T12:00:00Z');
const MINUTE = 60_000;

function cloud(options: { vm1On?: string; cpu?: number; collectedAt?: number; cmp2Enabled?: boolean } = {}): Snapshot {
  const built = snapshot()
    .host('cmp-1', { vcpus: 16, memory_mb: 32768 })
    .host('cmp-2', { vcpus: 16, memory_mb: 32768, enabled: options.cmp2Enabled ?? true })
    .server('vm-1', { on: options.vm1On ?? 'cmp-1', usage: { cpu_cores: options.cpu ?? 0.5 } })
    .server('vm-2', { on: 'cmp-2', usage: { cpu_cores: options.cpu ?? 0.5 } })
    .build();
  return { ...built, collected_at: new Date(options.collectedAt ?? START).toISOString() };
}

describe('the monitor stores a snapshot only when the cloud changed', () => {
  it('the layout digest ignores usage figures and collection times, not placement or host state', () => {
    const base = layoutDigest(cloud());
    assert.equal(layoutDigest(cloud({ cpu: 3.5, collectedAt: START + MINUTE })), base);
    assert.notEqual(layoutDigest(cloud({ vm1On: 'cmp-2' })), base, 'a server moved');
    assert.notEqual(layoutDigest(cloud({ cmp2Enabled: false })), base, 'a host disabled');
  });

  it('stores when nothing is stored, when the layout changed, and when the newest is keep_every old', () => {
    const digest = layoutDigest(cloud());
    assert.equal(shouldStoreSnapshot(null, digest, START, 60), true);
    assert.equal(shouldStoreSnapshot({ digest, collectedAt: START }, digest, START + 59 * MINUTE, 60), false);
    assert.equal(shouldStoreSnapshot({ digest, collectedAt: START }, digest, START + 60 * MINUTE, 60), true);
    assert.equal(shouldStoreSnapshot({ digest, collectedAt: START }, layoutDigest(cloud({ vm1On: 'cmp-2' })), START + MINUTE, 60), true);
  });

  describe('OverloadMonitor.check over SQLite', () => {
    let now: number;
    let current: Snapshot;

    const storage = useTestDatabase();
    beforeEach(() => {
      now = START;
    });

    function monitor(): OverloadMonitor {
      // The runtime's parts the monitor uses; the collection comes from the builders instead of a cloud.
      const runtime = {
        repositories: storage.repositories, logger: createLogger({ level: 'silent' }), clock: { now: () => now, sleep: async () => undefined },
        config: { monitor: { interval_seconds: 60, policy: '', auto_apply: false, keep_every_minutes: 60 } },
        collect: async () => current,
        collectAndStore: async () => { throw new Error('the monitor stores through its own check'); },
      } as unknown as Runtime;
      return new OverloadMonitor(runtime);
    }

    it('stores the first collection, skips unchanged ones, stores a move and the hourly one', async () => {
      const watcher = monitor();
      const stored = async () => (await storage.repositories.snapshots.list()).length;
      current = cloud();
      await watcher.check();
      assert.equal(await stored(), 1, 'the first collection');
      for (let minute = 1; minute < 60; minute++) {
        now = START + minute * MINUTE;
        current = cloud({ cpu: 0.5 + minute / 100, collectedAt: now });
        await watcher.check();
      }
      assert.equal(await stored(), 1, 'only the usage changed for 59 minutes');
      now = START + 60 * MINUTE;
      current = cloud({ collectedAt: now });
      await watcher.check();
      assert.equal(await stored(), 2, 'one an hour even when nothing changed');
      now += MINUTE;
      current = cloud({ vm1On: 'cmp-2', collectedAt: now });
      await watcher.check();
      assert.equal(await stored(), 3, 'a server moved');
    });

    it('a restarted monitor compares with the newest stored snapshot', async () => {
      current = cloud();
      await monitor().check();
      now += MINUTE;
      current = cloud({ collectedAt: now, cpu: 2 });
      await monitor().check();
      assert.equal((await storage.repositories.snapshots.list()).length, 1);
    });
  });
});
