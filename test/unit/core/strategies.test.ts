// Tests of the strategies registry: every goal a policy may name plans through the strategy
// registered under that name, and the policy schema lists exactly the registered goals.
import { strict as assert } from 'node:assert';
import { GOALS, PolicySchema } from '../../../core/policy/schema.js';
import { strategyFor } from '../../../core/strategies/index.js';

describe('strategies registry', () => {
  it('gives every goal of the policy schema the strategy of that name, with a description', () => {
    assert.deepEqual([...GOALS], ['consolidate', 'balance', 'drain', 'reach_target']);
    for (const goal of GOALS) {
      const strategy = strategyFor(goal);
      assert.equal(strategy.name, goal);
      assert.match(strategy.description, /^\S.*\S$/);
      assert.equal(typeof strategy.plan, 'function');
    }
  });

  it('describes each goal in the policy schema by its strategy\'s description', () => {
    const goal = PolicySchema.properties.goal;
    assert.deepEqual(goal.anyOf.map((literal: { const: string }) => literal.const), [...GOALS]);
    assert.equal(goal.description, GOALS.map((name) => `${name}: ${strategyFor(name).description}`).join('; '));
  });
});
