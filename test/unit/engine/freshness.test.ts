// A plan checked against the cloud as it is now, before approve or start: every change to what
// it touches since its snapshot is named, so a stale plan is refused without ulm-listener.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanDocument } from '../../../core/plan/format.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import type { ComputeOperations } from '../../../services/applier/compute.js';
import { createRepositories, migrateToLatest, openDatabase } from '../../../services/db/index.js';
import { changesSincePlanned, describeChanges, markStale, peakIncoming } from '../../../services/engine/freshness.js';
import { numbered, snapshot } from '../../support/builders.js';
import { planFor } from '../../support/planning.js';
import { simulatedCloudOf, type SimulatedCompute } from '../../support/simulated-compute.js';

// cmp-3 is emptied into cmp-1: vm-6 (2 vCPUs, 4096 MB) moves in wave 0, cmp-3 is disabled in wave 1.
const cluster: Snapshot = snapshot()
  .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { vcpus: 16, memory_mb: 32768 })
  .servers(['vm-1', 'vm-2', 'vm-3'], { on: 'cmp-1', flavor: { vcpus: 4, memory_mb: 8192 } })
  .servers(['vm-4', 'vm-5'], { on: 'cmp-2', flavor: { vcpus: 4, memory_mb: 8192 } })
  .server('vm-6', { on: 'cmp-3', flavor: { vcpus: 2, memory_mb: 4096 } })
  .build();

describe('checking a plan against the cloud before it is approved or started', () => {
  let plan: PlanDocument;

  before(() => {
    plan = planFor(cluster);
    // The scenario the cases below rely on: if the planner chooses otherwise, fix the scenario.
    assert.deepEqual(plan.actions.map((action) => action.type === 'live_migrate' ? `${action.wave} ${action.server} ${action.source}->${action.destination}` : `${action.wave} ${action.type} ${action.host}`),
      ['0 vm-6 cmp-3->cmp-1', '1 disable_compute cmp-3']);
  });

  it('finds nothing when the cloud is as the snapshot saw it', async () => {
    assert.deepEqual(await changesSincePlanned(simulatedCloudOf(cluster), cluster, plan), []);
  });

  it('names a server that moved away from its source', async () => {
    const cloud = simulatedCloudOf(cluster);
    cloud.hostOf.set('vm-6', 'cmp-2');
    assert.deepEqual(await changesSincePlanned(cloud, cluster, plan), ['server vm-6 is on cmp-2, the plan expected it on cmp-3']);
  });

  it('names a server that was deleted', async () => {
    const cloud = simulatedCloudOf(cluster);
    cloud.hostOf.delete('vm-6');
    assert.deepEqual(await changesSincePlanned(cloud, cluster, plan), ['server vm-6 no longer exists']);
  });

  it('names a server that is busy or no longer live-migratable', async () => {
    const cloud = simulatedCloudOf(cluster);
    cloud.statusOf.set('vm-6', { status: 'ACTIVE', taskState: 'resize_prep' });
    assert.deepEqual(await changesSincePlanned(cloud, cluster, plan), ['server vm-6 is busy (task resize_prep)']);
    cloud.statusOf.set('vm-6', { status: 'SHUTOFF', taskState: null });
    assert.deepEqual(await changesSincePlanned(cloud, cluster, plan), ['server vm-6 is SHUTOFF; only ACTIVE or PAUSED servers live-migrate']);
  });

  it('names a server that is on no host any more, such as one shelved', async () => {
    const cloud = simulatedCloudOf(cluster);
    const shelved: ComputeOperations = Object.assign(Object.create(cloud) as SimulatedCompute, {
      serverLocation: async (server: string) => (server === 'vm-6' ? { host: null, status: 'SHELVED_OFFLOADED', taskState: null, flavor: null } : cloud.serverLocation(server)),
    });
    assert.deepEqual(await changesSincePlanned(shelved, cluster, plan), [
      'server vm-6 is on no host (SHELVED_OFFLOADED), the plan expected it on cmp-3',
      'server vm-6 is SHELVED_OFFLOADED; only ACTIVE or PAUSED servers live-migrate',
    ]);
  });

  it('names a destination someone else disabled, with their reason', async () => {
    const cloud = simulatedCloudOf(cluster);
    await cloud.disableCompute('cmp-1', 'rack work');
    assert.deepEqual(await changesSincePlanned(cloud, cluster, plan), ['host cmp-1 was disabled meanwhile (reason: "rack work")']);
  });

  it('names a host whose nova-compute went down or whose service is gone', async () => {
    const cloud = simulatedCloudOf(cluster);
    cloud.services.set('cmp-3', { ...cloud.services.get('cmp-3')!, up: false });
    cloud.services.delete('cmp-1');
    assert.deepEqual(await changesSincePlanned(cloud, cluster, plan), ['host cmp-1 has no nova-compute service any more', "host cmp-3's nova-compute is down"]);
  });

  it('names a destination another server filled, with the room needed, left, and seen in the snapshot', async () => {
    const cloud = simulatedCloudOf(cluster);
    cloud.hostOf.set('vm-new', 'cmp-1');
    cloud.flavorOf.set('vm-new', { vcpus: 3, memoryMb: 4096, diskGb: 40 });
    assert.deepEqual(await changesSincePlanned(cloud, cluster, plan),
      ['host cmp-1 no longer has room for the servers the plan moves there: 2 vCPUs needed, 1 free (4 in the snapshot)']);
  });

  it('accepts a destination that lost room but still holds what the plan brings', async () => {
    const cloud = simulatedCloudOf(cluster);
    cloud.hostOf.set('vm-new', 'cmp-1');
    cloud.flavorOf.set('vm-new', { vcpus: 2, memoryMb: 4096, diskGb: 40 });
    assert.deepEqual(await changesSincePlanned(cloud, cluster, plan), []);
  });

  it('names a server that arrived on a host the plan empties', async () => {
    const cloud = simulatedCloudOf(cluster);
    cloud.hostOf.set('vm-new', 'cmp-3');
    assert.deepEqual(await changesSincePlanned(cloud, cluster, plan), ['server vm-new arrived on cmp-3, which the plan empties']);
  });

  it('counts a server as arriving on the host the plan empties even when the snapshot had it elsewhere', async () => {
    const cloud = simulatedCloudOf(cluster);
    cloud.hostOf.set('vm-4', 'cmp-3');
    assert.deepEqual(await changesSincePlanned(cloud, cluster, plan), ['server vm-4 arrived on cmp-3, which the plan empties']);
  });

  it('keeps at most the given number of reads in flight', async () => {
    const large = snapshot().hosts(numbered('cmp', 20), { vcpus: 64, memory_mb: 131072 });
    for (const [index, host] of numbered('cmp', 20).entries()) large.servers(numbered(`vm-${index}`, index < 10 ? 6 : 1), { on: host });
    const big = large.build();
    const bigPlan = planFor(big);
    assert.ok(bigPlan.actions.length > 10, 'the scenario moves many servers');
    const cloud = simulatedCloudOf(big);
    let inFlight = 0;
    let most = 0;
    const counted = new Proxy(cloud, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return async (...parameters: unknown[]) => {
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 1));
          try { return await value.apply(target, parameters); } finally { inFlight--; }
        };
      },
    }) as ComputeOperations;
    assert.deepEqual(await changesSincePlanned(counted, big, bigPlan, { concurrency: 3 }), []);
    assert.equal(most, 3);
  });

  it('counts a server moving in from the start of its wave and one moving out only after its wave', () => {
    const servers = new Map(snapshot().hosts(['cmp-1', 'cmp-2', 'cmp-3'])
      .server('in-1', { on: 'cmp-2', flavor: { vcpus: 4, memory_mb: 4096, disk_gb: 10 } })
      .server('out', { on: 'cmp-1', flavor: { vcpus: 8, memory_mb: 8192, disk_gb: 10 } })
      .server('in-2', { on: 'cmp-2', flavor: { vcpus: 2, memory_mb: 16384, disk_gb: 10 } })
      .build().servers.map((server) => [server.id, server]));
    const moves: PlanDocument = {
      ...plan,
      actions: [
        { wave: 0, type: 'live_migrate', server: 'in-1', source: 'cmp-2', destination: 'cmp-1', reason: 'test' },
        { wave: 1, type: 'live_migrate', server: 'out', source: 'cmp-1', destination: 'cmp-3', reason: 'test' },
        { wave: 2, type: 'live_migrate', server: 'in-2', source: 'cmp-2', destination: 'cmp-1', reason: 'test' },
      ],
    };
    // vCPUs peak in waves 0 and 1 (4); memory in wave 2 (4096 - 8192 + 16384).
    assert.deepEqual(peakIncoming(moves, servers, 'cmp-1'), { vcpus: 4, memoryMb: 12288, diskGb: 10 });
  });

  it('marks the plan stale with the changes, as the listener does', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ulm-freshness-'));
    const database = await openDatabase(`sqlite:///${directory}/ulm.sqlite`);
    try {
      await migrateToLatest(database);
      const repositories = createRepositories(database);
      const record = await repositories.actionPlans.create({ document: plan, state: 'APPROVED' });
      const changes = ['server vm-6 no longer exists', 'server vm-new arrived on cmp-3, which the plan empties'];
      const reason = await markStale(repositories, record.id, changes);
      const stale = await repositories.actionPlans.get(record.id);
      assert.equal(stale.stale, true);
      assert.equal(stale.staleReason, reason);
      assert.equal(reason, 'the cloud changed after the plan was made: server vm-6 no longer exists; server vm-new arrived on cmp-3, which the plan empties');
    } finally {
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('lists the first 20 changes in a reason and counts the rest', () => {
    const reason = describeChanges(Array.from({ length: 23 }, (_, index) => `change ${index + 1}`));
    assert.match(reason, /change 20; and 3 more$/);
    assert.doesNotMatch(reason, /change 21/);
  });
});
