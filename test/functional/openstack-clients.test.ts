// ulm's OpenStack clients against the real loopback cloud: microversions negotiated with Zed,
// Placement inventories, a compute service disabled with a reason and enabled again, a live
// migration to a named host followed in /os-migrations, and Gnocchi's aggregates API.
import { strict as assert } from 'node:assert';
import { connectCloud, type Cloud } from '../../openstack/cloud.js';
import { OpenStackHttpError } from '../../openstack/errors.js';
import { aggregateResources, metricOperation, openGnocchi } from '../../openstack/gnocchi.js';
import { listHypervisors } from '../../openstack/nova/hypervisors.js';
import { abortLiveMigration, listMigrations, liveMigrate, newestMigrationId, waitForLiveMigration } from '../../openstack/nova/migrations.js';
import { listServerGroups } from '../../openstack/nova/server-groups.js';
import { getServer, listServers } from '../../openstack/nova/servers.js';
import { disableComputeService, enableComputeService, listComputeServices } from '../../openstack/nova/services.js';
import { capacityOf, getInventories, getUsages, listResourceProviders } from '../../openstack/placement.js';
import { devCloudConfig, openstack, requireDevCloud } from './dev-cloud.js';

interface OscService { ID: string; Host: string; Status: string; 'Disabled Reason': string | null }

describe('OpenStack clients against the dev cloud', function () {
  this.timeout(300_000);
  let cloud: Cloud;

  before(async () => {
    requireDevCloud();
    cloud = await connectCloud(devCloudConfig());
  });

  it('negotiates Zed\'s newest Nova microversion (2.93) and the wanted Placement one (1.28)', () => {
    assert.equal(cloud.nova.version, '2.93');
    assert.equal(cloud.placement.version, '1.28');
  });

  it('lists servers of all projects with host, embedded flavor and tags', async () => {
    const servers = await listServers(cloud.nova, { pageSize: 5 });
    const names = servers.map((server) => server.name);
    assert.ok(names.includes('vm-01') && names.includes('vm-14'), 'paged through every server, the second project\'s too');
    assert.equal(new Set(servers.map((server) => server.id)).size, servers.length, 'no server twice across pages');
    const vm05 = servers.find((server) => server.name === 'vm-05')!;
    assert.match(vm05.host ?? '', /^cmp-\d\d$/);
    assert.equal(vm05.flavor?.original_name, 'small');
    assert.deepEqual(vm05.tags.sort(), ['backup:daily', 'tier:db']);
  });

  it('reads server groups with their policy', async () => {
    const groups = await listServerGroups(cloud.nova);
    assert.equal(groups.find((group) => group.name === 'ulm-anti')?.policy, 'anti-affinity');
    assert.equal(groups.find((group) => group.name === 'ulm-anti')?.members.length, 3);
  });

  it('Placement inventories match the hypervisors: one provider per compute node, capacity by Placement\'s formula', async () => {
    const hypervisors = await listHypervisors(cloud.nova);
    const providers = await listResourceProviders(cloud.placement);
    for (const hypervisor of hypervisors) {
      const provider = providers.find((candidate) => candidate.uuid === hypervisor.id);
      assert.equal(provider?.name, hypervisor.hypervisor_hostname);
      const inventory = await getInventories(cloud.placement, hypervisor.id);
      assert.equal(capacityOf(inventory.MEMORY_MB), inventory.MEMORY_MB.total - 512);
      assert.equal(inventory.VCPU.max_unit, inventory.VCPU.total);
      const usages = await getUsages(cloud.placement, hypervisor.id);
      assert.ok(usages.VCPU >= 0 && usages.MEMORY_MB >= 0);
    }
  });

  it('disables a compute service with a reason and enables it again (as the operator sees it)', async () => {
    const [service] = (await listComputeServices(cloud.nova)).filter((candidate) => candidate.host === 'cmp-06');
    try {
      const disabled = await disableComputeService(cloud.nova, service.id, 'ulm: functional test');
      assert.deepEqual([disabled.status, disabled.disabled_reason], ['disabled', 'ulm: functional test']);
      const seen = openstack<OscService[]>(['compute', 'service', 'list', '--service', 'nova-compute', '--host', 'cmp-06', '--long']);
      assert.deepEqual([seen[0].Status, seen[0]['Disabled Reason']], ['disabled', 'ulm: functional test']);
    } finally {
      const enabled = await enableComputeService(cloud.nova, service.id);
      assert.deepEqual([enabled.status, enabled.disabled_reason], ['enabled', null]);
    }
  });

  it('live-migrates a server to a named host, follows it in /os-migrations, and brings it back', async () => {
    const server = (await listServers(cloud.nova, { filters: { name: '^vm-11$' } }))[0];
    const source = server.host!;
    const destination = source === 'cmp-01' ? 'cmp-02' : 'cmp-01';
    for (const [from, to] of [[source, destination], [destination, source]]) {
      const since = new Date(Date.now() - 2000).toISOString();
      const after = newestMigrationId(await listMigrations(cloud.nova, { serverId: server.id }));
      await liveMigrate(cloud.nova, server.id, to);
      const migration = await waitForLiveMigration(cloud.nova, server.id, { since, after, timeoutMs: 180_000, intervalMs: 1000 });
      assert.deepEqual([migration.status, migration.source_compute, migration.dest_compute], ['completed', from, to]);
      assert.equal((await getServer(cloud.nova, server.id)).host, to);
    }
    const history = await listMigrations(cloud.nova, { serverId: server.id });
    assert.ok(history.length >= 2);
    await assert.rejects(abortLiveMigration(cloud.nova, server.id, history[history.length - 1].id), (error: Error) => {
      assert.ok(error instanceof OpenStackHttpError);
      assert.ok([400, 404, 409].includes(error.status), `HTTP ${error.status}`);
      assert.match(error.message, /the migration is not running or queued any more/);
      return true;
    });
  });

  it('a live migration Nova refuses (anti-affinity) ends as a migration in error, the server stays', async () => {
    const groups = await listServerGroups(cloud.nova);
    const members = (await listServers(cloud.nova)).filter((server) => groups.find((group) => group.name === 'ulm-anti')!.members.includes(server.id));
    const [mover, peer] = members;
    const since = new Date(Date.now() - 2000).toISOString();
    const after = newestMigrationId(await listMigrations(cloud.nova, { serverId: mover.id }));
    // From 2.34 on, Nova accepts the request (202) and the scheduler refuses the host afterwards.
    await liveMigrate(cloud.nova, mover.id, peer.host);
    const migration = await waitForLiveMigration(cloud.nova, mover.id, { since, after, timeoutMs: 180_000, intervalMs: 1000 });
    assert.equal(migration.status, 'error');
    assert.equal((await getServer(cloud.nova, mover.id)).host, mover.host);
  });

  it('reads measures from Gnocchi\'s aggregates API for a batch of servers', async () => {
    const servers = (await listServers(cloud.nova)).filter((server) => server.name.startsWith('vm-'));
    const gnocchi = openGnocchi(cloud.session);
    const { series } = await aggregateResources(gnocchi, {
      resourceType: 'instance', search: { in: { id: servers.map((server) => server.id) } },
      operations: metricOperation([{ metric: 'memory.usage', aggregation: 'mean' }, { metric: 'cpu', aggregation: 'rate:mean' }]),
      start: new Date(Date.now() - 3_600_000).toISOString(), granularity: 60,
    });
    assert.equal(series.size, servers.length);
    const points = series.get(servers.find((server) => server.name === 'vm-01')!.id)!.get('cpu')!.get('rate:mean')!;
    assert.ok(points.length > 10 && points.every((point) => point.granularity === 60));
  });

  it('a metric no resource has is an empty answer, not an error', async () => {
    const gnocchi = openGnocchi(cloud.session);
    const { series } = await aggregateResources(gnocchi, {
      resourceType: 'instance', search: { in: { id: ['00000000-0000-0000-0000-000000000000'] } },
      operations: metricOperation([{ metric: 'no.such.metric', aggregation: 'mean' }]), start: new Date(Date.now() - 600_000).toISOString(), granularity: 60,
    });
    assert.equal(series.size, 0);
  });
});
