// Property-based tests: plans for random valid clusters of every goal, checked by score.mjs.
// Set ULM_PROPERTY_SEED to replay a failure, ULM_PROPERTY_RUNS to scale the number of runs.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { PlanDocument } from '../../../core/plan/format.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { GENERATOR_FAMILIES, generatedInstance } from '../../support/bench.js';
import { planFor, placementAfter } from '../../support/planning.js';
import { randomCluster } from '../../support/random-clusters.js';
import { score, type ScoreResult } from '../../support/scorer.js';

const scale = Number(process.env.ULM_PROPERTY_RUNS ?? 1);
const seed = process.env.ULM_PROPERTY_SEED === undefined ? undefined : Number(process.env.ULM_PROPERTY_SEED);

/** fast-check parameters: moderate runs (each spawns score.mjs), shrinking bounded in time. */
function runs(count: number): fc.Parameters<unknown> {
  return { numRuns: Math.max(1, Math.round(count * scale)), interruptAfterTimeLimit: 45_000, ...(seed === undefined ? {} : { seed }) };
}

/** Plans and scores; on a rejection, fails with the scorer's reason and the plan. */
function validPlan(cluster: Snapshot): { plan: PlanDocument; result: ScoreResult } {
  const plan = planFor(cluster);
  const result = score(cluster, plan);
  assert.ok(result.valid, `score.mjs rejects the plan: ${JSON.stringify(result.error)}\nplan: ${JSON.stringify(plan.actions)}`);
  return { plan, result };
}

describe('properties of plans for random clusters (checked by score.mjs)', function () {
  this.timeout(90_000);

  it('consolidate: every plan is valid, and never leaves more hosts active than before', () => {
    fc.assert(fc.property(randomCluster('consolidate'), ({ snapshot }) => {
      const { result } = validPlan(snapshot);
      assert.equal(result.goal_met, true);
      assert.ok((result.active_hosts_after ?? 0) <= (result.active_hosts_before ?? 0), `${result.active_hosts_before} -> ${result.active_hosts_after} active hosts`);
    }), runs(30));
  });

  it('balance: every plan is valid, so every host ends under the usage limits', () => {
    fc.assert(fc.property(randomCluster('balance'), ({ snapshot }) => {
      const { result } = validPlan(snapshot);
      assert.equal(result.goal_met, true);
    }), runs(25));
  });

  it('drain: every plan is valid, and no movable server is left on a drain host when a spare host could take them all', () => {
    fc.assert(fc.property(randomCluster('drain'), ({ snapshot, drainClearlyPossible }) => {
      const { plan } = validPlan(snapshot);
      if (!drainClearlyPossible) return;
      const drainHosts = new Set((snapshot.policy as { drain_hosts: string[] }).drain_hosts);
      const after = placementAfter(snapshot, plan);
      const affinityGroups = new Set((snapshot.server_groups ?? []).filter((group) => group.policy === 'affinity').map((group) => group.id));
      const left = snapshot.servers.filter((server) => drainHosts.has(after[server.id]) && server.migratable && !affinityGroups.has(server.server_group ?? ''));
      assert.deepEqual(left.map((server) => server.id), [], `blocked: ${JSON.stringify(plan.meta.blocked)}`);
    }), runs(30));
  });

  it('reach_target: every plan toward a feasible target is valid, and never moves a server that is not asked to move', () => {
    fc.assert(fc.property(randomCluster('reach_target'), ({ snapshot }) => {
      const { plan } = validPlan(snapshot);
      const target = snapshot.target ?? {};
      const after = placementAfter(snapshot, plan);
      for (const server of snapshot.servers) {
        if (target[server.id] === server.host) assert.equal(after[server.id], server.host, `${server.id} was to stay on ${server.host}`);
      }
    }), runs(30));
  });

  it('instances of the shared generator (every family, small sizes, any seed) get valid plans that meet their goal', () => {
    const request = fc.record({
      family: fc.constantFrom(...GENERATOR_FAMILIES, 'reach-target', 'reach-target'),
      hosts: fc.integer({ min: 4, max: 8 }),
      perHost: fc.integer({ min: 3, max: 8 }),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
    });
    fc.assert(fc.property(request, ({ family, hosts, perHost, seed }) => {
      const cluster = generatedInstance({ family, hosts, servers: hosts * perHost, seed });
      fc.pre(cluster !== null);
      const { result } = validPlan(cluster!);
      assert.equal(result.goal_met, true, `node gen.mjs --family ${family} --hosts ${hosts} --servers ${hosts * perHost} --seed ${seed}: goal not met`);
    }), runs(20));
  });

  it('the same random cluster always gives byte-identical plan JSON', () => {
    fc.assert(fc.property(fc.constantFrom('consolidate', 'balance', 'drain', 'reach_target' as const).chain(randomCluster), ({ snapshot }) => {
      assert.equal(JSON.stringify(planFor(snapshot)), JSON.stringify(planFor(structuredClone(snapshot))));
    }), runs(60));
  });
});
