// Live migration through Nova: start one to a named host (scheduled and checked by Nova, never
// forced), follow it in /os-migrations, abort it.
//
// How many live migrations a compute host runs at once is nova-compute's
// `[DEFAULT] max_concurrent_live_migrations` (default 1; more are queued). No API exposes it,
// so ulm cannot read it: the operator states it in ulm's configuration (the policy's
// max_parallel_per_host), and it should not exceed what nova.conf says.
import type { NovaClient } from './client.js';

export interface NovaMigration {
  /** The integer id that abort uses. */
  id: number;
  uuid: string | undefined;
  server_id: string;
  migration_type: string;
  status: string;
  source_compute: string | null;
  dest_compute: string | null;
  created_at: string;
  updated_at: string | null;
}

interface RawMigration {
  id: number;
  uuid?: string;
  instance_uuid?: string;
  server_uuid?: string;
  migration_type?: string;
  status: string;
  source_compute?: string | null;
  dest_compute?: string | null;
  created_at: string;
  updated_at?: string | null;
}

function migrationFromNova(raw: RawMigration): NovaMigration {
  return {
    id: raw.id,
    uuid: raw.uuid,
    server_id: raw.instance_uuid ?? raw.server_uuid ?? '',
    migration_type: raw.migration_type ?? 'live-migration',
    status: raw.status,
    source_compute: raw.source_compute ?? null,
    dest_compute: raw.dest_compute ?? null,
    created_at: raw.created_at,
    updated_at: raw.updated_at ?? null,
  };
}

/** Statuses after which a live migration changes no more. */
export const FINAL_MIGRATION_STATUSES = new Set(['completed', 'done', 'failed', 'error', 'cancelled']);

/**
 * Starts a live migration of a server to a named host. Nova's scheduler still checks the host
 * (capacity in Placement, server group rules, availability zone): `force` is never sent.
 * From 2.34 on the call returns 202 at once and a refused destination shows up as a migration
 * in status `error`; below 2.34 Nova refuses synchronously with HTTP 400.
 */
export async function liveMigrate(nova: NovaClient, serverId: string, host: string | null): Promise<void> {
  await nova.request('POST', `/servers/${encodeURIComponent(serverId)}/action`, {
    // A replayed live migration would be a second move: never retry on 5xx.
    idempotent: false,
    data: { 'os-migrateLive': { host, block_migration: 'auto' } },
    hint: (status) => (status === 400 || status === 409 ? 'Nova refused the move; see the reason above (state, capacity, server group or zone)' : undefined),
  });
}

export interface MigrationFilters {
  serverId?: string;
  /** Only live migrations by default. */
  migrationType?: string;
  status?: string;
  host?: string;
  /** ISO 8601: only migrations changed since then (2.59+). */
  changesSince?: string;
  pageSize?: number;
}

/** Migrations from /os-migrations (every project), newest last. */
export async function listMigrations(nova: NovaClient, filters: MigrationFilters = {}): Promise<NovaMigration[]> {
  const limit = filters.pageSize ?? 1000;
  const paged = nova.supports('2.59');
  const all: NovaMigration[] = [];
  let marker: string | undefined;
  for (;;) {
    const body = await nova.get<{ migrations: RawMigration[] }>('/os-migrations', {
      instance_uuid: filters.serverId,
      migration_type: filters.migrationType ?? 'live-migration',
      status: filters.status,
      host: filters.host,
      'changes-since': paged ? filters.changesSince : undefined,
      limit: paged ? limit : undefined,
      marker: paged ? marker : undefined,
    });
    const page = body.migrations.map(migrationFromNova);
    all.push(...page);
    if (!paged || page.length < limit || !page[page.length - 1].uuid) break;
    marker = page[page.length - 1].uuid;
  }
  return all.sort((left, right) => left.created_at.localeCompare(right.created_at) || left.id - right.id);
}

/** The server's migrations Nova still considers in progress. */
export async function listServerMigrations(nova: NovaClient, serverId: string): Promise<NovaMigration[]> {
  const body = await nova.get<{ migrations: RawMigration[] }>(`/servers/${encodeURIComponent(serverId)}/migrations`);
  return body.migrations.map((raw) => migrationFromNova({ ...raw, instance_uuid: raw.server_uuid ?? serverId }));
}

/** Aborts a running (2.24+) or queued (2.65+) live migration. */
export async function abortLiveMigration(nova: NovaClient, serverId: string, migrationId: number): Promise<void> {
  await nova.request('DELETE', `/servers/${encodeURIComponent(serverId)}/migrations/${migrationId}`, {
    hint: (status) => (status === 400 || status === 404 || status === 409 ? 'the migration is not running or queued any more (finished, failed or never started)' : undefined),
  });
}

/** The highest migration id among `migrations` (0 for none): Nova's ids only grow. */
export function newestMigrationId(migrations: readonly { id: number }[]): number {
  return migrations.reduce((highest, migration) => Math.max(highest, migration.id), 0);
}

export interface WaitOptions {
  /** Only migrations created at or after this ISO 8601 instant count. */
  since: string;
  /**
   * Only migrations with a higher id count: the server's newest migration id before the call.
   * Nova writes the record after answering the call, so without it an earlier migration of the
   * same server, finished moments before, could be taken for this one.
   */
  after?: number;
  timeoutMs?: number;
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Polls /os-migrations until the server's newest live migration since `since` (and after `after`) is final. */
export async function waitForLiveMigration(nova: NovaClient, serverId: string, options: WaitOptions): Promise<NovaMigration> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 600_000);
  const since = Date.parse(options.since);
  let last: NovaMigration | undefined;
  for (;;) {
    const migrations = (await listMigrations(nova, { serverId, changesSince: options.since }))
      .filter((migration) => migration.id > (options.after ?? -1))
      .filter((migration) => Date.parse(migration.created_at.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(migration.created_at) ? migration.created_at : `${migration.created_at}Z`) >= since - 1000);
    last = migrations[migrations.length - 1] ?? last;
    if (last && FINAL_MIGRATION_STATUSES.has(last.status)) return last;
    if (now() >= deadline) {
      throw new Error(`live migration of server ${serverId} did not finish within ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s (last status: ${last?.status ?? 'no migration record yet'})`);
    }
    await sleep(options.intervalMs ?? 2000);
  }
}
