// Scheduled maintenances of hosts: drain before a time, power off if asked, restore at an end
// time. The row is where a maintenance stands, so a restarted scheduler resumes from it.
import type { Knex } from 'knex';

const at = (table: Knex.CreateTableBuilder, name: string) => table.datetime(name, { precision: 3 });
const planReference = (table: Knex.CreateTableBuilder, name: string) =>
  table.string(name, 36).nullable().references('id').inTable('action_plans').onDelete('SET NULL');

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('maintenances', (table) => {
    if (knex.client.config.client === 'mysql2') {
      table.engine('InnoDB');
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('id', 36).primary();
    // The host names as a JSON array: few per maintenance, always read together.
    table.text('hosts').notNullable();
    table.string('state', 16).notNullable().index();
    at(table, 'at').notNullable();
    at(table, 'until').nullable();
    table.boolean('power_off').notNullable().defaultTo(false);
    // When the drain starts, estimated from measured live migrations when scheduled.
    at(table, 'drain_starts_at').notNullable();
    table.integer('estimated_drain_seconds').notNullable();
    planReference(table, 'drain_plan_id');
    planReference(table, 'power_off_plan_id');
    planReference(table, 'restore_plan_id');
    table.string('created_by', 255).notNullable();
    table.text('failure_reason').nullable();
    at(table, 'created_at').notNullable();
    at(table, 'updated_at').notNullable();
    at(table, 'started_at').nullable();
    at(table, 'finished_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('maintenances');
}
