// The real engine (SQLite, the applier, a simulated cloud) answers exactly the records the API's
// schemas declare (core/api/records.ts): no field missing, none extra, none of another type. The
// types are derived from those schemas, but rows read back from a database are only as good as
// their conversion: a flag read as 0/1, a null where text is due, a column leaking through a spread.
import assert from 'node:assert/strict';
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import {
  ActionPlanViewSchema, ActionViewSchema, AuditViewSchema, ExemptionViewSchema, HostPictureSchema, HostViewSchema, MaintenanceViewSchema,
  PolicyViewSchema, SavingsViewSchema, ServerViewSchema, SnapshotViewSchema, StatusViewSchema, UndrainViewSchema, WindowViewSchema,
} from '../../../core/api/records.js';
import { isFinalPlanState, type PlanState } from '../../../core/plan/states.js';
import { issuesOf } from '../../../core/validation.js';
import { twoHostsOneServerEach } from '../../support/builders.js';
import { useSimulatedEngine } from '../../support/simulated-engine.js';

const START = Date.parse('2026-12-01T21:00:00Z');

/** The record matches the schema, and cleaning away what the schema does not declare changes nothing. */
function assertAnswers<T extends TSchema>(schema: T, record: Static<T>, what: string): void {
  const compiled = TypeCompiler.Compile(schema);
  assert.ok(compiled.Check(record), `${what} does not match its schema: ${JSON.stringify(issuesOf(compiled, record))}\n${JSON.stringify(record)}`);
  assert.deepEqual(Value.Clean(schema, structuredClone(record)), record, `${what} has fields its schema does not declare`);
}

describe('the engine answers the records the API declares', function () {
  this.timeout(30_000);
  const simulated = useSimulatedEngine({ cluster: twoHostsOneServerEach(), now: () => START });

  async function settled(planId: string): Promise<void> {
    for (let round = 0; round < 200; round++) {
      const plan = await simulated.engine.getActionPlan(planId);
      if (isFinalPlanState(plan.state as PlanState)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`plan ${planId} did not end`);
  }

  it('for policies, windows, audits, plans and their actions, before and after a plan runs', async () => {
    const engine = simulated.engine;
    assertAnswers(PolicyViewSchema, await engine.createPolicy({ name: 'night', description: 'nights', document: { goal: 'consolidate', max_host_cpu: 0.8, max_host_memory: 0.9, metrics: { missing: 'use_allocations' } } }), 'a created policy');
    for (const policy of await engine.listPolicies()) assertAnswers(PolicyViewSchema, policy, 'a listed policy');
    const window = await engine.createWindow({ policy: 'night', window: { name: 'nights', opens: 'daily 20:00', closes: '06:00', timezone: 'UTC' } });
    assertAnswers(WindowViewSchema, window, 'a created window');
    assert.ok(window.next, 'the window opens again');

    const outcome = await engine.createAudit({ policy: 'night', approve: true });
    assertAnswers(AuditViewSchema, outcome.audit, 'an audit');
    assert.ok(outcome.action_plan, outcome.audit.failure_reason ?? 'no plan');
    const planId = outcome.action_plan.id;
    assertAnswers(ActionPlanViewSchema, outcome.action_plan, 'an approved plan');
    for (const picture of await engine.getPlanPicture(planId)) assertAnswers(HostPictureSchema, picture, 'a host before and after');

    await engine.startActionPlan(planId);
    await settled(planId);
    const done = await engine.getActionPlan(planId);
    assert.equal(done.state, 'SUCCEEDED');
    assertAnswers(ActionPlanViewSchema, done, 'a finished plan');
    const actions = await engine.listActions(planId);
    assert.ok(actions.length >= 2, 'a move and a disabled host');
    for (const action of actions) assertAnswers(ActionViewSchema, action, `a finished ${action.type} action`);
    for (const audit of await engine.listAudits()) assertAnswers(AuditViewSchema, audit, 'a listed audit');
    for (const plan of await engine.listActionPlans()) assertAnswers(ActionPlanViewSchema, plan, 'a listed plan');
  });

  it('for hosts, servers and their exemptions, snapshots, savings, maintenances, undrain and the status', async () => {
    const engine = simulated.engine;
    const snapshot = await engine.collectSnapshot();
    assertAnswers(SnapshotViewSchema, snapshot, 'a collected snapshot');
    for (const listed of await engine.listSnapshots()) assertAnswers(SnapshotViewSchema, listed, 'a listed snapshot');

    const exemption = await engine.setExemption('vm-1', { kind: 'windows', windows: [{ days: ['sat', 'sun'], start: '08:00', end: '18:00', timezone: 'UTC' }], reason: 'weekend batch' });
    assertAnswers(ExemptionViewSchema, exemption, 'an exemption');
    const servers = await engine.listServers();
    assert.equal(servers.length, 2);
    for (const server of servers) assertAnswers(ServerViewSchema, server, `server ${server.name}`);
    assert.equal(servers.find((server) => server.id === 'vm-1')!.exemptions.length, 1);

    const drained = await engine.drainHosts(['cmp-2']);
    assert.ok(drained.action_plan, drained.audit.failure_reason ?? 'no drain plan');
    await settled(drained.action_plan.id);
    for (const host of await engine.listHosts()) assertAnswers(HostViewSchema, host, `host ${host.name}`);
    assertAnswers(HostViewSchema, await engine.getHost('cmp-2'), 'a drained host');

    const maintenance = await engine.scheduleMaintenance({ hosts: ['cmp-1'], at: '2026-12-03T20:00:00Z', until: '2026-12-04T06:00:00Z', created_by: 'alice' });
    assertAnswers(MaintenanceViewSchema, maintenance, 'a scheduled maintenance');
    for (const listed of await engine.listMaintenances()) assertAnswers(MaintenanceViewSchema, listed, 'a listed maintenance');

    const undrain = await engine.undrainHosts(['cmp-2']);
    assertAnswers(UndrainViewSchema, undrain, 'an undrain');
    assert.ok(undrain.action_plan, 'a restore plan');

    const run = await simulated.repositories.savings.create({ windowId: null, periodStart: new Date(START).toISOString() });
    assert.ok(run);
    const savings = await engine.listSavings();
    assert.ok(savings.length >= 1);
    for (const saving of savings) assertAnswers(SavingsViewSchema, saving, 'a savings period');

    const status = await engine.status();
    assertAnswers(StatusViewSchema, status, 'the status');
    assert.ok(status.maintenances.next, 'the scheduled maintenance is next');
  });
});
