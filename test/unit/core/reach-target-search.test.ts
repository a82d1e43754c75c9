// reach_target as a search over placements: every path finder case reached with no more moves
// than upstream's path or proven infeasible, infeasible answers that carry their proof, the
// search-limit answer that is never "infeasible", and valid plans on generated tight cases.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Cluster } from '../../../core/cluster.js';
import type { PlanDocument } from '../../../core/plan/format.js';
import { PlanContext } from '../../../core/planner/context.js';
import { buildPlanDocument } from '../../../core/planner/document.js';
import { searchPath } from '../../../core/planner/path-search.js';
import { Placement } from '../../../core/planner/placement.js';
import { reachTarget, reachTargetSchedule } from '../../../core/planner/target.js';
import { resolvePolicy } from '../../../core/policy/schema.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { readSnapshot, snapshotPolicy } from '../../../core/snapshot/read.js';
import { feasibleTightCase, infeasibleTightCase } from '../../bench/tight-targets.js';
import { NOW } from '../../support/planning.js';
import { score, sharedDir } from '../../support/scorer.js';

const folder = join(sharedDir(), 'bench', 'pathfinder-fixed');
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as unknown;

/** The reach_target steps of the planner (target check, then the waves), with a search budget. */
function planReachTarget(snapshot: Snapshot, searchBudget?: number): PlanDocument {
  const checked = readSnapshot(JSON.parse(JSON.stringify(snapshot)));
  const cluster = new Cluster(checked, resolvePolicy(snapshotPolicy(checked)), Date.parse(NOW));
  const placement = new Placement(cluster);
  const context = new PlanContext(cluster);
  reachTarget(placement, context);
  const schedule = reachTargetSchedule(placement, context, { searchBudget });
  return buildPlanDocument({ cluster, context, schedule, planner: 'ulm-test' });
}

function scored(snapshot: Snapshot, plan: PlanDocument) {
  const result = score(snapshot, plan);
  assert.ok(result.valid, `score.mjs rejects the plan: ${JSON.stringify(result.error)}\n${JSON.stringify(plan.actions)}`);
  return result;
}

const migrationCount = (plan: { actions: { type: string }[] }) => plan.actions.filter((action) => action.type === 'live_migrate').length;

describe('reach_target as a search over placements', () => {
  describe('the path finder cases', () => {
    const cases = readdirSync(folder).filter((file) => file.endsWith('.json')).sort();
    for (const file of cases) {
      const name = file.replace(/\.json$/, '');
      if (name === 'simple_deadlock') continue;
      it(`${name}: reached with no more migrations than upstream's path`, () => {
        const snapshot = read(join(folder, file)) as Snapshot;
        const upstream = migrationCount(read(join(folder, 'upstream-paths', `${name}.plan.json`)) as PlanDocument);
        const plan = planReachTarget(snapshot);
        const result = scored(snapshot, plan);
        assert.equal(plan.meta.status, 'complete', plan.meta.infeasible ?? plan.meta.notes.join('; '));
        assert.equal(result.goal_met, true);
        assert.ok(migrationCount(plan) <= upstream, `${migrationCount(plan)} migrations, upstream ${upstream}`);
      });
    }

    it('simple_deadlock: proven infeasible, the proof in meta.infeasible and in each blocked server\'s detail', () => {
      const snapshot = read(join(folder, 'simple_deadlock.json')) as Snapshot;
      const plan = planReachTarget(snapshot);
      scored(snapshot, plan);
      assert.equal(plan.meta.status, 'infeasible');
      assert.match(plan.meta.infeasible ?? '', /no single migration is possible from the start/);
      assert.deepEqual(plan.meta.blocked.map((entry) => [entry.server, entry.constraint]).sort(), [['vm1', 'no_capacity_safe_path'], ['vm2', 'no_capacity_safe_path']]);
      for (const entry of plan.meta.blocked) assert.match(entry.detail, /could not reach host[12]: no single migration is possible from the start/);
      assert.deepEqual(plan.actions, []);
    });
  });

  it('a swap that only an exhaustive search shows impossible is infeasible with the count of placements visited', () => {
    const { snapshot } = infeasibleTightCase(1, 3, 'cornered-swap');
    const plan = planReachTarget(snapshot);
    scored(snapshot, plan);
    assert.equal(plan.meta.status, 'infeasible');
    assert.match(plan.meta.infeasible ?? '', /the search visited all \d+ placements reachable from the start and none is the target/);
    assert.deepEqual(plan.actions, []);
  });

  it('a target over a host\'s capacity is infeasible naming the host and resource', () => {
    const { snapshot } = infeasibleTightCase(101, 20, 'overfull');
    const plan = planReachTarget(snapshot);
    assert.equal(plan.meta.status, 'infeasible');
    assert.match(plan.meta.infeasible ?? '', /cmp001: MEMORY_MB \d+ allocated > capacity 65536/);
  });

  it('stopped at its search limit: partial, "no path found within the search limit", never infeasible', () => {
    const snapshot = read(join(folder, 'slow.json')) as Snapshot;
    const plan = planReachTarget(snapshot, 3);
    scored(snapshot, plan);
    assert.equal(plan.meta.status, 'partial');
    assert.equal(plan.meta.infeasible, undefined);
    assert.match(plan.meta.notes.join('; '), /no path found within the search limit \(\d+ placements examined\)/);
    assert.ok(plan.meta.blocked.length > 0);
    for (const entry of plan.meta.blocked) assert.match(entry.detail, /no path found within the search limit/);
    assert.deepEqual(plan.actions, []);
    // With its default budget the same case is reached.
    assert.equal(planReachTarget(snapshot).meta.status, 'complete');
  });

  it('the search alone finds a shortest path: slow in 10 moves (8 servers off target, one parks twice)', () => {
    const snapshot = readSnapshot(read(join(folder, 'slow.json')));
    const cluster = new Cluster(snapshot, resolvePolicy(snapshotPolicy(snapshot)), Date.parse(NOW));
    const placement = new Placement(cluster);
    reachTarget(placement, new PlanContext(cluster));
    const result = searchPath(cluster, cluster.initialHost, placement.hostOf);
    assert.equal(result.outcome, 'found');
    assert.equal(result.outcome === 'found' && result.moves.length, 10);
  });

  it('every plan on generated tight feasible cases scores valid with its goal met (fast-check)', function () {
    this.timeout(120_000);
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 3, max: 8 }), fc.constantFrom(0.3, 0.2, 0.1, 0.05, 0.02),
      (seed, hosts, free) => {
        const made = feasibleTightCase(seed, hosts, free);
        const plan = planReachTarget(made.snapshot);
        const result = scored(made.snapshot, plan);
        assert.equal(plan.meta.status, made.offTarget ? 'complete' : 'nothing_to_do', plan.meta.infeasible ?? plan.meta.notes.join('; '));
        assert.equal(result.goal_met, true);
      },
    ), { numRuns: 25, seed: 11 });
  });

  it('the generator\'s witness plans are valid and reach their targets (so the cases are feasible)', () => {
    for (const [seed, hosts, free] of [[1, 3, 0.3], [2, 12, 0.05], [3, 30, 0.02]] as const) {
      const made = feasibleTightCase(seed, hosts, free);
      const result = score(made.snapshot, made.witness);
      assert.equal(result.valid, true, JSON.stringify(result.error));
      assert.equal(result.goal_met, true);
    }
  });
});
