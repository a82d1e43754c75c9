// An audit runs in the background of the process that accepted it: the process's name and its
// last sign of life let any reader tell an audit still running from one whose process died.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audits', (table) => {
    table.string('runner', 255).nullable();
    table.datetime('heartbeat_at', { precision: 3 }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audits', (table) => {
    table.dropColumn('runner');
    table.dropColumn('heartbeat_at');
  });
}
