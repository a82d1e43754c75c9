// Audits plan in a worker thread (services/planning-thread.ts): the plan is the one the caller's
// own thread would make, exact step included, while the caller's event loop goes on (its API
// answers, its leases are renewed); an invalid request comes back as the same ValidationError.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanRequest } from '../../../core/planner/index.js';
import { validatePolicy } from '../../../core/policy/schema.js';
import { readSnapshot, snapshotPolicy } from '../../../core/snapshot/read.js';
import { ValidationError } from '../../../core/validation.js';
import { planWithExactStep } from '../../../services/exact-solver.js';
import { planInThread } from '../../../services/planning-thread.js';
import { NOW } from '../../support/planning.js';
import { sharedDir } from '../../support/scorer.js';

describe('planning in a worker thread', function () {
  // fragmented-s is solved exactly: 2 to 5 s on a small, busy machine, twice.
  this.timeout(120_000);
  const instance = readSnapshot(JSON.parse(readFileSync(join(sharedDir(), 'bench', 'instances', 'fragmented-s.json'), 'utf8')));
  const request: Omit<PlanRequest, 'exactSolver'> = { snapshot: instance, policy: snapshotPolicy(instance), now: Date.parse(NOW), planner: 'ulm-test' };

  it('makes the plan the caller\'s thread would, exact step included, while the caller\'s event loop runs on', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    let threaded;
    try {
      threaded = await planInThread(request);
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 10, `the caller's timers ran while the thread planned (${ticks} ticks)`);
    const here = await planWithExactStep(request);
    assert.equal(JSON.stringify(threaded), JSON.stringify(here));
    assert.equal(threaded.meta.metrics.active_hosts_after, 4, 'the exact step reached fragmented-s\'s optimum');
  });

  it('answers a policy that does not fit the snapshot with the same ValidationError, naming the field', async () => {
    const policy = validatePolicy({ goal: 'drain', drain_hosts: ['no-such-host'] });
    await assert.rejects(planInThread({ ...request, policy }), (error: unknown) => {
      assert.ok(error instanceof ValidationError, `a ValidationError, not ${String(error)}`);
      assert.match(error.message, /^the policy does not fit the snapshot:\n {2}.*no-such-host/);
      assert.ok(error.issues.length >= 1);
      return true;
    });
  });
});
