// The applier's rules on a simulated cloud and a real (SQLite) journal: waves in order, hosts
// disabled only once verified empty, a refused migration stops the plan safely, a changed cloud
// skips moves instead of forcing them, and a restart never repeats or loses a migration.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAN_FORMAT, type PlanAction, type PlanDocument } from '../../../core/plan/format.js';
import { executePlan, PlanNotStartable, type ApplierContext } from '../../../services/applier/executor.js';
import { restoreHosts } from '../../../services/applier/maintenance.js';
import { createRepositories, migrateToLatest, openDatabase, type Database, type Repositories } from '../../../services/db/index.js';
import { createPowerDriver } from '../../../plugins/power/index.js';
import { SimulatedCompute } from '../../support/simulated-compute.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function planOf(actions: PlanAction[]): PlanDocument {
  return {
    format: PLAN_FORMAT, instance: null, planner: 'test',
    meta: {
      goal: 'consolidate', status: 'complete', now: '2026-11-22T20:00:00.000Z', blocked: [], notes: [],
      metrics: {
        active_hosts_before: 0, active_hosts_after: 0, hosts_freed: 0, hosts_disabled: 0, hosts_powered_off: 0, migrations: 0, temporary_migrations: 0,
        servers_migrated: 0, waves: 0, memory_to_move_mb: 0, power_before_w: 0, power_after_w: 0, power_saved_w: 0, hosts_over_limits_before: 0, hosts_over_limits_after: 0,
      },
    },
    actions,
  };
}

const move = (wave: number, server: string, source: string, destination: string): PlanAction => ({ wave, type: 'live_migrate', server, source, destination, reason: 'test' });
const disable = (wave: number, host: string): PlanAction => ({ wave, type: 'disable_compute', host, reason: 'ulm: consolidated' });

describe('the applier', () => {
  let directory: string;
  let database: Database;
  let repositories: Repositories;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ulm-applier-'));
    database = await openDatabase(`sqlite:///${directory}/ulm.sqlite`);
    await migrateToLatest(database);
    repositories = createRepositories(database);
  });
  afterEach(async () => {
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  function contextFor(compute: SimulatedCompute, settings: Partial<ApplierContext['settings']> = {}): ApplierContext {
    return {
      repositories, compute, power: createPowerDriver('none'), logger: silent,
      clock: { now: () => Date.now(), sleep: async () => undefined },
      settings: { maxParallelMigrations: 4, maxPerSourceHost: 1, migrationTimeoutMs: 60_000, pollIntervalMs: 0, serviceUpTimeoutMs: 1000, noValidHostRetryMs: 0, ...settings },
    };
  }

  async function approved(actions: PlanAction[]): Promise<string> {
    return (await repositories.actionPlans.create({ document: planOf(actions), state: 'APPROVED' })).id;
  }

  it('migrates wave by wave, verifies each move, then disables the emptied host', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-1', c: 'cmp-2' }, ['cmp-1', 'cmp-2', 'cmp-3']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-3'), move(0, 'b', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1')]);
    const plan = await executePlan(contextFor(compute), id);
    assert.equal(plan.state, 'SUCCEEDED');
    assert.equal(compute.hostOf.get('a'), 'cmp-3');
    assert.equal(compute.hostOf.get('b'), 'cmp-2');
    assert.equal(compute.services.get('cmp-1')!.enabled, false);
    assert.equal(compute.services.get('cmp-1')!.disabledReason, 'ulm: consolidated');
    assert.equal((await repositories.hostStates.find('cmp-1'))?.disabled, true);
    assert.equal(compute.calls.at(-1), 'disable cmp-1');
  });

  it('never runs more migrations out of one host at once than nova-compute does', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-1', c: 'cmp-1', d: 'cmp-2' }, ['cmp-1', 'cmp-2', 'cmp-3']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-3'), move(0, 'b', 'cmp-1', 'cmp-3'), move(0, 'c', 'cmp-1', 'cmp-3'), move(0, 'd', 'cmp-2', 'cmp-3')]);
    assert.equal((await executePlan(contextFor(compute, { maxPerSourceHost: 1 }), id)).state, 'SUCCEEDED');
    assert.equal(compute.mostOutOf.get('cmp-1'), 1);
  });

  it('stops at a migration Nova refuses: the plan fails with Nova\'s reason and the host stays enabled', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-2' }, ['cmp-1', 'cmp-2', 'cmp-3']);
    compute.refuse.set('a', 'No valid host was found. There are not enough hosts available.');
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-3'), disable(1, 'cmp-1'), move(2, 'b', 'cmp-2', 'cmp-3')]);
    const plan = await executePlan(contextFor(compute), id);
    assert.equal(plan.state, 'FAILED');
    assert.match(plan.failureReason ?? '', /No valid host/);
    const states = (await repositories.actions.list({ actionPlanId: id })).map((action) => action.state);
    assert.deepEqual(states, ['FAILED', 'CANCELLED', 'CANCELLED']);
    assert.equal(compute.services.get('cmp-1')!.enabled, true);
    assert.equal(compute.startsOf('b'), 0);
  });

  it('tries again a migration Nova\'s scheduler refused with "No valid host", within the retry time', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    compute.noValidHost.set('a', 2);
    let now = Date.now();
    const context = { ...contextFor(compute, { noValidHostRetryMs: 60_000 }), clock: { now: () => now, sleep: async (ms: number) => { now += ms; } } };
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2')]);
    assert.equal((await executePlan(context, id)).state, 'SUCCEEDED');
    assert.equal(compute.startsOf('a'), 3);
    assert.equal((await repositories.actions.list({ actionPlanId: id }))[0].attempts, 3);
  });

  it('fails a migration Nova keeps refusing with "No valid host" once the retry time is over', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    compute.noValidHost.set('a', 100);
    let now = Date.now();
    const context = { ...contextFor(compute, { noValidHostRetryMs: 40_000 }), clock: { now: () => now, sleep: async (ms: number) => { now += ms; } } };
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1')]);
    const plan = await executePlan(context, id);
    assert.equal(plan.state, 'FAILED');
    assert.match(plan.failureReason ?? '', /No valid host/);
    assert.equal(compute.startsOf('a'), 4);
    assert.equal(compute.services.get('cmp-1')!.enabled, true);
  });

  it('follows its own migration, not an earlier failed attempt for the same server', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    compute.endedMigration('a', 'error', 'cmp-1', null);
    compute.recordDelayPolls = 2;
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1')]);
    const plan = await executePlan(contextFor(compute), id);
    assert.equal(plan.state, 'SUCCEEDED');
    assert.equal(compute.hostOf.get('a'), 'cmp-2');
    const [migration] = await repositories.actions.list({ actionPlanId: id });
    assert.equal(migration.novaMigrationFloor, 1);
    assert.equal(migration.novaMigrationId, '2');
  });

  it('skips a move whose server left its source, and then leaves that source enabled', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-1' }, ['cmp-1', 'cmp-2', 'cmp-3']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-3'), move(0, 'b', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1')]);
    compute.hostOf.set('b', 'cmp-3'); // someone moved it
    compute.hostOf.set('x', 'cmp-1'); // and booted a new server there
    const plan = await executePlan(contextFor(compute), id);
    assert.equal(plan.state, 'SUCCEEDED');
    const actions = await repositories.actions.list({ actionPlanId: id });
    assert.equal(actions[1].state, 'SKIPPED');
    assert.match(actions[1].error ?? '', /on cmp-3, not on cmp-1/);
    assert.equal(actions[2].state, 'SKIPPED');
    assert.match(actions[2].error ?? '', /still holds 1 server/);
    assert.equal(compute.services.get('cmp-1')!.enabled, true);
  });

  it('never touches a host someone else disabled, and never enables it', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    compute.services.set('cmp-1', { host: 'cmp-1', enabled: false, up: true, disabledReason: 'hardware check' });
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1')]);
    await executePlan(contextFor(compute), id);
    const [, disabled] = await repositories.actions.list({ actionPlanId: id });
    assert.equal(disabled.state, 'SKIPPED');
    assert.match(disabled.error ?? '', /someone else disabled cmp-1/);
    const [restored] = await restoreHosts(contextFor(compute), ['cmp-1']);
    assert.equal(restored.restored, false);
    assert.equal(compute.services.get('cmp-1')!.disabledReason, 'hardware check');
  });

  it('after a restart, takes a migration Nova finished as done and starts one Nova never saw, once each', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-1', c: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), move(0, 'b', 'cmp-1', 'cmp-2'), move(0, 'c', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1')]);
    // The previous applier: plan ONGOING, `a` sent to Nova (which finished it), `b` journaled but
    // never sent, `c` journaled up to its call (the floor), which never reached Nova.
    await repositories.actionPlans.updateState(id, 'ONGOING');
    const [a, b, c] = await repositories.actions.list({ actionPlanId: id });
    await repositories.actions.start(a.id);
    await repositories.actions.recordCall(a.id, { novaMigrationFloor: 0 });
    await compute.startLiveMigration('a', 'cmp-2');
    await compute.migrationsSince('a');
    await compute.migrationsSince('a');
    await repositories.actions.start(b.id);
    await repositories.actions.start(c.id);
    await repositories.actions.recordCall(c.id, { novaMigrationFloor: 0 });

    const plan = await executePlan(contextFor(compute), id);
    assert.equal(plan.state, 'SUCCEEDED');
    assert.equal(compute.startsOf('a'), 1);
    assert.equal(compute.startsOf('b'), 1);
    assert.equal(compute.hostOf.get('b'), 'cmp-2');
    assert.equal(compute.startsOf('c'), 1);
    assert.equal(compute.hostOf.get('c'), 'cmp-2');
    // The call made after the restart is the action's second attempt, journaled once.
    assert.equal((await repositories.actions.get(c.id)).attempts, 2);
    assert.equal(compute.services.get('cmp-1')!.enabled, false);
  });

  it('refuses to start a stale plan', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2')]);
    await repositories.actionPlans.markStale(id, 'server a moved');
    await assert.rejects(executePlan(contextFor(compute), id), PlanNotStartable);
    assert.equal(compute.startsOf('a'), 0);
  });
});
