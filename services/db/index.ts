// ulm's database: opening it from a connection URL, migrations, repositories and leader locks.
export { openDatabase, openDatabaseFromConfig, DatabaseUnavailable, type Database, type DatabaseOptions, type Engine } from './database.js';
export { parseConnectionUrl, maskUrlPasswords, ConnectionUrlError, type ConnectionSettings } from './connection-url.js';
export { migrateToLatest, migrateDownAll, schemaVersion, type SchemaVersion } from './migrate.js';
export { MIGRATIONS } from './migrations/index.js';
export { createLeaderLock, keepLeading, leaderHolderId, type LeaderLock, type LeaderLockOptions, type Leadership } from './leader.js';
export { NotFound, AlreadyExists, HostNotHeld, AuditStateConflict, StateConflict } from './errors.js';
export { systemClock, type Clock } from './rows.js';
export * from './repositories/index.js';
