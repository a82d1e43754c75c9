// One live migration, journaled: written ONGOING before the call to Nova, followed through
// /os-migrations until Nova says it is over, verified on the server itself, then written
// SUCCEEDED or FAILED with Nova's reason. A migration found in flight after a restart is
// reconciled: followed if running, accepted if done, started again only if Nova never saw it.
import type { ActionRecord } from '../db/index.js';
import { newestMigrationId } from '../../openstack/nova/migrations.js';
import { MigrationRefused, type MigrationRecord } from './compute.js';
import type { ApplierContext } from './executor.js';

export interface MigrationOutcome {
  state: 'SUCCEEDED' | 'FAILED';
  error?: string;
  migrationId?: number;
}

const DONE = new Set(['completed', 'done']);
const BROKEN = new Set(['error', 'failed', 'cancelled']);
/** Nova's clock and ours may differ a little; migrations are matched on hosts too. */
const CLOCK_SKEW_MS = 60_000;
/** How long a migration may take to appear in /os-migrations after an unanswered call. */
const APPEARANCE_MS = 60_000;
/** Between two tries of a migration Nova's scheduler refused with "No valid host". */
const NO_VALID_HOST_RETRY_DELAY_MS = 15_000;
/** A "No valid host" refusal that may still be retried: nothing journaled as finished. */
const NO_VALID_HOST_YET = Symbol('no valid host yet');
type Followed = MigrationOutcome | typeof NO_VALID_HOST_YET;

export async function runMigration(context: ApplierContext, action: ActionRecord): Promise<MigrationOutcome> {
  const since = new Date(context.clock.now() - CLOCK_SKEW_MS).toISOString();
  await context.repositories.actions.start(action.id);
  return journalFloorAndStart(context, action, since);
}

/**
 * Journals the floor (the server's highest Nova migration id so far) before the call, so that an
 * earlier attempt for the same server, a refusal a minute ago, is never taken for this one.
 */
async function journalFloorAndStart(context: ApplierContext, action: ActionRecord, since: string, retried = false): Promise<MigrationOutcome> {
  // Nova's scheduler learns late that a server left a host (its instance cache is refreshed every
  // scheduler_instance_sync_interval): it may refuse a server group member onto a host another
  // member has just left. Such a refusal is retried for a while before the action fails.
  const retryUntil = context.clock.now() + context.settings.noValidHostRetryMs;
  for (let attempt = 1; ; attempt++) {
    const earlier = await context.compute.migrationsSince(action.server!, since);
    const floor = newestMigrationId(earlier);
    const journaled = await context.repositories.actions.recordCall(action.id, { novaMigrationFloor: floor, retry: retried || attempt > 1 });
    const outcome = await startAndFollow(context, journaled, since, retryUntil);
    if (outcome !== NO_VALID_HOST_YET) return outcome;
    context.logger.warn({ action: action.id, server: action.server, destination: action.destination, attempt, retryInMs: NO_VALID_HOST_RETRY_DELAY_MS },
      'Nova found no valid host; its scheduler may not know yet that a server left the destination: retrying');
    await context.clock.sleep(NO_VALID_HOST_RETRY_DELAY_MS);
  }
}

/** After a restart: the action was ONGOING, so a call may or may not have reached Nova. */
export async function reconcileMigration(context: ApplierContext, action: ActionRecord): Promise<MigrationOutcome> {
  const started = Date.parse(action.startedAt ?? action.updatedAt);
  const since = new Date(started - CLOCK_SKEW_MS).toISOString();
  // The floor is journaled before the call: without it, the call was never made.
  if (action.novaMigrationFloor === null) return journalFloorAndStart(context, action, since);
  const records = await matching(context, action, since);
  // Without a retry deadline, follow always journals an outcome.
  if (records.length) return await follow(context, action, since, action.requestId ?? undefined, false) as MigrationOutcome;
  const location = await context.compute.serverLocation(action.server!);
  if (location?.host === action.destination) return finish(context, action, { state: 'SUCCEEDED' });
  if (!location) return finish(context, action, { state: 'FAILED', error: 'the server no longer exists' });
  if (location.host !== action.source) return finish(context, action, { state: 'FAILED', error: `the server is on ${location.host ?? 'no host'}, neither on ${action.source} nor on ${action.destination}` });
  // Nova has no migration for it and the server has not moved: the call never arrived.
  context.logger.info({ action: action.id, server: action.server }, 'live migration never reached Nova before the restart; starting it now');
  return journalFloorAndStart(context, action, since, true);
}

async function startAndFollow(context: ApplierContext, action: ActionRecord, since: string, retryUntil = 0): Promise<Followed> {
  let requestId: string | undefined;
  try {
    ({ requestId } = await context.compute.startLiveMigration(action.server!, action.destination!));
    await context.repositories.actions.recordCall(action.id, { requestId: requestId ?? null });
  } catch (error) {
    if (error instanceof MigrationRefused) {
      return finish(context, action, { state: 'FAILED', error: `Nova refused the live migration: ${error.reason}` }, error.requestId);
    }
    // No answer: Nova may have started it or not. Follow it as after a restart.
    context.logger.warn({ action: action.id, server: action.server, error: (error as Error).message }, 'no answer to the live migration call; checking what Nova did');
    return follow(context, action, since, undefined, true);
  }
  return follow(context, action, since, requestId, false, retryUntil);
}

async function matching(context: ApplierContext, action: ActionRecord, since: string): Promise<MigrationRecord[]> {
  const records = await context.compute.migrationsSince(action.server!, since);
  const floor = action.novaMigrationFloor ?? -1;
  return records.filter((record) => record.id > floor && (record.source === null || record.source === action.source) && (record.destination === null || record.destination === action.destination));
}

async function follow(context: ApplierContext, action: ActionRecord, since: string, requestId: string | undefined, unanswered: boolean, retryUntil = 0): Promise<Followed> {
  const { clock, settings } = context;
  const begun = clock.now();
  const deadline = begun + settings.migrationTimeoutMs;
  let recorded: number | undefined;
  for (;;) {
    const records = await matching(context, action, since);
    const latest = records[records.length - 1];
    if (latest && latest.id !== recorded) {
      recorded = latest.id;
      await context.repositories.actions.recordCall(action.id, { novaMigrationId: String(latest.id) });
    }
    if (latest && DONE.has(latest.status)) {
      const location = await context.compute.serverLocation(action.server!);
      if (location?.host === action.destination) return finish(context, action, { state: 'SUCCEEDED', migrationId: latest.id }, requestId);
      return finish(context, action, { state: 'FAILED', migrationId: latest.id, error: `Nova reports migration ${latest.id} ${latest.status}, but the server is on ${location?.host ?? 'no host'}` }, requestId);
    }
    if (latest && BROKEN.has(latest.status)) {
      const reason = await context.compute.failureReason(action.server!, requestId).catch(() => undefined);
      if (reason && /no valid host/i.test(reason) && clock.now() < retryUntil) return NO_VALID_HOST_YET;
      return finish(context, action, { state: 'FAILED', migrationId: latest.id, error: `Nova's migration ${latest.id} ended in status ${latest.status}${reason ? `: ${reason}` : ''}` }, requestId);
    }
    if (!latest && unanswered && clock.now() - begun > APPEARANCE_MS) {
      const location = await context.compute.serverLocation(action.server!);
      if (location?.host === action.destination) return finish(context, action, { state: 'SUCCEEDED' }, requestId);
      return finish(context, action, { state: 'FAILED', error: 'Nova did not answer the live migration call and shows no migration for the server' }, requestId);
    }
    if (clock.now() >= deadline) {
      if (latest) await context.compute.abortMigration(action.server!, latest.id).catch((error: Error) => context.logger.warn({ action: action.id, error: error.message }, 'abort failed'));
      return finish(context, action, { state: 'FAILED', migrationId: latest?.id, error: `timed out after ${Math.round(settings.migrationTimeoutMs / 1000)} s (last status: ${latest?.status ?? 'no migration record'})${latest ? '; abort requested' : ''}` }, requestId);
    }
    await clock.sleep(settings.pollIntervalMs);
  }
}

async function finish(context: ApplierContext, action: ActionRecord, outcome: MigrationOutcome, requestId?: string): Promise<MigrationOutcome> {
  await context.repositories.actions.finish(action.id, outcome.state, {
    error: outcome.error,
    call: { requestId: requestId ?? undefined, novaMigrationId: outcome.migrationId !== undefined ? String(outcome.migrationId) : undefined },
  });
  return outcome;
}
