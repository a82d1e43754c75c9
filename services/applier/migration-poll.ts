// One GET /os-migrations for every live migration the applier follows at that moment. Each
// call costs nova-api tens of milliseconds of CPU (about 45 ms on the dev cloud), and a follower
// polls every 250 ms while its migration is young: with several migrations in flight, separate
// polls made ulm a noticeable load on Nova's API. Followers poll on one beat (`untilBeat`), so
// their reads arrive together; those within `gatherMs` share one request, filtered per server.
import { listMigrations, type NovaMigration } from '../../openstack/nova/migrations.js';
import type { NovaClient } from '../../openstack/nova/client.js';

/** How long a read waits for others to join it: the followers' timers fire within a few ms of each other. */
const DEFAULT_GATHER_MS = 15;

interface Gathering {
  servers: Set<string>;
  /** The earliest `since` asked for, in ms. */
  since: number;
  migrations: Promise<NovaMigration[]>;
}

/** Milliseconds from `now` to the next multiple of `intervalMs`: the beat every follower polls on. */
export function untilBeat(now: number, intervalMs: number): number {
  if (intervalMs <= 0) return 0;
  const remainder = now % intervalMs;
  return remainder === 0 ? intervalMs : intervalMs - remainder;
}

export class MigrationPoll {
  private gathering: Gathering | null = null;

  constructor(private readonly nova: NovaClient, private readonly gatherMs = DEFAULT_GATHER_MS) {}

  /**
   * The live migrations Nova changed since `since` (ISO 8601) that may be the server's: the
   * caller keeps the server's own. One server alone is asked for by its id; several, by time
   * only. Without changes-since (before 2.59) each server is asked for apart: a cloud-wide list
   * would hold every live migration ever made.
   */
  migrationsSince(serverId: string, since: string): Promise<NovaMigration[]> {
    if (!this.nova.supports('2.59')) return listMigrations(this.nova, { serverId, changesSince: since });
    const sinceMs = Date.parse(since);
    const gathering = this.gathering ?? this.gather(sinceMs);
    gathering.servers.add(serverId);
    gathering.since = Math.min(gathering.since, sinceMs);
    return gathering.migrations;
  }

  private gather(sinceMs: number): Gathering {
    const gathering: Gathering = { servers: new Set(), since: sinceMs, migrations: Promise.resolve([]) };
    gathering.migrations = new Promise<void>((resolve) => setTimeout(resolve, this.gatherMs)).then(() => {
      this.gathering = null;
      const changesSince = new Date(gathering.since).toISOString();
      const [only] = gathering.servers;
      return listMigrations(this.nova, gathering.servers.size === 1 ? { serverId: only, changesSince } : { changesSince });
    });
    this.gathering = gathering;
    return gathering;
  }
}
