// A plan's waves hold at most the migrations the applier runs at once ([applier]
// max_parallel_migrations): a larger wave would only queue its rest and hold back the next
// wave's ready moves. A policy's own, smaller limit still wins.
import assert from 'node:assert/strict';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { DEFAULT_APPLIER_SETTINGS } from '../../../services/applier/executor.js';
import { snapshot } from '../../support/builders.js';
import { openEngineBed, type EngineBed } from '../../support/engine-bed.js';

// cmp-1 holds four servers; each of the three others has room for all of them.
const CLUSTER: Snapshot = snapshot()
  .hosts(['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4'], { vcpus: 32, memory_mb: 65536 })
  .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .server('vm-2', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .server('vm-3', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .server('vm-4', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .build();

describe('plans with waves as the applier runs them', () => {
  let bed: EngineBed;
  beforeEach(async () => { bed = await openEngineBed(CLUSTER); });
  afterEach(() => bed.close());

  async function drainWaves(maxParallelMigrations: number, policyLimit?: number): Promise<number[]> {
    const engine = bed.engine({ applierSettings: { ...DEFAULT_APPLIER_SETTINGS, maxParallelMigrations } });
    const { action_plan: plan } = await engine.createAudit({
      document: { goal: 'drain', drain_hosts: ['cmp-1'], metrics: { missing: 'use_allocations' }, ...(policyLimit ? { max_parallel_migrations: policyLimit } : {}) },
    });
    const document = await engine.getPlanDocument(plan!.id);
    const perWave = new Map<number, number>();
    for (const action of document.actions) if (action.type === 'live_migrate') perWave.set(action.wave, (perWave.get(action.wave) ?? 0) + 1);
    return [...perWave.values()];
  }

  it('no wave has more migrations than the applier runs at once', async () => {
    assert.deepEqual(await drainWaves(4), [4]);
    assert.deepEqual(await drainWaves(2), [2, 2]);
  });

  it('a policy\'s smaller max_parallel_migrations still wins', async () => {
    assert.deepEqual(await drainWaves(4, 1), [1, 1, 1, 1]);
  });
});
