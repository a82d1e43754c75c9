// The kind guide (mixed hardware): its program sends each server shape to the kind of host it fills, keeps that many hosts of each kind, shares
// out only what the hosts not kept hold (the kept hosts' own servers stay and count), and consolidation steered by it packs to that count,
// each server going to the host of its kind whose free room lines up best with it.
import { strict as assert } from 'node:assert';
import { Cluster } from '../../../core/cluster.js';
import { consolidate } from '../../../core/planner/consolidate.js';
import { GuidedFit } from '../../../core/planner/guided-fit.js';
import { PlanContext } from '../../../core/planner/context.js';
import type { ExactSolver } from '../../../core/planner/exact-consolidation.js';
import { kindGuideMayServe } from '../../../core/planner/index.js';
import { kindGuide } from '../../../core/planner/kind-guide.js';
import { Placement } from '../../../core/planner/placement.js';
import { resolvePolicy } from '../../../core/policy/schema.js';
import { snapshotPolicy } from '../../../core/snapshot/read.js';
import { loadExactSolver } from '../../../services/exact-solver.js';
import { numbered, snapshot } from '../../support/builders.js';
import { NOW } from '../../support/planning.js';

const GIB = 1024;

/**
 * Four CPU-rich hosts (32 vCPUs, 8 GiB) and four memory-rich ones (4 vCPUs, 128 GiB), with eight
 * compute servers (4 vCPUs, 1 GiB) two on each CPU-rich host, and eight cache servers (1 vCPU,
 * 16 GiB) two on each memory-rich host. One CPU-rich host holds every compute server, two
 * memory-rich ones every cache server (four vCPUs each); nothing else does as well.
 */
function unlikeCluster(small: { on: string }[] = []): Cluster {
  let builder = snapshot().policy({ goal: 'consolidate' })
    .hosts(numbered('cpu', 4), { vcpus: 32, memory_mb: 8 * GIB })
    .hosts(numbered('mem', 4), { vcpus: 4, memory_mb: 128 * GIB });
  for (let index = 0; index < 8; index++) {
    builder = builder.server(`compute-${index + 1}`, { on: `cpu-${(index % 4) + 1}`, flavor: { vcpus: 4, memory_mb: 1 * GIB, disk_gb: 10 }, usage: { cpu_cores: 1, memory_mb: 512 } });
    builder = builder.server(`cache-${index + 1}`, { on: `mem-${(index % 4) + 1}`, flavor: { vcpus: 1, memory_mb: 16 * GIB, disk_gb: 10 }, usage: { cpu_cores: 0.1, memory_mb: 8 * GIB } });
  }
  // Small servers (1 vCPU, 1 GiB), which fit either kind.
  small.forEach(({ on }, index) => { builder = builder.server(`small-${index + 1}`, { on, flavor: { vcpus: 1, memory_mb: GIB, disk_gb: 1 }, usage: { cpu_cores: 0.1, memory_mb: 256 } }); });
  const instance = builder.build();
  return new Cluster(instance, resolvePolicy(snapshotPolicy(instance)), Date.parse(NOW));
}

describe('consolidation: the kind guide on hosts of unlike shapes', function () {
  this.timeout(30_000);
  let solver: ExactSolver;
  before(async () => { solver = await loadExactSolver(); });

  it('sends each server shape to the kind of host it fills', () => {
    const cluster = unlikeCluster();
    const guide = kindGuide(new Placement(cluster), solver);
    assert.ok(guide);
    assert.equal(guide.kindCount, 2);
    const cpuKind = guide.kindOfHost[cluster.hostIndex.get('cpu-1')!];
    const memoryKind = guide.kindOfHost[cluster.hostIndex.get('mem-1')!];
    const compute = guide.shapeOfServer[cluster.serverIndex.get('compute-1')!];
    const cache = guide.shapeOfServer[cluster.serverIndex.get('cache-1')!];
    assert.deepEqual([...guide.preference[compute]], [cpuKind]);
    assert.deepEqual([...guide.preference[cache]], [memoryKind]);
    assert.equal(Math.round(guide.quota[compute * guide.kindCount + cpuKind]), 8);
    assert.equal(Math.round(guide.quota[cache * guide.kindCount + memoryKind]), 8);
  });

  it('keeps the hosts its program counts, those holding the servers that belong there first', () => {
    const cluster = unlikeCluster();
    const guide = kindGuide(new Placement(cluster), solver)!;
    const kept = (prefix: string) => cluster.hostNames.filter((name, host) => name.startsWith(prefix) && guide.keep[host]).length;
    assert.equal(kept('cpu'), 1);
    assert.equal(kept('mem'), 2);
  });

  it('shares out only the servers of the hosts not kept: what the kept hosts hold stays and counts in its kind\'s share', () => {
    // A small server on a host of each kind: the one on a kept host stays there.
    const cluster = unlikeCluster([{ on: 'cpu-1' }, { on: 'mem-1' }]);
    const placement = new Placement(cluster);
    const guide = kindGuide(placement, solver)!;
    const shapeCount = guide.quota.length / guide.kindCount;
    const held = new Float64Array(guide.quota.length);
    const count = new Float64Array(shapeCount);
    for (let server = 0; server < cluster.serverCount; server++) {
      const shape = guide.shapeOfServer[server];
      if (shape < 0) continue;
      count[shape]++;
      const host = placement.hostOf[server];
      if (guide.keep[host]) held[shape * guide.kindCount + guide.kindOfHost[host]]++;
    }
    for (let shape = 0; shape < shapeCount; shape++) {
      let shares = 0;
      for (let kind = 0; kind < guide.kindCount; kind++) {
        const key = shape * guide.kindCount + kind;
        assert.ok(guide.quota[key] >= held[key] - 1e-9, `shape ${shape} on kind ${kind}: share ${guide.quota[key]} below the ${held[key]} its kept hosts hold`);
        shares += guide.quota[key];
      }
      assert.ok(Math.abs(shares - count[shape]) < 1e-6, `shape ${shape}: shares ${shares} for ${count[shape]} servers`);
    }
    const keptHolding = (name: string) => guide.keep[placement.hostOf[cluster.serverIndex.get(name)!]];
    assert.ok(keptHolding('small-1') || keptHolding('small-2'), 'a small server is on a kept host');
    assert.equal(guide.shapeOfServer[cluster.serverIndex.get('small-1')!], guide.shapeOfServer[cluster.serverIndex.get('small-2')!]);
  });

  it('within a kind, sends a server to the kept host whose free room lines up with it, not to the first that fits', () => {
    // Three hosts alike (24 vCPUs, 24 GiB): cmp-1 holds memory-heavy servers (vCPUs free), cmp-2
    // CPU-heavy ones (memory free). A CPU-heavy server fits both; it goes to cmp-1.
    let builder = snapshot().policy({ goal: 'consolidate' }).hosts(numbered('cmp', 3), { vcpus: 24, memory_mb: 24 * GIB });
    for (let index = 0; index < 3; index++) {
      builder = builder.server(`memory-${index + 1}`, { on: 'cmp-1', flavor: { vcpus: 1, memory_mb: 6 * GIB, disk_gb: 1 }, usage: { cpu_cores: 0.1, memory_mb: GIB } });
      builder = builder.server(`cpu-${index + 1}`, { on: 'cmp-2', flavor: { vcpus: 6, memory_mb: 1 * GIB, disk_gb: 1 }, usage: { cpu_cores: 0.1, memory_mb: 512 } });
    }
    builder = builder.server('moving', { on: 'cmp-3', flavor: { vcpus: 6, memory_mb: 1 * GIB, disk_gb: 1 }, usage: { cpu_cores: 0.1, memory_mb: 512 } });
    const instance = builder.build();
    const cluster = new Cluster(instance, resolvePolicy(snapshotPolicy(instance)), Date.parse(NOW));
    const placement = new Placement(cluster);
    const moving = cluster.serverIndex.get('moving')!;
    const [first, second] = [cluster.hostIndex.get('cmp-2')!, cluster.hostIndex.get('cmp-1')!];
    // One kind, one shape per server, each share open: only the choice of host is tested.
    const guide = {
      kindOfHost: new Int32Array(cluster.hostCount), kindCount: 1, keep: Uint8Array.from([1, 1, 0]),
      shapeOfServer: Int32Array.from({ length: cluster.serverCount }, (_, server) => server), quota: new Float64Array(cluster.serverCount).fill(1),
      preference: Array.from({ length: cluster.serverCount }, () => Int32Array.of(0)),
    };
    const fit = new GuidedFit(placement, guide, [first, second]);
    fit.include(first, true);
    fit.include(second, true);
    assert.equal(cluster.hostNames[fit.destination(moving)], 'cmp-1');
  });

  it('steers consolidation to that count: one CPU-rich host and two memory-rich ones', () => {
    const cluster = unlikeCluster();
    const placement = new Placement(cluster);
    const guide = kindGuide(placement, solver)!;
    const keepBonus = Float64Array.from(guide.keep, (kept) => (kept ? 1_000 : 0));
    consolidate(placement, new PlanContext(cluster, solver), { size: 1, load: 0, servers: 0.375, fit: 'keep-order', keepBonus, guide });
    assert.equal(placement.activeHostCount(), 3);
    for (let server = 0; server < cluster.serverCount; server++) {
      const host = cluster.hostNames[placement.hostOf[server]];
      assert.ok(cluster.serverNames[server].startsWith('compute') ? host.startsWith('cpu') : host.startsWith('mem'), `${cluster.serverNames[server]} on ${host}`);
    }
  });

  it('gives nothing to guide on hosts all alike', () => {
    const instance = snapshot().policy({ goal: 'consolidate' }).hosts(numbered('cmp', 3)).server('vm-1', { on: 'cmp-1' }).build();
    const cluster = new Cluster(instance, resolvePolicy(snapshotPolicy(instance)), Date.parse(NOW));
    assert.equal(kindGuide(new Placement(cluster), solver), null);
  });

  it('has the solver loaded before planning only for large clusters of unlike hosts, without N+k', () => {
    const large = (memoryRich: boolean, spare = 0) => {
      let builder = snapshot().policy({ goal: 'consolidate', spare_capacity_hosts: spare })
        .hosts(numbered('cpu', 50), { vcpus: 64, memory_mb: 256 * GIB })
        .hosts(numbered('mem', 50), { vcpus: 64, memory_mb: (memoryRich ? 1024 : 384) * GIB });
      for (let index = 0; index < 6_001; index++) builder = builder.server(`vm-${index}`, { on: `cpu-${(index % 50) + 1}`, flavor: { vcpus: 1, memory_mb: 512, disk_gb: 1 } });
      const instance = builder.build();
      return { snapshot: instance, policy: snapshotPolicy(instance), now: Date.parse(NOW), planner: 'ulm-test' };
    };
    assert.equal(kindGuideMayServe(large(true)), true);
    // 64 vCPUs per 256 or 384 GiB: alike enough; and N+k, which the guide's program leaves out.
    assert.equal(kindGuideMayServe(large(false)), false);
    assert.equal(kindGuideMayServe(large(true, 1)), false);
  });
});
