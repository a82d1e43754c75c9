// Microversion negotiation: the highest microversion ulm wants that the service serves, read
// from the service's version document; a service too old is refused with the reason.
import { strict as assert } from 'node:assert';
import { MicroversionError } from '../../../openstack/errors.js';
import { HttpClient } from '../../../openstack/http.js';
import { KeystoneSession } from '../../../openstack/keystone.js';
import { compareMicroversions, negotiateMicroversion, versionRangeOf } from '../../../openstack/microversion.js';
import { NOVA_MICROVERSIONS } from '../../../openstack/nova/client.js';
import { ServiceClient } from '../../../openstack/service-client.js';
import { json, startLocalServer, type LocalServer } from './local-server.js';

describe('microversions', () => {
  it('compares by number, not as text (2.10 is after 2.9)', () => {
    assert.ok(compareMicroversions('2.10', '2.9') > 0);
    assert.equal(compareMicroversions('1.28', '1.28'), 0);
  });

  it('reads Nova\'s version document and Placement\'s version list', () => {
    assert.deepEqual(versionRangeOf({ version: { id: 'v2.1', status: 'CURRENT', version: '2.93', min_version: '2.1' } }), { min: '2.1', max: '2.93' });
    assert.deepEqual(versionRangeOf({ versions: [{ id: 'v1.0', status: 'CURRENT', max_version: '1.39', min_version: '1.0' }] }), { min: '1.0', max: '1.39' });
    assert.equal(versionRangeOf({ hello: 'world' }), undefined);
  });

  it('uses the wanted microversion when the service serves it, else the service\'s newest', () => {
    assert.equal(negotiateMicroversion({ min: '2.1', max: '2.100' }, NOVA_MICROVERSIONS, 'Nova'), '2.96');
    assert.equal(negotiateMicroversion({ min: '2.1', max: '2.93' }, NOVA_MICROVERSIONS, 'Nova'), '2.93');
  });

  it('refuses a service older than the minimum, naming both versions', () => {
    assert.throws(() => negotiateMicroversion({ min: '2.1', max: '2.38' }, NOVA_MICROVERSIONS, 'Nova at http://nova'), (error: Error) => error instanceof MicroversionError && /serves microversions up to 2\.38; ulm needs at least 2\.53/.test(error.message));
  });

  describe('against a service', () => {
    let server: LocalServer | undefined;
    afterEach(async () => { await server?.close(); server = undefined; });

    it('every request after negotiation carries OpenStack-API-Version', async () => {
      server = await startLocalServer((request, response) => {
        if (request.url === '/v3/auth/tokens') {
          return json(response, 201, { token: { expires_at: '2099-01-01T00:00:00Z', catalog: [{ type: 'compute', endpoints: [{ interface: 'public', region_id: 'R', url: `${server!.url}/v2.1/0123456789abcdef0123456789abcdef` }] }] } }, { 'X-Subject-Token': 'tok' });
        }
        if (request.url === '/v2.1/') return json(response, 200, { version: { id: 'v2.1', version: '2.93', min_version: '2.1', status: 'CURRENT' } });
        json(response, 200, { hypervisors: [] });
      });
      const session = new KeystoneSession({ auth_type: 'password', auth: { auth_url: `${server.url}/v3`, user_id: 'u', password: 'p' }, interface: 'public', tls: {}, endpoint_override: {}, sources: [] }, new HttpClient());
      const nova = new ServiceClient(session, { name: 'Nova', serviceType: 'compute', microversionService: 'compute' });
      assert.equal(await nova.negotiate(NOVA_MICROVERSIONS), '2.93');
      assert.ok(nova.supports('2.64') && !nova.supports('2.95'));
      await nova.get('/os-hypervisors/detail');
      const last = server.received[server.received.length - 1];
      assert.equal(last.headers['openstack-api-version'], 'compute 2.93');
      assert.equal(last.headers['x-auth-token'], 'tok');
    });
  });
});
