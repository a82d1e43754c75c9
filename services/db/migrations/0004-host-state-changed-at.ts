// ulm keeps the time it enabled a host again, so the host view shows the host in service at
// once instead of the disabled host of a snapshot taken before (the monitor collects every minute).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('host_states', (table) => {
    table.datetime('enabled_at', { precision: 3 }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('host_states', (table) => {
    table.dropColumn('enabled_at');
  });
}
