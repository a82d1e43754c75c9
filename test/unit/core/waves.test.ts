// Tests of waves: parallelism limits, and when emptied hosts are disabled and powered off.
import { strict as assert } from 'node:assert';
import type { PlanDocument } from '../../../core/plan/format.js';
import { numbered, snapshot } from '../../support/builders.js';
import { checkedPlan, hostsWith, migrations, serversOnAfter } from '../../support/planning.js';

/** Twelve hosts with two small servers each: consolidation makes many migrations. */
function twelveHosts(policy: Record<string, unknown> = {}) {
  const builder = snapshot().policy({ goal: 'consolidate', ...policy }).hosts(numbered('cmp', 12), { vcpus: 32, memory_mb: 65536 });
  for (const host of numbered('cmp', 12)) builder.servers([`${host}-a`, `${host}-b`], { on: host, flavor: { vcpus: 2, memory_mb: 4096 } });
  return builder.build();
}

function migrationsPerWave(plan: PlanDocument): Map<number, number> {
  const counts = new Map<number, number>();
  for (const move of migrations(plan)) counts.set(move.wave, (counts.get(move.wave) ?? 0) + 1);
  return counts;
}

/** The most migrations one host takes part in (as source or destination) within one wave. */
function busiestHostInAWave(plan: PlanDocument): number {
  const counts = new Map<string, number>();
  for (const move of migrations(plan)) {
    for (const host of [move.source, move.destination]) counts.set(`${move.wave}/${host}`, (counts.get(`${move.wave}/${host}`) ?? 0) + 1);
  }
  return Math.max(0, ...counts.values());
}

describe('waves', () => {
  const limits = [
    { maxParallel: 1, maxPerHost: null },
    { maxParallel: 3, maxPerHost: null },
    { maxParallel: null, maxPerHost: 1 },
    { maxParallel: null, maxPerHost: 2 },
    { maxParallel: 4, maxPerHost: 2 },
  ];
  for (const { maxParallel, maxPerHost } of limits) {
    it(`max_parallel_migrations ${maxParallel ?? 'unlimited'} and max_parallel_per_host ${maxPerHost ?? 'unlimited'} hold in every wave`, () => {
      const { plan, score } = checkedPlan(twelveHosts({ max_parallel_migrations: maxParallel, max_parallel_per_host: maxPerHost }));
      assert.ok((score.hosts_freed ?? 0) >= 10, `${score.hosts_freed} hosts freed`);
      if (maxParallel !== null) assert.ok(Math.max(...migrationsPerWave(plan).values()) <= maxParallel);
      if (maxPerHost !== null) assert.ok(busiestHostInAWave(plan) <= maxPerHost, `a host takes part in ${busiestHostInAWave(plan)} migrations in one wave`);
    });
  }

  it('with max_parallel_per_host 1, draining three servers off one host takes three waves', () => {
    const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1'], max_parallel_per_host: 1 })
      .hosts(['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4'])
      .servers(['vm-1', 'vm-2', 'vm-3'], { on: 'cmp-1' })
      .build();
    const { plan } = checkedPlan(cluster);
    assert.deepEqual([...migrationsPerWave(plan).values()], [1, 1, 1]);
  });

  it('without limits, independent migrations share one wave', () => {
    const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1', 'cmp-2'] })
      .hosts(['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4'], { memory_mb: 16384 })
      .server('vm-1', { on: 'cmp-1', flavor: { memory_mb: 16384 } })
      .server('vm-2', { on: 'cmp-2', flavor: { memory_mb: 16384 } })
      .build();
    const { score } = checkedPlan(cluster);
    assert.equal(score.migration_waves, 1);
  });

  describe('disabling and powering off emptied hosts', () => {
    it('each emptied host is disabled in a wave after the last migration that touches it, and only emptied hosts are', () => {
      const cluster = twelveHosts({ max_parallel_migrations: 3 });
      const { plan } = checkedPlan(cluster);
      const lastWave = new Map<string, number>();
      for (const move of migrations(plan)) {
        for (const host of [move.source, move.destination]) lastWave.set(host, Math.max(lastWave.get(host) ?? -1, move.wave));
      }
      const disables = plan.actions.filter((action) => action.type === 'disable_compute');
      assert.ok(disables.length >= 10);
      for (const action of disables) {
        assert.ok(action.wave > (lastWave.get(action.host) ?? -1), `${action.host} disabled in wave ${action.wave}, last migration in wave ${lastWave.get(action.host)}`);
        assert.deepEqual(serversOnAfter(cluster, plan, action.host), [], `${action.host} is disabled but not empty`);
      }
    });

    it('a host emptied early is disabled right after its own last migration, not at the end of the plan', () => {
      const { plan } = checkedPlan(twelveHosts({ max_parallel_migrations: 2 }));
      for (const action of plan.actions) {
        if (action.type !== 'disable_compute') continue;
        const last = Math.max(...migrations(plan).filter((move) => move.source === action.host || move.destination === action.host).map((move) => move.wave));
        assert.equal(action.wave, last + 1, `${action.host}`);
      }
    });

    it('no host is powered off unless the policy says power_off: true', () => {
      const { plan, score } = checkedPlan(twelveHosts());
      assert.deepEqual(hostsWith(plan, 'power_off'), []);
      assert.equal(score.hosts_powered_off, 0);
    });

    it('with power_off: true every disabled host is powered off in a later wave', () => {
      const { plan, score } = checkedPlan(twelveHosts({ power_off: true }));
      const disabledIn = new Map<string, number>();
      const poweredOffIn = new Map<string, number>();
      for (const action of plan.actions) {
        if (action.type === 'disable_compute') disabledIn.set(action.host, action.wave);
        if (action.type === 'power_off') poweredOffIn.set(action.host, action.wave);
      }
      assert.deepEqual([...poweredOffIn.keys()].sort(), [...disabledIn.keys()].sort());
      for (const [host, wave] of poweredOffIn) assert.ok(wave > disabledIn.get(host)!, `${host} powered off in wave ${wave}`);
      assert.equal(score.hosts_powered_off, disabledIn.size);
    });

    it('power_off: true never powers off a drain host that still holds a server', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1'], power_off: true })
        .hosts(['cmp-1', 'cmp-2'])
        .server('gpu-1', { on: 'cmp-1', migratable: false })
        .server('vm-1', { on: 'cmp-1' })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(hostsWith(plan, 'power_off'), []);
      assert.deepEqual(hostsWith(plan, 'disable_compute'), []);
    });
  });
});
