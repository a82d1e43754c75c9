// Status before the monitor's first collection says that no snapshot is collected yet, when the
// monitor collects and how to collect now, instead of counting 0 hosts; once a snapshot is
// stored it names that snapshot and counts its hosts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { createLogger } from '../../../openstack/logger.js';
import { DEFAULT_APPLIER_SETTINGS } from '../../../services/applier/executor.js';
import { InProcessBus } from '../../../services/bus/index.js';
import { createRepositories, migrateToLatest, openDatabase, type Database, type Repositories } from '../../../services/db/index.js';
import { createEngine } from '../../../services/engine/engine.js';
import { snapshot } from '../../support/builders.js';
import { simulatedCloudOf, SimulatedPower } from '../../support/simulated-compute.js';

const TWO_HOSTS: Snapshot = snapshot()
  .hosts(['cmp-1', 'cmp-2'], { vcpus: 16, memory_mb: 32768 })
  .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .build();

describe('status before the first collection', () => {
  let directory: string;
  let database: Database;
  let repositories: Repositories;
  let bus: InProcessBus;
  const engineWith = (monitorIntervalSeconds: number | undefined) => createEngine({
    repositories, cloud: () => Promise.reject(new Error('no cloud in this test')), collect: async () => TWO_HOSTS, compute: async () => simulatedCloudOf(TWO_HOSTS),
    power: new SimulatedPower(), bus, clock: { now: () => Date.parse('2026-12-01T12:00:00Z'), sleep: async () => undefined }, logger: createLogger({ level: 'silent' }),
    applierSettings: DEFAULT_APPLIER_SETTINGS, planner: 'test', version: 'test', monitorIntervalSeconds,
  });

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ulm-status-'));
    database = await openDatabase(`sqlite:///${directory}/ulm.sqlite`);
    await migrateToLatest(database);
    repositories = createRepositories(database);
    bus = new InProcessBus({ logger: createLogger({ level: 'silent' }) });
  });
  afterEach(async () => {
    await bus.close();
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('says no snapshot is collected yet, how often the monitor collects and how to collect now', async () => {
    const status = await engineWith(30).status();
    assert.equal(status.last_snapshot, null);
    assert.match(status.hosts_detail ?? '', /^no snapshot collected yet: ulm-monitor collects the cloud every 30 s .*`ulm snapshot create` collects one now$/);
  });

  it('names the option when the monitor interval is not known', async () => {
    assert.match((await engineWith(undefined).status()).hosts_detail ?? '', /every \[monitor\] interval_seconds/);
  });

  it('names the newest snapshot and counts its hosts once one is stored', async () => {
    const engine = engineWith(60);
    const stored = await engine.collectSnapshot();
    const status = await engine.status();
    assert.equal(status.hosts_detail, null);
    assert.deepEqual(status.last_snapshot, { id: stored.id, collected_at: stored.collected_at });
    assert.equal(status.hosts.active + status.hosts.empty, 2);
  });
});
