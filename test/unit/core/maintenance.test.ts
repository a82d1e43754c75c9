// Tests of which hosts a plan puts into maintenance: a power-saving window that opens on hosts
// already empty disables (and powers off) them too, unless N+k spare capacity needs them; moving
// servers to a target never puts a host into maintenance.
import { strict as assert } from 'node:assert';
import { snapshot } from '../../support/builders.js';
import { actionsOf, checkedPlan, hostsWith, migrations } from '../../support/planning.js';

describe('hosts put into maintenance', () => {
  describe('a consolidation on hosts that are already empty', () => {
    it('disables an empty, enabled host in wave 0 and powers it off in wave 1 though nothing moves, and the plan is complete', () => {
      const cluster = snapshot().policy({ goal: 'consolidate', power_off: true })
        .hosts(['cmp-1', 'cmp-idle'], { memory_mb: 65536 })
        .server('vm-1', { on: 'cmp-1' })
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.deepEqual(migrations(plan), []);
      assert.deepEqual(plan.actions.map((action) => [action.wave, action.type, 'host' in action ? action.host : action.server]), [[0, 'disable_compute', 'cmp-idle'], [1, 'power_off', 'cmp-idle']]);
      assert.equal(actionsOf(plan, 'disable_compute')[0].reason, 'ulm: consolidated');
      assert.equal(plan.meta.status, 'complete');
      assert.equal(plan.meta.metrics.hosts_disabled, 1);
      assert.equal(plan.meta.metrics.hosts_powered_off, 1);
      assert.equal(score.hosts_disabled_by_plan, 1);
      assert.equal(score.hosts_powered_off, 1);
    });

    it('leaves an empty host alone when it is disabled already or its nova-compute service is down', () => {
      const cluster = snapshot().policy({ goal: 'consolidate', power_off: true })
        .host('cmp-1')
        .host('cmp-off', { enabled: false, disabled_reason: 'ulm: consolidated' })
        .host('cmp-broken', { enabled: false, disabled_reason: 'disk replacement' })
        .host('cmp-down', { state: 'down' })
        .server('vm-1', { on: 'cmp-1' })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(plan.actions, []);
      assert.equal(plan.meta.status, 'nothing_to_do');
    });

    it('keeps an empty host enabled when the active hosts alone cannot take the servers of a failed host (N+1), and says so', () => {
      // Two hosts at 40 of 64 GiB cannot take each other's server: one empty host must stay in
      // service as the spare; the second empty host is not needed.
      const cluster = snapshot().policy({ goal: 'consolidate', spare_capacity_hosts: 1 })
        .hosts(['cmp-1', 'cmp-2', 'cmp-idle-1', 'cmp-idle-2'], { memory_mb: 65536 })
        .server('vm-1', { on: 'cmp-1', flavor: { memory_mb: 40960 } })
        .server('vm-2', { on: 'cmp-2', flavor: { memory_mb: 40960 } })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(hostsWith(plan, 'disable_compute'), ['cmp-idle-2']);
      assert.ok(plan.meta.notes.some((note) => /^cmp-idle-1 stays enabled though empty: .*N\+1 spare capacity/.test(note)), JSON.stringify(plan.meta.notes));
    });

    it('disables every empty host when the active hosts hold N+1 on their own', () => {
      const cluster = snapshot().policy({ goal: 'consolidate', spare_capacity_hosts: 1 })
        .hosts(['cmp-1', 'cmp-2', 'cmp-idle-1', 'cmp-idle-2'], { memory_mb: 65536 })
        .server('vm-1', { on: 'cmp-1', flavor: { memory_mb: 40960 } })
        .server('vm-2', { on: 'cmp-2', flavor: { memory_mb: 16384 } })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(hostsWith(plan, 'disable_compute'), ['cmp-idle-1', 'cmp-idle-2']);
    });

    it('other goals leave empty hosts as they are', () => {
      for (const policy of [{ goal: 'balance' as const }, { goal: 'drain' as const, drain_hosts: ['cmp-1'] }]) {
        const cluster = snapshot().policy(policy)
          .hosts(['cmp-1', 'cmp-2', 'cmp-idle'])
          .server('vm-1', { on: 'cmp-1' })
          .server('vm-2', { on: 'cmp-2' })
          .build();
        const { plan } = checkedPlan(cluster);
        assert.ok(!hostsWith(plan, 'disable_compute').includes('cmp-idle'), `${policy.goal}: ${JSON.stringify(plan.actions)}`);
      }
    });
  });

  describe('goal reach_target', () => {
    it('emits no disable_compute and no power_off, even for a host the target empties and with power_off: true', () => {
      const cluster = snapshot().policy({ goal: 'reach_target', power_off: true })
        .hosts(['cmp-1', 'cmp-2', 'cmp-idle'])
        .servers(['vm-1', 'vm-2'], { on: 'cmp-1' })
        .server('vm-3', { on: 'cmp-2' })
        .target({ 'vm-3': 'cmp-1' })
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.equal(score.goal_met, true);
      assert.deepEqual(plan.actions.map((action) => action.type), ['live_migrate']);
      assert.equal(plan.meta.metrics.hosts_disabled, 0);
      assert.equal(plan.meta.status, 'complete');
    });
  });
});
