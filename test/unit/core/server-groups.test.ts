// Tests of Nova server groups: hard anti-affinity, affinity, and soft policies as preferences.
import { strict as assert } from 'node:assert';
import { snapshot } from '../../support/builders.js';
import { activeHostsAfter, blockedBy, checkedPlan, migrations, placementAfter } from '../../support/planning.js';

/** Members of a group per host after the plan. */
function membersPerHost(placement: Record<string, string>, members: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const member of members) counts.set(placement[member], (counts.get(placement[member]) ?? 0) + 1);
  return counts;
}

describe('server groups', () => {
  describe('hard anti-affinity', () => {
    it('two members of an anti-affinity group never end on one host, even when that would free a host', () => {
      const cluster = snapshot()
        .hosts(['cmp-1', 'cmp-2'])
        .server('web-1', { on: 'cmp-1' })
        .server('web-2', { on: 'cmp-2' })
        .group('web', 'anti-affinity', ['web-1', 'web-2'])
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(migrations(plan), []);
      assert.ok(Object.values(blockedBy(plan)).includes('anti_affinity'), JSON.stringify(plan.meta.blocked));
    });

    it('other servers still consolidate around the members of an anti-affinity group', () => {
      const cluster = snapshot()
        .hosts(['cmp-1', 'cmp-2', 'cmp-3'])
        .server('web-1', { on: 'cmp-1' })
        .server('web-2', { on: 'cmp-2' })
        .server('db-1', { on: 'cmp-3' })
        .group('web', 'anti-affinity', ['web-1', 'web-2'])
        .build();
      const { plan, score } = checkedPlan(cluster);
      const after = placementAfter(cluster, plan);
      assert.notEqual(after['web-1'], after['web-2']);
      assert.equal(score.hosts_freed, 1);
    });

    const perHostCases = [
      { maxPerHost: 1, hostsAfter: 4 },
      { maxPerHost: 2, hostsAfter: 2 },
      { maxPerHost: 3, hostsAfter: 2 },
    ];
    for (const { maxPerHost, hostsAfter } of perHostCases) {
      it(`rules.max_server_per_host ${maxPerHost}: four members spread over one host each end on ${hostsAfter} hosts, never more than ${maxPerHost} per host`, () => {
        const cluster = snapshot()
          .hosts(['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4'])
          .server('web-1', { on: 'cmp-1' })
          .server('web-2', { on: 'cmp-2' })
          .server('web-3', { on: 'cmp-3' })
          .server('web-4', { on: 'cmp-4' })
          .group('web', 'anti-affinity', ['web-1', 'web-2', 'web-3', 'web-4'], { max_server_per_host: maxPerHost })
          .build();
        const { plan } = checkedPlan(cluster);
        const counts = membersPerHost(placementAfter(cluster, plan), ['web-1', 'web-2', 'web-3', 'web-4']);
        assert.ok([...counts.values()].every((count) => count <= maxPerHost), JSON.stringify([...counts]));
        assert.equal(activeHostsAfter(cluster, plan).length, hostsAfter);
      });
    }

    it('servers tagged with the same anti-affinity tag are kept apart like a hard group', () => {
      const cluster = snapshot()
        .hosts(['cmp-1', 'cmp-2'])
        .server('etcd-1', { on: 'cmp-1', tags: ['anti-affinity:etcd'] })
        .server('etcd-2', { on: 'cmp-2', tags: ['anti-affinity:etcd'] })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(migrations(plan), []);
      assert.ok(Object.values(blockedBy(plan)).includes('anti_affinity_tag'), JSON.stringify(plan.meta.blocked));
    });
  });

  describe('affinity', () => {
    it('members of an affinity group never move, so consolidation empties the other host instead', () => {
      const cluster = snapshot()
        .host('cmp-1')
        .host('cmp-2', { vcpus: 64, memory_mb: 131072 })
        .servers(['db-1', 'db-2'], { on: 'cmp-1' })
        .server('app-1', { on: 'cmp-2' })
        .group('db', 'affinity', ['db-1', 'db-2'])
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.deepEqual(migrations(plan).map((move) => move.server), ['app-1']);
      assert.equal(score.hosts_freed, 1);
    });

    it('draining a host that holds an affinity group leaves the group and the host as they are', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1'] })
        .hosts(['cmp-1', 'cmp-2'])
        .servers(['db-1', 'db-2'], { on: 'cmp-1' })
        .server('app-1', { on: 'cmp-1' })
        .group('db', 'affinity', ['db-1', 'db-2'])
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(migrations(plan).map((move) => move.server), ['app-1']);
      assert.equal(blockedBy(plan)['db-1'], 'affinity_group');
      assert.equal(blockedBy(plan)['db-2'], 'affinity_group');
      assert.equal(plan.meta.status, 'partial');
      assert.ok(!plan.actions.some((action) => action.type === 'disable_compute' && action.host === 'cmp-1'));
    });
  });

  describe('soft policies are preferences, never constraints', () => {
    it('soft-anti-affinity members are packed together when that frees a host', () => {
      const cluster = snapshot()
        .hosts(['cmp-1', 'cmp-2'])
        .server('web-1', { on: 'cmp-1' })
        .server('web-2', { on: 'cmp-2' })
        .group('web', 'soft-anti-affinity', ['web-1', 'web-2'])
        .build();
      const { score } = checkedPlan(cluster);
      assert.equal(score.hosts_freed, 1);
      assert.equal(score.soft_group_violations, 1);
    });

    it('a drained soft-anti-affinity member goes to the host without a member when both have the same room', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-3'] })
        .hosts(['cmp-1', 'cmp-2', 'cmp-3'])
        .server('web-1', { on: 'cmp-1' })
        .server('app-1', { on: 'cmp-2' })
        .server('web-2', { on: 'cmp-3' })
        .group('web', 'soft-anti-affinity', ['web-1', 'web-2'])
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.equal(placementAfter(cluster, plan)['web-2'], 'cmp-2');
      assert.equal(score.soft_group_violations, 0);
    });

    it('a drained soft-anti-affinity member still joins a member when no other host has room', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-3'] })
        .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { memory_mb: 16384 })
        .server('web-1', { on: 'cmp-1', flavor: { memory_mb: 4096 } })
        .server('big-1', { on: 'cmp-2', flavor: { memory_mb: 16384 } })
        .server('web-2', { on: 'cmp-3', flavor: { memory_mb: 4096 } })
        .group('web', 'soft-anti-affinity', ['web-1', 'web-2'])
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.equal(placementAfter(cluster, plan)['web-2'], 'cmp-1');
      assert.equal(score.goal_met, true);
    });

    it('a drained soft-affinity member goes to the host of its group when both have the same room', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-3'] })
        .hosts(['cmp-1', 'cmp-2', 'cmp-3'])
        .server('app-1', { on: 'cmp-1' })
        .server('cache-1', { on: 'cmp-2' })
        .server('cache-2', { on: 'cmp-3' })
        .group('cache', 'soft-affinity', ['cache-1', 'cache-2'])
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.equal(placementAfter(cluster, plan)['cache-2'], 'cmp-2');
      assert.equal(score.soft_group_violations, 0);
    });
  });
});
