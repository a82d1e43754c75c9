// The database engines the integration suite runs against: SQLite in a temporary file, always;
// MariaDB at ULM_TEST_MYSQL_URL, which scripts/integration sets after starting a real server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestEngine {
  name: string;
  /** Undefined when the engine is not available (its tests are then reported pending). */
  connection: string | undefined;
  skipReason?: string;
  cleanup(): void;
}

export function testEngines(): TestEngine[] {
  const directory = mkdtempSync(join(tmpdir(), 'ulm-integration-'));
  const mysql = process.env.ULM_TEST_MYSQL_URL;
  return [
    { name: 'SQLite', connection: `sqlite:///${join(directory, 'ulm.sqlite')}`, cleanup: () => rmSync(directory, { recursive: true, force: true }) },
    {
      name: 'MariaDB', connection: mysql || undefined, cleanup: () => undefined,
      skipReason: 'ULM_TEST_MYSQL_URL is not set: run bash scripts/integration, which starts MariaDB',
    },
  ];
}

/** A clock the test moves by hand. */
export function manualClock(start = '2026-11-22T20:00:00.000Z') {
  let now = new Date(start).getTime();
  return {
    clock: () => new Date(now),
    advance(seconds: number) { now += seconds * 1000; },
  };
}
