// DELETE /v1/policies/P and the policy's windows: 409 naming them (names and ids) unless
// with_windows=true, which deletes them too.
import { strict as assert } from 'node:assert';
import { ADMIN, testApi, type ErrorAnswer } from '../../support/api.js';
import { VALID_POLICY } from '../../support/engine-double.js';

describe('ulm-api DELETE /v1/policies with windows', () => {
  it('answers 409 naming the windows, and keeps the policy and its windows', async () => {
    const api = testApi();
    await api.engine.createPolicy({ name: 'nightly', document: VALID_POLICY });
    const window = await api.engine.createWindow({ policy: 'nightly', window: { name: 'nights', opens: 'weekdays 20:00', closes: '06:00', timezone: 'UTC' } });
    const answer = await api.app.inject({ method: 'DELETE', url: '/v1/policies/nightly', headers: ADMIN });
    assert.equal(answer.statusCode, 409);
    assert.match((JSON.parse(answer.body) as ErrorAnswer).error.message, new RegExp(`policy nightly has 1 window: nights \\(${window.id}\\).*with_windows=true`));
    assert.equal((await api.engine.listWindows()).length, 1);
    assert.equal((await api.engine.listPolicies()).length, 1);
  });

  it('with_windows=true deletes the policy and its windows (204)', async () => {
    const api = testApi();
    await api.engine.createPolicy({ name: 'nightly', document: VALID_POLICY });
    await api.engine.createWindow({ policy: 'nightly', window: { name: 'nights', opens: 'weekdays 20:00', closes: '06:00', timezone: 'UTC' } });
    const answer = await api.app.inject({ method: 'DELETE', url: '/v1/policies/nightly?with_windows=true', headers: ADMIN });
    assert.equal(answer.statusCode, 204);
    assert.deepEqual(await api.engine.listWindows(), []);
    assert.deepEqual(await api.engine.listPolicies(), []);
  });

  it('refuses a with_windows that is not a boolean with 400 naming it', async () => {
    const api = testApi();
    await api.engine.createPolicy({ name: 'nightly', document: VALID_POLICY });
    const answer = await api.app.inject({ method: 'DELETE', url: '/v1/policies/nightly?with_windows=maybe', headers: ADMIN });
    assert.equal(answer.statusCode, 400);
    assert.match(answer.body, /with_windows/);
  });
});
