// Tests of restore plans (a window's close, `ulm host undrain`): power on what ulm powered off,
// enable what ulm disabled, leave other people's hosts alone, and optionally move servers back
// where they were, as far as they can go. Every plan is replayed by score.mjs on the snapshot.
import { strict as assert } from 'node:assert';
import { AssertionError } from 'node:assert/strict';
import type { PlanDocument } from '../../../core/plan/format.js';
import { planRestore, type RestoreRequest } from '../../../core/planner/restore.js';
import type { Policy } from '../../../core/policy/schema.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { ValidationError } from '../../../core/validation.js';
import { snapshot } from '../../support/builders.js';
import { migrations, movedServers, NOW } from '../../support/planning.js';
import { score, type ScoreResult } from '../../support/scorer.js';

type Request = Omit<RestoreRequest, 'snapshot' | 'now' | 'planner'>;

function restore(cluster: Snapshot, request: Request): PlanDocument {
  return planRestore({ snapshot: cluster, now: Date.parse(NOW), planner: 'ulm-test', ...request });
}

/** The restore plan, replayed by score.mjs with the snapshot as the instance (and the target, if any). */
function checkedRestore(cluster: Snapshot, request: Request): { plan: PlanDocument; score: ScoreResult } {
  const plan = restore(cluster, request);
  const instance = request.rebalance ? { ...cluster, policy: { ...request.rebalance.policy, goal: 'reach_target' }, target: request.rebalance.target } : cluster;
  const result = score(instance, plan);
  if (!result.valid) throw new AssertionError({ message: `score.mjs rejects the plan: ${JSON.stringify(result.error)}\nactions: ${JSON.stringify(plan.actions, null, 1)}` });
  return { plan, score: result };
}

function steps(plan: PlanDocument): [number, string, string][] {
  return plan.actions.map((action) => [action.wave, action.type, action.type === 'live_migrate' ? action.server : action.host]);
}

/** cmp-1 holds the servers; cmp-off was powered off by ulm, cmp-idle disabled by ulm. */
function maintained() {
  return snapshot()
    .host('cmp-1')
    .host('cmp-off', { enabled: false, disabled_reason: 'ulm: consolidated', state: 'down' })
    .host('cmp-idle', { enabled: false, disabled_reason: 'ulm: consolidated' })
    .servers(['vm-1', 'vm-2'], { on: 'cmp-1' });
}

const LIMITS: Policy = { goal: 'consolidate', max_parallel_migrations: 4 };

describe('restore plans', () => {
  it('power on in wave 0 the hosts ulm powered off, then enable every restored host in wave 1', () => {
    const { plan, score } = checkedRestore(maintained().build(), { hosts: ['cmp-off', 'cmp-idle'], poweredOff: ['cmp-off'] });
    assert.deepEqual(steps(plan), [[0, 'power_on', 'cmp-off'], [1, 'enable_compute', 'cmp-off'], [1, 'enable_compute', 'cmp-idle']]);
    assert.equal(plan.meta.goal, 'restore');
    assert.equal(plan.meta.status, 'complete');
    assert.equal(plan.meta.metrics.waves, 2);
    assert.equal(score.waves, 2);
    assert.ok(plan.actions.every((action) => action.reason.length > 0));
  });

  it('a host ulm only disabled is enabled in wave 0', () => {
    const { plan } = checkedRestore(maintained().build(), { hosts: ['cmp-idle'] });
    assert.deepEqual(steps(plan), [[0, 'enable_compute', 'cmp-idle']]);
    assert.equal(plan.meta.status, 'complete');
  });

  it('a host someone else disabled gets no action and is noted; the plan is partial', () => {
    const cluster = maintained().host('cmp-repair', { enabled: false, disabled_reason: 'RMA ticket 42' }).build();
    const { plan } = checkedRestore(cluster, { hosts: ['cmp-repair', 'cmp-idle'] });
    assert.deepEqual(steps(plan), [[0, 'enable_compute', 'cmp-idle']]);
    assert.equal(plan.meta.status, 'partial');
    assert.ok(plan.meta.notes.some((note) => /^cmp-repair was disabled by someone else \(disabled_reason "RMA ticket 42"\): ulm leaves it alone$/.test(note)), JSON.stringify(plan.meta.notes));
  });

  it('restoring only hosts someone else disabled is infeasible, with the reason', () => {
    const cluster = maintained().host('cmp-repair', { enabled: false, disabled_reason: 'RMA ticket 42' }).build();
    const { plan } = checkedRestore(cluster, { hosts: ['cmp-repair'] });
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.meta.status, 'infeasible');
    assert.match(plan.meta.infeasible ?? '', /cmp-repair was disabled by someone else/);
  });

  it('a host already in service needs nothing, and says so', () => {
    const { plan } = checkedRestore(maintained().build(), { hosts: ['cmp-1'] });
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.meta.status, 'nothing_to_do');
    assert.match(plan.meta.notes.join('\n'), /cmp-1 is not in maintenance/);
  });

  it('names the field of a host that is not in the snapshot, and of a powered-off host not being restored', () => {
    assert.throws(() => restore(maintained().build(), { hosts: ['cmp-idle', 'cmp-9'], poweredOff: ['cmp-off'] }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.issues.map((issue) => issue.path), ['hosts[1]', 'powered_off[0]']);
      return true;
    });
  });

  it('the same request gives the same bytes, whatever the order of the hosts named', () => {
    const cluster = maintained().build();
    const one = restore(cluster, { hosts: ['cmp-off', 'cmp-idle'], poweredOff: ['cmp-off'] });
    const other = restore(cluster, { hosts: ['cmp-idle', 'cmp-off'], poweredOff: ['cmp-off'] });
    assert.equal(JSON.stringify(one), JSON.stringify(other));
  });

  describe('with a rebalance target', () => {
    it('moves servers back from the wave after the enables, and blocks a never-move server with its reason; no host is disabled', () => {
      // Before ulm consolidated: vm-1 and gpu-1 on cmp-off, vm-2 on cmp-idle, vm-3 on cmp-idle.
      // cmp-4 ends empty: a reach_target plan once disabled such hosts.
      const cluster = maintained()
        .host('cmp-4')
        .server('gpu-1', { on: 'cmp-1', migratable: false, metadata: { 'ulm.pinned_reason': 'PCI passthrough' } })
        .server('vm-3', { on: 'cmp-4' })
        .build();
      const target = { 'vm-1': 'cmp-off', 'gpu-1': 'cmp-off', 'vm-2': 'cmp-idle', 'vm-3': 'cmp-idle' };
      const { plan, score } = checkedRestore(cluster, { hosts: ['cmp-off', 'cmp-idle'], poweredOff: ['cmp-off'], rebalance: { target, policy: LIMITS } });
      assert.equal(plan.meta.goal, 'rebalance');
      assert.equal(plan.meta.status, 'partial');
      assert.deepEqual(movedServers(plan), ['vm-1', 'vm-2', 'vm-3']);
      assert.ok(migrations(plan).every((move) => move.wave >= 2), JSON.stringify(steps(plan)));
      assert.deepEqual(plan.meta.blocked.map(({ server, constraint }) => [server, constraint]), [['gpu-1', 'not_migratable']]);
      assert.match(plan.meta.blocked[0].detail, /PCI passthrough/);
      assert.deepEqual(plan.actions.filter((action) => action.type === 'disable_compute' || action.type === 'power_off'), []);
      assert.equal(score.target?.servers_not_on_target, 1);
      assert.equal(plan.meta.metrics.migrations, 3);
    });

    it('a target host whose room is taken by servers that stay takes what fits; the rest is blocked with the capacity that stops it', () => {
      const cluster = snapshot()
        .host('cmp-1')
        .host('cmp-idle', { enabled: false, disabled_reason: 'ulm: drained for maintenance' })
        .host('cmp-full', { vcpus: 8, memory_mb: 8192 })
        .server('stay-1', { on: 'cmp-full', flavor: { vcpus: 2, memory_mb: 6144 } })
        .server('small-1', { on: 'cmp-1', flavor: { vcpus: 1, memory_mb: 2048 } })
        .server('big-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
        .server('vm-1', { on: 'cmp-1' })
        .build();
      const target = { 'small-1': 'cmp-full', 'big-1': 'cmp-full', 'vm-1': 'cmp-idle' };
      const { plan, score } = checkedRestore(cluster, { hosts: ['cmp-idle'], rebalance: { target, policy: LIMITS } });
      assert.deepEqual(steps(plan).slice(0, 1), [[0, 'enable_compute', 'cmp-idle']]);
      assert.deepEqual(movedServers(plan), ['small-1', 'vm-1']);
      assert.deepEqual(plan.meta.blocked.map(({ server, constraint }) => [server, constraint]), [['big-1', 'placement_memory_capacity']]);
      assert.match(plan.meta.blocked[0].detail, /cmp-full has no room for it beside the servers that stay there/);
      assert.equal(plan.meta.status, 'partial');
      assert.equal(score.target?.servers_not_on_target, 1);
    });

    it('servers of the target that no longer exist are left out, and noted', () => {
      const target = { 'vm-1': 'cmp-idle', 'vm-deleted': 'cmp-idle', 'vm-2': 'cmp-gone' };
      const { plan } = checkedRestore(maintained().build(), { hosts: ['cmp-idle'], rebalance: { target: { 'vm-1': 'cmp-idle' }, policy: LIMITS } });
      const withGone = restore(maintained().build(), { hosts: ['cmp-idle'], rebalance: { target, policy: LIMITS } });
      assert.deepEqual(withGone.actions, plan.actions);
      assert.match(withGone.meta.notes.join('\n'), /2 server\(s\) of the rebalance target no longer exist/);
      assert.equal(withGone.meta.status, 'complete');
    });
  });
});
