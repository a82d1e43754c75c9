// Which ulm a command talks to: --os-ulm-url, then --direct, then ULM_URL, then the Keystone
// catalog's "ulm" service, else direct mode; and the debug lines that say so.
import assert from 'node:assert/strict';
import { chooseBackend, explicitChoice, hasCloudSettings, humanLogLine, openBackend } from '../../../cli/backend.js';
import { ValidationError } from '../../../core/validation.js';

const noCatalog = async () => { throw new Error('the catalog must not be asked'); };

describe('choosing the backend', () => {
  it('uses --os-ulm-url first, without asking the catalog', async () => {
    assert.deepEqual(await chooseBackend({ osUlmUrl: 'http://a:9328' }, { ULM_URL: 'http://b:9328' }, noCatalog), { kind: 'api', url: 'http://a:9328', from: '--os-ulm-url' });
  });

  it('lets --direct win over an exported ULM_URL (an option beats the environment)', async () => {
    assert.deepEqual(await chooseBackend({ direct: true }, { ULM_URL: 'http://b:9328' }, noCatalog), { kind: 'direct', why: '--direct' });
  });

  it('uses ULM_URL when no option decides', async () => {
    assert.deepEqual(await chooseBackend({}, { ULM_URL: 'http://b:9328' }, noCatalog), { kind: 'api', url: 'http://b:9328', from: 'ULM_URL' });
  });

  it('uses the catalog\'s ulm endpoint when it has one, else direct mode', async () => {
    assert.deepEqual(await chooseBackend({}, {}, async () => 'http://ulm.example:9328'), { kind: 'api', url: 'http://ulm.example:9328', from: 'the service catalog' });
    const fallback = await chooseBackend({}, {}, async () => null);
    assert.equal(fallback.kind, 'direct');
    assert.match((fallback as { why: string }).why, /the service catalog has no "ulm" service/);
  });

  it('refuses --os-ulm-url with --direct, naming --direct (exit 2)', () => {
    assert.throws(() => explicitChoice({ osUlmUrl: 'http://a', direct: true }, {}), (error: unknown) => error instanceof ValidationError && error.issues[0].path === '--direct');
  });

  it('knows when the caller gave OpenStack settings at all', () => {
    assert.equal(hasCloudSettings({}, { PATH: '/usr/bin' }), false);
    assert.equal(hasCloudSettings({ osCloud: 'mycloud' }, {}), true);
    assert.equal(hasCloudSettings({}, { OS_AUTH_URL: 'http://keystone:5000/v3' }), true);
  });

  it('calls an explicit API without a token when no OpenStack settings are given', async () => {
    const backend = await openBackend({ osUlmUrl: 'http://127.0.0.1:9' }, {});
    try {
      assert.equal(backend.kind, 'api');
      assert.equal(backend.description, 'ulm-api at http://127.0.0.1:9');
      assert.equal(backend.runsPlansHere, false);
    } finally {
      await backend.close();
    }
  });

  it('refuses OpenStack settings that are given but incomplete, naming the setting (exit 2)', async () => {
    await assert.rejects(openBackend({ osUlmUrl: 'http://127.0.0.1:9' }, { OS_USERNAME: 'admin' }), (error: unknown) => error instanceof ValidationError && /auth_url/.test(error.message));
  });

  it('writes the OpenStack layer\'s log lines in the same form as the API requests\'', () => {
    const line = JSON.stringify({ level: 20, msg: 'POST http://keystone:5000/v3/auth/tokens 201', duration_ms: 42, request_id: 'req-1' });
    assert.equal(humanLogLine(line), 'DEBUG POST http://keystone:5000/v3/auth/tokens 201 in 42 ms (request id req-1)\n');
    assert.equal(humanLogLine(JSON.stringify({ level: 40, msg: 'GET x 503', retry_in_ms: 500 })), 'WARNING GET x 503, retrying in 500 ms\n');
  });
});
