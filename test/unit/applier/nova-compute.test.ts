// The applier's Nova edge against a real local HTTP server: a host's service is changed by the id
// the action's precondition has just read (one call, not a listing and a call), and looked up
// again when Nova no longer knows that id (a nova-compute deleted and registered again); the
// migrations in flight are followed with one /os-migrations request per beat; the hosts' resource
// providers are listed once for the moves that start together.
import { strict as assert } from 'node:assert';
import type { Cloud } from '../../../openstack/cloud.js';
import { HttpClient } from '../../../openstack/http.js';
import { KeystoneSession } from '../../../openstack/keystone.js';
import { NOVA_MICROVERSIONS } from '../../../openstack/nova/client.js';
import { ServiceClient } from '../../../openstack/service-client.js';
import { untilBeat } from '../../../services/applier/migration-poll.js';
import { NovaCompute } from '../../../services/applier/nova-compute.js';
import { json, startLocalServer, type LocalServer } from '../openstack/local-server.js';

describe('the applier\'s Nova operations', () => {
  let server: LocalServer;
  /** The id Nova knows cmp-1's service by; the test registers it again under a new one. */
  let serviceId = 'service-a';
  let status = 'enabled';
  const migration = (id: number, server: string, at: string) => ({
    id, uuid: `migration-${id}`, instance_uuid: server, migration_type: 'live-migration', status: 'running',
    source_compute: 'cmp-1', dest_compute: 'cmp-2', created_at: at, updated_at: at,
  });
  /** Nova's records: an old one of server-a, a current one each of server-a, server-b and server-c. */
  const migrations = [
    migration(1, 'server-a', '2026-12-07T01:00:00'), migration(2, 'server-a', '2026-12-07T02:00:00'),
    migration(3, 'server-b', '2026-12-07T02:00:01'), migration(4, 'server-c', '2026-12-07T02:00:02'),
  ];

  before(async () => {
    server = await startLocalServer((request, response) => {
      if (request.url === '/v3/auth/tokens') {
        return json(response, 201, { token: { expires_at: '2099-01-01T00:00:00Z', catalog: [
          { type: 'compute', endpoints: [{ interface: 'public', region_id: 'R', url: `${server.url}/v2.1` }] },
          { type: 'placement', endpoints: [{ interface: 'public', region_id: 'R', url: `${server.url}/placement` }] },
        ] } }, { 'X-Subject-Token': 'token' });
      }
      if (request.method === 'GET' && request.url.startsWith('/v2.1/os-hypervisors/detail')) {
        const hypervisor = (id: string, host: string) => ({ id, hypervisor_hostname: host, hypervisor_type: 'fake', state: 'up', status: 'enabled', service: { id: `service-${host}`, host, disabled_reason: null } });
        return json(response, 200, { hypervisors: [hypervisor('provider-1', 'cmp-1'), hypervisor('provider-2', 'cmp-2')] });
      }
      const provider = /^\/placement\/resource_providers\/(provider-\d)\/(inventories|usages)$/.exec(request.url);
      if (request.method === 'GET' && provider) {
        if (provider[2] === 'usages') return json(response, 200, { usages: { VCPU: 2, MEMORY_MB: 1024, DISK_GB: 10 } });
        const inventory = (total: number) => ({ total, reserved: 0, allocation_ratio: 1, min_unit: 1, max_unit: total, step_size: 1 });
        return json(response, 200, { inventories: { VCPU: inventory(8), MEMORY_MB: inventory(8192), DISK_GB: inventory(100) } });
      }
      if (request.url === '/v2.1/') return json(response, 200, { version: { id: 'v2.1', version: '2.96', min_version: '2.1', status: 'CURRENT' } });
      if (request.method === 'GET' && request.url.startsWith('/v2.1/os-services')) {
        return json(response, 200, { services: [{ id: serviceId, binary: 'nova-compute', host: 'cmp-1', zone: 'nova', status, state: 'up', disabled_reason: null, forced_down: false, updated_at: null }] });
      }
      if (request.method === 'GET' && request.url.startsWith('/v2.1/os-migrations')) {
        const query = new URL(request.url, server.url).searchParams;
        const since = Date.parse(query.get('changes-since') ?? '1970-01-01T00:00:00Z');
        const listed = migrations.filter((migration) => (!query.get('instance_uuid') || migration.instance_uuid === query.get('instance_uuid')) && Date.parse(`${migration.updated_at}Z`) >= since);
        return json(response, 200, { migrations: listed });
      }
      const changed = /^\/v2\.1\/os-services\/(.+)$/.exec(request.url);
      if (request.method === 'PUT' && changed) {
        if (changed[1] !== serviceId) return json(response, 404, { itemNotFound: { code: 404, message: `Service ${changed[1]} could not be found.` } });
        status = (JSON.parse(request.body) as { status: string }).status;
        return json(response, 200, { service: { id: serviceId, binary: 'nova-compute', host: 'cmp-1', zone: 'nova', status, state: 'up', disabled_reason: null, forced_down: false, updated_at: null } });
      }
      json(response, 404, { itemNotFound: { code: 404, message: 'not here' } });
    });
  });
  after(() => server.close());

  async function compute(): Promise<NovaCompute> {
    const session = new KeystoneSession({ auth_type: 'password', auth: { auth_url: `${server.url}/v3`, user_id: 'u', password: 'p' }, interface: 'public', tls: {}, endpoint_override: {}, sources: [] }, new HttpClient({ retry: { retries: 0 } }));
    const nova = new ServiceClient(session, { name: 'Nova', serviceType: 'compute', microversionService: 'compute' });
    await nova.negotiate(NOVA_MICROVERSIONS);
    const placement = new ServiceClient(session, { name: 'Placement', serviceType: 'placement' });
    return new NovaCompute({ nova, placement } as unknown as Cloud);
  }

  const calls = (from: number) => server.received.slice(from).map((request) => `${request.method} ${request.url.replace(/\?.*/, '')}`);

  it('disables a host by the service id its last read found, without listing the services again', async () => {
    const nova = await compute();
    assert.equal((await nova.computeService('cmp-1'))?.enabled, true);
    const from = server.received.length;
    await nova.disableCompute('cmp-1', 'ulm: consolidated');
    assert.deepEqual(calls(from), ['PUT /v2.1/os-services/service-a']);
    assert.equal(status, 'disabled');
  });

  it('looks the service up again when Nova no longer knows the id it read', async () => {
    const nova = await compute();
    await nova.computeService('cmp-1');
    serviceId = 'service-b'; // nova-compute deleted and registered again
    const from = server.received.length;
    await nova.enableCompute('cmp-1');
    assert.deepEqual(calls(from), ['PUT /v2.1/os-services/service-a', 'GET /v2.1/os-services', 'PUT /v2.1/os-services/service-b']);
    assert.equal(status, 'enabled');
  });

  it('reads the migrations of servers followed at once with one request, each server getting its own', async () => {
    const nova = await compute();
    const from = server.received.length;
    const [first, second] = await Promise.all([nova.migrationsSince('server-a', '2026-12-07T01:59:00Z'), nova.migrationsSince('server-b', '2026-12-07T01:59:30Z')]);
    assert.deepEqual(calls(from), ['GET /v2.1/os-migrations']);
    assert.ok(!server.received[from].url.includes('instance_uuid'), 'asked for by time, not by server');
    assert.equal(new URL(server.received[from].url, server.url).searchParams.get('changes-since'), '2026-12-07T01:59:00.000Z', 'from the earliest time asked for');
    assert.deepEqual(first.map((record) => record.id), [2], 'server-a\'s migration since its time, not server-b\'s or server-c\'s, nor its older one');
    assert.deepEqual(second.map((record) => record.id), [3]);
  });

  it('asks for a server followed alone by its id', async () => {
    const nova = await compute();
    const from = server.received.length;
    assert.deepEqual((await nova.migrationsSince('server-c', '2026-12-07T01:59:00Z')).map((record) => record.id), [4]);
    assert.deepEqual(calls(from), ['GET /v2.1/os-migrations']);
    assert.match(server.received[from].url, /instance_uuid=server-c/);
  });

  it('lists the hypervisors once for the rooms of several hosts read at once, and not again', async () => {
    const nova = await compute();
    const from = server.received.length;
    const [first, second] = await Promise.all([nova.roomOn('cmp-1'), nova.roomOn('cmp-2')]);
    assert.deepEqual(first, { vcpus: 6, memoryMb: 7168, diskGb: 90 });
    assert.deepEqual(second, first);
    await nova.roomOn('cmp-2');
    assert.equal(calls(from).filter((call) => call === 'GET /v2.1/os-hypervisors/detail').length, 1);
    assert.equal(calls(from).filter((call) => call.endsWith('/usages')).length, 3, 'the room itself is read fresh every time');
  });

  it('polls on a beat shared by every follower', () => {
    assert.equal(untilBeat(10_100, 250), 150);
    assert.equal(untilBeat(10_250, 250), 250);
    assert.equal(untilBeat(10_251, 2000), 1749);
  });
});
