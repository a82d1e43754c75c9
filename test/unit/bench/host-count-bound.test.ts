// The configuration-LP host-count bound (test/bench/host-count-bound.ts) on hand-built clusters whose optimum is known: it reaches it where score.mjs's per-resource bound stays below.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostCountBound, type BoundInstance } from '../../bench/host-count-bound.js';
import { loadLinearSolver } from '../../bench/host-count-bound-bench.js';
import type { LinearSolver } from '../../bench/host-count-bound.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { numbered, snapshot } from '../../support/builders.js';
import { scorerPath } from '../../support/scorer.js';

const GIB = 1024;
const CPU_HEAVY = { vcpus: 4, memory_mb: 1 * GIB, disk_gb: 10 };
const MEMORY_HEAVY = { vcpus: 1, memory_mb: 16 * GIB, disk_gb: 10 };

/**
 * Four CPU-rich hosts (16 vCPUs, 16 GiB) and four memory-rich ones (4 vCPUs, 64 GiB), eight
 * CPU-heavy servers (4 vCPUs, 1 GiB) and eight memory-heavy ones (1 vCPU, 16 GiB), two on each
 * host. A CPU-rich host holds four CPU-heavy servers and no memory-heavy one beside three of
 * them; a memory-rich host four memory-heavy ones, or one CPU-heavy: the fewest hosts is 2 + 2.
 * Per resource alone (40 vCPUs, 136 GiB) three hosts would do.
 */
function mismatchedShapes(pinnedOnMemoryHosts = 0): Snapshot {
  let builder = snapshot().policy({ goal: 'consolidate' })
    .hosts(numbered('cpu', 4), { vcpus: 16, memory_mb: 16 * GIB })
    .hosts(numbered('mem', 4), { vcpus: 4, memory_mb: 64 * GIB });
  for (let index = 0; index < 8; index++) {
    builder = builder.server(`compute-${index + 1}`, { on: `cpu-${(index % 4) + 1}`, flavor: CPU_HEAVY });
    builder = builder.server(`cache-${index + 1}`, { on: `mem-${(index % 4) + 1}`, flavor: MEMORY_HEAVY });
  }
  for (let index = 0; index < pinnedOnMemoryHosts; index++) {
    builder = builder.server(`licence-${index + 1}`, { on: `mem-${index + 1}`, flavor: { vcpus: 1, memory_mb: 1 * GIB, disk_gb: 1 }, migratable: false });
  }
  return builder.build();
}

function scorerBound(instance: Snapshot): number {
  const dir = mkdtempSync(join(tmpdir(), 'ulm-bound-'));
  try {
    const file = join(dir, 'instance.json');
    writeFileSync(file, JSON.stringify(instance));
    const run = spawnSync(process.execPath, [scorerPath(), '--lower-bound', file], { encoding: 'utf8' });
    return (JSON.parse(run.stdout) as { lower_bound_active_hosts: number }).lower_bound_active_hosts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bench: the configuration-LP host-count bound', function () {
  this.timeout(60_000);
  let solver: LinearSolver;
  before(async () => { solver = await loadLinearSolver(); });

  it('reaches the optimum where servers and hosts differ in shape, above the per-resource bound', () => {
    const instance = mismatchedShapes();
    const bound = hostCountBound(instance as unknown as BoundInstance, solver);
    assert.equal(scorerBound(instance), 3);
    assert.equal(bound.activeHosts, 4);
    assert.ok(bound.converged);
  });

  it('counts hosts that hold a server that never moves, with the room left on them', () => {
    // Each of two memory-rich hosts keeps a 1 vCPU server: three memory-heavy servers each, the
    // two others on a third memory-rich host, the compute servers on two CPU-rich ones: 5 hosts.
    const bound = hostCountBound(mismatchedShapes(2) as unknown as BoundInstance, solver);
    assert.equal(bound.forcedHosts, 2);
    assert.equal(bound.activeHosts, 5);
  });

  it('weighs the usage of the servers of one flavor as a whole, not at its smallest', () => {
    // Eight 1 vCPU servers fit one 8 vCPU host by allocation; their use (4 x 0.95 + 4 x 0.1 =
    // 4.2 cores) is over its limit of 0.5 x 8 = 4 cores: two hosts.
    let builder = snapshot().policy({ goal: 'consolidate', max_host_cpu: 0.5 }).hosts(numbered('cmp', 4), { vcpus: 8 });
    for (let index = 0; index < 8; index++) {
      builder = builder.server(`vm-${index + 1}`, { on: `cmp-${(index % 4) + 1}`, flavor: { vcpus: 1, memory_mb: GIB, disk_gb: 1 }, usage: { cpu_cores: index < 4 ? 0.95 : 0.1 } });
    }
    assert.equal(hostCountBound(builder.build() as unknown as BoundInstance, solver).activeHosts, 2);
  });

  it('gives the same figure on the same input', () => {
    const first = hostCountBound(mismatchedShapes() as unknown as BoundInstance, solver);
    const second = hostCountBound(mismatchedShapes() as unknown as BoundInstance, solver);
    assert.deepEqual(first, second);
  });
});
