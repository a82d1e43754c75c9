// Deleting policies and windows over the real engine, the real applier and a SQLite database on a
// simulated compute cloud: a policy with windows is refused naming them, deleted with them when
// asked, and a window run in progress is never stranded: its hosts come back through a restore
// plan and the run is closed before the window goes.
import assert from 'node:assert/strict';
import { isFinalPlanState } from '../../../core/plan/states.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { PolicyHasWindows, WindowRunInProgress } from '../../../services/db/index.js';
import { twoHostsOneServerEach } from '../../support/builders.js';
import { useSimulatedEngine } from '../../support/simulated-engine.js';

const START = Date.parse('2026-12-01T21:00:00Z');

// Consolidating empties one of the two hosts.
const CLUSTER: Snapshot = twoHostsOneServerEach();

const NIGHTS = { name: 'nights', opens: 'daily 20:00', closes: '06:00', timezone: 'UTC' };

describe('deleting policies and windows', function () {
  this.timeout(30_000);
  const simulated = useSimulatedEngine({ cluster: CLUSTER, now: () => START });

  async function settled(planId: string): Promise<string> {
    for (let round = 0; round < 200; round++) {
      const { state } = await simulated.repositories.actionPlans.get(planId);
      if (isFinalPlanState(state)) return state;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`plan ${planId} did not end`);
  }

  /** A window run in progress as the scheduler leaves it at night: its plan done, a host in maintenance. */
  async function nightInProgress(windowId: string, policy: string): Promise<{ runId: string; planId: string }> {
    const outcome = await simulated.engine.createAudit({ policy, triggered_by: 'window', window_id: windowId, approve: true });
    assert.ok(outcome.action_plan, outcome.audit.failure_reason ?? 'no plan');
    const run = await simulated.repositories.savings.create({ windowId, periodStart: new Date(START).toISOString() });
    await simulated.repositories.savings.setActionPlan(run.id, outcome.action_plan.id);
    await simulated.engine.startActionPlan(outcome.action_plan.id);
    assert.equal(await settled(outcome.action_plan.id), 'SUCCEEDED');
    assert.equal([...simulated.compute.services.values()].filter((service) => !service.enabled).length, 1, 'one host in maintenance');
    return { runId: run.id, planId: outcome.action_plan.id };
  }

  beforeEach(async () => {
    await simulated.engine.createPolicy({ name: 'night', document: { goal: 'consolidate', max_host_cpu: 0.8, max_host_memory: 0.9, metrics: { missing: 'use_allocations' } } });
  });

  it('refuses a policy with windows, naming each window by name and id, and keeps them', async () => {
    const window = await simulated.engine.createWindow({ policy: 'night', window: NIGHTS });
    await assert.rejects(simulated.engine.deletePolicy('night'), (error: Error) => {
      assert.ok(error instanceof PolicyHasWindows);
      assert.match(error.message, new RegExp(`^policy night has 1 window: nights \\(${window.id}\\); .*--with-windows`));
      return true;
    });
    assert.equal((await simulated.engine.listWindows()).length, 1);
    assert.equal((await simulated.engine.getPolicy('night')).name, 'night');
  });

  it('deletes a policy without windows, and one with windows when asked', async () => {
    await simulated.engine.createPolicy({ name: 'empty', document: { goal: 'consolidate', max_host_cpu: 0.8, max_host_memory: 0.9 } });
    await simulated.engine.deletePolicy('empty');
    await simulated.engine.createWindow({ policy: 'night', window: NIGHTS });
    await simulated.engine.deletePolicy('night', { with_windows: true });
    assert.deepEqual(await simulated.engine.listPolicies(), []);
    assert.deepEqual(await simulated.engine.listWindows(), []);
  });

  it('deleting a window during its run restores its hosts through a restore plan and closes the run', async () => {
    const window = await simulated.engine.createWindow({ policy: 'night', window: NIGHTS });
    const { runId } = await nightInProgress(window.id, 'night');
    await simulated.engine.deleteWindow(window.id);
    const run = await simulated.repositories.savings.get(runId);
    assert.equal(run.periodEnd, new Date(START).toISOString(), 'the run is closed');
    assert.ok(run.restorePlanId, 'a restore plan brings the hosts back');
    assert.equal(run.windowId, null, 'the run stays in the history without its window');
    assert.equal(await settled(run.restorePlanId), 'SUCCEEDED');
    assert.ok([...simulated.compute.services.values()].every((service) => service.enabled), 'every host back in service');
    await assert.rejects(simulated.engine.getWindow(window.id), /not found/);
  });

  it('deleting a policy with --with-windows during a run restores the run first', async () => {
    const window = await simulated.engine.createWindow({ policy: 'night', window: NIGHTS });
    const { runId } = await nightInProgress(window.id, 'night');
    await simulated.engine.deletePolicy('night', { with_windows: true });
    const run = await simulated.repositories.savings.get(runId);
    assert.ok(run.periodEnd && run.restorePlanId);
    assert.equal(await settled(run.restorePlanId), 'SUCCEEDED');
    assert.ok([...simulated.compute.services.values()].every((service) => service.enabled));
  });

  it('while the run\'s plan still has migrations in flight: 409 saying so and how to end it, the window stays', async () => {
    const window = await simulated.engine.createWindow({ policy: 'night', window: NIGHTS });
    const outcome = await simulated.engine.createAudit({ policy: 'night', triggered_by: 'window', window_id: window.id, approve: true });
    const run = await simulated.repositories.savings.create({ windowId: window.id, periodStart: new Date(START).toISOString() });
    await simulated.repositories.savings.setActionPlan(run.id, outcome.action_plan!.id);
    // As an applier leaves it mid-wave (no applier takes it in this test).
    await simulated.repositories.actionPlans.updateState(outcome.action_plan!.id, 'ONGOING', { from: ['APPROVED'] });
    await assert.rejects(simulated.engine.deleteWindow(window.id), (error: Error) => error instanceof WindowRunInProgress
      && error.message.includes(`its plan ${outcome.action_plan!.id} is stopping`) && error.message.includes('delete the window again'));
    assert.equal((await simulated.repositories.actionPlans.get(outcome.action_plan!.id)).state, 'CANCELLING', 'the plan starts nothing more');
    assert.equal((await simulated.repositories.savings.get(run.id)).periodEnd, null, 'the run stays open for the scheduler to restore');
    assert.equal((await simulated.engine.getWindow(window.id)).id, window.id);
  });

  it('the repository never deletes a window whose run is open: 409 saying how to end it', async () => {
    const window = await simulated.engine.createWindow({ policy: 'night', window: NIGHTS });
    await simulated.repositories.savings.create({ windowId: window.id, periodStart: new Date(START).toISOString() });
    await assert.rejects(simulated.repositories.windows.delete(window.id), (error: Error) => error instanceof WindowRunInProgress && /has a run in progress.*ulm window delete/.test(error.message));
    await assert.rejects(simulated.repositories.policies.delete(window.policy_id, { withWindows: true }), WindowRunInProgress);
    assert.equal((await simulated.engine.listWindows()).length, 1);
  });
});
