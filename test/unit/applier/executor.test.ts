// The applier's rules on a simulated cloud and a real (SQLite) journal: waves in order, hosts
// disabled only once verified empty, a refused migration stops the plan safely, a changed cloud
// skips moves instead of forcing them, and a restart never repeats or loses a migration.
import assert from 'node:assert/strict';
import { PLAN_FORMAT, type PlanAction, type PlanDocument } from '../../../core/plan/format.js';
import { executePlan, PlanNotStartable, type ApplierContext } from '../../../services/applier/executor.js';
import { createPowerDriver } from '../../../plugins/power/index.js';
import { useTestDatabase } from '../../support/database.js';
import { SimulatedCompute, SimulatedPower } from '../../support/simulated-compute.js';

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
const powerOff = (wave: number, host: string): PlanAction => ({ wave, type: 'power_off', host, reason: 'empty and disabled' });
const powerOn = (wave: number, host: string): PlanAction => ({ wave, type: 'power_on', host, reason: 'restore' });
const enable = (wave: number, host: string): PlanAction => ({ wave, type: 'enable_compute', host, reason: 'restore' });

describe('the applier', () => {

  const storage = useTestDatabase();

  function contextFor(compute: SimulatedCompute, settings: Partial<ApplierContext['settings']> = {}): ApplierContext {
    return {
      repositories: storage.repositories, compute, power: createPowerDriver('none'), logger: silent,
      clock: { now: () => Date.now(), sleep: async () => undefined },
      settings: { maxParallelMigrations: 4, maxPerSourceHost: 1, migrationTimeoutMs: 60_000, pollIntervalMs: 0, serviceUpTimeoutMs: 1000, noValidHostRetryMs: 0, ...settings },
    };
  }

  async function approved(actions: PlanAction[]): Promise<string> {
    return (await storage.repositories.actionPlans.create({ document: planOf(actions), state: 'APPROVED' })).id;
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
    assert.equal((await storage.repositories.hostStates.find('cmp-1'))?.disabled, true);
    assert.equal(compute.calls.at(-1), 'disable cmp-1');
  });

  it('starts a move between other hosts while the wave before is still migrating; a move into a host only once the moves out of it ended', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-3', c: 'cmp-5' }, ['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4', 'cmp-5']);
    compute.pollsOf.set('a', 6);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), move(1, 'b', 'cmp-3', 'cmp-4'), move(1, 'c', 'cmp-5', 'cmp-1')]);
    assert.equal((await executePlan(contextFor(compute), id)).state, 'SUCCEEDED');
    assert.equal(compute.layoutAtCall.get('migrate b -> cmp-4')!.get('a'), 'cmp-1', 'b started while a was still leaving cmp-1');
    assert.equal(compute.layoutAtCall.get('migrate c -> cmp-1')!.get('a'), 'cmp-2', 'c went to cmp-1 only after a had left it');
  });

  it('drains a host move after move: the next wave\'s move out of it starts as soon as one ends, within the plan\'s limit on one host', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-1', c: 'cmp-1' }, ['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4']);
    compute.pollsOf.set('a', 400);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), move(0, 'b', 'cmp-1', 'cmp-3'), move(1, 'c', 'cmp-1', 'cmp-4'), disable(2, 'cmp-1')]);
    const context = contextFor(compute, { maxPerSourceHost: 2 });
    context.clock = { now: () => Date.now(), sleep: () => new Promise((resolve) => setImmediate(resolve)) };
    assert.equal((await executePlan(context, id)).state, 'SUCCEEDED');
    const atC = compute.layoutAtCall.get('migrate c -> cmp-4')!;
    assert.equal(atC.get('b'), 'cmp-3', 'c started after b ended');
    assert.equal(atC.get('a'), 'cmp-1', 'c started while a was still migrating');
    assert.equal(compute.mostOutOf.get('cmp-1'), 2, 'never more than the plan has in one wave');
    assert.deepEqual([...compute.layoutAtCall.get('disable cmp-1')!.values()], ['cmp-2', 'cmp-3', 'cmp-4']);
  });

  it('frees a migration\'s slot once Nova reports it completed: the next starts while it is verified; the moves that wait for it wait for the verification', async () => {
    const events: string[] = [];
    // Reading the server back after Nova's "completed" takes a while, as Nova's server show does.
    class SlowToVerify extends SimulatedCompute {
      override async serverLocation(serverId: string) {
        const location = await super.serverLocation(serverId);
        if (serverId === 'a' && location?.host === 'cmp-2') {
          events.push('verifying a');
          await new Promise((resolve) => setTimeout(resolve, 30));
          events.push('a verified');
        }
        return location;
      }
      override async startLiveMigration(serverId: string, destination: string) {
        events.push(`migrate ${serverId}`);
        return super.startLiveMigration(serverId, destination);
      }
    }
    const compute = new SlowToVerify({ a: 'cmp-1', b: 'cmp-3', c: 'cmp-5' }, ['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4', 'cmp-5']);
    // b only needs a slot; c goes into the host a leaves.
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), move(0, 'b', 'cmp-3', 'cmp-4'), move(1, 'c', 'cmp-5', 'cmp-1')]);
    assert.equal((await executePlan(contextFor(compute, { maxParallelMigrations: 1 }), id)).state, 'SUCCEEDED');
    assert.deepEqual(events.slice(0, 4), ['migrate a', 'verifying a', 'migrate b', 'a verified']);
    assert.ok(events.indexOf('migrate c') > events.indexOf('a verified'), events.join(', '));
  });

  it('puts an emptied host into maintenance while the moves between other hosts go on', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-3' }, ['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4']);
    compute.pollsOf.set('b', 500);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), move(0, 'b', 'cmp-3', 'cmp-4'), disable(1, 'cmp-1')]);
    const context = contextFor(compute);
    // Polls that let the journal's I/O run in between, as real ones do.
    context.clock = { now: () => Date.now(), sleep: () => new Promise((resolve) => setImmediate(resolve)) };
    assert.equal((await executePlan(context, id)).state, 'SUCCEEDED');
    const atDisable = compute.layoutAtCall.get('disable cmp-1')!;
    assert.equal(atDisable.get('a'), 'cmp-2', 'cmp-1 was empty when disabled');
    assert.equal(atDisable.get('b'), 'cmp-3', 'b was still migrating');
  });

  it('when the window closes, no new wave starts: the started ones end, the rest is cancelled', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-2' }, ['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4']);
    let now = 0;
    const context = contextFor(compute);
    context.clock = { now: () => now, sleep: async () => { now += 1000; } };
    // b leaves cmp-2 where a arrives: it waits for a, and the window closes meanwhile.
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1'), move(2, 'b', 'cmp-2', 'cmp-4')]);
    const plan = await executePlan(context, id, { stopNewWavesAt: 500 });
    assert.equal(plan.state, 'CANCELLED');
    assert.match(plan.failureReason ?? '', /window is closing/);
    assert.deepEqual((await storage.repositories.actions.list({ actionPlanId: id })).map((action) => action.state), ['SUCCEEDED', 'CANCELLED', 'CANCELLED']);
    assert.equal(compute.startsOf('b'), 0);
    assert.equal(compute.services.get('cmp-1')!.enabled, true);
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
    const states = (await storage.repositories.actions.list({ actionPlanId: id })).map((action) => action.state);
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
    assert.equal((await storage.repositories.actions.list({ actionPlanId: id }))[0].attempts, 3);
  });

  it('fails a migration Nova keeps refusing with "No valid host" once the retry time is over, trying again after 2, 4, 8, then 15 s', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    compute.noValidHost.set('a', 100);
    let now = Date.now();
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      now += ms;
      // Polls sleep less than a second; the waits between tries are longer.
      if (ms >= 1000) waits.push(ms);
    };
    const context = { ...contextFor(compute, { noValidHostRetryMs: 40_000 }), clock: { now: () => now, sleep } };
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1')]);
    const plan = await executePlan(context, id);
    assert.equal(plan.state, 'FAILED');
    assert.match(plan.failureReason ?? '', /No valid host/);
    assert.deepEqual(waits, [2000, 4000, 8000, 15_000, 15_000]);
    assert.equal(compute.startsOf('a'), 6);
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
    const [migration] = await storage.repositories.actions.list({ actionPlanId: id });
    assert.equal(migration.novaMigrationFloor, 1);
    assert.equal(migration.novaCallsBefore, compute.startsOf('a') - 1, 'Nova\'s count of the server\'s calls before this one');
    assert.equal(migration.novaMigrationId, '2');
  });

  it('skips a move whose server left its source, leaves that source enabled, and ends PARTIAL, not SUCCEEDED', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-1' }, ['cmp-1', 'cmp-2', 'cmp-3']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-3'), move(0, 'b', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1')]);
    compute.hostOf.set('b', 'cmp-3'); // someone moved it
    compute.hostOf.set('x', 'cmp-1'); // and booted a new server there
    const plan = await executePlan(contextFor(compute), id);
    assert.equal(plan.state, 'PARTIAL');
    assert.match(plan.failureReason ?? '', /2 action\(s\) skipped/);
    const actions = await storage.repositories.actions.list({ actionPlanId: id });
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
    const [, disabled] = await storage.repositories.actions.list({ actionPlanId: id });
    assert.equal(disabled.state, 'SKIPPED');
    assert.match(disabled.error ?? '', /someone else disabled cmp-1/);
    const restore = await approved([enable(0, 'cmp-1')]);
    assert.equal((await executePlan(contextFor(compute), restore)).state, 'PARTIAL');
    const [enabled] = await storage.repositories.actions.list({ actionPlanId: restore });
    assert.equal(enabled.state, 'SKIPPED');
    assert.match(enabled.error ?? '', /someone else disabled cmp-1 \(hardware check\)/);
    assert.equal(compute.services.get('cmp-1')!.enabled, false);
    assert.equal(compute.services.get('cmp-1')!.disabledReason, 'hardware check');
  });

  it('after a restart, takes a migration Nova finished as done and starts one Nova never saw, once each', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-1', c: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), move(0, 'b', 'cmp-1', 'cmp-2'), move(0, 'c', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1')]);
    // The previous applier: plan ONGOING, `a` sent to Nova (which finished it), `b` journaled but
    // never sent, `c` journaled up to its call (the floor), which never reached Nova.
    await storage.repositories.actionPlans.updateState(id, 'ONGOING');
    const [a, b, c] = await storage.repositories.actions.list({ actionPlanId: id });
    await storage.repositories.actions.start(a.id);
    await storage.repositories.actions.recordCall(a.id, { novaMigrationFloor: 0 });
    await compute.startLiveMigration('a', 'cmp-2');
    await compute.migrationsSince('a');
    await compute.migrationsSince('a');
    await storage.repositories.actions.start(b.id);
    await storage.repositories.actions.start(c.id);
    await storage.repositories.actions.recordCall(c.id, { novaMigrationFloor: 0 });

    const plan = await executePlan(contextFor(compute), id);
    assert.equal(plan.state, 'SUCCEEDED');
    assert.equal(compute.startsOf('a'), 1);
    assert.equal(compute.startsOf('b'), 1);
    assert.equal(compute.hostOf.get('b'), 'cmp-2');
    assert.equal(compute.startsOf('c'), 1);
    assert.equal(compute.hostOf.get('c'), 'cmp-2');
    // The call made after the restart is the action's second attempt, journaled once.
    assert.equal((await storage.repositories.actions.get(c.id)).attempts, 2);
    assert.equal(compute.services.get('cmp-1')!.enabled, false);
  });

  // Journaled before the call by earlier versions: the floor only; now Nova's count of the server's calls too.
  for (const counted of [false, true]) {
    it(`after a restart, moves a server whose journaled call never reached Nova though the server was live-migrated just before (not taken for this call)${counted ? ', told by Nova\'s count of its calls' : ''}`, async () => {
      const compute = new SimulatedCompute({ a: 'cmp-2' }, ['cmp-1', 'cmp-2']);
      // A minute ago the server came back to cmp-1 (an undrain): Nova recorded that call and its migration.
      await compute.startLiveMigration('a', 'cmp-1');
      const [earlier] = await compute.migrationsSince('a');
      await compute.migrationsSince('a');
      assert.equal(compute.hostOf.get('a'), 'cmp-1');
      const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2')]);
      // The previous applier journaled the floor (that migration) and died before its own call.
      await storage.repositories.actionPlans.updateState(id, 'ONGOING');
      const [action] = await storage.repositories.actions.list({ actionPlanId: id });
      await storage.repositories.actions.start(action.id);
      await storage.repositories.actions.recordCall(action.id, { novaMigrationFloor: earlier.id, ...(counted ? { novaCallsBefore: 1 } : {}) });

      const plan = await executePlan(contextFor(compute), id);
      assert.equal(plan.state, 'SUCCEEDED', plan.failureReason ?? '');
      assert.equal(compute.startsOf('a'), 2, 'the earlier call and one new one');
      assert.equal(compute.hostOf.get('a'), 'cmp-2');
    });
  }

  it('refuses to start a stale plan', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2')]);
    await storage.repositories.actionPlans.markStale(id, 'server a moved');
    await assert.rejects(executePlan(contextFor(compute), id), PlanNotStartable);
    assert.equal(compute.startsOf('a'), 0);
  });

  it('a drain whose every move is skipped at run time ends PARTIAL, with the host still enabled', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-1' }, ['cmp-1', 'cmp-2', 'cmp-3']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), move(0, 'b', 'cmp-1', 'cmp-3'), disable(1, 'cmp-1')]);
    // Someone else disabled both destinations after planning.
    await compute.disableCompute('cmp-2', 'rack work');
    await compute.disableCompute('cmp-3', 'rack work');
    const plan = await executePlan(contextFor(compute), id);
    assert.equal(plan.state, 'PARTIAL');
    assert.deepEqual((await storage.repositories.actions.list({ actionPlanId: id })).map((action) => action.state), ['SKIPPED', 'SKIPPED', 'SKIPPED']);
    assert.equal(compute.services.get('cmp-1')!.enabled, true);
    assert.equal(compute.startsOf('a') + compute.startsOf('b'), 0);
  });

  it('after a failed migration, starts nothing more, not even the rest of its wave', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-2', c: 'cmp-3' }, ['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4']);
    compute.refuse.set('a', 'No valid host was found.');
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-4'), move(0, 'b', 'cmp-2', 'cmp-4'), move(0, 'c', 'cmp-3', 'cmp-4'), disable(1, 'cmp-1')]);
    const plan = await executePlan(contextFor(compute, { maxParallelMigrations: 1 }), id);
    assert.equal(plan.state, 'FAILED');
    assert.deepEqual((await storage.repositories.actions.list({ actionPlanId: id })).map((action) => action.state), ['FAILED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
    assert.equal(compute.startsOf('b') + compute.startsOf('c'), 0);
  });

  it('a cancel stops new migrations at once; with --abort-running the migration in flight is aborted through Nova', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-2' }, ['cmp-1', 'cmp-2', 'cmp-3'], 1000);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-3'), move(0, 'b', 'cmp-2', 'cmp-3'), disable(1, 'cmp-1')]);
    let polls = 0;
    const context = contextFor(compute, { maxParallelMigrations: 1 });
    context.clock = { now: () => Date.now(), sleep: async () => {
      if (++polls === 3) await storage.repositories.actionPlans.requestCancel(id, { abort: true });
      // Nova cancels an aborted migration.
      const aborted = compute.calls.some((call) => call.startsWith('abort a '));
      if (aborted) for (const migration of compute.migrations) if (migration.server === 'a') migration.status = 'cancelled';
    } };
    const plan = await executePlan(context, id);
    assert.equal(plan.state, 'CANCELLED');
    const actions = await storage.repositories.actions.list({ actionPlanId: id });
    assert.deepEqual(actions.map((action) => [action.type, action.state]), [
      ['live_migrate', 'CANCELLED'], ['live_migrate', 'CANCELLED'], ['disable_compute', 'CANCELLED'], ['abort_migration', 'SUCCEEDED'],
    ]);
    assert.match(actions[0].error ?? '', /aborted by an operator/);
    assert.equal(compute.startsOf('b'), 0);
    assert.equal(compute.hostOf.get('a'), 'cmp-1');
    assert.equal(compute.services.get('cmp-1')!.enabled, true);
  });

  for (const counted of [false, true]) {
    it(`after a restart, follows a call that reached Nova before Nova recorded its migration, and never calls again${counted ? ' (told by Nova\'s count of its calls)' : ''}`, async () => {
      const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2']);
      compute.recordDelayPolls = 3;
      const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2')]);
      await storage.repositories.actionPlans.updateState(id, 'ONGOING');
      const [a] = await storage.repositories.actions.list({ actionPlanId: id });
      await storage.repositories.actions.start(a.id);
      await storage.repositories.actions.recordCall(a.id, { novaMigrationFloor: 0, ...(counted ? { novaCallsBefore: 0 } : {}) });
      await compute.startLiveMigration('a', 'cmp-2'); // the call reached Nova; then the applier died
      const plan = await executePlan(contextFor(compute), id);
      assert.equal(plan.state, 'SUCCEEDED');
      assert.equal(compute.startsOf('a'), 1);
      assert.equal(compute.hostOf.get('a'), 'cmp-2');
    });
  }

  it('after a restart, a disable_compute found done is verified: a server that arrived meanwhile gets its host back', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-2' }, ['cmp-1', 'cmp-2']);
    const id = await approved([disable(0, 'cmp-1'), powerOff(1, 'cmp-1')]);
    await storage.repositories.actionPlans.updateState(id, 'ONGOING');
    const [disabling] = await storage.repositories.actions.list({ actionPlanId: id });
    await storage.repositories.actions.start(disabling.id);
    await storage.repositories.hostStates.recordDisabled('cmp-1', { reason: 'ulm: consolidated', actionPlanId: id });
    await compute.disableCompute('cmp-1', 'ulm: consolidated');
    compute.hostOf.set('late', 'cmp-1'); // scheduled there just before the disable
    const power = new SimulatedPower();
    const plan = await executePlan({ ...contextFor(compute), power }, id);
    assert.equal(plan.state, 'FAILED');
    assert.deepEqual((await storage.repositories.actions.list({ actionPlanId: id })).map((action) => action.state), ['FAILED', 'CANCELLED']);
    assert.equal(compute.services.get('cmp-1')!.enabled, true);
    assert.deepEqual(power.calls, []);
  });


  it('after a restart, a disable_compute whose call never reached Nova is not made on a host a server arrived on meanwhile', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-2' }, ['cmp-1', 'cmp-2']);
    const id = await approved([disable(0, 'cmp-1')]);
    await storage.repositories.actionPlans.updateState(id, 'ONGOING');
    const [disabling] = await storage.repositories.actions.list({ actionPlanId: id });
    await storage.repositories.actions.start(disabling.id); // the applier died before the call
    compute.hostOf.set('late', 'cmp-1');
    const plan = await executePlan(contextFor(compute), id);
    assert.equal(plan.state, 'FAILED');
    const [action] = await storage.repositories.actions.list({ actionPlanId: id });
    assert.match(action.error ?? '', /cmp-1 holds 1 server\(s\) \(late\); it stays enabled/);
    assert.equal(compute.services.get('cmp-1')!.enabled, true);
    assert.ok(!compute.calls.includes('disable cmp-1'));
  });

  it('a disable_compute Nova accepted but did not carry out is FAILED, not verified, and the host is not powered off', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-2' }, ['cmp-1', 'cmp-2']);
    compute.disableCompute = async () => undefined; // answered, changed nothing
    const power = new SimulatedPower();
    const id = await approved([disable(0, 'cmp-1'), powerOff(1, 'cmp-1')]);
    const plan = await executePlan({ ...contextFor(compute), power }, id);
    assert.equal(plan.state, 'FAILED');
    const [disabling] = await storage.repositories.actions.list({ actionPlanId: id });
    assert.match(disabling.error ?? '', /not verified: cmp-1's nova-compute service is not disabled/);
    assert.deepEqual(power.calls, []);
  });

  it('after a restart, a power-off whose call never reached the driver is not made on a host a server arrived on meanwhile', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-2' }, ['cmp-1', 'cmp-2']);
    const id = await approved([powerOff(0, 'cmp-1')]);
    await storage.repositories.hostStates.recordDisabled('cmp-1', { reason: 'ulm: consolidated', actionPlanId: id });
    await compute.disableCompute('cmp-1', 'ulm: consolidated');
    await storage.repositories.actionPlans.updateState(id, 'ONGOING');
    const [poweringOff] = await storage.repositories.actions.list({ actionPlanId: id });
    await storage.repositories.actions.start(poweringOff.id); // the applier died before the call
    compute.hostOf.set('late', 'cmp-1');
    const power = new SimulatedPower();
    const plan = await executePlan({ ...contextFor(compute), power }, id);
    assert.equal(plan.state, 'FAILED');
    const [action] = await storage.repositories.actions.list({ actionPlanId: id });
    assert.match(action.error ?? '', /cmp-1 holds 1 server\(s\)/);
    assert.deepEqual(power.calls, []);
    assert.equal((await storage.repositories.hostStates.find('cmp-1'))?.poweredOff, false);
  });

  it('with the power driver "none", a power-off is SKIPPED and the host is not recorded as powered off', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1'), powerOff(2, 'cmp-1')]);
    const plan = await executePlan(contextFor(compute), id);
    assert.equal(plan.state, 'PARTIAL');
    const actions = await storage.repositories.actions.list({ actionPlanId: id });
    assert.equal(actions[2].state, 'SKIPPED');
    assert.match(actions[2].error ?? '', /power driver is "none"/);
    assert.equal((await storage.repositories.hostStates.find('cmp-1'))?.poweredOff, false);
  });

  it('a restore plan powers on, waits for nova-compute, enables; a resumed restore repeats nothing and counts its resumption', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2', 'cmp-3']);
    const power = new SimulatedPower();
    const consolidation = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), disable(1, 'cmp-1'), disable(0, 'cmp-3'), powerOff(2, 'cmp-1'), powerOff(2, 'cmp-3')]);
    assert.equal((await executePlan({ ...contextFor(compute), power }, consolidation)).state, 'SUCCEEDED');
    assert.deepEqual([...power.off].sort(), ['cmp-1', 'cmp-3']);
    // The restore: the applier died after powering cmp-1 on, before journaling it.
    const restore = await approved([powerOn(0, 'cmp-1'), powerOn(0, 'cmp-3'), enable(1, 'cmp-1'), enable(1, 'cmp-3')]);
    await storage.repositories.actionPlans.updateState(restore, 'ONGOING');
    const [first] = await storage.repositories.actions.list({ actionPlanId: restore });
    await storage.repositories.actions.start(first.id);
    await power.powerOn({ name: 'cmp-1' });
    const plan = await executePlan({ ...contextFor(compute), power }, restore);
    assert.equal(plan.state, 'SUCCEEDED');
    // The record says it was resumed, not run in one go; the uninterrupted one says so too.
    assert.equal(plan.resumptions, 1);
    assert.equal((await storage.repositories.actionPlans.get(consolidation)).resumptions, 0);
    assert.deepEqual(power.calls.filter((call) => call.startsWith('on')), ['on cmp-1', 'on cmp-3']);
    assert.equal(compute.services.get('cmp-1')!.enabled, true);
    assert.equal(compute.services.get('cmp-3')!.enabled, true);
    for (const host of ['cmp-1', 'cmp-3']) {
      const held = await storage.repositories.hostStates.find(host);
      assert.equal(held?.disabled, false);
      assert.equal(held?.poweredOff, false);
    }
  });

  it('when the cloud cannot be read mid-wave, gives up only after its other migrations ended, and starts no more', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1', b: 'cmp-2', c: 'cmp-3' }, ['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4']);
    const read = compute.serverLocation.bind(compute);
    compute.serverLocation = async (server) => {
      if (server === 'b') throw new Error('Nova answered 503 five times');
      return read(server);
    };
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-4'), move(0, 'b', 'cmp-2', 'cmp-4'), move(0, 'c', 'cmp-3', 'cmp-4')]);
    await assert.rejects(executePlan(contextFor(compute, { maxParallelMigrations: 2 }), id), /503/);
    // Nothing of this executor is left running for a resumed one to race.
    const states = (await storage.repositories.actions.list({ actionPlanId: id })).map((action) => action.state);
    assert.deepEqual(states, ['SUCCEEDED', 'PENDING', 'PENDING']);
    assert.equal(compute.startsOf('c'), 0);
  });

  it('refuses to start a plan whose action does not fit its kind\'s schema, naming the field', async () => {
    const compute = new SimulatedCompute({ a: 'cmp-1' }, ['cmp-1', 'cmp-2']);
    const id = await approved([move(0, 'a', 'cmp-1', 'cmp-2'), { wave: 1, type: 'disable_compute', host: 'cmp-1', reason: 'maintenance' }]);
    await assert.rejects(executePlan(contextFor(compute), id), (error: Error) => error instanceof PlanNotStartable && /actions\[1\]\.reason/.test(error.message));
    assert.equal(compute.startsOf('a'), 0);
  });
});
