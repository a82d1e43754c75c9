// The first schema: policies and their windows, snapshots, audits, action plans and their
// actions (the applier's journal), hosts ulm holds, server exemptions, savings, leader locks.
import type { Knex } from 'knex';

// MariaDB: binary collation so names compare as on SQLite (case-sensitive), 4-byte UTF-8.
function tableOptions(knex: Knex, table: Knex.CreateTableBuilder): void {
  if (knex.client.config.client === 'mysql2') {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_bin');
  }
}

// Millisecond timestamps: the journal orders calls to Nova made within one second.
const at = (table: Knex.CreateTableBuilder, name: string) => table.datetime(name, { precision: 3 });
const id = (table: Knex.CreateTableBuilder) => table.string('id', 36).primary();
// JSON documents: plans and snapshots outgrow MariaDB's TEXT (64 KiB); SQLite ignores the size.
const document = (table: Knex.CreateTableBuilder, name: string) => table.text(name, 'longtext');
const timestamps = (table: Knex.CreateTableBuilder) => {
  at(table, 'created_at').notNullable();
  at(table, 'updated_at').notNullable();
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('policies', (table) => {
    tableOptions(knex, table);
    id(table);
    table.string('name', 255).notNullable().unique();
    table.string('description', 255).notNullable().defaultTo('');
    document(table, 'document').notNullable();
    timestamps(table);
  });

  await knex.schema.createTable('windows', (table) => {
    tableOptions(knex, table);
    id(table);
    table.string('policy_id', 36).notNullable().references('id').inTable('policies').onDelete('CASCADE');
    table.string('name', 255).notNullable();
    // The power-saving window as defined (core/policy/power-saving-window.ts).
    document(table, 'document').notNullable();
    table.boolean('enabled').notNullable().defaultTo(true);
    timestamps(table);
    table.unique(['policy_id', 'name']);
  });

  await knex.schema.createTable('snapshots', (table) => {
    tableOptions(knex, table);
    id(table);
    at(table, 'collected_at').notNullable().index();
    document(table, 'document').notNullable();
    document(table, 'summary').notNullable();
    at(table, 'created_at').notNullable();
  });

  await knex.schema.createTable('audits', (table) => {
    tableOptions(knex, table);
    id(table);
    table.string('policy_id', 36).nullable().references('id').inTable('policies').onDelete('SET NULL');
    // Kept when the policy is deleted, so the history still reads.
    table.string('policy_name', 255).notNullable();
    table.string('window_id', 36).nullable().references('id').inTable('windows').onDelete('SET NULL');
    table.string('goal', 32).notNullable();
    table.string('triggered_by', 16).notNullable();
    document(table, 'parameters').notNullable();
    table.string('state', 16).notNullable().index();
    table.string('snapshot_id', 36).nullable().references('id').inTable('snapshots').onDelete('SET NULL');
    // No foreign key: action_plans.audit_id points back here.
    table.string('action_plan_id', 36).nullable();
    table.text('failure_reason').nullable();
    timestamps(table);
    at(table, 'started_at').nullable();
    at(table, 'finished_at').nullable();
  });

  await knex.schema.createTable('action_plans', (table) => {
    tableOptions(knex, table);
    id(table);
    table.string('audit_id', 36).nullable().references('id').inTable('audits').onDelete('SET NULL');
    table.string('state', 16).notNullable().index();
    document(table, 'document').notNullable();
    document(table, 'metrics').notNullable();
    table.boolean('stale').notNullable().defaultTo(false);
    table.text('stale_reason').nullable();
    table.text('failure_reason').nullable();
    // The applier executing it, and until when its claim holds (renewed while it runs): a plan
    // whose claim expired lost its applier and is resumed by another.
    table.string('applier', 255).nullable();
    at(table, 'lease_expires_at').nullable();
    timestamps(table);
    at(table, 'started_at').nullable();
    at(table, 'finished_at').nullable();
  });

  await knex.schema.createTable('actions', (table) => {
    tableOptions(knex, table);
    id(table);
    table.string('action_plan_id', 36).notNullable().references('id').inTable('action_plans').onDelete('CASCADE');
    table.integer('plan_index').notNullable();
    table.integer('wave').notNullable();
    table.string('type', 32).notNullable();
    table.string('server', 36).nullable();
    table.string('server_name', 255).nullable();
    table.string('host', 255).nullable();
    table.string('source', 255).nullable();
    table.string('destination', 255).nullable();
    table.boolean('temporary').notNullable().defaultTo(false);
    table.string('state', 16).notNullable().index();
    table.text('reason').notNullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.string('nova_migration_id', 64).nullable();
    table.string('request_id', 64).nullable();
    table.text('error').nullable();
    timestamps(table);
    at(table, 'started_at').nullable();
    at(table, 'finished_at').nullable();
    table.unique(['action_plan_id', 'plan_index']);
  });

  await knex.schema.createTable('host_states', (table) => {
    tableOptions(knex, table);
    id(table);
    table.string('host', 255).notNullable().unique();
    table.boolean('disabled').notNullable().defaultTo(false);
    table.string('disabled_reason', 255).nullable();
    table.boolean('powered_off').notNullable().defaultTo(false);
    table.string('action_plan_id', 36).nullable().references('id').inTable('action_plans').onDelete('SET NULL');
    at(table, 'disabled_at').nullable();
    at(table, 'powered_off_at').nullable();
    timestamps(table);
  });

  await knex.schema.createTable('server_exemptions', (table) => {
    tableOptions(knex, table);
    id(table);
    table.string('server_id', 36).notNullable().index();
    table.string('kind', 32).notNullable();
    document(table, 'windows').nullable();
    table.string('tag', 255).nullable();
    table.string('reason', 255).notNullable().defaultTo('');
    timestamps(table);
  });

  await knex.schema.createTable('savings', (table) => {
    tableOptions(knex, table);
    id(table);
    table.string('window_id', 36).nullable().references('id').inTable('windows').onDelete('SET NULL');
    table.string('action_plan_id', 36).nullable().references('id').inTable('action_plans').onDelete('SET NULL');
    at(table, 'period_start').notNullable().index();
    at(table, 'period_end').nullable();
    table.integer('hosts_off').notNullable().defaultTo(0);
    table.double('host_hours_off').notNullable().defaultTo(0);
    table.double('energy_kwh').notNullable().defaultTo(0);
    timestamps(table);
    table.unique(['window_id', 'period_start']);
  });

  await knex.schema.createTable('locks', (table) => {
    tableOptions(knex, table);
    table.string('name', 64).primary();
    table.string('holder', 255).notNullable();
    at(table, 'expires_at').notNullable();
    at(table, 'acquired_at').notNullable();
    at(table, 'renewed_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['locks', 'savings', 'server_exemptions', 'host_states', 'actions', 'action_plans', 'audits', 'snapshots', 'windows', 'policies']) {
    await knex.schema.dropTableIfExists(table);
  }
}
