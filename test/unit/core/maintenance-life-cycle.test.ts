// The life cycle of a scheduled maintenance and the estimate of when its drain must start.
import { strict as assert } from 'node:assert';
import { estimateDrainStart, median } from '../../../core/maintenance/estimate.js';
import {
  ACTIVE_MAINTENANCE_STATES, canTransitionMaintenance, cancelEffectOf, isFinalMaintenanceState, MAINTENANCE_STATES, type MaintenanceState,
} from '../../../core/maintenance/states.js';

const AT = Date.parse('2026-12-01T22:00:00Z');

describe('scheduled maintenance life cycle', () => {
  it('goes SCHEDULED, DRAINING, IN_MAINTENANCE, RESTORING, DONE without power-off', () => {
    const path: MaintenanceState[] = ['SCHEDULED', 'DRAINING', 'IN_MAINTENANCE', 'RESTORING', 'DONE'];
    for (let index = 1; index < path.length; index++) assert.ok(canTransitionMaintenance(path[index - 1], path[index]), `${path[index - 1]} -> ${path[index]}`);
  });

  it('waits DRAINED for its time before POWERING_OFF when power-off was asked', () => {
    const path: MaintenanceState[] = ['SCHEDULED', 'DRAINING', 'DRAINED', 'POWERING_OFF', 'IN_MAINTENANCE', 'RESTORING', 'DONE'];
    for (let index = 1; index < path.length; index++) assert.ok(canTransitionMaintenance(path[index - 1], path[index]), `${path[index - 1]} -> ${path[index]}`);
  });

  it('never claims more than happened: a drain cannot skip to DONE, a schedule cannot skip the drain', () => {
    assert.equal(canTransitionMaintenance('SCHEDULED', 'IN_MAINTENANCE'), false);
    assert.equal(canTransitionMaintenance('DRAINING', 'DONE'), false);
    assert.equal(canTransitionMaintenance('POWERING_OFF', 'DONE'), false);
    assert.equal(canTransitionMaintenance('DRAINED', 'IN_MAINTENANCE'), false, 'in maintenance with power-off means powered off');
    // Once the hosts left service, cancelling brings them back rather than calling it CANCELLED.
    assert.equal(canTransitionMaintenance('IN_MAINTENANCE', 'CANCELLED'), false);
  });

  it('a failed drain ends FAILED, and final states go nowhere', () => {
    assert.ok(canTransitionMaintenance('DRAINING', 'FAILED'));
    for (const state of ['DONE', 'FAILED', 'CANCELLED'] as const) {
      assert.ok(isFinalMaintenanceState(state));
      for (const to of MAINTENANCE_STATES) assert.equal(canTransitionMaintenance(state, to), false, `${state} -> ${to}`);
    }
    assert.deepEqual(ACTIVE_MAINTENANCE_STATES, ['SCHEDULED', 'DRAINING', 'DRAINED', 'POWERING_OFF', 'IN_MAINTENANCE', 'RESTORING']);
  });

  it('cancelling cancels before the drain, stops a drain, brings hosts in maintenance back, and waits out plans in flight', () => {
    assert.deepEqual(MAINTENANCE_STATES.map((state) => [state, cancelEffectOf(state)]), [
      ['SCHEDULED', 'cancel'], ['DRAINING', 'stop_drain'], ['DRAINED', 'restore_now'], ['POWERING_OFF', 'refused'],
      ['IN_MAINTENANCE', 'restore_now'], ['RESTORING', 'refused'], ['DONE', 'refused'], ['FAILED', 'refused'], ['CANCELLED', 'refused'],
    ]);
  });
});

describe('when the drain of a maintenance starts', () => {
  const base = { at: AT, migrations: 10, parallelism: 4, measuredSeconds: [] as number[], defaultMigrationSeconds: 60, margin: 0.5, minimumMarginSeconds: 300 };

  it('takes the median of measured migrations times the rounds, plus the margin', () => {
    // ⌈10 ÷ 4⌉ = 3 rounds of the median 40 s = 120 s; 50% is 60 s, less than the 300 s least margin.
    const estimate = estimateDrainStart({ ...base, measuredSeconds: [30, 40, 500, 35, 45] });
    assert.deepEqual(estimate, { startAt: AT - 420_000, drainSeconds: 420, secondsPerMigration: 40, basis: 'measured', rounds: 3 });
  });

  it('uses the configured default per migration when nothing was measured', () => {
    const estimate = estimateDrainStart({ ...base, migrations: 40, parallelism: 2, minimumMarginSeconds: 60 });
    // 20 rounds of 60 s = 1200 s, plus 50% = 1800 s.
    assert.deepEqual(estimate, { startAt: AT - 1_800_000, drainSeconds: 1800, secondsPerMigration: 60, basis: 'default', rounds: 20 });
  });

  it('keeps the least margin for a host with nothing to move, and treats a parallelism below 1 as 1', () => {
    assert.equal(estimateDrainStart({ ...base, migrations: 0 }).drainSeconds, 300);
    assert.equal(estimateDrainStart({ ...base, migrations: 3, parallelism: 0, minimumMarginSeconds: 0, margin: 0 }).drainSeconds, 180);
  });

  it('ignores measurements that are not durations', () => {
    assert.equal(estimateDrainStart({ ...base, measuredSeconds: [Number.NaN, -5, 20] }).secondsPerMigration, 20);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
});
