// The database layer against real engines, the same suite on each: SQLite in a temporary file
// and MariaDB started by scripts/integration. Migrations, repositories, state transitions and
// their races, JSON round trips, and the scheduler's leader lock.
import assert from 'node:assert/strict';
import { createConnection } from 'mysql2/promise';
import { ValidationError } from '../../core/validation.js';
import {
  AlreadyExists, AuditStateConflict, DatabaseUnavailable, HostNotHeld, MIGRATIONS, NotFound, PolicyHasWindows, StateConflict, createLeaderLock, createRepositories, keepLeading,
  migrateDownAll, migrateToLatest, openDatabase, schemaVersion, type Database, type Repositories, type SchemaVersion,
} from '../../services/db/index.js';
import { mysqlConnectionOptions } from '../../services/db/database.js';
import { manualClock, testEngines } from './engines.js';
import { nightPolicy, planDocument, snapshotDocument } from './fixtures.js';

const TABLES = ['policies', 'windows', 'snapshots', 'audits', 'action_plans', 'actions', 'host_states', 'server_exemptions', 'savings', 'locks', 'maintenances'];

async function rejects<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T, message?: RegExp): Promise<T> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected a ${type.name}, got ${(error as Error).name}: ${(error as Error).message}`);
    if (message) assert.match(error.message, message);
    return error;
  }
  return assert.fail(`expected a ${type.name}`);
}

for (const engine of testEngines()) {
  describe(`database on ${engine.name}`, function () {
    let database: Database;
    /** A second handle on the same database: another process, for races and locks. */
    let other: Database;
    let repositories: Repositories;
    let otherRepositories: Repositories;
    let time: ReturnType<typeof manualClock>;
    let versionBefore: SchemaVersion;
    let applied: string[];

    before(async function () {
      if (!engine.connection) {
        process.stderr.write(`  ${engine.name} suite pending: ${engine.skipReason}\n`);
        this.skip();
      }
      database = await openDatabase(engine.connection as string);
      other = await openDatabase(engine.connection as string);
      // Start from an empty schema, also when a previous run left tables behind.
      await migrateDownAll(database);
      versionBefore = await schemaVersion(database);
      applied = await migrateToLatest(database);
    });

    after(async () => {
      await database?.close();
      await other?.close();
      engine.cleanup();
    });

    beforeEach(async () => {
      time = manualClock();
      repositories = createRepositories(database, { clock: time.clock });
      otherRepositories = createRepositories(other, { clock: time.clock });
      for (const table of [...TABLES].reverse()) await database.knex(table).delete();
    });

    const newPlan = async (state: 'RECOMMENDED' | 'APPROVED' = 'RECOMMENDED') => repositories.actionPlans.create({ document: planDocument(), state });

    describe('migrations', () => {
      it('bring an empty database to the newest schema', async () => {
        assert.equal(versionBefore.current, null);
        assert.deepEqual(versionBefore.pending, MIGRATIONS.map((migration) => migration.name));
        assert.deepEqual(applied, MIGRATIONS.map((migration) => migration.name));
        const version = await schemaVersion(database);
        assert.equal(version.current, MIGRATIONS.at(-1)!.name);
        assert.deepEqual(version.pending, []);
        for (const table of TABLES) assert.ok(await database.knex.schema.hasTable(table), `table ${table} exists`);
      });

      it('are safe to run again, and undo and redo cleanly', async () => {
        assert.deepEqual(await migrateToLatest(database), []);
        await migrateDownAll(database);
        assert.equal(await database.knex.schema.hasTable('policies'), false);
        assert.equal((await schemaVersion(database)).current, null);
        assert.deepEqual(await migrateToLatest(database), MIGRATIONS.map((migration) => migration.name));
      });

      it('open sessions the way ulm relies on', async () => {
        if (database.engine === 'sqlite') {
          const [foreignKeys] = await database.knex.raw('PRAGMA foreign_keys');
          const [journal] = await database.knex.raw('PRAGMA journal_mode');
          assert.equal(foreignKeys.foreign_keys, 1);
          assert.equal(journal.journal_mode, 'wal');
        } else {
          const [[session]] = await database.knex.raw('SELECT @@SESSION.sql_mode AS mode, @@SESSION.time_zone AS zone');
          assert.match(session.mode, /STRICT_TRANS_TABLES/);
          assert.equal(session.zone, '+00:00');
        }
      });
    });

    describe('policies', () => {
      it('are created, read, listed, updated and deleted', async () => {
        const created = await repositories.policies.create({ name: 'night', description: 'pack at night', document: nightPolicy });
        assert.equal(created.name, 'night');
        assert.equal(created.createdAt, '2026-11-22T20:00:00.000Z');
        assert.deepEqual(created.document, nightPolicy);
        assert.deepEqual(await repositories.policies.get(created.id), created);
        assert.equal((await repositories.policies.findByName('night'))?.id, created.id);
        assert.equal(await repositories.policies.findByName('day'), undefined);

        time.advance(60);
        const updated = await repositories.policies.update(created.id, { document: { goal: 'balance', max_host_cpu: 0.7 } });
        assert.equal(updated.document.goal, 'balance');
        assert.equal(updated.updatedAt, '2026-11-22T20:01:00.000Z');
        assert.equal(updated.createdAt, created.createdAt);

        await repositories.policies.create({ name: 'Night', document: { goal: 'consolidate' } });
        assert.deepEqual((await repositories.policies.list()).map((policy) => policy.name), ['Night', 'night']);
        await repositories.policies.delete(created.id);
        await rejects(repositories.policies.get(created.id), NotFound, /policy .* not found/);
        await rejects(repositories.policies.delete(created.id), NotFound);
      });

      it('have unique names, compared case-sensitively on every engine', async () => {
        await repositories.policies.create({ name: 'night', document: nightPolicy });
        await rejects(repositories.policies.create({ name: 'night', document: nightPolicy }), AlreadyExists, /a policy with name "night" already exists/);
      });

      it('are validated against the policy schema, naming the field', async () => {
        const error = await rejects(repositories.policies.create({ name: 'bad', document: { goal: 'consolidate', max_host_cpu: 2 } }), ValidationError);
        assert.equal(error.issues[0].path, 'policy.document.max_host_cpu');
        assert.equal(await repositories.policies.findByName('bad'), undefined);
      });
    });

    describe('windows', () => {
      it('belong to a policy, keep their definition, and go with it only when asked', async () => {
        const policy = await repositories.policies.create({ name: 'night', document: nightPolicy });
        const weeknights = {
          name: 'weeknights', opens: 'weekdays 20:00', closes: '06:30', timezone: 'Europe/Berlin',
          holidays: ['2026-12-24', '2026-12-25'], off_days: ['sat', 'sun'], missed: 'skip', auto_apply: true,
        };
        const window = await repositories.windows.create({ policyId: policy.id, window: weeknights });
        assert.deepEqual(window.window, weeknights);
        assert.equal(window.enabled, true);
        const weekend = await repositories.windows.create({ policyId: policy.id, window: { name: 'weekend', opens: '0 22 * * 6', duration_minutes: 2400 } });
        assert.equal(weekend.window.timezone, undefined);
        await repositories.windows.update(weekend.id, { enabled: false });
        assert.deepEqual((await repositories.windows.list({ policyId: policy.id, enabled: true })).map((found) => found.name), ['weeknights']);
        await rejects(repositories.windows.create({ policyId: policy.id, window: { name: 'weekend', opens: 'daily 01:00', duration_minutes: 600 } }), AlreadyExists);

        await rejects(repositories.policies.delete(policy.id), PolicyHasWindows, /weekend .*weeknights/);
        assert.equal((await repositories.windows.list()).length, 2);
        await repositories.policies.delete(policy.id, { withWindows: true });
        assert.deepEqual(await repositories.windows.list(), []);
      });

      it('are validated by the window schema, every field named', async () => {
        const policy = await repositories.policies.create({ name: 'night', document: nightPolicy });
        const error = await rejects(repositories.windows.create({
          policyId: policy.id, window: { name: 'bad', opens: 'weekdays 20:00', duration_minutes: 600, closes: '06:00', timezone: 'Mars/Olympus' },
        }), ValidationError);
        assert.deepEqual(error.issues.map((issue) => issue.path), ['window.timezone', 'window.closes']);
        await rejects(repositories.windows.create({ policyId: 'no-such-policy', window: { name: 'x', opens: 'daily 01:00', duration_minutes: 600 } }), NotFound, /policy no-such-policy not found/);
      });
    });

    describe('audits, action plans and actions', () => {
      it('link an audit to its snapshot and the plan it produced, with the plan\'s actions', async () => {
        const policy = await repositories.policies.create({ name: 'night', document: nightPolicy });
        const audit = await repositories.audits.create({ policyId: policy.id, triggeredBy: 'window', parameters: { note: 'first night' } });
        assert.deepEqual([audit.state, audit.goal, audit.policyName, audit.parameters], ['PENDING', 'consolidate', 'night', { note: 'first night' }]);
        const snapshot = await repositories.snapshots.create(snapshotDocument());
        time.advance(1);
        await repositories.audits.updateState(audit.id, 'ONGOING', { snapshotId: snapshot.id });
        const plan = await repositories.actionPlans.create({ auditId: audit.id, document: planDocument() });
        const done = await repositories.audits.updateState(audit.id, 'SUCCEEDED');
        assert.equal(done.snapshotId, snapshot.id);
        assert.equal(done.actionPlanId, plan.id);
        assert.equal(done.startedAt, '2026-11-22T20:00:01.000Z');
        assert.equal(done.finishedAt, '2026-11-22T20:00:01.000Z');
        await rejects(repositories.audits.updateState(audit.id, 'ONGOING'), AuditStateConflict, /^audit is SUCCEEDED; it cannot become ONGOING$/);

        const actions = await repositories.actions.list({ actionPlanId: plan.id });
        assert.deepEqual(actions.map((action) => [action.planIndex, action.wave, action.type, action.server ?? action.host, action.state]), [
          [0, 0, 'live_migrate', '6a1f0a52-7d7c-4ad2-8a4f-0f4c51a4d002', 'PENDING'],
          [1, 0, 'live_migrate', '6a1f0a52-7d7c-4ad2-8a4f-0f4c51a4d003', 'PENDING'],
          [2, 1, 'disable_compute', 'cmp-02', 'PENDING'],
          [3, 2, 'power_off', 'cmp-02', 'PENDING'],
        ]);
        assert.deepEqual([actions[0].source, actions[0].destination, actions[0].serverName, actions[0].temporary, actions[1].temporary], ['cmp-02', 'cmp-01', 'vm-02', false, true]);
        assert.deepEqual((await repositories.actionPlans.list({ auditId: audit.id })).map((found) => found.id), [plan.id]);

        // The policy goes; the audit's history stays readable.
        await repositories.policies.delete(policy.id);
        const orphan = await repositories.audits.get(audit.id);
        assert.deepEqual([orphan.policyId, orphan.policyName], [null, 'night']);
      });

      it('round-trip plan and snapshot documents exactly, large ones included', async () => {
        const document = planDocument(2000);
        assert.ok(JSON.stringify(document).length > 70_000);
        const plan = await repositories.actionPlans.create({ document });
        assert.deepEqual((await repositories.actionPlans.get(plan.id)).document, document);
        assert.deepEqual(plan.metrics, document.meta.metrics);

        const snapshot = await repositories.snapshots.create(snapshotDocument());
        const stored = await repositories.snapshots.get(snapshot.id);
        assert.deepEqual(stored.document, snapshotDocument());
        assert.equal(stored.collectedAt, '2026-11-22T19:59:58.123Z');
        assert.deepEqual(stored.summary, { name: 'night ☾ über-cluster', hosts: 3, enabled_hosts: 2, servers: 2, server_groups: 0 });
        const [listed] = await repositories.snapshots.list();
        assert.equal('document' in listed, false);
        assert.equal((await repositories.snapshots.latest())?.id, snapshot.id);
      });

      it('move plans along the life cycle of core/plan/states.ts, with times', async () => {
        const plan = await newPlan();
        assert.equal(plan.state, 'RECOMMENDED');
        time.advance(10);
        await repositories.actionPlans.updateState(plan.id, 'APPROVED');
        time.advance(10);
        const ongoing = await repositories.actionPlans.updateState(plan.id, 'ONGOING');
        assert.equal(ongoing.startedAt, '2026-11-22T20:00:20.000Z');
        assert.equal(ongoing.finishedAt, null);
        time.advance(10);
        const failed = await repositories.actionPlans.updateState(plan.id, 'FAILED', { failureReason: 'vm-02: migration error' });
        assert.deepEqual([failed.finishedAt, failed.failureReason], ['2026-11-22T20:00:30.000Z', 'vm-02: migration error']);
        const conflict = await rejects(repositories.actionPlans.updateState(plan.id, 'SUCCEEDED'), StateConflict);
        assert.equal(conflict.message, 'action plan is FAILED; it cannot become SUCCEEDED');
        await rejects(repositories.actionPlans.updateState('no-such-plan', 'APPROVED'), NotFound);

        const skipped = await newPlan();
        await rejects(repositories.actionPlans.updateState(skipped.id, 'SUCCEEDED'), StateConflict, /RECOMMENDED; it cannot become SUCCEEDED/);
        const stale = await repositories.actionPlans.markStale(skipped.id, 'cmp-01 went down');
        assert.deepEqual([stale.stale, stale.staleReason], [true, 'cmp-01 went down']);
        assert.deepEqual((await repositories.actionPlans.list({ stale: true })).map((found) => found.id), [skipped.id]);
        await repositories.actionPlans.updateState(skipped.id, 'SUPERSEDED');
        assert.deepEqual((await repositories.actionPlans.list({ states: ['FAILED', 'SUPERSEDED'] })).length, 2);
      });

      it('journal every call to Nova before and after it', async () => {
        const plan = await newPlan('APPROVED');
        const [first, second, disable, powerOff] = await repositories.actions.list({ actionPlanId: plan.id });
        time.advance(1);
        const started = await repositories.actions.start(first.id, { requestId: 'req-1' });
        assert.deepEqual([started.state, started.attempts, started.requestId, started.startedAt], ['ONGOING', 1, 'req-1', '2026-11-22T20:00:01.000Z']);
        await repositories.actions.recordCall(first.id, { novaMigrationId: '42' });
        const retried = await repositories.actions.recordCall(first.id, { requestId: 'req-2', retry: true });
        assert.deepEqual([retried.attempts, retried.requestId, retried.novaMigrationId], [2, 'req-2', '42']);
        time.advance(30);
        const done = await repositories.actions.finish(first.id, 'SUCCEEDED');
        assert.deepEqual([done.state, done.finishedAt], ['SUCCEEDED', '2026-11-22T20:00:31.000Z']);
        await rejects(repositories.actions.recordCall(first.id, { requestId: 'late' }), StateConflict, /action is SUCCEEDED/);
        await rejects(repositories.actions.finish(second.id, 'FAILED'), StateConflict, /action is PENDING; it cannot become FAILED/);

        await repositories.actions.start(second.id);
        const failed = await repositories.actions.finish(second.id, 'FAILED', { error: 'Nova: host cmp-01 has no room' });
        assert.equal(failed.error, 'Nova: host cmp-01 has no room');
        await repositories.actions.skip(disable.id, 'cmp-02 still hosts vm-03');
        assert.equal(await repositories.actions.cancelPending(plan.id, 'the plan failed'), 1);
        const states = (await repositories.actions.list({ actionPlanId: plan.id })).map((action) => action.state);
        assert.deepEqual(states, ['SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED']);
        assert.equal((await repositories.actions.get(powerOff.id)).error, 'the plan failed');
      });

      it('let exactly one of two processes win a race for the same transition', async () => {
        const race = async (round: number, first: () => Promise<{ state: string }>, second: () => Promise<{ state: string }>, id: string) => {
          const results = await Promise.allSettled([first(), second()]);
          const won = results.filter((result): result is PromiseFulfilledResult<{ state: string }> => result.status === 'fulfilled');
          const lost = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
          assert.equal(won.length, 1, `round ${round}: one winner`);
          assert.ok(lost[0].reason instanceof StateConflict, `round ${round}: the loser gets a StateConflict, not ${String(lost[0].reason)}`);
          assert.equal((await repositories.actionPlans.get(id)).state, won[0].value.state);
        };
        for (let round = 0; round < 10; round += 1) {
          // Two operators approve the same plan.
          const plan = await newPlan();
          await race(round, () => repositories.actionPlans.updateState(plan.id, 'APPROVED'), () => otherRepositories.actionPlans.updateState(plan.id, 'APPROVED'), plan.id);
          // One approves, the other withdraws it only while it is still a recommendation.
          const another = await newPlan();
          await race(round, () => repositories.actionPlans.updateState(another.id, 'APPROVED'), () => otherRepositories.actionPlans.updateState(another.id, 'CANCELLED', { from: ['RECOMMENDED'] }), another.id);
        }

        // Two appliers starting the same action: one sends it to Nova, the other backs off.
        const plan = await newPlan('APPROVED');
        const [action] = await repositories.actions.list({ actionPlanId: plan.id });
        const starts = await Promise.allSettled([repositories.actions.start(action.id), otherRepositories.actions.start(action.id)]);
        assert.equal(starts.filter((result) => result.status === 'fulfilled').length, 1);
        assert.equal((await repositories.actions.get(action.id)).attempts, 1);
      });
    });

    describe('maintenances', () => {
      const schedule = (hosts: string[], at = '2026-11-23T22:00:00.000Z', until: string | null = '2026-11-24T06:00:00.000Z') => repositories.maintenances.create({
        hosts, at, until, powerOff: true, drainStartsAt: '2026-11-23T21:50:00.000Z', estimatedDrainSeconds: 600, createdBy: 'alice',
      });

      it('keep what was asked, soonest first, and find a host\'s maintenance not ended', async () => {
        const later = await schedule(['cmp-02', 'cmp-03'], '2026-11-25T22:00:00.000Z', null);
        const sooner = await schedule(['cmp-01']);
        assert.deepEqual(
          { hosts: sooner.hosts, state: sooner.state, at: sooner.at, until: sooner.until, powerOff: sooner.powerOff, drainStartsAt: sooner.drainStartsAt, createdBy: sooner.createdBy },
          { hosts: ['cmp-01'], state: 'SCHEDULED', at: '2026-11-23T22:00:00.000Z', until: '2026-11-24T06:00:00.000Z', powerOff: true, drainStartsAt: '2026-11-23T21:50:00.000Z', createdBy: 'alice' },
        );
        assert.equal(later.until, null);
        assert.deepEqual((await repositories.maintenances.list()).map((record) => record.id), [sooner.id, later.id]);
        assert.deepEqual((await repositories.maintenances.list({ host: 'cmp-03', active: true })).map((record) => record.id), [later.id]);
        await repositories.maintenances.updateState(later.id, 'CANCELLED');
        assert.deepEqual(await repositories.maintenances.list({ host: 'cmp-03', active: true }), []);
      });

      it('move along their life cycle with the plans that carried them out, and refuse a skipped step', async () => {
        const maintenance = await schedule(['cmp-01']);
        const drain = await newPlan('APPROVED');
        time.advance(60);
        const draining = await repositories.maintenances.updateState(maintenance.id, 'DRAINING', { from: ['SCHEDULED'] });
        assert.equal(draining.startedAt, '2026-11-22T20:01:00.000Z');
        await repositories.maintenances.update(maintenance.id, { drainPlanId: drain.id });
        await rejects(repositories.maintenances.updateState(maintenance.id, 'DONE'), StateConflict, /^maintenance is DRAINING; it cannot become DONE$/);
        await repositories.maintenances.updateState(maintenance.id, 'DRAINED');
        const ended = await repositories.maintenances.updateState(maintenance.id, 'RESTORING', { until: '2026-11-22T20:01:00.000Z' });
        assert.equal(ended.until, '2026-11-22T20:01:00.000Z');
        const failed = await repositories.maintenances.updateState(maintenance.id, 'FAILED', { failureReason: 'not restored: cmp-01 (nova-compute down)' });
        assert.deepEqual([failed.drainPlanId, failed.failureReason, failed.finishedAt], [drain.id, 'not restored: cmp-01 (nova-compute down)', '2026-11-22T20:01:00.000Z']);
        await rejects(repositories.maintenances.get('nope'), NotFound);
      });

      it('let one of two schedulers start the drain', async () => {
        for (let round = 0; round < 5; round += 1) {
          const maintenance = await schedule([`cmp-${round}`]);
          const results = await Promise.allSettled([
            repositories.maintenances.updateState(maintenance.id, 'DRAINING', { from: ['SCHEDULED'] }),
            otherRepositories.maintenances.updateState(maintenance.id, 'DRAINING', { from: ['SCHEDULED'] }),
          ]);
          assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1, `round ${round}`);
          assert.ok((results.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason instanceof StateConflict);
        }
      });

      it('measure the live migrations the applier finished', async () => {
        const plan = await newPlan('APPROVED');
        const [action] = await repositories.actions.list({ actionPlanId: plan.id });
        await repositories.actions.start(action.id);
        time.advance(42.5);
        await repositories.actions.updateState(action.id, 'SUCCEEDED');
        assert.deepEqual(await repositories.maintenances.measuredMigrationSeconds(), [42.5]);
      });
    });

    describe('host states', () => {
      it('record what ulm disabled and powered off, and bring back only those hosts', async () => {
        const plan = await newPlan();
        await repositories.hostStates.recordDisabled('cmp-02', { reason: 'ulm: consolidated', actionPlanId: plan.id });
        time.advance(60);
        const off = await repositories.hostStates.recordPoweredOff('cmp-02');
        assert.deepEqual([off.disabled, off.poweredOff, off.actionPlanId, off.disabledAt, off.poweredOffAt], [true, true, plan.id, '2026-11-22T20:00:00.000Z', '2026-11-22T20:01:00.000Z']);
        await rejects(repositories.hostStates.assertDisabledByUlm('cmp-02'), HostNotHeld, /was not powered on again by ulm/);
        await repositories.hostStates.recordPoweredOn('cmp-02');
        assert.equal((await repositories.hostStates.assertDisabledByUlm('cmp-02')).host, 'cmp-02');
        await repositories.hostStates.recordEnabled('cmp-02');
        assert.deepEqual(await repositories.hostStates.list(), []);
      });

      it('refuse to enable or power off a host ulm did not disable', async () => {
        await rejects(repositories.hostStates.recordEnabled('cmp-07'), HostNotHeld, /host cmp-07 was not disabled by ulm/);
        await rejects(repositories.hostStates.recordPoweredOff('cmp-07'), HostNotHeld);
        await rejects(repositories.hostStates.recordPoweredOn('cmp-07'), HostNotHeld, /not powered off by ulm/);
      });

      it('keep one row per host when two appliers record the same host', async () => {
        await Promise.all([
          repositories.hostStates.recordDisabled('cmp-03', { reason: 'ulm: consolidated' }),
          otherRepositories.hostStates.recordDisabled('cmp-03', { reason: 'ulm: drained for maintenance' }),
        ]);
        const rows = await repositories.hostStates.list();
        assert.equal(rows.length, 1);
      });
    });

    describe('server exemptions', () => {
      it('store each kind with its windows or tag', async () => {
        const server = '6a1f0a52-7d7c-4ad2-8a4f-0f4c51a4d001';
        const windows = [{ days: ['mon' as const, 'fri' as const], start: '08:00', end: '18:00', timezone: 'Europe/Berlin' }];
        const never = await repositories.serverExemptions.create({ serverId: server, kind: 'never', reason: 'licensed to cmp-01' });
        const during = await repositories.serverExemptions.create({ serverId: server, kind: 'windows', windows });
        await repositories.serverExemptions.create({ serverId: 'other', kind: 'anti_affinity_tag', tag: 'anti-affinity:db' });
        assert.deepEqual((await repositories.serverExemptions.get(during.id)).windows, windows);
        assert.deepEqual((await repositories.serverExemptions.list({ serverId: server })).map((found) => found.kind).sort(), ['never', 'windows']);
        const changed = await repositories.serverExemptions.update(never.id, { kind: 'anti_affinity_tag', tag: 'anti-affinity:web' });
        assert.deepEqual([changed.kind, changed.tag, changed.windows], ['anti_affinity_tag', 'anti-affinity:web', null]);
        await repositories.serverExemptions.delete(never.id);
        await rejects(repositories.serverExemptions.get(never.id), NotFound);
      });

      it('are validated, naming the field', async () => {
        const error = await rejects(repositories.serverExemptions.create({ serverId: 'x', kind: 'windows', windows: [{ start: '8:00', end: '18:00' }] }), ValidationError);
        assert.equal(error.issues[0].path, 'exemption.windows[0].start');
        await rejects(repositories.serverExemptions.create({ serverId: 'x', kind: 'anti_affinity_tag' }), ValidationError, /exemption\.tag: is required/);
      });
    });

    describe('savings', () => {
      it('record each window run and add them up', async () => {
        const policy = await repositories.policies.create({ name: 'night', document: nightPolicy });
        const window = await repositories.windows.create({ policyId: policy.id, window: { name: 'weeknights', opens: 'weekdays 20:00', closes: '06:00' } });
        const run = await repositories.savings.create({ windowId: window.id, periodStart: '2026-11-20T20:00:00Z' });
        await repositories.savings.update(run.id, { periodEnd: '2026-11-21T06:00:00Z', hostsOff: 3, hostHoursOff: 29.5, energyKwh: 5.31 });
        await repositories.savings.create({ windowId: window.id, periodStart: '2026-11-21T20:00:00Z', hostsOff: 2, hostHoursOff: 20, energyKwh: 3.6 });
        await rejects(repositories.savings.create({ windowId: window.id, periodStart: '2026-11-21T20:00:00Z' }), AlreadyExists);
        const stored = await repositories.savings.get(run.id);
        assert.deepEqual([stored.periodEnd, stored.hostsOff, stored.hostHoursOff, stored.energyKwh], ['2026-11-21T06:00:00.000Z', 3, 29.5, 5.31]);
        const totals = await repositories.savings.totals({ since: '2026-11-20T00:00:00Z' });
        assert.equal(totals.runs, 2);
        assert.ok(Math.abs(totals.hostHoursOff - 49.5) < 1e-9);
        assert.ok(Math.abs(totals.energyKwh - 8.91) < 1e-9);
        assert.deepEqual((await repositories.savings.list({ until: '2026-11-21T00:00:00Z' })).map((found) => found.id), [run.id]);
        await rejects(repositories.savings.update(run.id, { hostsOff: -1 }), ValidationError, /savings\.hosts_off: expected an integer >= 0/);
      });
    });

    describe('leader lock', () => {
      const lease = 90;

      it('lets one of two contenders lead, and the other once it releases', async () => {
        const first = createLeaderLock(database, { name: 'ulm-scheduler', holder: 'ctl-1:100:a', leaseSeconds: lease, clock: time.clock });
        const second = createLeaderLock(other, { name: 'ulm-scheduler', holder: 'ctl-2:200:b', leaseSeconds: lease, clock: time.clock });
        try {
          const [firstLeads, secondLeads] = await Promise.all([first.tryAcquire(), second.tryAcquire()]);
          assert.equal(Number(firstLeads) + Number(secondLeads), 1, 'exactly one leader');
          const [leader, follower] = firstLeads ? [first, second] : [second, first];
          assert.equal(await leader.renew(), true);
          assert.equal(await follower.tryAcquire(), false);
          assert.equal(await follower.renew(), false);
          assert.equal(await leader.tryAcquire(), true, 'leading again is still leading');

          await leader.release();
          assert.equal(leader.isLeader(), false);
          assert.equal(await follower.tryAcquire(), true);
          assert.equal(await leader.tryAcquire(), false);
        } finally {
          await first.close();
          await second.close();
        }
      });

      it('gives the lead away when the leader is gone', async () => {
        const leader = createLeaderLock(database, { name: 'ulm-scheduler', holder: 'ctl-1:100:a', leaseSeconds: lease, clock: time.clock });
        const follower = createLeaderLock(other, { name: 'ulm-scheduler', holder: 'ctl-2:200:b', leaseSeconds: lease, clock: time.clock });
        try {
          assert.equal(await leader.tryAcquire(), true);
          assert.equal(await follower.tryAcquire(), false);
          if (database.engine === 'sqlite') {
            // The leader stops renewing (hung or dead); its lease runs out.
            time.advance(lease - 1);
            assert.equal(await follower.tryAcquire(), false);
            time.advance(2);
          } else {
            // The leader's connection dies; MariaDB frees its lock once the killed thread has ended.
            const settings = database.settings as Extract<Database['settings'], { engine: 'mysql' }>;
            const admin = await createConnection(mysqlConnectionOptions(settings));
            const lockName = `${settings.database}.ulm-scheduler`;
            try {
              const [rows] = await admin.query('SELECT IS_USED_LOCK(?) AS id', [lockName]);
              const id = Number((rows as Array<{ id: number }>)[0].id);
              assert.ok(id > 0, 'the leader holds the server lock');
              await admin.query(`KILL ${id}`);
              // KILL returns before the thread has ended and let go of its locks.
              for (let waited = 0; ; waited += 50) {
                const [free] = await admin.query('SELECT IS_FREE_LOCK(?) AS free', [lockName]);
                if (Number((free as Array<{ free: number }>)[0].free) === 1) break;
                assert.ok(waited < 10_000, 'MariaDB freed the killed leader\'s lock');
                await new Promise((resolve) => setTimeout(resolve, 50));
              }
            } finally {
              await admin.end();
            }
          }
          assert.equal(await follower.tryAcquire(), true);
          assert.equal(await leader.renew(), false, 'the old leader learns it lost');
          assert.equal(leader.isLeader(), false);
        } finally {
          await leader.close();
          await follower.close();
        }
      });

      it('keeps leading with periodic renewal, and hands over when stopped', async () => {
        const changes: string[] = [];
        const waitFor = async (what: string, condition: () => boolean) => {
          for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 10))) {
            if (Date.now() - started > 10_000) assert.fail(`timed out waiting for ${what}; changes: ${changes.join(' ')}`);
          }
        };
        const first = keepLeading(createLeaderLock(database, { name: 'ulm-scheduler', holder: 'a', leaseSeconds: lease }), { intervalSeconds: 0.05, onChange: (leading) => changes.push(`a:${leading}`) });
        await waitFor('a to lead', () => changes.includes('a:true'));
        const second = keepLeading(createLeaderLock(other, { name: 'ulm-scheduler', holder: 'b', leaseSeconds: lease }), { intervalSeconds: 0.05, onChange: (leading) => changes.push(`b:${leading}`) });
        // Several of b's ticks pass while a renews.
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(changes, ['a:true']);
        await first.stop();
        await waitFor('b to lead', () => changes.includes('b:true'));
        await second.stop();
        assert.deepEqual(changes, ['a:true', 'a:false', 'b:true', 'b:false']);
      });

      it('says which database it cannot open, never with its password', async () => {
        // SQLite: a state_path under a regular file can never be created.
        const unreachable = database.engine === 'sqlite'
          ? `${engine.connection as string}/state/ulm.sqlite`
          : (engine.connection as string).replace(/:[^:@/]*@/, ':wrong-password@');
        const error = await rejects(openDatabase(unreachable), DatabaseUnavailable, /check \[database\] connection/);
        assert.doesNotMatch(error.message, /wrong-password/);
      });
    });
  });
}
