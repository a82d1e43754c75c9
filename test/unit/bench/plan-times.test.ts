// What the functional tier records of a finished plan for the applier speed report: wall time
// from the first action's start to the last one's finish, succeeded migrations, parallelism.
import { strict as assert } from 'node:assert';
import type { PlanDocument } from '../../../core/plan/format.js';
import type { ActionPlanRecord } from '../../../services/db/repositories/action-plans.js';
import type { ActionRecord } from '../../../services/db/repositories/actions.js';
import { kindOf, planTimes } from '../../support/plan-times.js';

const at = (second: number) => new Date(Date.UTC(2026, 11, 6, 10, 0, second)).toISOString();

// Only the fields the recorder reads; the records grow fields it does not need.
function plan(goal: string): ActionPlanRecord {
  return {
    id: 'plan-1', auditId: null, state: 'SUCCEEDED', document: { meta: { goal } } as PlanDocument, metrics: {} as ActionPlanRecord['metrics'],
    stale: false, staleReason: null, failureReason: null, createdAt: at(0), updatedAt: at(0), startedAt: at(0), finishedAt: at(59),
  } as ActionPlanRecord;
}

function action(wave: number, type: string, state: ActionRecord['state'], started: number | null, finished: number | null, source: string | null = null): ActionRecord {
  return {
    id: `${type}-${wave}-${started}`, actionPlanId: 'plan-1', planIndex: 0, wave, type, server: type === 'live_migrate' ? 'vm-01' : null, serverName: null,
    host: type === 'live_migrate' ? null : 'cmp-01', source, destination: null, temporary: false, state, reason: '', attempts: 1,
    novaMigrationId: null, novaMigrationFloor: null, novaCallsBefore: null, requestId: null, error: null, createdAt: at(0), updatedAt: at(0),
    startedAt: started === null ? null : at(started), finishedAt: finished === null ? null : at(finished),
  } as ActionRecord;
}

const settings = { applierMaxParallelMigrations: 2, policyMaxParallelMigrations: null, maxPerSourceHost: 1, pollIntervalSeconds: 2, policy: 'ad hoc', recordedAt: at(60) };

describe('plan times recorded by the functional tier (test/support/plan-times.ts)', () => {
  it('measures from the first action\'s start to the last finish, and counts only succeeded migrations', () => {
    const record = planTimes(plan('consolidate'), [
      action(0, 'live_migrate', 'SUCCEEDED', 3, 9, 'cmp-02'),
      action(0, 'live_migrate', 'SUCCEEDED', 4, 12, 'cmp-03'),
      action(0, 'live_migrate', 'SUCCEEDED', 12, 16, 'cmp-02'),
      action(0, 'live_migrate', 'SKIPPED', null, 3, 'cmp-03'),
      action(1, 'live_migrate', 'FAILED', 13, 20, 'cmp-04'),
      action(1, 'disable_compute', 'SUCCEEDED', 20, 21),
      action(2, 'power_off', 'CANCELLED', null, 21),
    ], settings)!;
    assert.equal(record.wall_seconds, 18);
    assert.equal(record.idle_seconds, 0, 'an action ran at every instant from 3 to 21');
    assert.equal(record.live_migrations, 3);
    assert.deepEqual(record.migration_seconds, [6, 8, 4]);
    assert.equal(record.waves, 2);
    assert.deepEqual(record.migrations_per_wave, [3]);
    assert.deepEqual(record.busiest_source_per_wave, [2], 'two of wave 0 leave cmp-02');
    assert.deepEqual(record.host_actions, [{ type: 'disable_compute', host: 'cmp-01', state: 'SUCCEEDED', seconds: 1 }]);
    assert.equal(record.parallelism, 2);
  });

  it('counts the time no action ran as idle: between two migrations, before the host actions', () => {
    const record = planTimes(plan('drain'), [
      action(0, 'live_migrate', 'SUCCEEDED', 0, 5, 'cmp-02'),
      action(0, 'live_migrate', 'SUCCEEDED', 7, 10, 'cmp-02'),
      action(0, 'live_migrate', 'SUCCEEDED', 8, 9, 'cmp-02'),
      action(1, 'disable_compute', 'SUCCEEDED', 13, 14),
    ], settings)!;
    assert.equal(record.wall_seconds, 14);
    assert.equal(record.idle_seconds, 5);
  });

  it('takes the policy\'s max_parallel_migrations when it is below the applier\'s', () => {
    assert.equal(planTimes(plan('drain'), [action(0, 'live_migrate', 'SUCCEEDED', 0, 5)], { ...settings, policyMaxParallelMigrations: 1 })!.parallelism, 1);
    assert.equal(planTimes(plan('drain'), [action(0, 'live_migrate', 'SUCCEEDED', 0, 5)], { ...settings, policyMaxParallelMigrations: 8 })!.parallelism, 2);
  });

  it('records nothing of a plan none of whose actions ran', () => {
    assert.equal(planTimes(plan('consolidate'), [action(0, 'live_migrate', 'CANCELLED', null, 3)], settings), null);
  });

  it('reports a reach_target plan as a rebalance', () => {
    assert.equal(kindOf('reach_target'), 'rebalance');
    assert.equal(kindOf('drain'), 'drain');
  });
});
