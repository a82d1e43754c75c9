// /v1/maintenances beyond the success paths: times in the past or out of order, unknown hosts,
// a host already in a maintenance, who may schedule and cancel, and cancelling in each state.
import { strict as assert } from 'node:assert';
import { ADMIN, TOKENS, testApi, type ErrorAnswer, type TestApi } from '../../support/api.js';

const READER = { 'x-auth-token': TOKENS.reader } as const;
// The double's clock is 2026-11-22 12:00 UTC.
const LATER = '2026-11-22T22:00:00+01:00';

async function schedule(api: TestApi, payload: Record<string, unknown>, headers: Record<string, string> = ADMIN) {
  return api.app.inject({ method: 'POST', url: '/v1/maintenances', payload, headers });
}

function issues(body: string): string[] {
  return (JSON.parse(body) as ErrorAnswer).error.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe('ulm-api scheduled maintenances', () => {
  it('refuses a time in the past with 400 naming at', async () => {
    const answer = await schedule(testApi(), { hosts: ['cmp-01'], at: '2026-11-22T11:00:00Z' });
    assert.equal(answer.statusCode, 400);
    assert.match(issues(answer.body).join('\n'), /^at: 2026-11-22T11:00:00Z is in the past \(now is 2026-11-22T12:00:00.000Z\); give a later time$/);
  });

  it('refuses an end not after the start with 400 naming until', async () => {
    const answer = await schedule(testApi(), { hosts: ['cmp-01'], at: LATER, until: '2026-11-22T21:00:00Z' });
    assert.equal(answer.statusCode, 400);
    assert.match(issues(answer.body).join('\n'), /^until: 2026-11-22T21:00:00Z is not after at/);
  });

  it('refuses a time without an offset: its meaning would depend on the server\'s zone', async () => {
    const answer = await schedule(testApi(), { hosts: ['cmp-01'], at: '2026-11-22T22:00:00' });
    assert.equal(answer.statusCode, 400);
    assert.match(issues(answer.body).join('\n'), /at: .*ISO 8601 time with an offset/);
  });

  it('refuses an unknown host with 400 naming its place in the list', async () => {
    const answer = await schedule(testApi(), { hosts: ['cmp-01', 'cmp-99'], at: LATER });
    assert.equal(answer.statusCode, 400);
    assert.deepEqual(issues(answer.body), ['hosts[1]: unknown host "cmp-99"; ulm host list shows the compute hosts']);
  });

  it('refuses a second maintenance of a host with 409 naming the first and how to cancel it', async () => {
    const api = testApi();
    const first = await schedule(api, { hosts: ['cmp-01'], at: LATER });
    assert.equal(first.statusCode, 201, first.body);
    const id = (first.json() as { id: string }).id;
    const second = await schedule(api, { hosts: ['cmp-02', 'cmp-01'], at: '2026-11-23T22:00:00+01:00' });
    assert.equal(second.statusCode, 409);
    assert.match((JSON.parse(second.body) as ErrorAnswer).error.message, new RegExp(`host cmp-01 already has maintenance ${id} \\(SCHEDULED, .*ulm host maintenance cancel ${id}`));
  });

  it('lets a reader list and show but not schedule or cancel', async () => {
    const api = testApi();
    const id = (await schedule(api, { hosts: ['cmp-01'], at: LATER })).json<{ id: string }>().id;
    assert.equal((await api.app.inject({ method: 'GET', url: '/v1/maintenances', headers: READER })).statusCode, 200);
    assert.equal((await api.app.inject({ method: 'GET', url: `/v1/maintenances/${id}`, headers: READER })).statusCode, 200);
    assert.equal((await schedule(api, { hosts: ['cmp-02'], at: LATER }, READER)).statusCode, 403);
    assert.equal((await api.app.inject({ method: 'DELETE', url: `/v1/maintenances/${id}`, headers: READER })).statusCode, 403);
  });

  it('cancelling a maintenance in progress: hosts in maintenance come back now, a power-off in flight is waited out (409)', async () => {
    const api = testApi();
    const id = (await schedule(api, { hosts: ['cmp-01'], at: LATER, until: '2026-11-23T06:00:00+01:00' })).json<{ id: string }>().id;
    api.engine.setMaintenanceState(id, 'IN_MAINTENANCE');
    const ended = await api.app.inject({ method: 'DELETE', url: `/v1/maintenances/${id}`, headers: ADMIN });
    assert.equal(ended.statusCode, 200);
    assert.deepEqual([ended.json<{ state: string }>().state, ended.json<{ until: string }>().until], ['IN_MAINTENANCE', '2026-11-22T12:00:00.000Z']);
    api.engine.setMaintenanceState(id, 'POWERING_OFF');
    const refused = await api.app.inject({ method: 'DELETE', url: `/v1/maintenances/${id}`, headers: ADMIN });
    assert.equal(refused.statusCode, 409);
    assert.match((JSON.parse(refused.body) as ErrorAnswer).error.message, /maintenance is POWERING_OFF; it cannot become CANCELLED/);
  });

  it('answers 404 for an unknown maintenance', async () => {
    const answer = await testApi().app.inject({ method: 'GET', url: '/v1/maintenances/nope', headers: ADMIN });
    assert.equal(answer.statusCode, 404);
  });

  it('is in the OpenAPI document with its policy rules', async () => {
    const document = (await testApi().app.inject({ method: 'GET', url: '/v1/openapi.json' })).json<{ paths: Record<string, Record<string, { 'x-policy-rule'?: string }>> }>();
    assert.equal(document.paths['/v1/maintenances'].post['x-policy-rule'], 'ulm:maintenance:create');
    assert.equal(document.paths['/v1/maintenances/{id}'].delete['x-policy-rule'], 'ulm:maintenance:cancel');
  });
});
