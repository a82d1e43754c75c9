// Tests of exact fits at a usage limit: a host may be brought exactly to max_host_cpu or
// max_host_memory (with the scorer's relative tolerance of 1e-9), never beyond it.
import { strict as assert } from 'node:assert';
import { usageOverLimit, withinUsageLimit } from '../../../core/capacity.js';
import { snapshot } from '../../support/builders.js';
import { blockedBy, checkedPlan, movedServers } from '../../support/planning.js';

/**
 * cmp-1 is drained; its one server `mover` can only go to cmp-2, whose servers never move.
 * 16 threads and 64 GiB per host; limits 0.5 of memory and `maxHostCpu` of the CPUs.
 */
function drainOnto(residents: { cpu_cores: number; memory_mb: number }[], mover: { cpu_cores: number; memory_mb: number }, maxHostCpu = 0.75) {
  const builder = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1'], max_host_cpu: maxHostCpu, max_host_memory: 0.5 })
    .hosts(['cmp-1', 'cmp-2'], { vcpus: 16, memory_mb: 65536 });
  residents.forEach((usage, index) => builder.server(`resident-${index + 1}`, { on: 'cmp-2', migratable: false, flavor: { vcpus: 2, memory_mb: 4096 }, usage }));
  return builder.server('mover', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 }, usage: mover }).build();
}

describe('exact fits at a usage limit', () => {
  it('the rule: up to the limit with a relative tolerance of 1e-9, not beyond', () => {
    assert.equal(withinUsageLimit(8, 4, 12), true);
    assert.equal(withinUsageLimit(0.1 + 0.2, 0.7 - 0.3 + 11.3, 12), true);
    assert.equal(withinUsageLimit(32768, 1e-6, 32768), true);
    assert.equal(withinUsageLimit(32768, 1e-4, 32768), false);
    assert.equal(withinUsageLimit(8, 4.001, 12), false);
    assert.equal(withinUsageLimit(12.5, -0.5, 12), true);
    assert.ok(usageOverLimit(8, 4, 12) <= 0);
    assert.ok(usageOverLimit(8, 4.001, 12) > 0);
  });

  const cases = [
    { behaviour: 'a drain that brings a host exactly to max_host_cpu is done', residents: [{ cpu_cores: 4, memory_mb: 1024 }, { cpu_cores: 4, memory_mb: 1024 }], mover: { cpu_cores: 4, memory_mb: 1024 }, done: true },
    // 0.7 x 16 is 11.2; 0.1 + 0.2 + 10.9 adds up to 11.200000000000001 in floating point.
    { behaviour: 'a drain that brings a host to max_host_cpu through fractional uses that add up a rounding error over it is done', residents: [{ cpu_cores: 0.1, memory_mb: 1024 }, { cpu_cores: 0.2, memory_mb: 1024 }], mover: { cpu_cores: 10.9, memory_mb: 1024 }, maxHostCpu: 0.7, done: true },
    { behaviour: 'a drain that would take a host just over max_host_cpu is refused', residents: [{ cpu_cores: 4, memory_mb: 1024 }, { cpu_cores: 4, memory_mb: 1024 }], mover: { cpu_cores: 4.001, memory_mb: 1024 }, done: false, blocked: 'max_host_cpu' },
    { behaviour: 'a drain that brings a host exactly to max_host_memory is done', residents: [{ cpu_cores: 1, memory_mb: 16384 }, { cpu_cores: 1, memory_mb: 8192 }], mover: { cpu_cores: 1, memory_mb: 8192 }, done: true },
    { behaviour: 'a drain that would take a host one MiB over max_host_memory is refused', residents: [{ cpu_cores: 1, memory_mb: 16384 }, { cpu_cores: 1, memory_mb: 8192 }], mover: { cpu_cores: 1, memory_mb: 8193 }, done: false, blocked: 'max_host_memory' },
  ];
  for (const { behaviour, residents, mover, maxHostCpu, done, blocked } of cases) {
    it(behaviour, () => {
      const { plan, score } = checkedPlan(drainOnto(residents, mover, maxHostCpu));
      assert.equal(score.goal_met, done, JSON.stringify(plan.meta));
      assert.deepEqual(movedServers(plan), done ? ['mover'] : []);
      if (blocked) assert.equal(blockedBy(plan).mover, blocked);
    });
  }
});
