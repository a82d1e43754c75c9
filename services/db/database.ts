// Opens ulm's database from an oslo-style connection URL: SQLite through better-sqlite3 (WAL,
// foreign keys on) or MariaDB/MySQL through mysql2, as one knex instance with its pool.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { createConnection } from 'mysql2/promise';
import type { Config } from '../config/options.js';
import { maskUrlPasswords, parseConnectionUrl, type ConnectionSettings } from './connection-url.js';

export type Engine = 'sqlite' | 'mysql';

export interface Database {
  readonly knex: Knex;
  readonly engine: Engine;
  /** The connection URL with its password masked, for logs and errors. */
  readonly description: string;
  /** What the URL says; the MariaDB leader lock opens its own connection with it. */
  readonly settings: ConnectionSettings;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Most pooled connections to MariaDB/MySQL (SQLite always uses one). */
  maxPoolSize?: number;
  /** Seconds to wait for a pooled connection. */
  poolTimeoutSeconds?: number;
  /** sql_mode of every MariaDB/MySQL session. */
  mysqlSqlMode?: string;
  /** Further attempts to reach the database before giving up, and the seconds between them. */
  maxRetries?: number;
  retryIntervalSeconds?: number;
}

/** The database could not be opened; the message names the masked URL and what to check. */
export class DatabaseUnavailable extends Error {
  constructor(description: string, cause: unknown) {
    super(`cannot open the database ${description}: ${(cause as Error).message ?? String(cause)}; check [database] connection and that the database server is running`);
    this.name = 'DatabaseUnavailable';
  }
}

// better-sqlite3 waits this long for another process's write lock instead of failing at once.
const SQLITE_BUSY_TIMEOUT_MS = 5000;

export async function openDatabase(connection: string, options: DatabaseOptions = {}): Promise<Database> {
  const settings = parseConnectionUrl(connection);
  const description = maskUrlPasswords(connection);
  let knex: Knex;
  try {
    knex = settings.engine === 'sqlite' ? sqliteKnex(settings.filename) : mysqlKnex(settings, options);
  } catch (error) {
    throw new DatabaseUnavailable(description, error);
  }
  const database: Database = { knex, engine: settings.engine, description, settings, close: () => knex.destroy() };
  const attempts = 1 + (options.maxRetries ?? 0);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await probe(database);
      return database;
    } catch (error) {
      if (attempt >= attempts) {
        await knex.destroy();
        throw new DatabaseUnavailable(description, error);
      }
      await new Promise((resolve) => setTimeout(resolve, (options.retryIntervalSeconds ?? 10) * 1000));
    }
  }
}

/**
 * Checks the database answers. MariaDB is probed with one plain connection: the pool would
 * retry a refused login until pool_timeout and then hide the server's reason behind a timeout.
 */
async function probe(database: Database): Promise<void> {
  if (database.settings.engine === 'sqlite') {
    await database.knex.raw('SELECT 1');
    return;
  }
  const connection = await createConnection(mysqlConnectionOptions(database.settings));
  await connection.end();
}

/** Opens the database the [database] section names, with its pool and retry settings. */
export function openDatabaseFromConfig(config: Config): Promise<Database> {
  const section = config.database;
  return openDatabase(section.connection, {
    maxPoolSize: section.max_pool_size,
    poolTimeoutSeconds: section.pool_timeout,
    mysqlSqlMode: section.mysql_sql_mode,
    maxRetries: section.max_retries < 0 ? Infinity : section.max_retries,
    retryIntervalSeconds: section.retry_interval,
  });
}

function sqliteKnex(filename: string): Knex {
  // Zero set-up: the default file lives in state_path, which may not exist yet.
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true, mode: 0o750 });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // One connection: better-sqlite3 is synchronous, and an in-memory database exists once.
    pool: {
      min: 1,
      max: 1,
      afterCreate(connection: { pragma(source: string): unknown }, done: (error: Error | null, connection: unknown) => void) {
        try {
          connection.pragma('foreign_keys = ON');
          connection.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
          // WAL lets readers (ulm-api) proceed while a writer (ulm-applier) commits.
          connection.pragma('journal_mode = WAL');
          connection.pragma('synchronous = NORMAL');
          done(null, connection);
        } catch (error) {
          done(error as Error, connection);
        }
      },
    },
  });
}

function mysqlKnex(settings: Extract<ConnectionSettings, { engine: 'mysql' }>, options: DatabaseOptions): Knex {
  const sqlMode = options.mysqlSqlMode ?? 'TRADITIONAL';
  return knexFactory({
    client: 'mysql2',
    connection: mysqlConnectionOptions(settings),
    pool: {
      min: 0,
      max: options.maxPoolSize ?? 5,
      acquireTimeoutMillis: (options.poolTimeoutSeconds ?? 30) * 1000,
      // Connections idle for long are closed before MariaDB's wait_timeout closes them under us.
      idleTimeoutMillis: 60_000,
      afterCreate(connection: { query(sql: string, values: unknown[], callback: (error: Error | null) => void): void }, done: (error: Error | null, connection: unknown) => void) {
        // UTC sessions: DATETIME values mean the same instant to every process.
        connection.query('SET SESSION sql_mode = ?, time_zone = \'+00:00\'', [sqlMode], (error) => done(error, connection));
      },
    },
  });
}

/** mysql2 connection options for the URL's settings; also used for the leader lock's connection. */
export function mysqlConnectionOptions(settings: Extract<ConnectionSettings, { engine: 'mysql' }>) {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    charset: settings.charset,
    timezone: 'Z',
    supportBigNumbers: true,
    ...(settings.socketPath ? { socketPath: settings.socketPath } : {}),
    ...(settings.sslCa ? { ssl: { ca: readFileSync(settings.sslCa, 'utf8') } } : {}),
  };
}
