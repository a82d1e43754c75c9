// Tests of the ulm-plan/1 document: reasons, blocked servers, metrics and determinism.
import { strict as assert } from 'node:assert';
import { CONSTRAINT_NAMES } from '../../../core/constraints.js';
import type { PlanDocument } from '../../../core/plan/format.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { benchInstance, benchInstanceNames } from '../../support/bench.js';
import { numbered, snapshot } from '../../support/builders.js';
import { checkedPlan, migrations, movedServers, planFor } from '../../support/planning.js';

/** The same JSON value with the keys of every object in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, reversedKeys(inner)]));
  return value;
}

/** A small cluster that exercises every kind of action: relief, consolidation, power off. */
function busyCluster(): Snapshot {
  const builder = snapshot().policy({ goal: 'consolidate', max_host_cpu: 0.75, power_off: true, exemptions: [{ tags: ['frozen'] }] })
    .hosts(numbered('cmp', 5), { vcpus: 16, memory_mb: 65536 })
    .server('hot-1', { on: 'cmp-1', flavor: { vcpus: 8 }, usage: { cpu_cores: 7 } })
    .server('hot-2', { on: 'cmp-1', flavor: { vcpus: 8 }, usage: { cpu_cores: 6 } })
    .server('gpu-1', { on: 'cmp-2', migratable: false })
    .server('frozen-1', { on: 'cmp-3', tags: ['frozen'] })
    .servers(['web-1', 'web-2'], { on: 'cmp-4', metadata: { project: 'shop', tier: 'web' } })
    .server('web-3', { on: 'cmp-5', metadata: { tier: 'web', project: 'shop' } });
  return builder.group('web', 'anti-affinity', ['web-1', 'web-3']).build();
}

const smallInstances = benchInstanceNames('-s.json');

describe('the plan document', () => {
  it('names its format, the snapshot and the planner, and records the instant it was made for', () => {
    const plan = planFor(snapshot().named('night-run').host('cmp-1').build(), { now: '2026-11-22T21:00:00+01:00' });
    assert.equal(plan.format, 'ulm-plan/1');
    assert.equal(plan.instance, 'night-run');
    assert.equal(plan.planner, 'ulm-test');
    assert.equal(plan.meta.now, '2026-11-22T20:00:00.000Z');
  });

  describe('reasons', () => {
    const everyReasonIsSpecific = (plan: PlanDocument) => {
      for (const action of plan.actions) {
        assert.ok(action.reason && action.reason.trim().length > 0, `no reason: ${JSON.stringify(action)}`);
        assert.notEqual(action.reason, 'planned placement', `a fallback reason: ${JSON.stringify(action)}`);
        if (action.type === 'disable_compute') assert.match(action.reason, /^ulm: /);
      }
    };

    it('every action of a plan with relief, consolidation, disabling and power off carries a specific reason', () => {
      const { plan } = checkedPlan(busyCluster());
      assert.deepEqual(new Set(plan.actions.map((action) => action.type)), new Set(['live_migrate', 'disable_compute', 'power_off']));
      everyReasonIsSpecific(plan);
    });

    for (const file of smallInstances) {
      it(`every action of the plan for the bench instance ${file} carries a specific reason`, () => {
        everyReasonIsSpecific(checkedPlan(benchInstance(file)).plan);
      });
    }
  });

  describe('blocked servers', () => {
    const blockedEntriesAreSound = (cluster: Snapshot, plan: PlanDocument) => {
      const hostOf = new Map(cluster.servers.map((server) => [server.id, server.host]));
      const moved = new Set(movedServers(plan));
      const known = new Set(Object.values(CONSTRAINT_NAMES));
      const seen = new Set<string>();
      for (const entry of plan.meta.blocked) {
        assert.ok(known.has(entry.constraint) && entry.constraint !== 'none', `unknown constraint: ${JSON.stringify(entry)}`);
        assert.equal(entry.host, hostOf.get(entry.server), `wrong host: ${JSON.stringify(entry)}`);
        assert.ok(entry.detail.length > 0 && entry.server_name.length > 0);
        assert.ok(!seen.has(entry.server), `listed twice: ${entry.server}`);
        assert.ok(!moved.has(entry.server), `blocked but moved: ${JSON.stringify(entry)}`);
        seen.add(entry.server);
      }
    };

    it('name the server, its host, the constraint and a detail, each server once', () => {
      const cluster = busyCluster();
      const { plan } = checkedPlan(cluster);
      const constraints = Object.fromEntries(plan.meta.blocked.map((entry) => [entry.server, entry.constraint]));
      assert.equal(constraints['gpu-1'], 'not_migratable');
      assert.equal(constraints['frozen-1'], 'exemption');
      blockedEntriesAreSound(cluster, plan);
    });

    it('are sound in the plans for every small bench instance', () => {
      const problems: string[] = [];
      for (const file of smallInstances) {
        const cluster = benchInstance(file);
        try {
          blockedEntriesAreSound(cluster, checkedPlan(cluster).plan);
        } catch (error) {
          problems.push(`${file}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  });

  describe('metrics', () => {
    for (const file of smallInstances) {
      it(`agree with the scorer's on the bench instance ${file}`, () => {
        const { plan, score } = checkedPlan(benchInstance(file));
        const metrics = plan.meta.metrics;
        assert.deepEqual(
          [metrics.active_hosts_before, metrics.active_hosts_after, metrics.hosts_freed, metrics.migrations, metrics.servers_migrated, metrics.memory_to_move_mb, metrics.hosts_disabled, metrics.hosts_powered_off, metrics.waves],
          [score.active_hosts_before, score.active_hosts_after, score.hosts_freed, score.migrations, score.servers_migrated, score.migrated_memory_mb, score.hosts_disabled_by_plan, score.hosts_powered_off, score.waves],
        );
        assert.equal(score.goal_met, true, `${file}: the goal is not met`);
      });
    }
  });

  describe('determinism', () => {
    const inputs: [string, () => Snapshot][] = [
      ['a built cluster with groups, exemptions and relief', busyCluster],
      ...['fragmented-s.json', 'anti-affinity-s.json', 'reach-target-s.json', 'drain-s.json', 'diurnal-s.json'].map((file): [string, () => Snapshot] => [`the bench instance ${file}`, () => benchInstance(file)]),
    ];
    for (const [what, cluster] of inputs) {
      it(`the same snapshot, policy and now give byte-identical plan JSON: ${what}`, () => {
        assert.equal(JSON.stringify(planFor(cluster())), JSON.stringify(planFor(cluster())));
      });

      it(`the order of keys in the snapshot's objects does not change the plan: ${what}`, () => {
        const shuffled = reversedKeys(cluster()) as Snapshot;
        assert.equal(JSON.stringify(planFor(shuffled)), JSON.stringify(planFor(cluster())));
      });
    }

    it('the order of keys in a reach_target target map does not change the plan', () => {
      const cluster = benchInstance('reach-target-s.json');
      const reordered = { ...cluster, target: Object.fromEntries(Object.entries(cluster.target ?? {}).reverse()) };
      assert.ok(migrations(planFor(cluster)).length > 0);
      assert.equal(JSON.stringify(planFor(reordered)), JSON.stringify(planFor(cluster)));
    });

    it('without windows or cooldowns, now changes nothing but meta.now', () => {
      const cluster = benchInstance('fragmented-s.json');
      const morning = planFor(cluster, { now: '2026-11-23T07:00:00Z' });
      const night = planFor(cluster, { now: '2026-11-23T23:00:00Z' });
      assert.notEqual(morning.meta.now, night.meta.now);
      assert.equal(JSON.stringify({ ...morning, meta: { ...morning.meta, now: '' } }), JSON.stringify({ ...night, meta: { ...night.meta, now: '' } }));
    });
  });
});
