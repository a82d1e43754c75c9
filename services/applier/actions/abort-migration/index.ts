// abort_migration: stops a running live migration through Nova (`ulm plan cancel ID
// --abort-running`). Not part of a plan document: journaled beside the migration it aborts, so
// a restart knows the abort was asked and does not ask again.
import { Type } from '@sinclair/typebox';
import { FINAL_MIGRATION_STATUSES } from '../../../../openstack/nova/migrations.js';
import type { ActionKind, ActionRun, Outcome } from '../kind.js';
import { runAction } from '../run.js';

async function migrationStatus(run: ActionRun): Promise<string | null> {
  const { context, action } = run;
  const records = await context.compute.migrationsSince(action.server!, new Date(Date.parse(action.createdAt) - 3_600_000).toISOString());
  return records.find((record) => String(record.id) === action.novaMigrationId)?.status ?? null;
}

export const abortMigration: ActionKind = {
  type: 'abort_migration',
  parameters: Type.Object({ server: Type.String({ minLength: 1 }), nova_migration_id: Type.String({ minLength: 1 }) }),
  describe: (action) => `abort of live migration ${action.novaMigrationId} of ${action.serverName ?? action.server}`,
  async precondition(run) {
    const status = await migrationStatus(run);
    if (status === null) return { verdict: 'skip', reason: `Nova lists no migration ${run.action.novaMigrationId} for the server` };
    if (FINAL_MIGRATION_STATUSES.has(status)) return { verdict: 'skip', reason: `migration ${run.action.novaMigrationId} had already ended (${status})` };
    return { verdict: 'run' };
  },
  async execute({ context, action }): Promise<Outcome> {
    try {
      await context.compute.abortMigration(action.server!, Number(action.novaMigrationId));
      return { state: 'SUCCEEDED' };
    } catch (error) {
      return { state: 'FAILED', error: `Nova did not abort migration ${action.novaMigrationId}: ${(error as Error).message}` };
    }
  },
  // Nova accepted the abort; the migration's own action follows it to its end.
  verify: async () => null,
  async reconcile(run) {
    const status = await migrationStatus(run);
    if (status !== null && !FINAL_MIGRATION_STATUSES.has(status)) return { verdict: 'call' };
    return { verdict: 'ended', state: 'SUCCEEDED' };
  },
};

/** Journals and runs the abort of the migration a live_migrate action is following. */
export async function abortRunningMigration(run: ActionRun, novaMigrationId: number): Promise<void> {
  const { context, plan, action } = run;
  const journaled = await context.repositories.actions.append(plan.id, {
    type: 'abort_migration', wave: action.wave, server: action.server, serverName: action.serverName,
    source: action.source, destination: action.destination, novaMigrationId: String(novaMigrationId),
    reason: 'an operator cancelled the plan and asked to abort the migrations in flight',
  });
  await runAction(abortMigration, { ...run, action: journaled });
}
