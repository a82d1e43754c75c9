// The applier's journal keeps, for each live migration it calls, how many live migration calls
// Nova had recorded for the server (its instance actions) before the call. After a crash just
// before or after the call, a count above it says exactly whether the call reached Nova; the
// instance actions and migration records compared by time could take an earlier move's call,
// made moments before, for this one.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('actions', (table) => {
    table.integer('nova_calls_before').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('actions', (table) => {
    table.dropColumn('nova_calls_before');
  });
}
