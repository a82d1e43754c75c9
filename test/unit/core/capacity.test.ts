// Tests of Placement capacity as the planner honours it.
// (total - reserved) x allocation_ratio per resource class, max_unit, and the double allocation
// a live migration holds within a wave.
import { strict as assert } from 'node:assert';
import { fitsCapacity, placementCapacity, withinMaxUnit } from '../../../core/capacity.js';
import { snapshot, type FlavorSpec, type HostSpec } from '../../support/builders.js';
import { blockedBy, checkedPlan, migrations } from '../../support/planning.js';

/**
 * vm-1 sits alone on a big host cmp-1; the only other host, cmp-2, holds servers that never
 * move (`anchors`). Consolidation empties cmp-1 into cmp-2 exactly when Placement lets vm-1 in.
 */
function evacuationOnto(candidate: HostSpec, anchors: FlavorSpec[], mover: FlavorSpec) {
  const builder = snapshot()
    .host('cmp-1', { vcpus: 64, memory_mb: 262144, disk_gb: 8000 })
    .host('cmp-2', candidate);
  anchors.forEach((flavor, index) => builder.server(`anchor-${index + 1}`, { on: 'cmp-2', flavor, migratable: false, usage: { cpu_cores: 0.1, memory_mb: 512 } }));
  return builder.server('vm-1', { on: 'cmp-1', flavor: mover, usage: { cpu_cores: 0.1, memory_mb: 512 } }).build();
}

describe('Placement capacity', () => {
  describe('the formula', () => {
    it('capacity is (total - reserved) x allocation_ratio', () => {
      assert.equal(placementCapacity(16, 4, 4), 48);
      assert.equal(placementCapacity(65536, 8192, 1.5), 86016);
      assert.equal(placementCapacity(1000), 1000);
    });

    it('an allocation that fills the capacity exactly fits; one unit more does not', () => {
      assert.equal(fitsCapacity(40, 8, 48), true);
      assert.equal(fitsCapacity(40, 9, 48), false);
    });

    it('capacities are compared exactly as Placement compares them, so ulm never plans what Placement refuses', () => {
      // (100 - 0) x 1.15 is 114.99999999999999 in floating point, in Placement too: 115 does not fit, 114 does.
      assert.ok(placementCapacity(100, 0, 1.15) < 115);
      assert.equal(fitsCapacity(0, 115, placementCapacity(100, 0, 1.15)), false);
      assert.equal(fitsCapacity(0, 114, placementCapacity(100, 0, 1.15)), true);
    });

    it('max_unit is the inventory total, whatever the ratio', () => {
      assert.equal(withinMaxUnit(8, 8), true);
      assert.equal(withinMaxUnit(9, 8), false);
    });
  });

  const cases: { behaviour: string; candidate: HostSpec; anchors: FlavorSpec[]; mover: FlavorSpec; blockedBy?: string }[] = [
    {
      behaviour: 'a server moves to a host whose MEMORY_MB (total - reserved) it fills exactly',
      candidate: { memory_mb: 65536, reserved_memory_mb: 8192 }, anchors: [{ memory_mb: 49152 }], mover: { memory_mb: 8192 },
    },
    {
      behaviour: 'a server never moves to a host whose MEMORY_MB capacity it would exceed (reserved memory counts)',
      candidate: { memory_mb: 65536, reserved_memory_mb: 8192 }, anchors: [{ memory_mb: 49152 }], mover: { memory_mb: 8704 },
      blockedBy: 'placement_memory_capacity',
    },
    {
      behaviour: 'a memory_allocation_ratio of 1.5 lets allocations exceed the physical memory up to the ratio',
      candidate: { memory_mb: 65536, memory_allocation_ratio: 1.5 }, anchors: [{ memory_mb: 49152 }, { memory_mb: 32768 }], mover: { memory_mb: 16384 },
    },
    {
      behaviour: 'a server never moves beyond (total - reserved) x memory_allocation_ratio',
      candidate: { memory_mb: 65536, memory_allocation_ratio: 1.5 }, anchors: [{ memory_mb: 49152 }, { memory_mb: 32768 }], mover: { memory_mb: 16896 },
      blockedBy: 'placement_memory_capacity',
    },
    {
      behaviour: 'VCPU capacity is (vcpus - reserved_vcpus) x vcpu_allocation_ratio: 48 of 16 threads at 4.0 with 4 reserved',
      candidate: { vcpus: 16, reserved_vcpus: 4, vcpu_allocation_ratio: 4 }, anchors: [{ vcpus: 16 }, { vcpus: 16 }, { vcpus: 8 }], mover: { vcpus: 8 },
    },
    {
      behaviour: 'a server never moves to a host whose VCPU capacity it would exceed',
      candidate: { vcpus: 16, reserved_vcpus: 4, vcpu_allocation_ratio: 4 }, anchors: [{ vcpus: 16 }, { vcpus: 16 }, { vcpus: 8 }], mover: { vcpus: 9 },
      blockedBy: 'placement_vcpu_capacity',
    },
    {
      behaviour: 'a server moves to a host whose DISK_GB (total - reserved) it fills exactly',
      candidate: { disk_gb: 1000, reserved_disk_gb: 100 }, anchors: [{ disk_gb: 800 }], mover: { disk_gb: 100 },
    },
    {
      behaviour: 'a server never moves to a host whose DISK_GB capacity it would exceed',
      candidate: { disk_gb: 1000, reserved_disk_gb: 100 }, anchors: [{ disk_gb: 800 }], mover: { disk_gb: 101 },
      blockedBy: 'placement_disk_capacity',
    },
    {
      behaviour: 'a flavor as large as the host total fits (max_unit = total)',
      candidate: { vcpus: 8, vcpu_allocation_ratio: 16 }, anchors: [{ vcpus: 2 }], mover: { vcpus: 8 },
    },
    {
      behaviour: 'a flavor with more vCPUs than the host has threads never moves there, even with room under the ratio (max_unit)',
      candidate: { vcpus: 8, vcpu_allocation_ratio: 16 }, anchors: [{ vcpus: 2 }], mover: { vcpus: 12 },
      blockedBy: 'max_unit',
    },
    {
      behaviour: 'a flavor with more memory than the host has never moves there, even under memory_allocation_ratio 4 (max_unit)',
      candidate: { memory_mb: 16384, memory_allocation_ratio: 4 }, anchors: [{ memory_mb: 2048 }], mover: { memory_mb: 24576 },
      blockedBy: 'max_unit',
    },
  ];

  for (const { behaviour, candidate, anchors, mover, blockedBy: constraint } of cases) {
    it(behaviour, () => {
      const cluster = evacuationOnto(candidate, anchors, mover);
      const { plan, score } = checkedPlan(cluster);
      if (constraint) {
        assert.deepEqual(migrations(plan), []);
        assert.equal(blockedBy(plan)['vm-1'], constraint);
      } else {
        assert.deepEqual(migrations(plan).map(({ server, source, destination }) => [server, source, destination]), [['vm-1', 'cmp-1', 'cmp-2']]);
        assert.equal(score.hosts_freed, 1);
      }
    });
  }

  describe('the double allocation of a live migration, per wave', () => {
    it('a full host receives a server only in a wave after the one in which its own server leaves', () => {
      // cmp-2 is full (2 x 8 GiB of 16 GiB): vm-1 can arrive only once vm-3 has left, because
      // Nova holds vm-3's allocation on cmp-2 until its migration completes.
      const cluster = snapshot().policy({ goal: 'reach_target' })
        .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { vcpus: 16, memory_mb: 16384 })
        .servers(['vm-1', 'vm-2'], { on: 'cmp-1', flavor: { memory_mb: 8192 } })
        .servers(['vm-3', 'vm-4'], { on: 'cmp-2', flavor: { memory_mb: 8192 } })
        .target({ 'vm-1': 'cmp-2', 'vm-3': 'cmp-3' })
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.equal(score.goal_met, true);
      const waveOf = Object.fromEntries(migrations(plan).map((move) => [move.server, move.wave]));
      assert.ok(waveOf['vm-1'] > waveOf['vm-3'], `vm-1 arrives in wave ${waveOf['vm-1']}, vm-3 leaves in wave ${waveOf['vm-3']}`);
    });

    it('servers arriving on one host in the same wave are counted together against its capacity', () => {
      // cmp-3 has room for two of the four 8 GiB servers at first; it can take the other two
      // only after its own 8 GiB servers have left in an earlier wave.
      const cluster = snapshot().policy({ goal: 'reach_target' })
        .hosts(['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4'], { vcpus: 32, memory_mb: 32768 })
        .servers(['vm-1', 'vm-2'], { on: 'cmp-1', flavor: { memory_mb: 8192 } })
        .servers(['vm-3', 'vm-4'], { on: 'cmp-2', flavor: { memory_mb: 8192 } })
        .servers(['vm-5', 'vm-6'], { on: 'cmp-3', flavor: { memory_mb: 8192 } })
        .target({ 'vm-1': 'cmp-3', 'vm-2': 'cmp-3', 'vm-3': 'cmp-3', 'vm-4': 'cmp-3', 'vm-5': 'cmp-4', 'vm-6': 'cmp-4' })
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.equal(score.goal_met, true);
      // What cmp-3 holds at the start of each wave, plus what arrives in it, never exceeds 32 GiB.
      const moves = migrations(plan);
      for (const wave of new Set(moves.map((move) => move.wave))) {
        const arrived = moves.filter((move) => move.destination === 'cmp-3' && move.wave < wave).length;
        const left = moves.filter((move) => move.source === 'cmp-3' && move.wave < wave).length;
        const incoming = moves.filter((move) => move.destination === 'cmp-3' && move.wave === wave).length;
        assert.ok((2 + arrived - left + incoming) * 8192 <= 32768, `wave ${wave}: ${incoming} servers arrive on cmp-3 holding ${2 + arrived - left}`);
      }
    });
  });
});
