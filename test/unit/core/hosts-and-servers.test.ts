// Tests of which hosts may receive and which servers may move.
// Availability zones, disabled and down nova-compute services, unmigratable servers.
import { strict as assert } from 'node:assert';
import { snapshot } from '../../support/builders.js';
import { blockedBy, checkedPlan, hostsWith, migrations, movedServers, placementAfter } from '../../support/planning.js';

describe('where servers may go', () => {
  describe('availability zones', () => {
    it('a server requested in an availability zone never leaves it, even to free a host', () => {
      const cluster = snapshot()
        .host('cmp-1', { availability_zone: 'az-1' })
        .host('cmp-2', { availability_zone: 'az-2' })
        .server('vm-1', { on: 'cmp-1', availability_zone: 'az-1' })
        .server('vm-2', { on: 'cmp-2', availability_zone: 'az-2' })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(migrations(plan), []);
      assert.equal(blockedBy(plan)['vm-1'], 'availability_zone');
    });

    it('a server booted without an availability zone may cross zones', () => {
      const cluster = snapshot()
        .host('cmp-1', { availability_zone: 'az-1' })
        .host('cmp-2', { availability_zone: 'az-2' })
        .server('vm-1', { on: 'cmp-1', availability_zone: null })
        .server('vm-2', { on: 'cmp-2', availability_zone: 'az-2' })
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.equal(placementAfter(cluster, plan)['vm-1'], 'cmp-2');
      assert.equal(score.hosts_freed, 1);
    });

    it('a drained server goes to a host of its own zone, though another zone has more room', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1'] })
        .host('cmp-1', { availability_zone: 'az-1' })
        .host('cmp-2', { availability_zone: 'az-1', memory_mb: 16384 })
        .host('cmp-3', { availability_zone: 'az-2', memory_mb: 262144 })
        .server('vm-1', { on: 'cmp-1', availability_zone: 'az-1' })
        .server('vm-3', { on: 'cmp-3' })
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.equal(placementAfter(cluster, plan)['vm-1'], 'cmp-2');
      assert.equal(score.goal_met, true);
    });
  });

  describe('disabled and down hosts', () => {
    it('a disabled host never receives a server, even when it is the only one with room', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1'] })
        .host('cmp-1')
        .host('cmp-2', { enabled: false, disabled_reason: 'hardware check' })
        .server('vm-1', { on: 'cmp-1' })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(migrations(plan), []);
      assert.equal(blockedBy(plan)['vm-1'], 'no_receiving_host');
      assert.equal(plan.meta.status, 'partial');
    });

    it('consolidation empties a disabled host and leaves its nova-compute service as the operator set it', () => {
      const cluster = snapshot()
        .host('cmp-1')
        .host('cmp-2', { enabled: false, disabled_reason: 'waiting for a BIOS update' })
        .server('vm-1', { on: 'cmp-1' })
        .server('vm-2', { on: 'cmp-2' })
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.deepEqual(migrations(plan).map(({ server, destination }) => [server, destination]), [['vm-2', 'cmp-1']]);
      assert.equal(score.hosts_freed, 1);
      assert.deepEqual(hostsWith(plan, 'disable_compute'), [], 'an already disabled host keeps its disabled_reason');
    });

    it('servers on a host whose nova-compute service is down never move, and the host receives nothing', () => {
      const cluster = snapshot()
        .host('cmp-1', { state: 'down' })
        .hosts(['cmp-2', 'cmp-3'])
        .server('vm-1', { on: 'cmp-1' })
        .server('vm-2', { on: 'cmp-2' })
        .server('vm-3', { on: 'cmp-3' })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.ok(!movedServers(plan).includes('vm-1'));
      assert.ok(!migrations(plan).some((move) => move.destination === 'cmp-1'));
      assert.equal(movedServers(plan).length, 1, 'cmp-2 and cmp-3 still consolidate');
    });
  });

  describe('servers that are not migratable', () => {
    it('an unmigratable server never moves, so consolidation empties the other host into its host', () => {
      const cluster = snapshot()
        .hosts(['cmp-1', 'cmp-2'])
        .server('gpu-1', { on: 'cmp-1', migratable: false })
        .server('vm-2', { on: 'cmp-2' })
        .server('vm-3', { on: 'cmp-2' })
        .build();
      const { plan, score } = checkedPlan(cluster);
      assert.deepEqual(movedServers(plan), ['vm-2', 'vm-3']);
      assert.equal(score.hosts_freed, 1);
    });

    it('draining a host with an unmigratable server moves the others, reports it and keeps the host enabled', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1'] })
        .hosts(['cmp-1', 'cmp-2'])
        .server('gpu-1', { on: 'cmp-1', migratable: false, metadata: { 'ulm.pinned_reason': 'PCI passthrough' } })
        .server('vm-2', { on: 'cmp-1' })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(movedServers(plan), ['vm-2']);
      assert.equal(blockedBy(plan)['gpu-1'], 'not_migratable');
      assert.match(plan.meta.blocked.find((entry) => entry.server === 'gpu-1')!.detail, /PCI passthrough/);
      assert.deepEqual(hostsWith(plan, 'disable_compute'), []);
      assert.equal(plan.meta.status, 'partial');
    });
  });
});
