// Snapshots: ulm-cluster/1 documents as collected, with a summary for listings (which never
// load the documents themselves: they can be megabytes).
import type { Knex } from 'knex';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { readSnapshot } from '../../../core/snapshot/read.js';
import { NotFound } from '../errors.js';
import { changed, json, newId, text, timestamp, toDate, type Clock, type Row } from '../rows.js';

export interface SnapshotSummary {
  name: string | null;
  hosts: number;
  enabled_hosts: number;
  servers: number;
  server_groups: number;
}

export interface SnapshotRecord {
  id: string;
  collectedAt: string;
  summary: SnapshotSummary;
  createdAt: string;
}

export interface SnapshotWithDocument extends SnapshotRecord {
  document: Snapshot;
}

export function summarizeSnapshot(snapshot: Snapshot): SnapshotSummary {
  return {
    name: snapshot.name ?? null,
    hosts: snapshot.hosts.length,
    enabled_hosts: snapshot.hosts.filter((host) => host.enabled).length,
    servers: snapshot.servers.length,
    server_groups: snapshot.server_groups?.length ?? 0,
  };
}

function toRecord(row: Row): SnapshotRecord {
  return { id: text(row.id), collectedAt: timestamp(row.collected_at), summary: json<SnapshotSummary>(row.summary), createdAt: timestamp(row.created_at) };
}

const LISTED_COLUMNS = ['id', 'collected_at', 'summary', 'created_at'];

export class SnapshotRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  /** Stores a checked ulm-cluster/1 document; collected_at from the document, else now. */
  async create(document: unknown): Promise<SnapshotWithDocument> {
    const snapshot = readSnapshot(document);
    const now = this.clock();
    const id = newId();
    await this.knex('snapshots').insert({
      id, collected_at: snapshot.collected_at ? toDate(snapshot.collected_at, 'snapshot.collected_at') : now,
      document: JSON.stringify(snapshot), summary: JSON.stringify(summarizeSnapshot(snapshot)), created_at: now,
    });
    return this.get(id);
  }

  async get(id: string): Promise<SnapshotWithDocument> {
    const row = await this.knex('snapshots').where({ id }).first();
    if (!row) throw new NotFound('snapshot', id);
    return { ...toRecord(row), document: json<Snapshot>(row.document) };
  }

  /** Newest first, without documents. */
  async list(filter: { since?: string; limit?: number } = {}): Promise<SnapshotRecord[]> {
    const query = this.knex('snapshots').select(LISTED_COLUMNS).orderBy([{ column: 'collected_at', order: 'desc' }, { column: 'id' }]);
    if (filter.since) query.where('collected_at', '>=', toDate(filter.since, 'since'));
    if (filter.limit) query.limit(filter.limit);
    return (await query).map(toRecord);
  }

  async latest(): Promise<SnapshotWithDocument | undefined> {
    const [newest] = await this.list({ limit: 1 });
    return newest ? this.get(newest.id) : undefined;
  }

  /** Retention: deletes snapshots collected before `instant`; audits keep their rows. */
  async deleteCollectedBefore(instant: string): Promise<number> {
    return changed(await this.knex('snapshots').where('collected_at', '<', toDate(instant, 'instant')).delete());
  }
}
