// Leader election for the scheduler through the database, never a consensus of our own:
// MariaDB/MySQL GET_LOCK on a dedicated connection (the lock ends with the connection, so a dead
// leader frees it at once), or on SQLite (one host) a row lease in `locks` renewed every tick.
import { createHash, randomBytes } from 'node:crypto';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import type { Knex } from 'knex';
import { mysqlConnectionOptions, type Database } from './database.js';
import type { ConnectionSettings } from './connection-url.js';
import { changed, systemClock, type Clock } from './rows.js';

export interface LeaderLock {
  readonly name: string;
  /** Who contends: host, process and a random part, so two processes never share it. */
  readonly holder: string;
  /** Tries to lead; true when this holder leads (already leading included). Never waits. */
  tryAcquire(): Promise<boolean>;
  /** Confirms leadership (and extends the SQLite lease); false when it was lost. */
  renew(): Promise<boolean>;
  /** Stops leading so another contender can take over at once. */
  release(): Promise<void>;
  isLeader(): boolean;
  /** Releases and frees the lock's own connection. */
  close(): Promise<void>;
}

export interface LeaderLockOptions {
  name: string;
  holder?: string;
  /** SQLite: how long a lease lasts without renewal ([scheduler] leader_lease_seconds). */
  leaseSeconds: number;
  clock?: Clock;
}

/** A holder id for this process: `HOST:PID:RANDOM`. */
export function leaderHolderId(host: string): string {
  return `${host}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export function createLeaderLock(database: Database, options: LeaderLockOptions): LeaderLock {
  const holder = options.holder ?? leaderHolderId('ulm');
  if (database.settings.engine === 'mysql') return new MysqlLeaderLock(database.settings, options.name, holder);
  return new LeaseLeaderLock(database.knex, options.name, holder, options.leaseSeconds, options.clock ?? systemClock);
}

/** GET_LOCK names are server-wide: prefix the database so two deployments never collide. */
function serverLockName(database: string, name: string): string {
  const full = `${database}.${name}`;
  // MySQL refuses lock names longer than 64 characters.
  return full.length <= 64 ? full : `ulm.${createHash('sha256').update(full).digest('hex').slice(0, 56)}`;
}

class MysqlLeaderLock implements LeaderLock {
  readonly name: string;
  private connection: Connection | undefined;
  private leading = false;
  private readonly lockName: string;

  constructor(private readonly settings: Extract<ConnectionSettings, { engine: 'mysql' }>, name: string, readonly holder: string) {
    this.name = name;
    this.lockName = serverLockName(settings.database, name);
  }

  isLeader(): boolean {
    return this.leading;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.leading) return this.renew();
    const connection = await this.open();
    try {
      const [rows] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS acquired', [this.lockName]);
      this.leading = Number(rows[0]?.acquired) === 1;
    } catch (error) {
      this.drop();
      throw error;
    }
    return this.leading;
  }

  async renew(): Promise<boolean> {
    if (!this.leading || !this.connection) return (this.leading = false);
    try {
      const [rows] = await this.connection.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS mine', [this.lockName]);
      this.leading = Number(rows[0]?.mine) === 1;
    } catch {
      // The connection is gone, and the server released the lock with it.
      this.drop();
    }
    return this.leading;
  }

  async release(): Promise<void> {
    if (this.leading && this.connection) {
      try {
        await this.connection.query('SELECT RELEASE_LOCK(?)', [this.lockName]);
      } catch {
        this.drop();
      }
    }
    this.leading = false;
  }

  async close(): Promise<void> {
    await this.release();
    const connection = this.connection;
    this.connection = undefined;
    await connection?.end().catch(() => connection.destroy());
  }

  private async open(): Promise<Connection> {
    if (this.connection) return this.connection;
    const connection = await createConnection(mysqlConnectionOptions(this.settings));
    // A fatal error closes the connection, and the lock with it; never an unhandled event.
    connection.on('error', () => {
      if (this.connection === connection) this.drop();
    });
    this.connection = connection;
    return connection;
  }

  private drop(): void {
    this.connection?.destroy();
    this.connection = undefined;
    this.leading = false;
  }
}

class LeaseLeaderLock implements LeaderLock {
  private leading = false;

  constructor(private readonly knex: Knex, readonly name: string, readonly holder: string, private readonly leaseSeconds: number, private readonly clock: Clock) {}

  isLeader(): boolean {
    return this.leading;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.leading && (await this.renew())) return true;
    const now = this.clock();
    await this.knex('locks').insert({ name: this.name, holder: '', expires_at: new Date(0), acquired_at: now, renewed_at: now }).onConflict('name').ignore();
    // One conditional UPDATE: free (expired) or already ours; two contenders cannot both match.
    const count = changed(await this.knex('locks')
      .where({ name: this.name })
      .andWhere((query) => query.where({ holder: this.holder }).orWhere('expires_at', '<', now))
      .update({ holder: this.holder, expires_at: this.expiry(now), acquired_at: now, renewed_at: now }));
    this.leading = count === 1;
    return this.leading;
  }

  async renew(): Promise<boolean> {
    if (!this.leading) return false;
    const now = this.clock();
    const count = changed(await this.knex('locks').where({ name: this.name, holder: this.holder }).update({ expires_at: this.expiry(now), renewed_at: now }));
    this.leading = count === 1;
    return this.leading;
  }

  async release(): Promise<void> {
    if (this.leading) await this.knex('locks').where({ name: this.name, holder: this.holder }).update({ holder: '', expires_at: new Date(0) });
    this.leading = false;
  }

  async close(): Promise<void> {
    await this.release();
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + this.leaseSeconds * 1000);
  }
}

export interface Leadership {
  /** Stops contending and releases the lock. */
  stop(): Promise<void>;
}

/**
 * Contends every `intervalSeconds`: the leader renews, the others try to acquire. `onChange`
 * hears every change of leadership; a database error counts as not leading (safe side).
 */
export function keepLeading(lock: LeaderLock, options: { intervalSeconds: number; onChange?: (leading: boolean) => void; onError?: (error: unknown) => void }): Leadership {
  let leading = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    let now: boolean;
    try {
      now = lock.isLeader() ? await lock.renew() : await lock.tryAcquire();
    } catch (error) {
      now = false;
      options.onError?.(error);
    }
    if (now !== leading) {
      leading = now;
      options.onChange?.(now);
    }
  };
  // Ticks never overlap: a slow database delays the next one instead.
  const schedule = () => { running = running.then(tick); };
  schedule();
  const timer = setInterval(schedule, options.intervalSeconds * 1000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      // Stops leading before the lock is let go: another holder may take it the moment it is
      // free, and two leaders must never act at once.
      if (leading) {
        leading = false;
        options.onChange?.(false);
      }
      await lock.close();
    },
  };
}
