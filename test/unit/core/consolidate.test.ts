// Tests of goal consolidate: fewest active hosts, and no migration that buys nothing.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { numbered, snapshot } from '../../support/builders.js';
import { activeHostsAfter, blockedBy, checkedPlan, hostsWith, migrations, movedServers } from '../../support/planning.js';
import { sharedDir } from '../../support/scorer.js';

describe('goal consolidate', () => {
  it('three lightly loaded hosts end as one, and the two emptied hosts are disabled as "ulm: consolidated"', () => {
    const cluster = snapshot()
      .hosts(['cmp-1', 'cmp-2', 'cmp-3'])
      .server('vm-1', { on: 'cmp-1' })
      .server('vm-2', { on: 'cmp-2' })
      .server('vm-3', { on: 'cmp-3' })
      .build();
    const { plan, score } = checkedPlan(cluster);
    assert.equal(activeHostsAfter(cluster, plan).length, 1);
    assert.equal(score.hosts_freed, 2);
    const disabled = plan.actions.filter((action) => action.type === 'disable_compute');
    assert.equal(disabled.length, 2);
    assert.ok(disabled.every((action) => action.reason === 'ulm: consolidated'));
  });

  it('reaches the lower bound on active hosts when servers pack evenly: six half-full hosts become three', () => {
    const cluster = snapshot().hosts(numbered('cmp', 6), { vcpus: 32, memory_mb: 65536 });
    for (const host of numbered('cmp', 6)) cluster.server(`vm-on-${host}`, { on: host, flavor: { vcpus: 8, memory_mb: 32768 } });
    const { score } = checkedPlan(cluster.build());
    assert.equal(score.active_hosts_after, 3);
    assert.equal(score.gap_to_lower_bound, 0);
  });

  it('keeps the big host and empties the small ones into it', () => {
    const cluster = snapshot()
      .host('cmp-small-1', { vcpus: 16, memory_mb: 32768 })
      .host('cmp-big', { vcpus: 128, memory_mb: 524288 })
      .host('cmp-small-2', { vcpus: 16, memory_mb: 32768 })
      .server('vm-1', { on: 'cmp-small-1' })
      .server('vm-2', { on: 'cmp-big' })
      .server('vm-3', { on: 'cmp-small-2' })
      .build();
    const { plan } = checkedPlan(cluster);
    assert.deepEqual(activeHostsAfter(cluster, plan), ['cmp-big']);
    assert.deepEqual(movedServers(plan), ['vm-1', 'vm-3']);
  });

  it('a host is emptied completely or not at all: a server that fits elsewhere stays beside one that does not', () => {
    const cluster = snapshot()
      .hosts(['cmp-1', 'cmp-2'], { memory_mb: 65536 })
      .server('anchor', { on: 'cmp-1', flavor: { memory_mb: 49152 } })
      .server('big', { on: 'cmp-2', flavor: { memory_mb: 32768 } })
      .server('small', { on: 'cmp-2', flavor: { memory_mb: 4096 } })
      .build();
    const { plan } = checkedPlan(cluster);
    assert.deepEqual(migrations(plan), [], 'moving "small" alone would free no host');
  });

  it('a cluster that cannot free a host gets no migration at all', () => {
    const cluster = snapshot()
      .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { memory_mb: 65536 })
      .servers(['vm-1', 'vm-2'], { on: 'cmp-1', flavor: { memory_mb: 24576 } })
      .servers(['vm-3', 'vm-4'], { on: 'cmp-2', flavor: { memory_mb: 24576 } })
      .servers(['vm-5', 'vm-6'], { on: 'cmp-3', flavor: { memory_mb: 24576 } })
      .build();
    const { plan } = checkedPlan(cluster);
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.meta.status, 'nothing_to_do');
  });

  it('hosts that were already empty receive no server and are put into maintenance with the emptied ones', () => {
    const cluster = snapshot()
      .hosts(['cmp-1', 'cmp-2', 'cmp-idle'])
      .server('vm-1', { on: 'cmp-1' })
      .server('vm-2', { on: 'cmp-2' })
      .build();
    const { plan, score } = checkedPlan(cluster);
    assert.ok(!migrations(plan).some((move) => move.destination === 'cmp-idle'));
    assert.equal(hostsWith(plan, 'disable_compute').length, 2);
    assert.ok(hostsWith(plan, 'disable_compute').includes('cmp-idle'));
    assert.equal(plan.meta.metrics.hosts_disabled, 2);
    assert.equal(score.hosts_disabled_by_plan, 2);
  });

  it('first brings an overloaded host under the usage limits, then consolidates', () => {
    const cluster = snapshot().policy({ goal: 'consolidate', max_host_cpu: 0.75 })
      .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { vcpus: 16 })
      .servers(['hot-1', 'hot-2'], { on: 'cmp-1', flavor: { vcpus: 8 }, usage: { cpu_cores: 7 } })
      .server('vm-2', { on: 'cmp-2', usage: { cpu_cores: 1 } })
      .server('vm-3', { on: 'cmp-3', usage: { cpu_cores: 1 } })
      .build();
    const { plan, score } = checkedPlan(cluster);
    assert.equal(score.active_hosts_after, 2);
    assert.ok(migrations(plan).some((move) => move.reason.startsWith('relieve cmp-1')), JSON.stringify(plan.actions));
  });

  it('on a small cluster, tries each choice of hosts to empty: the shared heterogeneous-s instance reaches its lower bound', () => {
    // Twelve mixed hosts, two of them holding servers that must not move; the weighted
    // rankings alone keep four hosts on, one more than the lower bound.
    const instance = JSON.parse(readFileSync(join(sharedDir(), 'bench', 'instances', 'heterogeneous-s.json'), 'utf8')) as Snapshot;
    const { score } = checkedPlan(instance);
    assert.equal(score.lower_bound_active_hosts, 3);
    assert.equal(score.active_hosts_after, 3);
  });

  describe('making room on a kept host', () => {
    /** x (6 GiB) fits on no host until a-2 (4 GiB) moves from cmp-1 to cmp-2. */
    const cluster = () => snapshot()
      .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { memory_mb: 16384 })
      .server('a-1', { on: 'cmp-1', flavor: { memory_mb: 8192 } })
      .server('a-2', { on: 'cmp-1', flavor: { memory_mb: 4096 } })
      .server('b-1', { on: 'cmp-2', flavor: { memory_mb: 12288 } })
      .server('x', { on: 'cmp-3', flavor: { memory_mb: 6144 } })
      .build();

    it('a smaller server moves aside, in an earlier wave, so that the last server of the emptied host fits', () => {
      const { plan, score } = checkedPlan(cluster());
      assert.equal(score.hosts_freed, 1);
      const waveOf = Object.fromEntries(migrations(plan).map((move) => [move.server, move.wave]));
      assert.ok(waveOf['a-2'] < waveOf.x, JSON.stringify(plan.actions));
    });

    it('the server moved aside carries a reason that names the host being emptied', () => {
      const { plan } = checkedPlan(cluster());
      const aside = migrations(plan).find((move) => move.server === 'a-2');
      assert.ok(aside, JSON.stringify(plan.actions));
      assert.notEqual(aside.reason, 'planned placement');
      assert.match(aside.reason, /cmp-3/);
    });
  });

  describe('what it reports as blocked', () => {
    it('a server the plan moves is never reported as blocked', () => {
      // vm-2 moves from cmp-2 onto the big cmp-1; trying to empty cmp-1 as well then fails on
      // vm-2, which must not make vm-2 a server "the plan wanted to move but could not".
      const cluster = snapshot()
        .host('cmp-1', { memory_mb: 131072 })
        .host('cmp-2', { memory_mb: 49152 })
        .server('vm-1', { on: 'cmp-1', flavor: { memory_mb: 4096 } })
        .server('vm-2', { on: 'cmp-2', flavor: { memory_mb: 32768 } })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(movedServers(plan), ['vm-2']);
      assert.equal(blockedBy(plan)['vm-2'], undefined, JSON.stringify(plan.meta.blocked));
    });

    it('a consolidation down to a single host reports nothing blocked: the last host has nowhere to go by design', () => {
      const cluster = snapshot()
        .hosts(['cmp-1', 'cmp-2'])
        .server('vm-1', { on: 'cmp-1' })
        .server('vm-2', { on: 'cmp-2' })
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.equal(score.active_hosts_after, 1);
      assert.deepEqual(plan.meta.blocked, []);
    });
  });
});
