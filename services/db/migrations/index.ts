// The schema migrations, in order, and the knex migration source that reads this list (no
// directory scan: the list is the schema's history, the same for SQLite and MariaDB).
import type { Knex } from 'knex';
import * as initial from './0001-initial.js';
import * as novaMigrationFloor from './0002-nova-migration-floor.js';
import * as maintenances from './0003-maintenances.js';
import * as hostStateChangedAt from './0004-host-state-changed-at.js';
import * as planAbortAndRestore from './0005-plan-abort-and-restore.js';
import * as auditHeartbeat from './0006-audit-heartbeat.js';
import * as planResumptions from './0007-plan-resumptions.js';
import * as novaCallsBefore from './0008-nova-calls-before.js';

export interface SchemaMigration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Append only: a released migration is never edited or reordered. */
export const MIGRATIONS: readonly SchemaMigration[] = [
  { name: '0001_initial', ...initial },
  { name: '0002_nova_migration_floor', ...novaMigrationFloor },
  { name: '0003_maintenances', ...maintenances },
  { name: '0004_host_state_changed_at', ...hostStateChangedAt },
  { name: '0005_plan_abort_and_restore', ...planAbortAndRestore },
  { name: '0006_audit_heartbeat', ...auditHeartbeat },
  { name: '0007_plan_resumptions', ...planResumptions },
  { name: '0008_nova_calls_before', ...novaCallsBefore },
];

export const migrationSource: Knex.MigrationSource<SchemaMigration> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => ({ up: migration.up, down: migration.down }),
};
