// The scheduler's leader purges rows older than [database] retention_days once a day (and never
// with 0), over a real SQLite database with an injected clock.
import assert from 'node:assert/strict';
import { createLogger } from '../../../openstack/logger.js';
import { RetentionPurge } from '../../../services/scheduler/purge.js';
import type { Runtime } from '../../../services/runtime.js';
import { snapshot } from '../../support/builders.js';
import { useTestDatabase } from '../../support/database.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T03:00:00Z');

describe('retention purge run by the scheduler', () => {

  const storage = useTestDatabase();

  async function storeSnapshot(at: number): Promise<void> {
    await storage.repositories.snapshots.create({ ...snapshot().host('cmp-1').build(), collected_at: new Date(at).toISOString() });
  }

  function purge(retentionDays: number): RetentionPurge {
    return new RetentionPurge({ config: { database: { retention_days: retentionDays } }, database: storage.database, logger: createLogger({ level: 'silent' }) } as unknown as Runtime);
  }

  it('purges snapshots older than retention_days at its first tick, then once a day', async () => {
    await storeSnapshot(NOW - 40 * DAY);
    await storeSnapshot(NOW - 20 * DAY);
    await storeSnapshot(NOW - DAY);
    const retention = purge(30);
    assert.equal((await retention.tick(NOW))?.snapshots, 1);
    assert.equal((await storage.repositories.snapshots.list()).length, 2);
    await storeSnapshot(NOW - 35 * DAY);
    assert.equal(await retention.tick(NOW + DAY - 1), null, 'not twice in a day');
    assert.equal((await storage.repositories.snapshots.list()).length, 3);
    assert.equal((await retention.tick(NOW + DAY))?.snapshots, 1, 'a day later');
  });

  it('keeps everything with retention_days 0', async () => {
    await storeSnapshot(NOW - 400 * DAY);
    await storeSnapshot(NOW - 300 * DAY);
    assert.equal(await purge(0).tick(NOW), null);
    assert.equal((await storage.repositories.snapshots.list()).length, 2);
  });
});
