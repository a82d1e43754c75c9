// The 13 hand-written cases of the migration path finder (shared/bench/pathfinder-fixed): every
// plan replays under score.mjs and puts no host into maintenance; with partial_target every
// server ends on its target or is listed with its reason.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { readSnapshot, snapshotPolicy } from '../../../core/snapshot/read.js';
import { checkedPlan } from '../../support/planning.js';
import { sharedDir } from '../../support/scorer.js';

const folder = join(sharedDir(), 'bench', 'pathfinder-fixed');
const cases = readdirSync(folder).filter((file) => file.endsWith('.json')).sort();

function pathfinderCase(file: string): Snapshot {
  return readSnapshot(JSON.parse(readFileSync(join(folder, file), 'utf8')));
}

describe('the path finder cases (reach_target)', () => {
  it('are all there', () => assert.equal(cases.length, 13));

  for (const file of cases) {
    it(`${file}: a valid plan that reaches the target or moves nothing, and no maintenance`, () => {
      const { plan, score } = checkedPlan(pathfinderCase(file));
      assert.deepEqual(plan.actions.filter((action) => action.type !== 'live_migrate'), []);
      // Every case but simple_deadlock is feasible (upstream's path scores valid): reached, never called infeasible.
      if (file === 'simple_deadlock.json') assert.deepEqual([plan.meta.status, plan.actions], ['infeasible', []]);
      else assert.deepEqual([plan.meta.status, score.goal_met], ['complete', true], plan.meta.infeasible);
    });

    it(`${file} with partial_target: every server off its target is listed in meta.blocked`, () => {
      const cluster = pathfinderCase(file);
      const { plan, score } = checkedPlan(cluster, { policy: { ...snapshotPolicy(cluster), partial_target: true } });
      assert.equal(score.target?.servers_not_on_target, plan.meta.blocked.length);
      assert.equal(plan.meta.status, plan.meta.blocked.length ? 'partial' : 'complete');
      assert.deepEqual(plan.actions.filter((action) => action.type !== 'live_migrate'), []);
    });
  }
});
