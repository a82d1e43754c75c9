// An audit runs in the background of the process that accepted it (202). When that process dies
// the audit must not stay ONGOING forever: once its runner is silent for longer than
// AUDIT_ABANDONED_AFTER_MS, readers end it FAILED and say which process stopped.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Policy } from '../../../core/policy/schema.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { createLogger } from '../../../openstack/logger.js';
import { DEFAULT_APPLIER_SETTINGS } from '../../../services/applier/executor.js';
import { InProcessBus } from '../../../services/bus/index.js';
import { createRepositories, migrateToLatest, openDatabase, type Database, type Repositories } from '../../../services/db/index.js';
import { AUDIT_ABANDONED_AFTER_MS } from '../../../services/engine/audits.js';
import { createEngine } from '../../../services/engine/engine.js';
import { snapshot } from '../../support/builders.js';
import { simulatedCloudOf, SimulatedPower } from '../../support/simulated-compute.js';

const CLUSTER: Snapshot = snapshot()
  .hosts(['cmp-1', 'cmp-2'], { vcpus: 16, memory_mb: 32768 })
  .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .build();
const CONSOLIDATE: Policy = { goal: 'consolidate', metrics: { missing: 'use_allocations' } };

describe('audits whose process stopped', () => {
  let directory: string;
  let database: Database;
  let repositories: Repositories;
  let bus: InProcessBus;
  let engine: ReturnType<typeof createEngine>;
  let now: number;
  let collecting: Promise<Snapshot>;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ulm-abandoned-'));
    database = await openDatabase(`sqlite:///${directory}/ulm.sqlite`);
    await migrateToLatest(database);
    now = Date.parse('2026-12-01T12:00:00Z');
    repositories = createRepositories(database, { clock: () => new Date(now) });
    const logger = createLogger({ level: 'silent' });
    bus = new InProcessBus({ logger });
    const compute = simulatedCloudOf(CLUSTER);
    // The collection never ends, as in a process that died while collecting.
    collecting = new Promise<Snapshot>(() => undefined);
    engine = createEngine({
      repositories, cloud: () => Promise.reject(new Error('no cloud in this test')), collect: () => collecting, compute: async () => compute,
      power: new SimulatedPower(), bus, clock: { now: () => now, sleep: async () => undefined }, logger,
      applierSettings: DEFAULT_APPLIER_SETTINGS, planner: 'test', version: 'test', runner: 'ctl-1:4711',
    });
  });
  afterEach(async () => {
    await bus.close();
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });

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
    await repositories.audits.heartbeat(submitted.id);
    now += AUDIT_ABANDONED_AFTER_MS - 1000;
    assert.equal((await engine.listAudits())[0].state, 'ONGOING');
  });
});
