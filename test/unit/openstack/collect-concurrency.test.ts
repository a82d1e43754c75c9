// Collection's per-host reads (a compute host's Placement inventories and allocations) keep at
// most `concurrency` requests of each kind in flight, and still read every host, against the
// loopback stand-in cloud of the scale bench (real HTTP, Nova's paging).
import { strict as assert } from 'node:assert';
import { connectCloud, type Cloud } from '../../../openstack/cloud.js';
import { resolveCloudConfig } from '../../../openstack/config.js';
import { silentLogger } from '../../../openstack/logger.js';
import { readCloud } from '../../../services/collect/read-cloud.js';
import { startStandIn, type CallStats, type StandIn } from '../../bench/scale-cloud/server.js';

const PER_HOST = ['GET /resource_providers/{uuid}/inventories', 'GET /resource_providers/{uuid}/allocations'];

describe('collection at scale: bounded per-host reads', () => {
  let standIn: StandIn;
  let cloud: Cloud;

  before(async () => {
    // 40 hosts and 2,500 servers: three pages of servers/detail at Nova's 1,000.
    standIn = await startStandIn({ size: { hosts: 40, servers: 2500 }, latencyMs: 5 });
    const env = { OS_AUTH_URL: `${standIn.url}/identity/v3`, OS_USERNAME: 'admin', OS_PASSWORD: 'stand-in', OS_PROJECT_NAME: 'admin', OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default' };
    cloud = await connectCloud(resolveCloudConfig({ env, home: '/nonexistent', cwd: '/nonexistent' }), { logger: silentLogger() });
  });
  after(async () => { await standIn.close(); });

  const stats = async (reset = false) => (await (await fetch(`${standIn.url}/_stats`, { method: reset ? 'DELETE' : 'GET' })).json()) as CallStats;

  for (const concurrency of [1, 3]) {
    it(`keeps at most ${concurrency} of each per-host read in flight and reads every host`, async () => {
      await stats(true);
      const inventory = await readCloud(cloud, { concurrency, migrationsSince: new Date(0).toISOString() });
      const { calls, peak_in_flight: peak } = await stats();
      for (const kind of PER_HOST) {
        assert.equal(calls[kind], 40, kind);
        assert.ok(peak[kind] <= concurrency, `${kind}: ${peak[kind]} in flight at once, more than ${concurrency}`);
      }
      if (concurrency > 1) assert.ok(PER_HOST.some((kind) => peak[kind] > 1), 'the reads ran one at a time although more were allowed');
      assert.equal(inventory.inventories.size, 40);
      assert.equal([...inventory.allocations.values()].reduce((total, consumers) => total + Object.keys(consumers).length, 0), 2500);
      assert.equal(inventory.servers.length, 2500);
      assert.equal(new Set(inventory.servers.map((server) => server.id)).size, 2500, 'a server listed twice or missed across pages');
      assert.equal(calls['GET /servers/detail'], 3);
    });
  }
});
