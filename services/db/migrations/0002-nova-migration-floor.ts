// The applier's journal keeps, for each live migration it calls, the highest id among the
// server's Nova migrations before the call: Nova's ids only grow, so the call's own migration is
// the one above it, never an earlier failed attempt for the same server.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('actions', (table) => {
    table.bigInteger('nova_migration_floor').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('actions', (table) => {
    table.dropColumn('nova_migration_floor');
  });
}
