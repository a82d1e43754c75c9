// A relief audit the monitor asks for that finds nothing to move is recorded as done, with its
// snapshot, but leaves no empty plan waiting as RECOMMENDED; an operator's audit still gets its plan.
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
import { createEngine } from '../../../services/engine/engine.js';
import { snapshot } from '../../support/builders.js';
import { simulatedCloudOf, SimulatedPower } from '../../support/simulated-compute.js';

// Two hosts, lightly used: nothing to relieve.
const CALM: Snapshot = snapshot()
  .hosts(['cmp-1', 'cmp-2'], { vcpus: 16, memory_mb: 32768 })
  .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .server('vm-2', { on: 'cmp-2', flavor: { vcpus: 2, memory_mb: 4096 } })
  .build();
const RELIEF: Policy = { goal: 'balance', max_host_cpu: 0.75, max_host_memory: 0.9, metrics: { missing: 'use_allocations' } };

describe('relief audits without actions', () => {
  let directory: string;
  let database: Database;
  let repositories: Repositories;
  let bus: InProcessBus;
  let engine: ReturnType<typeof createEngine>;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ulm-relief-'));
    database = await openDatabase(`sqlite:///${directory}/ulm.sqlite`);
    await migrateToLatest(database);
    repositories = createRepositories(database);
    const logger = createLogger({ level: 'silent' });
    bus = new InProcessBus({ logger });
    const compute = simulatedCloudOf(CALM);
    engine = createEngine({
      repositories, cloud: () => Promise.reject(new Error('no cloud in this test')), collect: async () => CALM, compute: async () => compute,
      power: new SimulatedPower(), bus, clock: { now: () => Date.parse('2026-12-01T12:00:00Z'), sleep: async () => undefined }, logger,
      applierSettings: DEFAULT_APPLIER_SETTINGS, planner: 'test', version: 'test',
    });
  });
  afterEach(async () => {
    await bus.close();
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('the monitor\'s audit is SUCCEEDED with its snapshot and no plan is stored', async () => {
    const outcome = await engine.createAudit({ document: RELIEF, goal: 'balance', triggered_by: 'monitor' });
    assert.equal(outcome.action_plan, null);
    assert.equal(outcome.audit.state, 'SUCCEEDED');
    assert.ok((await repositories.audits.get(outcome.audit.id)).snapshotId);
    assert.deepEqual(await repositories.actionPlans.list({}), []);
  });

  it('an operator\'s audit still gets its plan, even an empty one', async () => {
    const outcome = await engine.createAudit({ document: RELIEF, goal: 'balance' });
    assert.ok(outcome.action_plan);
    assert.equal(outcome.action_plan.progress.counts.PENDING, 0);
  });
});
