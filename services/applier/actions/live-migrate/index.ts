// live_migrate: one live migration through Nova (never forced: Nova's scheduler still checks
// the destination). Journaled ONGOING with the server's highest earlier Nova migration id (the
// floor) before the call, followed through /os-migrations, verified on the server itself. After
// a restart it is reconciled from Nova's records, the server's task state and its instance
// actions: a call that reached Nova is followed, never sent again.
import { Type } from '@sinclair/typebox';
import { newestMigrationId } from '../../../../openstack/nova/migrations.js';
import type { ActionRecord } from '../../../db/index.js';
import { MigrationRefused, type MigrationRecord } from '../../compute.js';
import { crashPoint } from '../../crash-points.js';
import { untilBeat } from '../../migration-poll.js';
import type { ActionKind, ActionRun, Outcome, Precondition, Reconciled } from '../kind.js';
import { abortRunningMigration } from '../abort-migration/index.js';

const DONE = new Set(['completed', 'done']);
const BROKEN = new Set(['error', 'failed', 'cancelled']);
/** Nova's clock and ours may differ a little; migrations are matched on hosts too. */
const CLOCK_SKEW_MS = 60_000;
/** An earlier migration record this close to the start of the look-back is not counted against the calls seen. */
const EARLIER_CALL_MARGIN_MS = 5_000;
/** How long a migration may take to appear in /os-migrations after a call that reached Nova. */
const APPEARANCE_MS = 60_000;
/** Polls this often while a migration is young: most end within seconds, and the moves that wait for one start as soon as it ends. */
const EARLY_POLL_MS = 250;
const EARLY_MS = 15_000;
/**
 * Between two tries of a migration Nova's scheduler refused with "No valid host": short at first
 * (Nova's view is often corrected within seconds), then doubling up to the longest wait.
 */
const NO_VALID_HOST_FIRST_RETRY_MS = 2_000;
const NO_VALID_HOST_LONGEST_RETRY_MS = 15_000;
const noValidHostRetryDelay = (attempt: number): number => Math.min(NO_VALID_HOST_LONGEST_RETRY_MS, NO_VALID_HOST_FIRST_RETRY_MS * 2 ** (attempt - 1));
/** A "No valid host" refusal that may still be tried again: nothing journaled as finished. */
const NO_VALID_HOST_YET = Symbol('no valid host yet');
type Followed = Outcome | typeof NO_VALID_HOST_YET;

function since(action: ActionRecord, now: number): string {
  const started = action.startedAt ? Date.parse(action.startedAt) : now;
  return new Date(Math.min(started, now) - CLOCK_SKEW_MS).toISOString();
}

async function precondition({ context, action, ledger }: ActionRun): Promise<Precondition> {
  const { compute } = context;
  const destination = action.destination!;
  // The three reads are independent: taken at once, they are as fresh and cost one round trip.
  const [location, service, room] = await Promise.all([compute.serverLocation(action.server!), compute.computeService(destination), compute.roomOn(destination)]);
  if (!location) return { verdict: 'skip', reason: 'the server no longer exists' };
  if (location.host === action.destination && !location.taskState) return { verdict: 'done', detail: `already on ${action.destination}` };
  if (location.host !== action.source) return { verdict: 'skip', reason: `the server is on ${location.host ?? 'no host'}, not on ${action.source}` };
  if (location.status !== 'ACTIVE' && location.status !== 'PAUSED') return { verdict: 'skip', reason: `the server is ${location.status}: only ACTIVE or PAUSED servers live-migrate` };
  if (location.taskState) return { verdict: 'skip', reason: `the server is busy (${location.taskState})` };
  if (!service) return { verdict: 'skip', reason: `destination ${destination} has no nova-compute service` };
  if (!service.enabled) return { verdict: 'skip', reason: `destination ${destination} was disabled meanwhile (${service.disabledReason ?? 'no reason given'})` };
  if (!service.up) return { verdict: 'skip', reason: `destination ${destination}'s nova-compute is down` };
  if (location.flavor) {
    const { vcpus, memoryMb, diskGb } = location.flavor;
    const after = { vcpus, memoryMb, diskGb };
    for (const [other, promised] of ledger.incoming) {
      if (other === action.id || promised.destination !== destination) continue;
      after.vcpus += promised.vcpus; after.memoryMb += promised.memoryMb; after.diskGb += promised.diskGb;
    }
    if (room && (after.vcpus > room.vcpus || after.memoryMb > room.memoryMb || after.diskGb > room.diskGb)) {
      return { verdict: 'skip', reason: `destination ${destination} has no room for it now in Placement (free: ${room.vcpus} VCPU, ${room.memoryMb} MEMORY_MB, ${room.diskGb} DISK_GB)` };
    }
    ledger.incoming.set(action.id, { destination, vcpus, memoryMb, diskGb });
  }
  return { verdict: 'run' };
}

/**
 * Journals the floor (the server's highest Nova migration id so far) before each call, so that an
 * earlier attempt for the same server is never taken for this one. Nova's scheduler learns late
 * that a server left a host (scheduler_instance_sync_interval): it may refuse a server group
 * member onto a host another member has just left, so such a refusal is tried again for a while.
 */
async function callAndFollow(run: ActionRun, from: string, retried: boolean): Promise<Outcome> {
  const { context, action } = run;
  const retryUntil = context.clock.now() + context.settings.noValidHostRetryMs;
  for (let attempt = 1; ; attempt++) {
    const [earlier, callsBefore] = await Promise.all([context.compute.migrationsSince(action.server!, from), context.compute.liveMigrationCallsSince(action.server!)]);
    const journaled = await context.repositories.actions.recordCall(action.id, { novaMigrationFloor: newestMigrationId(earlier), novaCallsBefore: callsBefore, retry: retried || attempt > 1 });
    const outcome = await call({ ...run, action: journaled }, from, retryUntil);
    if (outcome !== NO_VALID_HOST_YET) return outcome;
    const delay = noValidHostRetryDelay(attempt);
    context.logger.warn({ action: action.id, server: action.server, destination: action.destination, attempt, retryInMs: delay },
      'Nova found no valid host; its scheduler may not know yet that a server left the destination: retrying');
    await context.clock.sleep(delay);
  }
}

async function call(run: ActionRun, from: string, retryUntil: number): Promise<Followed> {
  const { context, action } = run;
  crashPoint('migration.before-call');
  let requestId: string | undefined;
  try {
    ({ requestId } = await context.compute.startLiveMigration(action.server!, action.destination!));
  } catch (error) {
    if (error instanceof MigrationRefused) {
      await context.repositories.actions.recordCall(action.id, { requestId: error.requestId ?? null });
      return { state: 'FAILED', error: `Nova refused the live migration: ${error.reason}` };
    }
    // No answer: Nova may have started it or not. Follow it as after a restart.
    context.logger.warn({ action: action.id, server: action.server, error: (error as Error).message }, 'no answer to the live migration call; checking what Nova did');
    return follow(run, from, undefined, 0);
  }
  crashPoint('migration.after-call');
  await context.repositories.actions.recordCall(action.id, { requestId: requestId ?? null });
  return follow(run, from, requestId, retryUntil);
}

async function matching(run: ActionRun, from: string): Promise<MigrationRecord[]> {
  const { context, action } = run;
  const records = await context.compute.migrationsSince(action.server!, from);
  const floor = action.novaMigrationFloor ?? -1;
  return records.filter((record) => record.id > floor && (record.source === null || record.source === action.source) && (record.destination === null || record.destination === action.destination));
}

/** Follows the migration the call started until Nova says it is over (or the timeout aborts it). */
async function follow(run: ActionRun, from: string, requestId: string | undefined, retryUntil: number): Promise<Followed> {
  const { context, action } = run;
  const { clock, settings } = context;
  const begun = clock.now();
  const deadline = begun + settings.migrationTimeoutMs;
  let recorded: number | undefined;
  let aborted = false;
  for (;;) {
    const records = await matching(run, from);
    const latest = records[records.length - 1];
    if (latest && latest.id !== recorded) {
      recorded = latest.id;
      await context.repositories.actions.recordCall(action.id, { novaMigrationId: String(latest.id) });
    }
    if (latest && DONE.has(latest.status)) {
      crashPoint('migration.completed');
      return { state: 'SUCCEEDED' };
    }
    if (latest && BROKEN.has(latest.status)) {
      if (aborted && latest.status === 'cancelled') return { state: 'CANCELLED', error: `aborted by an operator: Nova cancelled migration ${latest.id}; the server stays on ${action.source}` };
      const reason = await context.compute.failureReason(action.server!, requestId).catch(() => undefined);
      if (reason && /no valid host/i.test(reason) && clock.now() < retryUntil) return NO_VALID_HOST_YET;
      return { state: 'FAILED', error: `Nova's migration ${latest.id} ended in status ${latest.status}${reason ? `: ${reason}` : ''}` };
    }
    if (!latest && clock.now() - begun > APPEARANCE_MS) {
      const location = await context.compute.serverLocation(action.server!);
      if (location?.host === action.destination && !location.taskState) return { state: 'SUCCEEDED' };
      if (!location?.taskState) return { state: 'FAILED', error: 'Nova shows no migration for the server and the server is not migrating' };
    }
    if (clock.now() >= deadline) {
      if (latest) await context.compute.abortMigration(action.server!, latest.id).catch((error: Error) => context.logger.warn({ action: action.id, error: error.message }, 'abort failed'));
      return { state: 'FAILED', error: `timed out after ${Math.round(settings.migrationTimeoutMs / 1000)} s (last status: ${latest?.status ?? 'no migration record'})${latest ? '; abort requested' : ''}` };
    }
    if (latest && !aborted && (await run.stopRequested())?.abort) {
      aborted = true;
      await abortRunningMigration(run, latest.id);
    }
    crashPoint('migration.polling');
    // On the beat, so that the migrations in flight are read in one request (migration-poll.ts).
    await clock.sleep(untilBeat(clock.now(), clock.now() - begun < EARLY_MS ? Math.min(EARLY_POLL_MS, settings.pollIntervalMs) : settings.pollIntervalMs));
  }
}

/** Whether Nova has seen a live migration call for the server since `from`: its task state or its instance actions. */
async function reachedNova(run: ActionRun, from: string): Promise<boolean> {
  const { context, action } = run;
  const location = await context.compute.serverLocation(action.server!);
  if (location?.taskState) return true;
  // Nova's count of the server's calls, journaled before this one: exact.
  if (action.novaCallsBefore !== null) return (await context.compute.liveMigrationCallsSince(action.server!)) > action.novaCallsBefore;
  // A call journaled before that count was kept: `from` reaches back a minute for clock skew, so it may hold earlier calls for the server (an
  // undrain a moment ago, this action's earlier attempts): each of those has its migration record
  // at or below the journaled floor. A call beyond them is this one. A record close to `from`
  // is not counted (its call may have started before it): in doubt the call is taken as
  // arrived and followed, never sent twice.
  const [calls, records] = await Promise.all([context.compute.liveMigrationCallsSince(action.server!, from), context.compute.migrationsSince(action.server!, from)]);
  const counted = Date.parse(from) + EARLIER_CALL_MARGIN_MS;
  const earlier = records.filter((record) => record.id <= (action.novaMigrationFloor ?? -1) && Date.parse(record.createdAt) >= counted).length;
  return calls > earlier;
}

export const liveMigrate: ActionKind = {
  type: 'live_migrate',
  parameters: Type.Object({
    server: Type.String({ minLength: 1 }), source: Type.String({ minLength: 1 }), destination: Type.String({ minLength: 1 }),
    server_name: Type.Optional(Type.String()), temporary: Type.Optional(Type.Boolean()),
  }),
  describe: (action) => `live migration of ${action.serverName ?? action.server} from ${action.source} to ${action.destination}`,
  precondition,
  // Again after a restart that found the journaled call never reached Nova: another attempt.
  execute: (run, again = false) => callAndFollow(run, since(run.action, run.context.clock.now()), again && run.action.novaMigrationFloor !== null),
  async verify({ context, action }) {
    const location = await context.compute.serverLocation(action.server!);
    if (!location) return 'the server no longer exists';
    if (location.host !== action.destination) return `Nova reports the migration over, but the server is on ${location.host ?? 'no host'}`;
    return null;
  },
  async reconcile(run): Promise<Reconciled> {
    const { context, action } = run;
    const from = since(action, context.clock.now());
    // The floor is journaled before the call: without it, no call was made.
    if (action.novaMigrationFloor === null) return { verdict: 'call' };
    const records = await matching(run, from);
    if (records.length || await reachedNova(run, from)) {
      context.logger.info({ action: action.id, server: action.server }, 'live migration reached Nova before the restart; following it');
      const followed = await follow(run, from, action.requestId ?? undefined, 0);
      return { verdict: 'ended', ...(followed as Outcome) };
    }
    const location = await context.compute.serverLocation(action.server!);
    if (location?.host === action.destination) return { verdict: 'ended', state: 'SUCCEEDED' };
    if (!location) return { verdict: 'ended', state: 'FAILED', error: 'the server no longer exists' };
    if (location.host !== action.source) return { verdict: 'ended', state: 'FAILED', error: `the server is on ${location.host ?? 'no host'}, neither on ${action.source} nor on ${action.destination}` };
    // Nova has no migration, no task and no instance action for it: the call never arrived.
    context.logger.info({ action: action.id, server: action.server }, 'live migration never reached Nova before the restart; starting it now');
    return { verdict: 'call' };
  },
};
