// Tests of the usage limits (max_host_cpu, max_host_memory) and of goal balance.
import { strict as assert } from 'node:assert';
import { snapshot } from '../../support/builders.js';
import { blockedBy, checkedPlan, migrations, planFor, serversOnAfter } from '../../support/planning.js';
import { score } from '../../support/scorer.js';

/** Two 16-thread, 64 GiB hosts, each with one server of the given observed use. */
function twoHostsUsing(usage: { cpu_cores?: number; memory_mb?: number }, limits: { max_host_cpu?: number; max_host_memory?: number }) {
  return snapshot().policy({ goal: 'consolidate', ...limits })
    .hosts(['cmp-1', 'cmp-2'], { vcpus: 16, memory_mb: 65536 })
    .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 8, memory_mb: 24576 }, usage })
    .server('vm-2', { on: 'cmp-2', flavor: { vcpus: 8, memory_mb: 24576 }, usage })
    .build();
}

describe('usage limits', () => {
  const cases = [
    { behaviour: 'consolidation stops where the CPU use would exceed max_host_cpu', usage: { cpu_cores: 5, memory_mb: 1024 }, limits: { max_host_cpu: 0.5 }, freed: 0, blocked: 'max_host_cpu' },
    { behaviour: 'consolidation packs servers whose CPU use fits under max_host_cpu', usage: { cpu_cores: 3.5, memory_mb: 1024 }, limits: { max_host_cpu: 0.5 }, freed: 1 },
    { behaviour: 'consolidation stops where the memory use would exceed max_host_memory', usage: { cpu_cores: 1, memory_mb: 20480 }, limits: { max_host_memory: 0.6 }, freed: 0, blocked: 'max_host_memory' },
    { behaviour: 'consolidation packs servers whose memory use fits under max_host_memory', usage: { cpu_cores: 1, memory_mb: 16384 }, limits: { max_host_memory: 0.6 }, freed: 1 },
  ];
  for (const { behaviour, usage, limits, freed, blocked } of cases) {
    it(behaviour, () => {
      const { plan, score: result } = checkedPlan(twoHostsUsing(usage, limits));
      assert.equal(result.hosts_freed, freed);
      if (blocked) assert.ok(Object.values(blockedBy(plan)).includes(blocked), JSON.stringify(plan.meta.blocked));
    });
  }
});

describe('goal balance', () => {
  /** cmp-1 runs hot: 16 threads, max_host_cpu 0.75 (12 cores), `hot` plus four 2-core servers. */
  function hotHost(hotCores: number, extra: { migrated_at?: string } = {}) {
    return snapshot().policy({ goal: 'balance', max_host_cpu: 0.75 })
      .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { vcpus: 16, memory_mb: 65536 })
      .server('hot', { on: 'cmp-1', flavor: { vcpus: 8, memory_mb: 8192 }, usage: { cpu_cores: hotCores }, ...extra })
      .servers(['small-1', 'small-2', 'small-3', 'small-4'], { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 2048 }, usage: { cpu_cores: 2 } })
      .server('quiet', { on: 'cmp-2', usage: { cpu_cores: 1 } })
      .build();
  }

  it('a balanced cluster needs nothing', () => {
    const { plan } = checkedPlan(hotHost(3));
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.meta.status, 'nothing_to_do');
  });

  it('an overloaded host sheds the one server that covers its whole excess: one migration', () => {
    const { plan } = checkedPlan(hotHost(7)); // 15 cores of 12: excess 3, only "hot" covers it
    assert.deepEqual(migrations(plan).map((move) => move.server), ['hot']);
    assert.match(migrations(plan)[0].reason, /relieve cmp-1: CPU use 94% over max_host_cpu 75%/);
  });

  it('when several servers cover the excess, the smallest one moves', () => {
    const { plan } = checkedPlan(hotHost(5)); // 13 cores of 12: every server covers the excess of 1
    assert.deepEqual(migrations(plan).map((move) => move.server), ['small-1']);
  });

  it('a relieved server goes to the running host with the most room, not the fullest one that fits', () => {
    const cluster = snapshot().policy({ goal: 'balance', max_host_cpu: 0.75 })
      .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { vcpus: 16, memory_mb: 65536 })
      .server('hot', { on: 'cmp-1', flavor: { vcpus: 8, memory_mb: 8192 }, usage: { cpu_cores: 7 } })
      .servers(['small-1', 'small-2', 'small-3', 'small-4'], { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 2048 }, usage: { cpu_cores: 2 } })
      .server('busy', { on: 'cmp-2', usage: { cpu_cores: 4 } })
      .server('quiet', { on: 'cmp-3', usage: { cpu_cores: 1 } })
      .build();
    const { plan } = checkedPlan(cluster);
    assert.deepEqual(migrations(plan).map(({ server, destination }) => [server, destination]), [['hot', 'cmp-3']]);
  });

  it('a relieved server goes to a running host before an empty one (which may be powered off)', () => {
    const { plan } = checkedPlan(hotHost(7));
    assert.deepEqual(migrations(plan).map(({ server, destination }) => [server, destination]), [['hot', 'cmp-2']]);
  });

  it('an overloaded host with no movable server stays over its limits and the plan says so', () => {
    const cluster = snapshot().policy({ goal: 'balance', max_host_cpu: 0.5 })
      .hosts(['cmp-1', 'cmp-2'], { vcpus: 16 })
      .server('license-server', { on: 'cmp-1', migratable: false, usage: { cpu_cores: 12 } })
      .build();
    const plan = planFor(cluster);
    assert.equal(plan.meta.status, 'partial');
    assert.equal(blockedBy(plan)['license-server'], 'not_migratable');
    assert.match(plan.meta.notes.join('\n'), /cmp-1 stays over its usage limits/);
    // The scorer agrees that no valid plan brings cmp-1 under the limit.
    assert.equal(score(cluster, plan).error?.phase, 'final');
  });

  it('a memory-hot host is relieved under max_host_memory', () => {
    const cluster = snapshot().policy({ goal: 'balance', max_host_memory: 0.8 })
      .hosts(['cmp-1', 'cmp-2'], { memory_mb: 65536 })
      .servers(['vm-1', 'vm-2', 'vm-3'], { on: 'cmp-1', flavor: { memory_mb: 16384 }, usage: { memory_mb: 16000 } })
      .server('vm-4', { on: 'cmp-1', flavor: { memory_mb: 8192 }, usage: { memory_mb: 8000 } })
      .build();
    const { plan } = checkedPlan(cluster);
    assert.deepEqual(migrations(plan).map((move) => move.server), ['vm-4']);
    assert.equal(serversOnAfter(cluster, plan, 'cmp-2').length, 1);
  });
});
