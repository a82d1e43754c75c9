// An operator's cancel may ask the applier to abort the live migrations in flight
// (`ulm plan cancel ID --abort-running`), across processes: the plan row carries the request.
// A power-saving window run keeps the restore plan that brings its hosts back, so that a
// restarted scheduler follows that plan instead of starting a second one.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('action_plans', (table) => {
    table.boolean('abort_requested').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('savings', (table) => {
    table.string('restore_plan_id', 36).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('savings', (table) => {
    table.dropColumn('restore_plan_id');
  });
  await knex.schema.alterTable('action_plans', (table) => {
    table.dropColumn('abort_requested');
  });
}
