// What a retention purge keeps: rows newer than the cut-off, the newest snapshot, plans not
// finished, plans a held host / window run / maintenance refers to, their audits and snapshots.
import assert from 'node:assert/strict';
import { selectPurge, type PurgeCandidates } from '../../../services/db/purge.js';

const DAY = 86_400_000;
const CUT = Date.parse('2026-11-01T00:00:00Z');
const old = (days: number) => CUT - days * DAY;

function candidates(overrides: Partial<PurgeCandidates> = {}): PurgeCandidates {
  return { snapshots: [], audits: [], actionPlans: [], plansInUse: new Set(), ...overrides };
}

describe('retention purge selection', () => {
  it('selects old rows and keeps newer ones', () => {
    const selection = selectPurge(candidates({
      snapshots: [{ id: 's-old', collectedAt: old(5) }, { id: 's-new', collectedAt: CUT + DAY }],
      audits: [
        { id: 'a-old', state: 'SUCCEEDED', finishedAt: old(5), snapshotId: 's-old', actionPlanId: 'p-old' },
        { id: 'a-new', state: 'SUCCEEDED', finishedAt: CUT + DAY, snapshotId: 's-new', actionPlanId: null },
      ],
      actionPlans: [{ id: 'p-old', state: 'SUCCEEDED', finishedAt: old(5), auditId: 'a-old' }],
    }), CUT);
    assert.deepEqual(selection, { snapshots: ['s-old'], audits: ['a-old'], actionPlans: ['p-old'] });
  });

  it('always keeps the newest snapshot, however old', () => {
    const selection = selectPurge(candidates({ snapshots: [{ id: 's-1', collectedAt: old(40) }, { id: 's-2', collectedAt: old(30) }] }), CUT);
    assert.deepEqual(selection.snapshots, ['s-1']);
  });

  it('keeps unfinished plans, their audits and the audits\' snapshots', () => {
    const selection = selectPurge(candidates({
      snapshots: [{ id: 's-plan', collectedAt: old(10) }, { id: 's-newest', collectedAt: CUT + DAY }],
      audits: [{ id: 'a-1', state: 'SUCCEEDED', finishedAt: old(10), snapshotId: 's-plan', actionPlanId: 'p-1' }],
      actionPlans: [{ id: 'p-1', state: 'RECOMMENDED', finishedAt: old(10), auditId: 'a-1' }],
    }), CUT);
    assert.deepEqual(selection, { snapshots: [], audits: [], actionPlans: [] });
  });

  it('keeps finished plans a held host, a window run or a maintenance in progress refers to', () => {
    const plan = (id: string) => ({ id, state: 'SUCCEEDED' as const, finishedAt: old(10), auditId: null });
    const selection = selectPurge(candidates({
      actionPlans: [plan('p-held'), plan('p-gone')],
      plansInUse: new Set(['p-held']),
    }), CUT);
    assert.deepEqual(selection.actionPlans, ['p-gone']);
  });

  it('keeps audits still running, and counts an audit by when it finished', () => {
    const selection = selectPurge(candidates({
      audits: [
        { id: 'a-running', state: 'ONGOING', finishedAt: old(3), snapshotId: null, actionPlanId: null },
        { id: 'a-failed', state: 'FAILED', finishedAt: old(3), snapshotId: null, actionPlanId: null },
        { id: 'a-recent', state: 'FAILED', finishedAt: CUT, snapshotId: null, actionPlanId: null },
      ],
    }), CUT);
    assert.deepEqual(selection.audits, ['a-failed']);
  });
});
