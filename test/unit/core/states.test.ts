// The life cycles declared once in core/plan/states.ts: a plan's final state says what its
// actions did, and a window run's state follows from its record.
import assert from 'node:assert/strict';
import { canTransitionAction, canTransitionPlan, canTransitionWindowRun, FINAL_PLAN_STATES, outcomeOf, windowRunStateOf } from '../../../core/plan/states.js';

describe('life cycles', () => {
  it('a plan is SUCCEEDED only when every action succeeded', () => {
    assert.equal(outcomeOf(['SUCCEEDED', 'SUCCEEDED'], false), 'SUCCEEDED');
    assert.equal(outcomeOf(['SUCCEEDED', 'SKIPPED'], false), 'PARTIAL');
    assert.equal(outcomeOf(['SKIPPED', 'SKIPPED'], false), 'PARTIAL');
    assert.equal(outcomeOf(['SUCCEEDED', 'FAILED', 'CANCELLED'], false), 'FAILED');
    assert.equal(outcomeOf(['SUCCEEDED', 'CANCELLED'], false), 'CANCELLED');
    assert.equal(outcomeOf(['SUCCEEDED', 'SUCCEEDED'], true), 'CANCELLED');
  });

  it('every final plan state but SUCCEEDED ends a wait without success, and none moves on', () => {
    assert.deepEqual([...FINAL_PLAN_STATES].sort(), ['CANCELLED', 'FAILED', 'PARTIAL', 'SUCCEEDED', 'SUPERSEDED']);
    for (const state of FINAL_PLAN_STATES) assert.equal(canTransitionPlan(state, 'ONGOING'), false);
  });

  it('an action is verified done without a call only from PENDING, and an aborted one ends CANCELLED', () => {
    assert.equal(canTransitionAction('PENDING', 'SUCCEEDED'), true);
    assert.equal(canTransitionAction('ONGOING', 'CANCELLED'), true);
    assert.equal(canTransitionAction('SKIPPED', 'SUCCEEDED'), false);
  });

  it('a window run is OPEN, then RESTORING once it has a restore plan, then CLOSED', () => {
    assert.equal(windowRunStateOf({ periodEnd: null, restorePlanId: null }), 'OPEN');
    assert.equal(windowRunStateOf({ periodEnd: null, restorePlanId: 'plan-r' }), 'RESTORING');
    assert.equal(windowRunStateOf({ periodEnd: '2026-12-06T06:00:00Z', restorePlanId: 'plan-r' }), 'CLOSED');
    assert.equal(canTransitionWindowRun('CLOSED', 'OPEN'), false);
    assert.equal(canTransitionWindowRun('OPEN', 'CLOSED'), true);
  });
});
