// A fresh, migrated SQLite database in a temporary folder, for tests that need real storage.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRepositories, migrateToLatest, openDatabase, type Clock, type Database, type Repositories } from '../../services/db/index.js';

export interface TestDatabase {
  readonly database: Database;
  readonly repositories: Repositories;
  /** Closes the database and removes its folder. */
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** The clock the repositories stamp rows with; the system clock when left out. */
  clock?: Clock;
}

/** Opens a new SQLite database at the latest schema; the caller closes it. */
export async function openTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const directory = mkdtempSync(join(tmpdir(), 'ulm-test-'));
  const database = await openDatabase(`sqlite:///${directory}/ulm.sqlite`);
  try {
    await migrateToLatest(database);
  } catch (error) {
    await database.close();
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    database,
    repositories: createRepositories(database, options.clock ? { clock: options.clock } : {}),
    async close() {
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A new database for every test of the calling suite, closed after it. Call it before the
 * suite's own beforeEach hooks, which then see the database; its afterEach runs before theirs,
 * so a suite whose teardown still writes (a running applier worker) opens its own instead.
 */
export function useTestDatabase(options: TestDatabaseOptions = {}): Omit<TestDatabase, 'close'> {
  let current: TestDatabase | undefined;
  beforeEach(async () => {
    current = await openTestDatabase(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const opened = (): TestDatabase => {
    if (!current) throw new Error('the test database is open only inside a test or its beforeEach/afterEach hooks');
    return current;
  };
  return {
    get database() { return opened().database; },
    get repositories() { return opened().repositories; },
  };
}
