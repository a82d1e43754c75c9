// Deleting a policy with windows on each database engine: refused naming the windows, cascaded
// when asked, and never while a window's run is in progress.
import assert from 'node:assert/strict';
import {
  createRepositories, migrateDownAll, migrateToLatest, openDatabase, PolicyHasWindows, WindowRunInProgress, type Database, type Repositories,
} from '../../services/db/index.js';
import { manualClock, testEngines } from './engines.js';
import { nightPolicy } from './fixtures.js';

const WINDOW = { name: 'nights', opens: 'daily 20:00', closes: '06:00', timezone: 'UTC' };

for (const engine of testEngines()) {
  describe(`deleting a policy with windows on ${engine.name}`, function () {
    let database: Database;
    let repositories: Repositories;

    before(async function () {
      if (!engine.connection) {
        process.stderr.write(`  ${engine.name} suite pending: ${engine.skipReason}\n`);
        this.skip();
      }
      database = await openDatabase(engine.connection as string);
      await migrateDownAll(database);
      await migrateToLatest(database);
      repositories = createRepositories(database, { clock: manualClock().clock });
    });
    after(async () => {
      await database?.close();
      engine.cleanup();
    });

    it('is refused naming the windows, and cascades when asked', async () => {
      const policy = await repositories.policies.create({ name: 'night-delete', document: nightPolicy });
      const window = await repositories.windows.create({ policyId: policy.id, window: WINDOW });
      await assert.rejects(repositories.policies.delete(policy.id), (error: Error) =>
        error instanceof PolicyHasWindows && error.message.includes(`nights (${window.id})`));
      assert.equal((await repositories.windows.list({ policyId: policy.id })).length, 1, 'the windows stay');
      await repositories.policies.delete(policy.id, { withWindows: true });
      assert.deepEqual(await repositories.windows.list({ policyId: policy.id }), []);
      assert.equal(await repositories.policies.findByName('night-delete'), undefined);
    });

    it('is refused while a window run is in progress, even with its windows', async () => {
      const policy = await repositories.policies.create({ name: 'night-running', document: nightPolicy });
      const window = await repositories.windows.create({ policyId: policy.id, window: WINDOW });
      const run = await repositories.savings.create({ windowId: window.id, periodStart: '2026-11-22T20:00:00.000Z' });
      await assert.rejects(repositories.policies.delete(policy.id, { withWindows: true }), WindowRunInProgress);
      await assert.rejects(repositories.windows.delete(window.id), WindowRunInProgress);
      await repositories.savings.update(run.id, { periodEnd: '2026-11-23T06:00:00.000Z' });
      await repositories.policies.delete(policy.id, { withWindows: true });
      assert.equal((await repositories.savings.get(run.id)).windowId, null, 'the closed run stays in the history');
    });
  });
}
