// Every route of ulm-api on its success path, through app.inject over the Engine double: the
// status the route table declares, a body that matches the declared schema (the records the
// CLI and the panel read), and what the engine was asked.
import { strict as assert } from 'node:assert';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { InjectOptions } from 'fastify';
import { issuesOf } from '../../../core/validation.js';
import { routeTable } from '../../../services/api/routes/index.js';
import { ADMIN, testApi, type TestApi } from '../../support/api.js';
import { SERVER_IDS, VALID_POLICY } from '../../support/engine-double.js';

interface World {
  policyId: string;
  windowId: string;
  auditId: string;
  /** A RECOMMENDED plan, an APPROVED one. */
  planId: string;
  approvedPlanId: string;
  /** A SCHEDULED maintenance of cmp-02. */
  maintenanceId: string;
}

/** Records every case needs, made through the double directly (not what these tests exercise). */
async function world(api: TestApi): Promise<World> {
  const policy = await api.engine.createPolicy({ name: 'nightly', description: 'nights and weekends', document: VALID_POLICY });
  const window = await api.engine.createWindow({ policy: 'nightly', window: { name: 'nights', opens: 'weekdays 20:00', closes: '06:00', timezone: 'Europe/Berlin' } });
  const recommended = await api.engine.createAudit({ policy: 'nightly' });
  const approved = await api.engine.createAudit({ policy: 'nightly', approve: true });
  await api.engine.setExemption(SERVER_IDS[0], { kind: 'never', reason: 'licence bound to the host' });
  const maintenance = await api.engine.scheduleMaintenance({ hosts: ['cmp-02'], at: '2026-11-22T20:00:00Z', until: '2026-11-23T06:00:00Z' });
  api.engine.calls.length = 0;
  return {
    policyId: policy.id, windowId: window.id, auditId: recommended.audit.id, planId: recommended.action_plan!.id, approvedPlanId: approved.action_plan!.id,
    maintenanceId: maintenance.id,
  };
}

type Case = (world: World) => { request: InjectOptions; check?: (body: unknown, api: TestApi, world: World) => void };

const CASES: Record<string, Case> = {
  listVersions: () => ({ request: { method: 'GET', url: '/' } }),
  showVersion: () => ({ request: { method: 'GET', url: '/v1' } }),
  showOpenApiDocument: () => ({ request: { method: 'GET', url: '/v1/openapi.json' } }),
  showMetrics: () => ({ request: { method: 'GET', url: '/metrics' } }),

  listPolicies: () => ({ request: { method: 'GET', url: '/v1/policies' }, check: (body) => assert.equal((body as { policies: unknown[] }).policies.length, 1) }),
  createPolicy: () => ({
    request: { method: 'POST', url: '/v1/policies', payload: { name: 'drain-rack-7', description: 'rack 7 maintenance', document: { goal: 'drain', drain_hosts: ['cmp-03'] } } },
    check: (body) => assert.deepEqual((body as { document: unknown }).document, { goal: 'drain', drain_hosts: ['cmp-03'] }),
  }),
  validatePolicy: () => ({
    request: { method: 'POST', url: '/v1/policies/validate', payload: { document: VALID_POLICY } },
    check: (body) => assert.deepEqual(body, { valid: true, policy: VALID_POLICY }),
  }),
  showPolicy: () => ({ request: { method: 'GET', url: '/v1/policies/nightly' }, check: (body) => assert.equal((body as { name: string }).name, 'nightly') }),
  updatePolicy: (w) => ({
    request: { method: 'PATCH', url: `/v1/policies/${w.policyId}`, payload: { description: 'nights only' } },
    check: (body, api) => {
      assert.equal((body as { description: string }).description, 'nights only');
      assert.deepEqual(api.engine.lastCall('updatePolicy'), [w.policyId, { description: 'nights only' }]);
    },
  }),
  deletePolicy: () => ({
    request: { method: 'DELETE', url: '/v1/policies/nightly?with_windows=true' },
    check: (_body, api) => assert.deepEqual(api.engine.lastCall('deletePolicy'), ['nightly', { with_windows: true }]),
  }),

  listWindows: () => ({
    request: { method: 'GET', url: '/v1/windows?policy=nightly' },
    check: (body, api) => {
      assert.equal((body as { windows: unknown[] }).windows.length, 1);
      assert.deepEqual(api.engine.lastCall('listWindows'), [{ policy: 'nightly' }]);
    },
  }),
  createWindow: () => ({
    request: { method: 'POST', url: '/v1/windows', payload: { policy: 'nightly', window: { name: 'weekends', opens: 'sat 00:00', duration_minutes: 2880, timezone: 'Europe/Berlin' } } },
    check: (body) => assert.equal((body as { window: { name: string } }).window.name, 'weekends'),
  }),
  showWindow: (w) => ({ request: { method: 'GET', url: `/v1/windows/${w.windowId}` } }),
  deleteWindow: (w) => ({ request: { method: 'DELETE', url: `/v1/windows/${w.windowId}` } }),

  listAudits: () => ({
    request: { method: 'GET', url: '/v1/audits?policy=nightly&limit=1' },
    check: (body, api) => {
      assert.equal((body as { audits: unknown[] }).audits.length, 1);
      assert.deepEqual(api.engine.lastCall('listAudits'), [{ policy: 'nightly', limit: 1 }]);
    },
  }),
  createAudit: () => ({
    request: { method: 'POST', url: '/v1/audits', payload: { policy: 'nightly', goal: 'consolidate' } },
    check: (body, api) => {
      assert.equal((body as { action_plan: { state: string } }).action_plan.state, 'RECOMMENDED');
      assert.deepEqual(api.engine.lastCall('createAudit'), [{ policy: 'nightly', goal: 'consolidate', triggered_by: 'operator' }]);
    },
  }),
  showAudit: (w) => ({ request: { method: 'GET', url: `/v1/audits/${w.auditId}` } }),

  listActionPlans: (w) => ({
    request: { method: 'GET', url: `/v1/action_plans?state=RECOMMENDED,APPROVED&audit=${w.auditId}&limit=10` },
    check: (body, api) => {
      assert.deepEqual((body as { action_plans: { id: string }[] }).action_plans.map((plan) => plan.id), [w.planId]);
      assert.deepEqual(api.engine.lastCall('listActionPlans'), [{ state: ['RECOMMENDED', 'APPROVED'], audit: w.auditId, limit: 10 }]);
    },
  }),
  showActionPlan: (w) => ({ request: { method: 'GET', url: `/v1/action_plans/${w.planId}` } }),
  showActionPlanDocument: (w) => ({ request: { method: 'GET', url: `/v1/action_plans/${w.planId}/document` }, check: (body) => assert.equal((body as { format: string }).format, 'ulm-plan/1') }),
  showActionPlanPicture: (w) => ({ request: { method: 'GET', url: `/v1/action_plans/${w.planId}/picture` }, check: (body) => assert.equal((body as { hosts: unknown[] }).hosts.length, 2) }),
  approveActionPlan: (w) => ({ request: { method: 'POST', url: `/v1/action_plans/${w.planId}/approve` }, check: (body) => assert.equal((body as { state: string }).state, 'APPROVED') }),
  startActionPlan: (w) => ({
    request: { method: 'POST', url: `/v1/action_plans/${w.approvedPlanId}/start`, payload: { stop_new_waves_at: '2026-11-23T07:30:00+01:00' } },
    check: (body, api) => {
      assert.equal((body as { state: string }).state, 'ONGOING');
      assert.deepEqual(api.engine.lastCall('startActionPlan'), [w.approvedPlanId, { stop_new_waves_at: '2026-11-23T06:30:00.000Z' }]);
    },
  }),
  cancelActionPlan: (w) => ({ request: { method: 'POST', url: `/v1/action_plans/${w.planId}/cancel`, payload: {} }, check: (body) => assert.equal((body as { state: string }).state, 'CANCELLED') }),
  listActions: (w) => ({ request: { method: 'GET', url: `/v1/actions?action_plan=${w.planId}` }, check: (body) => assert.equal((body as { actions: unknown[] }).actions.length, 2) }),

  listHosts: () => ({ request: { method: 'GET', url: '/v1/hosts' }, check: (body) => assert.equal((body as { hosts: unknown[] }).hosts.length, 4) }),
  showHost: () => ({ request: { method: 'GET', url: '/v1/hosts/cmp-01' } }),
  drainHosts: () => ({
    request: { method: 'POST', url: '/v1/hosts/drain', payload: { hosts: ['cmp-02', 'cmp-03'], dry_run: true } },
    check: (body, api) => {
      assert.equal((body as { audit: { triggered_by: string } }).audit.triggered_by, 'drain');
      assert.deepEqual(api.engine.lastCall('drainHosts'), [['cmp-02', 'cmp-03'], { dryRun: true }]);
    },
  }),
  undrainHosts: () => ({
    request: { method: 'POST', url: '/v1/hosts/undrain', payload: { hosts: ['cmp-04', 'cmp-01'], rebalance: true } },
    check: (body, api) => {
      // Answered once the restore's audit is stored: the plan is polled through it.
      const { results, action_plan: plan, audit } = body as { results: unknown[]; action_plan: null; audit: { id: string; goal: string } };
      assert.equal(plan, null);
      assert.equal(audit.goal, 'restore');
      assert.deepEqual(results, [
        { host: 'cmp-04', restored: false, detail: `restoring (wait for nova-compute, enable): audit ${audit.id} plans it` },
        { host: 'cmp-01', restored: false, detail: 'not held by ulm: left as it is' },
      ]);
      assert.deepEqual(api.engine.lastCall('submitUndrain'), [['cmp-04', 'cmp-01'], { rebalance: true }]);
    },
  }),
  startHostMaintenance: () => ({
    request: { method: 'POST', url: '/v1/hosts/cmp-01/maintenance', payload: {} },
    check: (_body, api) => assert.deepEqual(api.engine.lastCall('drainHosts'), [['cmp-01'], { dryRun: false }]),
  }),

  listMaintenances: () => ({
    request: { method: 'GET', url: '/v1/maintenances?host=cmp-02&active=true' },
    check: (body, api) => {
      assert.equal((body as { maintenances: unknown[] }).maintenances.length, 1);
      assert.deepEqual(api.engine.lastCall('listMaintenances'), [{ host: 'cmp-02', active: true }]);
    },
  }),
  scheduleMaintenance: () => ({
    request: { method: 'POST', url: '/v1/maintenances', payload: { hosts: ['cmp-01'], at: '2026-11-22T22:00:00+01:00', until: '2026-11-23T06:00:00+01:00', power_off: true } },
    check: (body, api) => {
      assert.deepEqual(body && { state: (body as { state: string }).state, at: (body as { at: string }).at, power_off: (body as { power_off: boolean }).power_off }, { state: 'SCHEDULED', at: '2026-11-22T21:00:00.000Z', power_off: true });
      // The caller's user name is recorded, whatever the body says.
      assert.equal((api.engine.lastCall('scheduleMaintenance')![0] as { created_by: string }).created_by, 'alice');
    },
  }),
  showMaintenance: (w) => ({ request: { method: 'GET', url: `/v1/maintenances/${w.maintenanceId}` } }),
  cancelMaintenance: (w) => ({
    request: { method: 'DELETE', url: `/v1/maintenances/${w.maintenanceId}` },
    check: (body) => assert.equal((body as { state: string }).state, 'CANCELLED'),
  }),

  listServers: () => ({ request: { method: 'GET', url: '/v1/servers' } }),
  listServerExemptions: () => ({
    request: { method: 'GET', url: `/v1/servers/${SERVER_IDS[0]}/exemptions` },
    check: (body) => assert.deepEqual((body as { exemptions: { kind: string }[] }).exemptions.map((exemption) => exemption.kind), ['never']),
  }),
  createServerExemption: () => ({
    request: {
      method: 'POST', url: `/v1/servers/${SERVER_IDS[1]}/exemptions`,
      payload: { kind: 'windows', windows: [{ days: ['mon', 'tue'], start: '08:00', end: '18:00', timezone: 'Europe/Berlin' }], reason: 'office hours' },
    },
    check: (body) => assert.equal((body as { kind: string }).kind, 'windows'),
  }),
  deleteServerExemptions: () => ({
    request: { method: 'DELETE', url: `/v1/servers/${SERVER_IDS[0]}/exemptions?kind=never` },
    check: (_body, api) => assert.deepEqual(api.engine.lastCall('removeExemptions'), [SERVER_IDS[0], 'never']),
  }),

  listSnapshots: () => ({ request: { method: 'GET', url: '/v1/snapshots?limit=5' } }),
  collectSnapshot: () => ({ request: { method: 'POST', url: '/v1/snapshots', payload: { policy: 'nightly' } } }),
  showSnapshot: () => ({ request: { method: 'GET', url: '/v1/snapshots/snapshot-1' }, check: (body) => assert.equal((body as { format: string }).format, 'ulm-cluster/1') }),
  listSavings: () => ({
    request: { method: 'GET', url: '/v1/savings?window=window-x&since=2026-11-20' },
    check: (body, api) => {
      assert.deepEqual((body as { totals: unknown }).totals, { host_hours_off: 20.2, energy_kwh: 4.2 });
      assert.deepEqual(api.engine.lastCall('listSavings'), [{ window: 'window-x', since: '2026-11-20T00:00:00.000Z' }]);
    },
  }),
  showStatus: () => ({ request: { method: 'GET', url: '/v1/status' } }),
};

describe('ulm-api routes: success paths and JSON shapes', () => {
  const routes = routeTable();

  it('has a case for every route of the table (a new route needs one)', () => {
    assert.deepEqual(routes.map((route) => route.operationId).filter((id) => !CASES[id]), []);
    assert.deepEqual(Object.keys(CASES).filter((id) => !routes.some((route) => route.operationId === id)), []);
  });

  for (const route of routes) {
    const [status, response] = Object.entries(route.responses).find(([code]) => Number(code) < 300)!;
    it(`${route.method} ${route.path} answers ${status}${response.schema ? ' with the documented shape' : ''}`, async () => {
      const api = testApi();
      const w = await world(api);
      const { request, check } = CASES[route.operationId](w);
      const answer = await api.app.inject({ ...request, headers: { ...ADMIN, ...request.headers } });
      assert.equal(answer.statusCode, Number(status), answer.body);
      assert.match(String(answer.headers['x-openstack-request-id']), /^req-[0-9a-f-]{36}$/);
      if (Number(status) === 204) {
        assert.equal(answer.body, '');
        return;
      }
      if (response.contentType) {
        assert.match(String(answer.headers['content-type']), /^text\/plain/);
        return;
      }
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      const body = answer.json();
      if (response.schema) {
        const compiled = TypeCompiler.Compile(response.schema as TSchema);
        assert.ok(compiled.Check(body), `the body does not match the documented schema: ${JSON.stringify(issuesOf(compiled, body))}`);
      }
      check?.(body, api, w);
    });
  }
});
