// `ulm policy delete` against a fake ulm-api: a policy with windows is refused (the API's 409
// naming them reaches the operator, exit 1), and --with-windows asks the API to delete them too.
import assert from 'node:assert/strict';
import { apiError, startFakeApi, type FakeApi } from './fake-api.js';
import { runUlm } from '../../support/ulm-in-process.js';

/** `ulm ARGS` in this process, with no OpenStack settings from the environment. */
const ulm = (args: string[]) => runUlm(args);

const REFUSAL = 'policy night has 1 window: nights (w-1); delete it first (ulm window delete), or delete the policy with them (ulm policy delete --with-windows; DELETE /v1/policies/night?with_windows=true)';

describe('ulm policy delete and windows', function () {
  this.timeout(20_000);
  let api: FakeApi;

  beforeEach(async () => {
    api = await startFakeApi({
      'DELETE /v1/policies/night': apiError(409, REFUSAL),
      'DELETE /v1/policies/night?with_windows=true': { status: 204, body: undefined },
    });
  });
  afterEach(() => api.close());

  it('without --with-windows: the API\'s refusal naming the windows, exit 1', async () => {
    const run = await ulm(['policy', 'delete', 'night', '--os-ulm-url', api.url]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /policy night: policy night has 1 window: nights \(w-1\)/);
    assert.equal(api.requests[0].url, '/v1/policies/night');
  });

  it('--with-windows asks the API to delete the windows too, exit 0', async () => {
    const run = await ulm(['policy', 'delete', 'night', '--with-windows', '--os-ulm-url', api.url]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(api.requests[0].url, '/v1/policies/night?with_windows=true');
  });

  it('says in its help what happens to windows and runs in progress', async () => {
    const run = await ulm(['policy', 'delete', '--help']);
    assert.match(run.stdout, /--with-windows/);
    assert.match(run.stdout, /restore plan/);
  });
});
