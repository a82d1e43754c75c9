// Tests of goal drain: empty the drain hosts, move nothing else, disable them once empty.
import { strict as assert } from 'node:assert';
import { snapshot } from '../../support/builders.js';
import { blockedBy, checkedPlan, hostsWith, migrations, movedServers, serversOnAfter } from '../../support/planning.js';

/** cmp-1 and cmp-2 hold three servers each; cmp-3 and cmp-4 hold one and have room. */
function fourHosts(drainHosts: string[]) {
  return snapshot().policy({ goal: 'drain', drain_hosts: drainHosts })
    .hosts(['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4'])
    .servers(['a-1', 'a-2', 'a-3'], { on: 'cmp-1' })
    .servers(['b-1', 'b-2', 'b-3'], { on: 'cmp-2' })
    .server('c-1', { on: 'cmp-3' })
    .server('d-1', { on: 'cmp-4' })
    .build();
}

describe('goal drain', () => {
  it('moves exactly the servers of the drain host, and nothing else though the rest could consolidate', () => {
    const cluster = fourHosts(['cmp-1']);
    const { plan, score } = checkedPlan(cluster);
    assert.deepEqual(movedServers(plan), ['a-1', 'a-2', 'a-3']);
    assert.equal(score.goal_met, true);
    assert.equal(plan.meta.status, 'complete');
  });

  it('disables the drain host as "ulm: drained for maintenance" in a wave after its last migration', () => {
    const { plan } = checkedPlan(fourHosts(['cmp-1']));
    const lastMigration = Math.max(...migrations(plan).map((move) => move.wave));
    const disable = plan.actions.find((action) => action.type === 'disable_compute');
    assert.deepEqual(disable && [disable.host, disable.reason], ['cmp-1', 'ulm: drained for maintenance']);
    assert.ok(disable!.wave > lastMigration);
  });

  it('draining two hosts never parks a server of one on the other', () => {
    const cluster = fourHosts(['cmp-1', 'cmp-2']);
    const { plan, score } = checkedPlan(cluster);
    assert.equal(score.goal_met, true);
    assert.deepEqual(movedServers(plan), ['a-1', 'a-2', 'a-3', 'b-1', 'b-2', 'b-3']);
    assert.ok(migrations(plan).every((move) => move.destination === 'cmp-3' || move.destination === 'cmp-4'));
    assert.deepEqual(hostsWith(plan, 'disable_compute'), ['cmp-1', 'cmp-2']);
  });

  it('an empty drain host is simply disabled, in the first wave', () => {
    const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-2'] })
      .hosts(['cmp-1', 'cmp-2'])
      .server('vm-1', { on: 'cmp-1' })
      .build();
    const { plan } = checkedPlan(cluster);
    assert.deepEqual(plan.actions.map(({ wave, type }) => [wave, type]), [[0, 'disable_compute']]);
  });

  it('the policy\'s disabled_reason replaces the default one', () => {
    const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-2'], disabled_reason: 'ulm: kernel update CHG-1234' })
      .hosts(['cmp-1', 'cmp-2'])
      .server('vm-1', { on: 'cmp-2' })
      .build();
    const { plan } = checkedPlan(cluster);
    assert.equal(plan.actions.find((action) => action.type === 'disable_compute')?.reason, 'ulm: kernel update CHG-1234');
  });

  it('with too little room elsewhere, moves what fits, reports the rest with the capacity that blocked it, and keeps the host enabled', () => {
    const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1'] })
      .hosts(['cmp-1', 'cmp-2'], { memory_mb: 65536 })
      .servers(['big-1', 'big-2'], { on: 'cmp-1', flavor: { memory_mb: 32768 } })
      .server('resident', { on: 'cmp-2', flavor: { memory_mb: 32768 } })
      .build();
    const { plan, score } = checkedPlan(cluster);
    assert.equal(movedServers(plan).length, 1);
    assert.equal(serversOnAfter(cluster, plan, 'cmp-1').length, 1);
    const stuck = serversOnAfter(cluster, plan, 'cmp-1')[0];
    assert.equal(blockedBy(plan)[stuck], 'placement_memory_capacity');
    assert.equal(plan.meta.status, 'partial');
    assert.equal(score.goal_met, false);
    assert.deepEqual(hostsWith(plan, 'disable_compute'), []);
  });

  it('a drain host that is already disabled is emptied and keeps the operator\'s disabled reason', () => {
    const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1'] })
      .host('cmp-1', { enabled: false, disabled_reason: 'RMA ticket 42' })
      .host('cmp-2')
      .server('vm-1', { on: 'cmp-1' })
      .build();
    const { plan, score } = checkedPlan(cluster);
    assert.deepEqual(movedServers(plan), ['vm-1']);
    assert.equal(score.goal_met, true);
    assert.deepEqual(hostsWith(plan, 'disable_compute'), []);
  });
});
