// Retention run by the scheduler's leader: once a day, rows older than [database] retention_days
// are purged (services/db/purge.ts decides what is kept), as `ulm-manage db purge` does by hand.
import { purgeDatabase, type PurgeReport } from '../db/purge.js';
import type { Runtime } from '../runtime.js';

const DAY = 86_400_000;

export class RetentionPurge {
  /** When this scheduler last purged; a restarted one purges at its first tick. */
  private lastRun: number | null = null;

  constructor(private readonly runtime: Pick<Runtime, 'config' | 'database' | 'logger'>) {}

  /** Purges when a day has passed since the last purge; null when it did not run. */
  async tick(now: number): Promise<PurgeReport | null> {
    const days = this.runtime.config.database.retention_days;
    if (days <= 0 || (this.lastRun !== null && now - this.lastRun < DAY)) return null;
    this.lastRun = now;
    const before = new Date(now - days * DAY);
    const report = await purgeDatabase(this.runtime.database.knex, { before });
    this.runtime.logger.info({ before: before.toISOString(), ...report }, 'retention: purged rows older than [database] retention_days');
    return report;
  }
}
