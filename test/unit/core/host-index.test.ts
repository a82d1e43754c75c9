// Tests of the index of free room behind first fit: it finds exactly the host a scan in the same
// order finds, and a search for a server that fits nowhere stays short.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Cluster } from '../../../core/cluster.js';
import { Constraint } from '../../../core/constraints.js';
import { HostIndex } from '../../../core/planner/host-index.js';
import { Placement } from '../../../core/planner/placement.js';
import { resolvePolicy } from '../../../core/policy/schema.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { snapshotPolicy } from '../../../core/snapshot/read.js';
import { numbered, snapshot } from '../../support/builders.js';
import { NOW } from '../../support/planning.js';
import { randomCluster } from '../../support/random-clusters.js';

function clusterOf(source: Snapshot): Cluster {
  return new Cluster(source, resolvePolicy(snapshotPolicy(source)), Date.parse(NOW));
}

/** First fit by a plain scan: the first member host, in order, that may take the server. */
function scanFirst(placement: Placement, order: number[], member: (host: number) => boolean, server: number): number {
  return order.find((host) => member(host) && placement.blocker(server, host) === Constraint.none) ?? -1;
}

describe('index of free room (first fit in a fixed host order)', () => {
  it('finds the same host as a scan of the hosts in order, for every server, as servers move', () => {
    // A cluster, then an order of its hosts, which of them take part, and servers to move.
    const drawn = randomCluster('consolidate').chain(({ snapshot: source }) => {
      const hosts = source.hosts.length;
      return fc.record({
        source: fc.constant(source),
        order: fc.shuffledSubarray([...Array(hosts).keys()], { minLength: hosts, maxLength: hosts }),
        member: fc.array(fc.boolean(), { minLength: hosts, maxLength: hosts }),
        moves: fc.array(fc.nat(), { maxLength: 15 }),
      });
    });
    fc.assert(fc.property(drawn, ({ source, order, member, moves }) => {
      const cluster = clusterOf(source);
      const placement = new Placement(cluster);
      const index = new HostIndex(placement, order);
      for (const host of order) index.include(host, member[host]);
      placement.onHostChange = (host) => index.refresh(host);
      const checkEveryServer = () => {
        for (let server = 0; server < cluster.serverCount; server++) {
          assert.equal(index.first(server), scanFirst(placement, order, (host) => member[host], server), `server ${cluster.serverNames[server]}`);
        }
      };
      checkEveryServer();
      // Move servers wherever the index sends them, so that free room changes.
      for (const drawnServer of moves) {
        if (cluster.serverCount === 0) break;
        const server = drawnServer % cluster.serverCount;
        const destination = index.first(server);
        if (destination >= 0) placement.move(server, destination);
      }
      checkEveryServer();
    }), { numRuns: 60 });
  });

  it('finds a host the server brings exactly to max_host_cpu, as the capacity rule allows', () => {
    // 1.777 + 6.855 + 0.386 + 0.582 is 9.6 = 0.6 x 16 cores, but 9.6 - 9.018 is a hair below 0.582 in floating point.
    const source = snapshot().policy({ max_host_cpu: 0.6 }).host('cmp-1', { vcpus: 16, memory_mb: 131072, vcpu_allocation_ratio: 4 }).host('cmp-2', { vcpus: 8, memory_mb: 16384 })
      .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 8, memory_mb: 16384 }, usage: { cpu_cores: 1.777 } })
      .server('vm-2', { on: 'cmp-1', flavor: { vcpus: 16, memory_mb: 16384 }, usage: { cpu_cores: 6.855 } })
      .server('vm-3', { on: 'cmp-1', flavor: { vcpus: 16, memory_mb: 16384 }, usage: { cpu_cores: 0.386 } })
      .server('vm-4', { on: 'cmp-2', flavor: { vcpus: 2, memory_mb: 4096 }, usage: { cpu_cores: 0.582 } })
      .build();
    const cluster = clusterOf(source);
    const placement = new Placement(cluster);
    const host = cluster.hostNames.indexOf('cmp-1');
    const index = new HostIndex(placement, [host]);
    index.include(host, true);
    const server = cluster.serverNames.indexOf('vm-4');
    assert.equal(placement.blocker(server, host), Constraint.none, 'the capacity rule takes it');
    assert.equal(index.first(server), host);
  });

  it('gives up on a server after a few ranges when hosts have memory or CPU headroom, never both', () => {
    const hosts = numbered('cmp', 256);
    const builder = snapshot().hosts(hosts, { vcpus: 32, memory_mb: 65536 });
    hosts.forEach((host, position) => {
      // Even hosts: memory full, CPU idle. Odd hosts: memory free, CPU busy.
      if (position % 2 === 0) builder.server(`vm-full-${host}`, { on: host, flavor: { vcpus: 2, memory_mb: 61440 }, usage: { cpu_cores: 0.5 } });
      else builder.server(`vm-busy-${host}`, { on: host, flavor: { vcpus: 2, memory_mb: 4096 }, usage: { cpu_cores: 30 } });
    });
    builder.host('cmp-source').server('vm-needs-both', { on: 'cmp-source', flavor: { vcpus: 4, memory_mb: 16384 }, usage: { cpu_cores: 8 } });
    const cluster = clusterOf(builder.build());
    const placement = new Placement(cluster);
    const order = hosts.map((name) => cluster.hostNames.indexOf(name));
    const index = new HostIndex(placement, order);
    for (const host of order) index.include(host, true);
    const server = cluster.serverNames.indexOf('vm-needs-both');

    assert.equal(index.first(server), -1);
    assert.equal(scanFirst(placement, order, () => true, server), -1);
    // Without memory classes the search would examine every one of the 511 ranges.
    assert.ok(index.searchSteps <= 3, `${index.searchSteps} ranges examined`);
  });
});
