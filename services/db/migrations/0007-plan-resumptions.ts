// How often an applier took a running plan over after its applier stopped (crash, restart, lost
// host): the plan's record says it was resumed instead of looking like one uninterrupted run.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('action_plans', (table) => {
    table.integer('resumptions').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('action_plans', (table) => {
    table.dropColumn('resumptions');
  });
}
