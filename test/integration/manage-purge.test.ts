// `ulm-manage db purge --before DATE [--dry-run]` on each database engine, as an operator runs it:
// what it would delete per table, then the real purge, which keeps the newest snapshot and a
// finished plan that a host ulm still holds refers to. A bad date is a usage error (exit 2).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/manage.js';
import { createRepositories, migrateDownAll, migrateToLatest, openDatabase, type Database, type Repositories } from '../../services/db/index.js';
import { runManage } from '../support/ulm-in-process.js';
import { manualClock, testEngines } from './engines.js';
import { nightPolicy, planDocument, snapshotDocument } from './fixtures.js';

for (const engine of testEngines()) {
  describe(`ulm-manage db purge on ${engine.name}`, function () {
    let directory: string;
    let configFile: string;
    let database: Database;
    let repositories: Repositories;
    let time: ReturnType<typeof manualClock>;
    const ids = { oldSnapshot: '', newestSnapshot: '', oldAudit: '', oldPlan: '', heldPlan: '', newAudit: '' };

    before(async function () {
      if (!engine.connection) {
        process.stderr.write(`  ${engine.name} suite pending: ${engine.skipReason}\n`);
        this.skip();
      }
      directory = mkdtempSync(join(tmpdir(), 'ulm-purge-'));
      configFile = join(directory, 'ulm.conf');
      const connection = engine.name === 'SQLite' ? `sqlite:///${directory}/ulm.sqlite` : engine.connection as string;
      writeFileSync(configFile, `[database]\nconnection = ${connection.replace(/\$/g, '$$$$')}\n`);
      database = await openDatabase(connection);
      await migrateDownAll(database);
      await migrateToLatest(database);
      time = manualClock('2026-09-01T20:00:00.000Z');
      repositories = createRepositories(database, { clock: time.clock });

      // September: a night's audit and plan (finished), and a plan whose host ulm still holds.
      const policy = await repositories.policies.create({ name: 'night', document: nightPolicy });
      ids.oldSnapshot = (await repositories.snapshots.create({ ...snapshotDocument(), collected_at: '2026-09-01T19:59:00Z' })).id;
      for (const key of ['oldPlan', 'heldPlan'] as const) {
        const audit = await repositories.audits.create({ policyId: policy.id, triggeredBy: 'window', parameters: {} });
        await repositories.audits.updateState(audit.id, 'ONGOING', { snapshotId: ids.oldSnapshot });
        const plan = await repositories.actionPlans.create({ auditId: audit.id, document: planDocument() });
        await repositories.audits.updateState(audit.id, 'SUCCEEDED');
        await repositories.actionPlans.updateState(plan.id, 'CANCELLED', { from: ['RECOMMENDED'] });
        ids[key] = plan.id;
        if (key === 'oldPlan') ids.oldAudit = audit.id;
      }
      await repositories.hostStates.recordDisabled('cmp-9', { reason: 'ulm: held', actionPlanId: ids.heldPlan });
      // November: the newest snapshot and an audit.
      time.advance(70 * 86_400);
      ids.newestSnapshot = (await repositories.snapshots.create({ ...snapshotDocument(), collected_at: '2026-11-10T12:00:00Z' })).id;
      const recent = await repositories.audits.create({ policyId: policy.id, triggeredBy: 'window', parameters: {} });
      await repositories.audits.updateState(recent.id, 'ONGOING');
      await repositories.audits.updateState(recent.id, 'FAILED', { failureReason: 'test' });
      ids.newAudit = recent.id;
    });

    after(async () => {
      await database?.close();
      if (directory) rmSync(directory, { recursive: true, force: true });
      engine.cleanup();
    });

    const run = (...args: string[]) => runManage(configFile, args);
    const count = async (table: string) => Number((await database.knex(table).count({ count: '*' }))[0].count);

    it('--dry-run prints what it would delete per table and deletes nothing', async () => {
      const actions = await count('actions');
      const output = await run('db', 'purge', '--before', '2026-10-01', '--dry-run');
      const planActions = Number((await database.knex('actions').where({ action_plan_id: ids.oldPlan }).count({ count: '*' }))[0].count);
      // The old snapshot stays: the held plan's audit refers to it.
      assert.equal(output, `snapshots: would delete 0\naudits: would delete 1\naction_plans: would delete 1\nactions: would delete ${planActions}\n`);
      assert.equal(await count('actions'), actions);
      assert.equal(await count('snapshots'), 2);
    });

    it('purges old rows, keeping the newest snapshot, the held host\'s plan and its audit and snapshot', async () => {
      const output = await run('db', 'purge', '--before', '2026-10-01T00:00:00Z');
      assert.match(output, /^snapshots: deleted 0\naudits: deleted 1\naction_plans: deleted 1\nactions: deleted \d+\n$/);
      // The old snapshot stays: the held plan's audit refers to it.
      assert.deepEqual((await repositories.snapshots.list()).map((snapshot) => snapshot.id).sort(), [ids.oldSnapshot, ids.newestSnapshot].sort());
      await assert.rejects(repositories.actionPlans.get(ids.oldPlan), /not found/);
      await assert.rejects(repositories.audits.get(ids.oldAudit), /not found/);
      assert.equal(await database.knex('actions').where({ action_plan_id: ids.oldPlan }).count({ count: '*' }).then((rows) => Number(rows[0].count)), 0);
      assert.equal((await repositories.actionPlans.get(ids.heldPlan)).state, 'CANCELLED');
      assert.equal((await repositories.audits.get(ids.newAudit)).state, 'FAILED');
      assert.equal((await repositories.hostStates.find('cmp-9'))?.actionPlanId, ids.heldPlan);
    });

    it('once the host is back, the held plan, its audit and the old snapshot go too', async () => {
      await repositories.hostStates.recordEnabled('cmp-9');
      const actions = await count('actions');
      assert.equal(await run('db', 'purge', '--before', '2026-10-01'), `snapshots: deleted 1\naudits: deleted 1\naction_plans: deleted 1\nactions: deleted ${actions}\n`);
      assert.deepEqual((await repositories.snapshots.list()).map((snapshot) => snapshot.id), [ids.newestSnapshot]);
    });

    it('refuses a bad date with exit 2 naming --before', async () => {
      const stderr = process.stderr.write.bind(process.stderr);
      let said = '';
      process.stderr.write = ((chunk: string | Uint8Array) => { said += chunk.toString(); return true; }) as typeof process.stderr.write;
      try {
        assert.equal(await main(['node', 'ulm-manage', '--config-file', configFile, 'db', 'purge', '--before', '2026-02-30']), 2);
        assert.equal(await main(['node', 'ulm-manage', '--config-file', configFile, 'db', 'purge', '--before', 'last week']), 2);
      } finally {
        process.stderr.write = stderr;
      }
      assert.match(said, /--before: "2026-02-30" is not a date; give YYYY-MM-DD/);
      assert.match(said, /--before: "last week" is not a date/);
    });
  });
}
