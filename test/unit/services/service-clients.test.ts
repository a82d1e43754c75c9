// ulm.conf's [nova], [placement] and [gnocchi] options reach the clients of their service: an
// endpoint_override is where ulm calls, interface and region pick the catalog entry, timeout and
// TLS apply to that service's requests only. Options nobody set change nothing.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudConfig } from '../../../openstack/config.js';
import { OpenStackConnectionError } from '../../../openstack/errors.js';
import { HttpClient } from '../../../openstack/http.js';
import { loadConfig } from '../../../services/config/index.js';
import { serviceCloudConfig } from '../../../services/runtime.js';
import { json, startLocalServer, type LocalServer } from '../openstack/local-server.js';

const CLOUD: CloudConfig = {
  auth_type: 'password', auth: { auth_url: 'http://127.0.0.1:5000/v3', username: 'ulm', password: 'x', project_name: 'service' },
  interface: 'public', tls: {}, endpoint_override: {}, sources: ['test'],
};

describe('[nova], [placement] and [gnocchi] client options', () => {
  let directory: string;
  beforeEach(() => { directory = mkdtempSync(join(tmpdir(), 'ulm-service-clients-')); });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const configOf = (text: string) => {
    const file = join(directory, 'ulm.conf');
    writeFileSync(file, text);
    return loadConfig([file]);
  };

  it('apply to their own service', () => {
    const config = configOf([
      '[nova]', 'interface = internal', 'timeout = 5',
      '[placement]', 'endpoint_override = https://placement.example:8778', 'cafile = /etc/ssl/placement-ca.pem',
      '[gnocchi]', 'region_name = RegionTwo', 'insecure = true', '',
    ].join('\n'));
    const cloud = serviceCloudConfig(config, { cloudConfig: CLOUD });
    assert.deepEqual(cloud.endpoint_override, { placement: 'https://placement.example:8778' });
    assert.deepEqual(cloud.services, {
      compute: { interface: 'internal', timeout_ms: 5000 },
      placement: { tls: { cacert: '/etc/ssl/placement-ca.pem' } },
      metric: { region_name: 'RegionTwo', tls: { insecure: true } },
    });
    assert.equal(cloud.interface, 'public');
  });

  it('change nothing when not set', () => {
    const cloud = serviceCloudConfig(configOf('[DEFAULT]\n'), { cloudConfig: CLOUD });
    assert.deepEqual(cloud, CLOUD);
  });

  describe('a service\'s timeout', () => {
    let server: LocalServer;
    before(async () => {
      server = await startLocalServer((_request, response) => { setTimeout(() => json(response, 200, { ok: true }), 600); });
    });
    after(() => server.close());

    it('bounds that service\'s requests and no other\'s', async () => {
      const http = new HttpClient({ retry: { retries: 0 }, timeoutMs: 5000, services: { placement: { timeoutMs: 100 } } });
      await assert.rejects(http.request({ method: 'GET', url: `${server.url}/placement`, service: 'placement' }), OpenStackConnectionError);
      assert.equal((await http.request({ method: 'GET', url: `${server.url}/compute`, service: 'compute' })).status, 200);
    });
  });
});
