// POST /v1/hosts/undrain answers at once: the engine sorts the named hosts out from their
// nova-compute services and stores the restore's audit, then reads the cloud and plans in the
// background. The audit ends SUCCEEDED naming the restore plan, or FAILED with the reason; a
// client polling it always sees it end.
import assert from 'node:assert/strict';
import { snapshot } from '../../support/builders.js';
import { useSimulatedEngine } from '../../support/simulated-engine.js';

const NOW = Date.parse('2026-12-02T06:00:00Z');

describe('an undrain through the API', function () {
  this.timeout(30_000);
  /** What the next collection of the cloud waits for (or fails with). */
  let collecting: Promise<void> = Promise.resolve();
  const simulated = useSimulatedEngine({
    cluster: snapshot().host('cmp-1').host('cmp-2', { enabled: false, disabled_reason: 'ulm: drained' }).server('vm-1', { on: 'cmp-1' }).build(),
    now: () => NOW,
    beforeCollect: () => collecting,
  });
  beforeEach(() => simulated.repositories.hostStates.recordDisabled('cmp-2', { reason: 'ulm: drained' }));

  async function ended(auditId: string) {
    for (let round = 0; round < 500; round++) {
      const audit = await simulated.engine.getAudit(auditId);
      if (audit.state !== 'ONGOING' && audit.state !== 'PENDING') return audit;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`audit ${auditId} did not end`);
  }

  it('is answered before the cloud is read; its audit then names the restore plan, which brings the host back', async () => {
    let release!: () => void;
    collecting = new Promise((resolve) => { release = resolve; });
    const answer = await simulated.engine.submitUndrain(['cmp-2', 'cmp-1']);
    assert.ok(answer.audit, 'the restore\'s audit');
    assert.equal(answer.audit.state, 'ONGOING');
    assert.equal(answer.action_plan, null);
    assert.deepEqual(answer.results, [
      { host: 'cmp-2', restored: false, detail: `restoring (wait for nova-compute, enable): audit ${answer.audit.id} plans it` },
      { host: 'cmp-1', restored: true, detail: 'cmp-1 is in service (its nova-compute service is enabled)' },
    ]);
    assert.equal(simulated.compute.services.get('cmp-2')!.enabled, false, 'nothing changed before the plan');

    release();
    const audit = await ended(answer.audit.id);
    assert.equal(audit.state, 'SUCCEEDED', audit.failure_reason ?? '');
    assert.ok(audit.action_plan_id, 'the audit names its plan');
    const plan = await simulated.engine.getActionPlan(audit.action_plan_id);
    assert.equal(plan.goal, 'restore');
    for (let round = 0; round < 500 && !simulated.compute.services.get('cmp-2')!.enabled; round++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(simulated.compute.services.get('cmp-2')!.enabled, true, 'the applier brought cmp-2 back');
  });

  it('ends its audit FAILED with the reason when the cloud cannot be read, and leaves the host in maintenance', async () => {
    collecting = Promise.reject(new Error('Nova answered 503'));
    collecting.catch(() => undefined);
    const answer = await simulated.engine.submitUndrain(['cmp-2']);
    const audit = await ended(answer.audit!.id);
    assert.equal(audit.state, 'FAILED');
    assert.match(audit.failure_reason ?? '', /the restore could not be planned: Nova answered 503/);
    assert.equal(audit.action_plan_id, null);
    assert.equal(simulated.compute.services.get('cmp-2')!.enabled, false);
  });

  it('stores no audit when no named host needs restoring', async () => {
    const answer = await simulated.engine.submitUndrain(['cmp-1']);
    assert.equal(answer.audit, null);
    assert.deepEqual(answer.results.map((result) => [result.host, result.restored]), [['cmp-1', true]]);
    assert.deepEqual(await simulated.engine.listAudits(), []);
  });
});
