// A relief audit the monitor asks for that finds nothing to move is recorded as done, with its
// snapshot, but leaves no empty plan waiting as RECOMMENDED; an operator's audit still gets its plan.
import assert from 'node:assert/strict';
import type { Policy } from '../../../core/policy/schema.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import type { ServiceEngine } from '../../../services/engine/engine.js';
import { snapshot } from '../../support/builders.js';
import { openEngineBed, type EngineBed } from '../../support/engine-bed.js';

// Two hosts, lightly used: nothing to relieve.
const CALM: Snapshot = snapshot()
  .hosts(['cmp-1', 'cmp-2'], { vcpus: 16, memory_mb: 32768 })
  .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .server('vm-2', { on: 'cmp-2', flavor: { vcpus: 2, memory_mb: 4096 } })
  .build();
const RELIEF: Policy = { goal: 'balance', max_host_cpu: 0.75, max_host_memory: 0.9, metrics: { missing: 'use_allocations' } };

describe('relief audits without actions', () => {
  let bed: EngineBed;
  let engine: ServiceEngine;

  beforeEach(async () => {
    bed = await openEngineBed(CALM);
    engine = bed.engine();
  });
  afterEach(() => bed.close());

  it('the monitor\'s audit is SUCCEEDED with its snapshot and no plan is stored', async () => {
    const outcome = await engine.createAudit({ document: RELIEF, goal: 'balance', triggered_by: 'monitor' });
    assert.equal(outcome.action_plan, null);
    assert.equal(outcome.audit.state, 'SUCCEEDED');
    assert.ok((await bed.repositories.audits.get(outcome.audit.id)).snapshotId);
    assert.deepEqual(await bed.repositories.actionPlans.list({}), []);
  });

  it('an operator\'s audit still gets its plan, even an empty one', async () => {
    const outcome = await engine.createAudit({ document: RELIEF, goal: 'balance' });
    assert.ok(outcome.action_plan);
    assert.equal(outcome.action_plan.progress.counts.PENDING, 0);
  });
});
