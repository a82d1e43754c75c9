// Power-saving windows of a policy, stored as defined by the one window schema
// (core/policy/power-saving-window.ts): when they open and close, in which time zone, holidays
// and off days, and what to do when they open and before they close.
import type { Knex } from 'knex';
import { validatePowerSavingWindow, type PowerSavingWindow } from '../../../core/policy/power-saving-window.js';
import { AlreadyExists, NotFound } from '../errors.js';
import { StateConflict } from '../../../core/plan/states.js';
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

/**
 * A window whose run is in progress (its savings row has no period_end): deleting the window
 * would leave the run's hosts in maintenance with nothing left to restore them. A StateConflict,
 * so the API answers 409.
 */
export class WindowRunInProgress extends StateConflict {
  constructor(window: { id: string; name: string }, detail: string) {
    super('action plan', 'running', 'deleted');
    this.name = 'WindowRunInProgress';
    this.message = `window ${window.name} (${window.id}) has a run in progress: ${detail}`;
  }
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

  /** Refused while a run of the window is in progress: the engine restores and closes it first. */
  async delete(id: string): Promise<void> {
    await this.knex.transaction(async (transaction) => {
      const row = await transaction('windows').where({ id }).first();
      if (!row) throw new NotFound('window', id);
      await refuseOpenRuns(transaction, [{ id, name: text(row.name) }]);
      await transaction('windows').where({ id }).delete();
    });
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

/** Throws WindowRunInProgress for the first of these windows with a run not yet closed. */
export async function refuseOpenRuns(knex: Knex, windows: { id: string; name: string }[]): Promise<void> {
  if (!windows.length) return;
  const open = await knex('savings').whereIn('window_id', windows.map((window) => window.id)).whereNull('period_end').first();
  if (!open) return;
  const window = windows.find((candidate) => candidate.id === open.window_id)!;
  throw new WindowRunInProgress(window, `its hosts must be restored first; \`ulm window delete ${window.id}\` restores them and closes the run`);
}
