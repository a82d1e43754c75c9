// Tests of goal reach_target: valid waves to a given placement, or infeasible with the reason.
// Two full hosts swap, or three rotate, through a host that is not full.
import { strict as assert } from 'node:assert';
import { numbered, snapshot, type SnapshotBuilder } from '../../support/builders.js';
import { checkedPlan, migrations, movedServers, planFor, placementAfter } from '../../support/planning.js';

/** Hosts of 8 GiB, each full with one 8 GiB server `vm-<n>` on `cmp-<n>`, plus `spare` empty hosts. */
function fullHosts(count: number, spare: number): SnapshotBuilder {
  const builder = snapshot().policy({ goal: 'reach_target' }).hosts(numbered('cmp', count + spare), { vcpus: 8, memory_mb: 8192 });
  for (let index = 1; index <= count; index++) builder.server(`vm-${index}`, { on: `cmp-${index}`, flavor: { vcpus: 4, memory_mb: 8192 } });
  return builder;
}

describe('goal reach_target', () => {
  it('moves each server to its target host and leaves servers without a target alone', () => {
    const cluster = snapshot().policy({ goal: 'reach_target' })
      .hosts(['cmp-1', 'cmp-2', 'cmp-3'])
      .servers(['vm-1', 'vm-2'], { on: 'cmp-1' })
      .server('vm-3', { on: 'cmp-2' })
      .target({ 'vm-1': 'cmp-3', 'vm-3': 'cmp-1' })
      .build();
    const { plan, score } = checkedPlan(cluster);
    assert.equal(score.goal_met, true);
    assert.deepEqual(movedServers(plan), ['vm-1', 'vm-3']);
    assert.deepEqual(migrations(plan).map((move) => move.reason).sort(), ['reach target: cmp-1', 'reach target: cmp-3']);
  });

  it('a swap between two full hosts goes through a third host', () => {
    const cluster = fullHosts(2, 1).target({ 'vm-1': 'cmp-2', 'vm-2': 'cmp-1' }).build();
    const { plan, score } = checkedPlan(cluster);
    assert.equal(score.goal_met, true);
    const parked = migrations(plan).filter((move) => move.temporary);
    assert.equal(parked.length, 1);
    assert.equal(parked[0].destination, 'cmp-3');
    assert.match(parked[0].reason, /temporary move/);
    assert.equal(plan.meta.metrics.temporary_migrations, 1);
  });

  it('a rotation of three full hosts goes through a fourth host', () => {
    const cluster = fullHosts(3, 1).target({ 'vm-1': 'cmp-2', 'vm-2': 'cmp-3', 'vm-3': 'cmp-1' }).build();
    const { plan, score } = checkedPlan(cluster);
    assert.equal(score.goal_met, true);
    assert.deepEqual(placementAfter(cluster, plan), { 'vm-1': 'cmp-2', 'vm-2': 'cmp-3', 'vm-3': 'cmp-1' });
    assert.ok(migrations(plan).some((move) => move.temporary && move.destination === 'cmp-4'));
  });

  it('a swap of anti-affinity members between two hosts parks one of them so that members never meet', () => {
    const cluster = snapshot().policy({ goal: 'reach_target' })
      .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { memory_mb: 65536 })
      .server('web-1', { on: 'cmp-1' })
      .server('web-2', { on: 'cmp-2' })
      .group('web', 'anti-affinity', ['web-1', 'web-2'])
      .target({ 'web-1': 'cmp-2', 'web-2': 'cmp-1' })
      .build();
    const { score } = checkedPlan(cluster);
    assert.equal(score.goal_met, true);
  });

  it('a target already reached needs nothing', () => {
    const cluster = fullHosts(2, 0).target({ 'vm-1': 'cmp-1', 'vm-2': 'cmp-2' }).build();
    const { plan } = checkedPlan(cluster);
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.meta.status, 'nothing_to_do');
  });

  describe('infeasible targets', () => {
    const cases: { behaviour: string; cluster: () => SnapshotBuilder; reason: RegExp }[] = [
      {
        behaviour: 'a target over a host\'s MEMORY_MB capacity',
        cluster: () => fullHosts(2, 0).target({ 'vm-1': 'cmp-2' }),
        reason: /cmp-2: MEMORY_MB 16384 allocated > capacity 8192/,
      },
      {
        behaviour: 'a target that moves an unmigratable server',
        cluster: () => snapshot().policy({ goal: 'reach_target' }).hosts(['cmp-1', 'cmp-2'])
          .server('gpu-1', { on: 'cmp-1', migratable: false }).target({ 'gpu-1': 'cmp-2' }),
        reason: /gpu-1: cannot move/,
      },
      {
        behaviour: 'a target on a disabled host',
        cluster: () => snapshot().policy({ goal: 'reach_target' }).host('cmp-1').host('cmp-2', { enabled: false })
          .server('vm-1', { on: 'cmp-1' }).target({ 'vm-1': 'cmp-2' }),
        reason: /target cmp-2 is disabled/,
      },
      {
        behaviour: 'a target outside the server\'s availability zone',
        cluster: () => snapshot().policy({ goal: 'reach_target' }).host('cmp-1', { availability_zone: 'az-1' }).host('cmp-2', { availability_zone: 'az-2' })
          .server('vm-1', { on: 'cmp-1', availability_zone: 'az-1' }).target({ 'vm-1': 'cmp-2' }),
        reason: /outside its availability zone az-1/,
      },
      {
        behaviour: 'a target that puts two anti-affinity members on one host',
        cluster: () => snapshot().policy({ goal: 'reach_target' }).hosts(['cmp-1', 'cmp-2'])
          .server('web-1', { on: 'cmp-1' }).server('web-2', { on: 'cmp-2' })
          .group('web', 'anti-affinity', ['web-1', 'web-2']).target({ 'web-1': 'cmp-2' }),
        reason: /anti-affinity group web on cmp-2/,
      },
      {
        behaviour: 'a target that moves a member of an affinity group',
        cluster: () => snapshot().policy({ goal: 'reach_target' }).hosts(['cmp-1', 'cmp-2'])
          .servers(['db-1', 'db-2'], { on: 'cmp-1' }).group('db', 'affinity', ['db-1', 'db-2'])
          .target({ 'db-1': 'cmp-2', 'db-2': 'cmp-2' }),
        reason: /db-1: cannot move/,
      },
      {
        behaviour: 'a target over the usage limits',
        cluster: () => snapshot().policy({ goal: 'reach_target', max_host_cpu: 0.5 }).hosts(['cmp-1', 'cmp-2'], { vcpus: 16 })
          .server('vm-1', { on: 'cmp-1', usage: { cpu_cores: 5 } }).server('vm-2', { on: 'cmp-2', usage: { cpu_cores: 5 } })
          .target({ 'vm-1': 'cmp-2' }),
        reason: /cmp-2: the target puts it over the usage limits/,
      },
      {
        behaviour: 'a swap between the only two hosts, both full: no host to park a server on',
        cluster: () => fullHosts(2, 0).target({ 'vm-1': 'cmp-2', 'vm-2': 'cmp-1' }),
        reason: /cmp-[12]/,
      },
    ];
    for (const { behaviour, cluster, reason } of cases) {
      it(`${behaviour} is reported as infeasible, with the reason, and moves nothing`, () => {
        const { plan, score } = checkedPlan(cluster().build());
        assert.equal(plan.meta.status, 'infeasible');
        assert.match(plan.meta.infeasible ?? '', reason);
        assert.deepEqual(migrations(plan), []);
        assert.equal(score.goal_met, false);
      });
    }

    it('an infeasible target among 3000 servers on 300 hosts is reported in well under a second', () => {
      const hosts = numbered('cmp', 300);
      const builder = snapshot().policy({ goal: 'reach_target' }).hosts(hosts);
      const target: Record<string, string> = {};
      hosts.forEach((host, index) => {
        for (let slot = 0; slot < 10; slot++) {
          const id = `vm-${index}-${slot}`;
          builder.server(id, { on: host });
          target[id] = hosts[(index + 1) % hosts.length];
        }
      });
      for (let slot = 0; slot < 10; slot++) target[`vm-0-${slot}`] = 'cmp-7';
      const cluster = builder.target(target).build();
      const started = performance.now();
      const plan = planFor(cluster);
      const elapsed = performance.now() - started;
      assert.equal(plan.meta.status, 'infeasible');
      assert.match(plan.meta.infeasible ?? '', /cmp-7: MEMORY_MB/);
      assert.ok(elapsed < 1000, `took ${Math.round(elapsed)} ms`);
    });
  });

  describe('with partial_target: the servers that can reach their target move, the others are listed', () => {
    const partial = (builder: SnapshotBuilder) => builder.policy({ goal: 'reach_target', partial_target: true });
    const cases: { behaviour: string; cluster: () => SnapshotBuilder; blocked: Record<string, string>; moved: string[]; detail?: RegExp }[] = [
      {
        behaviour: 'an unmigratable server',
        cluster: () => snapshot().hosts(['cmp-1', 'cmp-2'])
          .server('gpu-1', { on: 'cmp-1', migratable: false }).server('vm-1', { on: 'cmp-1' })
          .target({ 'gpu-1': 'cmp-2', 'vm-1': 'cmp-2' }),
        blocked: { 'gpu-1': 'not_migratable' }, moved: ['vm-1'],
      },
      {
        behaviour: 'an exempt server',
        cluster: () => snapshot().policy({ exemptions: [{ name: 'freeze', servers: ['db-1'] }] }).hosts(['cmp-1', 'cmp-2'])
          .server('db-1', { on: 'cmp-1' }).server('vm-1', { on: 'cmp-1' })
          .target({ 'db-1': 'cmp-2', 'vm-1': 'cmp-2' }),
        blocked: { 'db-1': 'exemption' }, moved: ['vm-1'], detail: /freeze/,
      },
      {
        behaviour: 'a target on a disabled host',
        cluster: () => snapshot().host('cmp-1').host('cmp-2', { enabled: false }).host('cmp-3')
          .servers(['vm-1', 'vm-2'], { on: 'cmp-1' }).target({ 'vm-1': 'cmp-2', 'vm-2': 'cmp-3' }),
        blocked: { 'vm-1': 'no_receiving_host' }, moved: ['vm-2'],
      },
      {
        behaviour: 'a target outside the server\'s availability zone',
        cluster: () => snapshot().host('cmp-1', { availability_zone: 'az-1' }).host('cmp-2', { availability_zone: 'az-2' })
          .server('vm-1', { on: 'cmp-1', availability_zone: 'az-1' }).server('vm-2', { on: 'cmp-1' }).target({ 'vm-1': 'cmp-2', 'vm-2': 'cmp-2' }),
        blocked: { 'vm-1': 'availability_zone' }, moved: ['vm-2'],
      },
      {
        behaviour: 'a flavor larger than the target host',
        cluster: () => snapshot().host('cmp-1', { memory_mb: 131072 }).host('cmp-2', { memory_mb: 16384 })
          .server('big-1', { on: 'cmp-1', flavor: { memory_mb: 32768 } }).server('vm-1', { on: 'cmp-1' }).target({ 'big-1': 'cmp-2', 'vm-1': 'cmp-2' }),
        blocked: { 'big-1': 'max_unit' }, moved: ['vm-1'],
      },
      {
        behaviour: 'a target host whose room is taken by a server that stays there',
        cluster: () => snapshot().hosts(['cmp-1', 'cmp-2'], { vcpus: 8, memory_mb: 8192 })
          .server('stay-1', { on: 'cmp-2', flavor: { vcpus: 2, memory_mb: 4096 } })
          .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 2048 } })
          .server('vm-2', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
          .target({ 'vm-1': 'cmp-2', 'vm-2': 'cmp-2' }),
        blocked: { 'vm-2': 'placement_memory_capacity' }, moved: ['vm-1'], detail: /cmp-2 has no room for it beside the servers that stay there/,
      },
      {
        behaviour: 'a target that puts two anti-affinity members on one host',
        cluster: () => snapshot().hosts(['cmp-1', 'cmp-2', 'cmp-3'])
          .server('web-1', { on: 'cmp-1' }).server('web-2', { on: 'cmp-2' }).server('vm-1', { on: 'cmp-1' })
          .group('web', 'anti-affinity', ['web-1', 'web-2']).target({ 'web-1': 'cmp-2', 'vm-1': 'cmp-3' }),
        blocked: { 'web-1': 'anti_affinity' }, moved: ['vm-1'],
      },
      {
        behaviour: 'a swap between two full hosts with no third host big enough to park on (stuck in the wave orderer), beside a move that works',
        cluster: () => fullHosts(2, 0).hosts(['cmp-3', 'cmp-4'], { vcpus: 8, memory_mb: 4096 }).server('vm-3', { on: 'cmp-3', flavor: { vcpus: 2, memory_mb: 2048 } })
          .target({ 'vm-1': 'cmp-2', 'vm-2': 'cmp-1', 'vm-3': 'cmp-4' }),
        blocked: { 'vm-1': 'no_capacity_safe_path', 'vm-2': 'no_capacity_safe_path' }, moved: ['vm-3'],
      },
    ];
    for (const { behaviour, cluster, blocked, moved, detail } of cases) {
      it(`${behaviour}: blocked with its reason, the rest moves, the plan is partial`, () => {
        const built = partial(cluster()).build();
        const { plan, score } = checkedPlan(built);
        assert.equal(plan.meta.status, 'partial');
        assert.equal(plan.meta.infeasible, undefined);
        assert.deepEqual(Object.fromEntries(plan.meta.blocked.map((entry) => [entry.server, entry.constraint])), blocked);
        assert.deepEqual(movedServers(plan), moved);
        assert.equal(score.target?.servers_not_on_target, Object.keys(blocked).length);
        if (detail) assert.match(plan.meta.blocked.map((entry) => entry.detail).join('; '), detail);
        assert.deepEqual(plan.actions.filter((action) => action.type !== 'live_migrate'), []);
      });
    }

    it('a feasible target gives the same plan as without partial_target', () => {
      const builder = () => fullHosts(3, 1).target({ 'vm-1': 'cmp-2', 'vm-2': 'cmp-3', 'vm-3': 'cmp-1' });
      const strict = planFor(builder().build());
      const lenient = planFor(partial(builder()).build());
      assert.equal(strict.meta.status, 'complete');
      assert.deepEqual(lenient.actions, strict.actions);
      assert.equal(lenient.meta.status, 'complete');
    });

    it('a server that stays on its host because it cannot move keeps the room another one was to take there', () => {
      // vm-1 cannot leave cmp-2 (unmigratable), so vm-2, whose target is cmp-2, finds no room.
      const cluster = partial(snapshot().hosts(['cmp-1', 'cmp-2', 'cmp-3'], { vcpus: 8, memory_mb: 8192 })
        .server('vm-1', { on: 'cmp-2', migratable: false, flavor: { vcpus: 4, memory_mb: 8192 } })
        .server('vm-2', { on: 'cmp-1', flavor: { vcpus: 4, memory_mb: 8192 } })
        .server('vm-3', { on: 'cmp-1', flavor: { vcpus: 1, memory_mb: 0 } })
        .target({ 'vm-1': 'cmp-3', 'vm-2': 'cmp-2', 'vm-3': 'cmp-3' })).build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(Object.fromEntries(plan.meta.blocked.map((entry) => [entry.server, entry.constraint])), { 'vm-1': 'not_migratable', 'vm-2': 'placement_memory_capacity' });
      assert.deepEqual(movedServers(plan), ['vm-3']);
    });
  });

  it('a server stuck on the way is reported with the host it could not reach', () => {
    const cluster = fullHosts(2, 0).target({ 'vm-1': 'cmp-2', 'vm-2': 'cmp-1' }).build();
    const plan = planFor(cluster);
    const entry = plan.meta.blocked.find((blocked) => blocked.server === 'vm-1');
    assert.ok(entry, JSON.stringify(plan.meta.blocked));
    assert.equal(entry.host, 'cmp-1');
    assert.match(entry.detail, /could not reach cmp-2/);
  });
});
