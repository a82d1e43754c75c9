// Sustained overload needs K hot samples of the last N: a spike is not an overload.
import assert from 'node:assert/strict';
import { sustainedOverloads } from '../../../core/overload.js';
import { resolvePolicy, validatePolicy } from '../../../core/policy/schema.js';
import { ValidationError } from '../../../core/validation.js';

const policy = resolvePolicy(validatePolicy({ goal: 'balance', max_host_cpu: 0.75, overload: { cpu_threshold: 0.9, samples: 3, window: 5 } }));

describe('sustained overload', () => {
  it('ignores a single spike', () => {
    assert.deepEqual(sustainedOverloads([{ host: 'cmp-1', cpu: [0.5, 0.99, 0.5, 0.6, 0.5], memory: [0.3] }], policy), []);
  });

  it('reports a host hot for 3 of its last 5 samples', () => {
    const found = sustainedOverloads([{ host: 'cmp-1', cpu: [0.2, 0.95, 0.5, 0.93, 0.97], memory: [0.3] }], policy);
    assert.equal(found.length, 1);
    assert.equal(found[0].host, 'cmp-1');
    assert.equal(found[0].resource, 'cpu');
    assert.equal(found[0].hotSamples, 3);
  });

  it('only looks at the last N samples', () => {
    assert.deepEqual(sustainedOverloads([{ host: 'cmp-1', cpu: [0.95, 0.95, 0.95, 0.5, 0.5, 0.5, 0.5, 0.5], memory: [] }], policy), []);
  });

  it('refuses a relief threshold at or below the consolidation limit (no hysteresis)', () => {
    assert.throws(() => validatePolicy({ goal: 'consolidate', max_host_cpu: 0.8, overload: { cpu_threshold: 0.75 } }),
      (error: unknown) => error instanceof ValidationError && error.issues[0].path === 'policy.overload.cpu_threshold');
    assert.throws(() => validatePolicy({ goal: 'consolidate', overload: { samples: 6, window: 5 } }),
      (error: unknown) => error instanceof ValidationError && error.issues[0].path === 'policy.overload.samples');
  });
});
