// Power-saving windows of a policy, stored as defined by the one window schema
// (core/policy/power-saving-window.ts): when they open and close, in which time zone, holidays
// and off days, and what to do when they open and before they close.
import type { Knex } from 'knex';
import { validatePowerSavingWindow, type PowerSavingWindow } from '../../../core/policy/power-saving-window.js';
import { AlreadyExists, NotFound } from '../errors.js';
import { flag, isForeignKeyViolation, isUniqueViolation, json, newId, text, timestamp, type Clock, type Row } from '../rows.js';

export interface WindowRecord {
  id: string;
  policyId: string;
  name: string;
  window: PowerSavingWindow;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewWindow {
  policyId: string;
  /** Checked against the window schema; errors name `window.<field>`. */
  window: unknown;
}

function toRecord(row: Row): WindowRecord {
  return {
    id: text(row.id), policyId: text(row.policy_id), name: text(row.name), window: json<PowerSavingWindow>(row.document),
    enabled: flag(row.enabled), createdAt: timestamp(row.created_at), updatedAt: timestamp(row.updated_at),
  };
}

function toRow(window: PowerSavingWindow): Row {
  return { name: window.name, document: JSON.stringify(window), enabled: window.enabled ?? true };
}

export class WindowRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  async create(input: NewWindow): Promise<WindowRecord> {
    const window = validatePowerSavingWindow(input.window, 'window');
    const now = this.clock();
    const id = newId();
    await this.write(() => this.knex('windows').insert({ id, policy_id: input.policyId, ...toRow(window), created_at: now, updated_at: now }), input.policyId, window.name);
    return this.get(id);
  }

  async get(id: string): Promise<WindowRecord> {
    const row = await this.knex('windows').where({ id }).first();
    if (!row) throw new NotFound('window', id);
    return toRecord(row);
  }

  async list(filter: { policyId?: string; enabled?: boolean } = {}): Promise<WindowRecord[]> {
    const query = this.knex('windows').orderBy([{ column: 'policy_id' }, { column: 'name' }]);
    if (filter.policyId !== undefined) query.where({ policy_id: filter.policyId });
    if (filter.enabled !== undefined) query.where({ enabled: filter.enabled });
    return (await query).map(toRecord);
  }

  /** Replaces fields of the window; the result is checked as a whole. */
  async update(id: string, changes: Partial<PowerSavingWindow>): Promise<WindowRecord> {
    const current = await this.get(id);
    const window = validatePowerSavingWindow({ ...current.window, ...changes }, 'window');
    await this.write(() => this.knex('windows').where({ id }).update({ ...toRow(window), updated_at: this.clock() }), current.policyId, window.name);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.knex('windows').where({ id }).delete())) throw new NotFound('window', id);
  }

  private async write(operation: () => Promise<unknown>, policyId: string, name: string): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExists('window of this policy', 'name', name);
      if (isForeignKeyViolation(error)) throw new NotFound('policy', policyId);
      throw error;
    }
  }
}
