// The engine's unit tests share this bed: a fresh SQLite database, an in-process bus, and an
// engine over a simulated cloud of one snapshot (collected as it is, never from a real cloud).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../../core/snapshot/format.js';
import { createLogger } from '../../openstack/logger.js';
import { DEFAULT_APPLIER_SETTINGS } from '../../services/applier/executor.js';
import { InProcessBus } from '../../services/bus/index.js';
import { createRepositories, migrateToLatest, openDatabase, type Database, type Repositories } from '../../services/db/index.js';
import type { EngineDependencies } from '../../services/engine/context.js';
import { createEngine, type ServiceEngine } from '../../services/engine/engine.js';
import { simulatedCloudOf, SimulatedPower } from './simulated-compute.js';

/** The instant the bed's engines read unless a test brings its own clock. */
export const BED_NOW = Date.parse('2026-12-01T12:00:00Z');

export interface EngineBed {
  database: Database;
  repositories: Repositories;
  bus: InProcessBus;
  /** An engine over the bed's database and bus; `overrides` replace its dependencies. */
  engine(overrides?: Partial<EngineDependencies>): ServiceEngine;
  close(): Promise<void>;
}

/** `rowClock` stamps the database rows (default: the system clock). */
export async function openEngineBed(cluster: Snapshot, options: { rowClock?: () => Date } = {}): Promise<EngineBed> {
  const directory = mkdtempSync(join(tmpdir(), 'ulm-engine-'));
  const database = await openDatabase(`sqlite:///${directory}/ulm.sqlite`);
  await migrateToLatest(database);
  const repositories = createRepositories(database, options.rowClock ? { clock: options.rowClock } : {});
  const logger = createLogger({ level: 'silent' });
  const bus = new InProcessBus({ logger });
  const compute = simulatedCloudOf(cluster);
  return {
    database, repositories, bus,
    engine: (overrides = {}) => createEngine({
      repositories, cloud: () => Promise.reject(new Error('no cloud in this test')), collect: async () => cluster, compute: async () => compute,
      power: new SimulatedPower(), bus, clock: { now: () => BED_NOW, sleep: async () => undefined }, logger,
      applierSettings: DEFAULT_APPLIER_SETTINGS, planner: 'test', version: 'test', ...overrides,
    }),
    async close() {
      await bus.close();
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
