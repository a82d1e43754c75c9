// Tests of what keeps a plan modest: N+k, max_migrations, min_hosts_freed and the cooldown.
import { strict as assert } from 'node:assert';
import { numbered, snapshot } from '../../support/builders.js';
import { blockedBy, checkedPlan, migrations, movedServers, NOW } from '../../support/planning.js';

/** Four identical hosts with two 8 GiB servers each: one host could hold them all. */
function fourQuietHosts(policy: Record<string, unknown> = {}) {
  const builder = snapshot().policy({ goal: 'consolidate', ...policy }).hosts(numbered('cmp', 4), { vcpus: 32, memory_mb: 65536 });
  for (const host of numbered('cmp', 4)) builder.servers([`${host}-a`, `${host}-b`], { on: host, flavor: { vcpus: 4, memory_mb: 8192 } });
  return builder.build();
}

const minutesBefore = (minutes: number) => new Date(Date.parse(NOW) - minutes * 60_000).toISOString();

describe('stability', () => {
  describe('N+k spare capacity', () => {
    it('without spare_capacity_hosts everything packs onto one host', () => {
      const { score } = checkedPlan(fourQuietHosts());
      assert.equal(score.active_hosts_after, 1);
    });

    for (const spare of [1, 2]) {
      it(`with spare_capacity_hosts ${spare} the servers of any ${spare} active host(s) still fit on the others`, () => {
        const { plan, score } = checkedPlan(fourQuietHosts({ spare_capacity_hosts: spare }));
        assert.equal(score.n_plus_k_ok, true);
        assert.ok((score.hosts_freed ?? 0) >= 1, 'it still consolidates');
        assert.equal(score.active_hosts_after, spare + 1);
        assert.ok(Object.values(blockedBy(plan)).includes('spare_capacity'), JSON.stringify(plan.meta.blocked));
      });
    }
  });

  describe('max_migrations', () => {
    for (const budget of [0, 1, 2, 3]) {
      it(`a budget of ${budget} migration(s) is never exceeded, and what it stops is reported`, () => {
        const { plan } = checkedPlan(fourQuietHosts({ max_migrations: budget }));
        assert.ok(migrations(plan).length <= budget, `${migrations(plan).length} migrations`);
        assert.ok(Object.values(blockedBy(plan)).includes('migration_budget'), JSON.stringify(plan.meta.blocked));
      });
    }

    it('a budget of two frees exactly one host of two servers', () => {
      const { score } = checkedPlan(fourQuietHosts({ max_migrations: 2 }));
      assert.equal(score.hosts_freed, 1);
      assert.equal(score.migrations, 2);
    });
  });

  describe('min_hosts_freed', () => {
    /** Only cmp-3 can be emptied: cmp-1 and cmp-2 are too full to take each other's servers. */
    const oneFreeable = (minHostsFreed: number) => snapshot().policy({ goal: 'consolidate', min_hosts_freed: minHostsFreed })
      .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { memory_mb: 65536 })
      .server('big-1', { on: 'cmp-1', flavor: { memory_mb: 40960 } })
      .server('big-2', { on: 'cmp-2', flavor: { memory_mb: 40960 } })
      .server('small', { on: 'cmp-3', flavor: { memory_mb: 4096 } })
      .build();

    it('a consolidation that frees min_hosts_freed hosts goes ahead', () => {
      const { score } = checkedPlan(oneFreeable(1));
      assert.equal(score.hosts_freed, 1);
    });

    it('a consolidation that would free fewer than min_hosts_freed hosts proposes nothing, and says why', () => {
      const { plan } = checkedPlan(oneFreeable(2));
      assert.deepEqual(plan.actions, []);
      assert.match(plan.meta.notes.join('\n'), /min_hosts_freed 2/);
    });
  });

  describe('cooldown', () => {
    /** Two identical hosts with one server each: exactly one of them moves. */
    const twins = (migratedAt: { 'vm-1'?: string; 'vm-2'?: string }, policy: Record<string, unknown> = {}) => snapshot().policy({ goal: 'consolidate', ...policy })
      .hosts(['cmp-1', 'cmp-2'])
      .server('vm-1', { on: 'cmp-1', migrated_at: migratedAt['vm-1'] ?? null })
      .server('vm-2', { on: 'cmp-2', migrated_at: migratedAt['vm-2'] ?? null })
      .build();

    const cases = [
      { behaviour: 'the server migrated 10 minutes ago stays; its twin moves (vm-1 recent)', migratedAt: { 'vm-1': minutesBefore(10) }, moved: ['vm-2'] },
      { behaviour: 'the server migrated 10 minutes ago stays; its twin moves (vm-2 recent)', migratedAt: { 'vm-2': minutesBefore(10) }, moved: ['vm-1'] },
      { behaviour: 'a migration older than cooldown_minutes makes no difference (vm-2 two hours ago)', migratedAt: { 'vm-1': minutesBefore(300), 'vm-2': minutesBefore(120) }, moved: ['vm-2'] },
      { behaviour: 'a longer cooldown_minutes still counts a migration two hours ago', migratedAt: { 'vm-2': minutesBefore(120) }, policy: { cooldown_minutes: 240 }, moved: ['vm-1'] },
    ];
    for (const { behaviour, migratedAt, policy, moved } of cases) {
      it(behaviour, () => {
        const { plan } = checkedPlan(twins(migratedAt, policy));
        assert.deepEqual(movedServers(plan), moved);
      });
    }

    it('without any cooldown the plan is the same whichever twin was migrated long ago', () => {
      const plain = movedServers(checkedPlan(twins({})).plan);
      const old = movedServers(checkedPlan(twins({ 'vm-1': minutesBefore(600) })).plan);
      assert.deepEqual(old, plain);
    });

    it('cooldown is a cost, not a ban: a recently migrated server still moves when only its move frees a host', () => {
      const cluster = snapshot()
        .host('cmp-1', { vcpus: 64, memory_mb: 262144 })
        .host('cmp-2', { vcpus: 8, memory_mb: 16384 })
        .server('vm-1', { on: 'cmp-1', flavor: { memory_mb: 32768 } })
        .server('vm-2', { on: 'cmp-2', migrated_at: minutesBefore(5) })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(movedServers(plan), ['vm-2']);
    });

    it('balance relieves an overloaded host through the server not in cooldown, though it is larger', () => {
      const cluster = snapshot().policy({ goal: 'balance', max_host_cpu: 0.75 })
        .hosts(['cmp-1', 'cmp-2'], { vcpus: 16 })
        .server('recent', { on: 'cmp-1', flavor: { memory_mb: 2048 }, usage: { cpu_cores: 7 }, migrated_at: minutesBefore(10) })
        .server('settled', { on: 'cmp-1', flavor: { memory_mb: 8192 }, usage: { cpu_cores: 7 } })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(movedServers(plan), ['settled']);
    });
  });
});
