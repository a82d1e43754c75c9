// An audit runs in the background of the process that accepted it (202). When that process dies
// the audit must not stay ONGOING forever: once its runner is silent for longer than
// AUDIT_ABANDONED_AFTER_MS, readers end it FAILED and say which process stopped.
import assert from 'node:assert/strict';
import type { Policy } from '../../../core/policy/schema.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { AUDIT_ABANDONED_AFTER_MS } from '../../../services/engine/audits.js';
import type { ServiceEngine } from '../../../services/engine/engine.js';
import { snapshot } from '../../support/builders.js';
import { BED_NOW, openEngineBed, type EngineBed } from '../../support/engine-bed.js';

const CLUSTER: Snapshot = snapshot()
  .hosts(['cmp-1', 'cmp-2'], { vcpus: 16, memory_mb: 32768 })
  .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .build();
const CONSOLIDATE: Policy = { goal: 'consolidate', metrics: { missing: 'use_allocations' } };

describe('audits whose process stopped', () => {
  let bed: EngineBed;
  let engine: ServiceEngine;
  let now: number;

  beforeEach(async () => {
    now = BED_NOW;
    bed = await openEngineBed(CLUSTER, { rowClock: () => new Date(now) });
    // The collection never ends, as in a process that died while collecting.
    engine = bed.engine({ collect: () => new Promise<Snapshot>(() => undefined), clock: { now: () => now, sleep: async () => undefined }, runner: 'ctl-1:4711' });
  });
  afterEach(() => bed.close());

  it('a silent audit ends FAILED when read, naming the process that stopped', async () => {
    const submitted = await engine.submitAudit({ document: CONSOLIDATE });
    assert.equal(submitted.state, 'ONGOING');
    now += AUDIT_ABANDONED_AFTER_MS + 1000;
    const read = await engine.getAudit(submitted.id);
    assert.equal(read.state, 'FAILED');
    assert.match(read.failure_reason ?? '', /ulm process that ran it \(ctl-1:4711\) stopped: no sign of life since 2026-12-01T12:00:00/);
    assert.deepEqual((await engine.listAudits()).map((audit) => audit.state), ['FAILED']);
  });

  it('an audit whose process still shows signs of life stays ONGOING', async () => {
    const submitted = await engine.submitAudit({ document: CONSOLIDATE });
    now += AUDIT_ABANDONED_AFTER_MS - 1000;
    assert.equal((await engine.getAudit(submitted.id)).state, 'ONGOING');
    // Its runner says it is alive; long after the start, the audit is still its runner's.
    await bed.repositories.audits.heartbeat(submitted.id);
    now += AUDIT_ABANDONED_AFTER_MS - 1000;
    assert.equal((await engine.listAudits())[0].state, 'ONGOING');
  });
});
