// Audits and drains over HTTP with the real engine and applier on a simulated cloud: ulm-api
// answers 202 at once with the audit ONGOING (and where to poll it), the planning ends it
// SUCCEEDED with its plan or FAILED with the reason, an unexpected error included; the CLI's
// HTTP engine polls it so that commands answer as in direct mode.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { createLogger } from '../../../openstack/logger.js';
import { createApiApp, type ApiApp } from '../../../services/api/app.js';
import type { AuditView } from '../../../core/api/records.js';
import { ApiEngine } from '../../../cli/api-engine.js';
import { twoHostsOneServerEach } from '../../support/builders.js';
import { useSimulatedEngine } from '../../support/simulated-engine.js';

const START = Date.parse('2026-12-01T21:00:00Z');

// Consolidating empties one of the two hosts.
const CLUSTER: Snapshot = twoHostsOneServerEach();

const CONSOLIDATE = { goal: 'consolidate', max_host_cpu: 0.8, max_host_memory: 0.9, metrics: { missing: 'use_allocations' } };

describe('long operations: 202 and the audit to poll', function () {
  this.timeout(30_000);
  const simulated = useSimulatedEngine({ cluster: CLUSTER, now: () => START });
  let app: ApiApp;

  beforeEach(async () => {
    app = createApiApp({ engine: simulated.engine, auth: { strategy: 'noauth' }, logger: createLogger({ level: 'silent' }), panelDirectory: null });
    await simulated.engine.createPolicy({ name: 'night', document: CONSOLIDATE });
  });
  afterEach(() => app.close());

  async function ended(id: string): Promise<AuditView> {
    for (let round = 0; round < 300; round++) {
      const answer = await app.inject({ method: 'GET', url: `/v1/audits/${id}` });
      assert.equal(answer.statusCode, 200);
      const audit = answer.json() as AuditView;
      if (audit.state === 'SUCCEEDED' || audit.state === 'FAILED') return audit;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`audit ${id} did not end`);
  }

  it('POST /v1/audits answers 202 with the audit ONGOING and its Location; it ends SUCCEEDED with its plan', async () => {
    const answer = await app.inject({ method: 'POST', url: '/v1/audits', payload: { policy: 'night' } });
    assert.equal(answer.statusCode, 202, answer.body);
    const body = answer.json() as { audit: AuditView; action_plan: unknown };
    assert.equal(body.audit.state, 'ONGOING');
    assert.equal(body.action_plan, null, 'no plan yet: planning goes on after the answer');
    assert.equal(answer.headers.location, `/v1/audits/${body.audit.id}`);
    const audit = await ended(body.audit.id);
    assert.equal(audit.state, 'SUCCEEDED', audit.failure_reason ?? '');
    assert.ok(audit.action_plan_id);
    assert.equal((await simulated.engine.getActionPlan(audit.action_plan_id)).state, 'RECOMMENDED');
  });

  it('refuses bad input before anything runs (404 for an unknown policy, no audit stored)', async () => {
    const answer = await app.inject({ method: 'POST', url: '/v1/audits', payload: { policy: 'no-such-policy' } });
    assert.equal(answer.statusCode, 404);
    assert.deepEqual(await simulated.engine.listAudits(), []);
  });

  it('an audit that cannot plan ends FAILED with the reason', async () => {
    const answer = await app.inject({ method: 'POST', url: '/v1/audits', payload: { goal: 'drain', drain_hosts: ['cmp-9'], document: CONSOLIDATE } });
    assert.equal(answer.statusCode, 202, answer.body);
    const audit = await ended((answer.json() as { audit: AuditView }).audit.id);
    assert.equal(audit.state, 'FAILED');
    assert.match(audit.failure_reason ?? '', /cmp-9/);
  });

  it('an unexpected error in the background ends the audit FAILED, saying so', async () => {
    simulated.repositories.snapshots.create = async () => { throw new Error('disk full'); };
    const answer = await app.inject({ method: 'POST', url: '/v1/audits', payload: { policy: 'night' } });
    assert.equal(answer.statusCode, 202);
    const audit = await ended((answer.json() as { audit: AuditView }).audit.id);
    assert.equal(audit.state, 'FAILED');
    assert.equal(audit.failure_reason, 'unexpected error: disk full');
  });

  it('POST /v1/hosts/drain answers 202 with the drain\'s audit; it ends with its plan started', async () => {
    const answer = await app.inject({ method: 'POST', url: '/v1/hosts/drain', payload: { hosts: ['cmp-1'] } });
    assert.equal(answer.statusCode, 202, answer.body);
    const accepted = answer.json() as { audit: AuditView };
    assert.equal(accepted.audit.state, 'ONGOING');
    const audit = await ended(accepted.audit.id);
    assert.equal(audit.state, 'SUCCEEDED', audit.failure_reason ?? '');
    assert.notEqual((await simulated.engine.getActionPlan(audit.action_plan_id!)).state, 'RECOMMENDED', 'the drain\'s plan is started');
  });

  it('the CLI\'s HTTP engine waits on the audit: createAudit and drainHosts answer as in direct mode', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const api = new ApiEngine({ url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, pollIntervalMs: 10 });
    try {
      const audited = await api.createAudit({ policy: 'night' });
      assert.equal(audited.audit.state, 'SUCCEEDED');
      assert.ok(audited.action_plan);
      assert.equal(audited.action_plan.id, audited.audit.action_plan_id);
      const failed = await api.createAudit({ goal: 'drain', drain_hosts: ['cmp-9'], document: CONSOLIDATE as never });
      assert.equal(failed.audit.state, 'FAILED');
      assert.equal(failed.action_plan, null);
      const drained = await api.drainHosts(['cmp-2']);
      assert.equal(drained.audit.state, 'SUCCEEDED');
      assert.ok(drained.action_plan);
      assert.notEqual(drained.action_plan.state, 'RECOMMENDED');
    } finally {
      api.close();
    }
  });

  it('the CLI\'s HTTP engine gives up polling at its deadline, naming the audit to look at', async () => {
    // A collection that never ends: the audit stays ONGOING.
    const engine = simulated.engine;
    const stuck = createApiApp({
      engine: { ...engine, getAudit: async (id) => ({ ...(await engine.getAudit(id)), state: 'ONGOING' }) },
      auth: { strategy: 'noauth' }, logger: createLogger({ level: 'silent' }), panelDirectory: null,
    });
    await stuck.listen({ host: '127.0.0.1', port: 0 });
    const api = new ApiEngine({ url: `http://127.0.0.1:${(stuck.server.address() as AddressInfo).port}`, pollIntervalMs: 10, auditTimeoutMs: 200 });
    try {
      await assert.rejects(api.createAudit({ policy: 'night' }), /audit \S+ is still ONGOING after 1 s; it goes on in ulm-api: ulm audit show \S+/);
    } finally {
      api.close();
      await stuck.close();
    }
  });
});
