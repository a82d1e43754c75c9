// `db sync` and `db version`: brings the schema to the newest migration, and tells where it is.
import type { Knex } from 'knex';
import type { Database } from './database.js';
import { MIGRATIONS, migrationSource } from './migrations/index.js';

const MIGRATOR_CONFIG: Knex.MigratorConfig = {
  migrationSource,
  tableName: 'ulm_migrations',
};

export interface SchemaVersion {
  /** The newest applied migration, or null for an empty database. */
  current: string | null;
  /** The newest migration this ulm knows. */
  latest: string;
  applied: string[];
  pending: string[];
}

/** Applies every pending migration; returns the names applied (none when up to date). */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const [, applied] = (await database.knex.migrate.latest(MIGRATOR_CONFIG)) as [number, string[]];
  return applied;
}

/** Undoes every migration: for tests and for starting over, never in production. */
export async function migrateDownAll(database: Database): Promise<void> {
  await database.knex.migrate.rollback(MIGRATOR_CONFIG, true);
}

export async function schemaVersion(database: Database): Promise<SchemaVersion> {
  const [completed, pending] = (await database.knex.migrate.list({ ...MIGRATOR_CONFIG, disableMigrationsListValidation: true })) as [Array<{ name: string } | string>, Array<{ name: string } | string>];
  const nameOf = (entry: { name: string } | string) => (typeof entry === 'string' ? entry : entry.name);
  const applied = completed.map(nameOf);
  // A database migrated by a newer ulm has migrations this one does not know: say so.
  const unknown = applied.filter((name) => !MIGRATIONS.some((migration) => migration.name === name));
  if (unknown.length) throw new Error(`the database has migrations this ulm does not know (${unknown.join(', ')}): it was migrated by a newer ulm; upgrade ulm`);
  return { current: applied.at(-1) ?? null, latest: MIGRATIONS[MIGRATIONS.length - 1].name, applied, pending: pending.map(nameOf) };
}
