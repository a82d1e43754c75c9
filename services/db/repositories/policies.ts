// Policies: named policy documents, validated against core's PolicySchema on every write.
import type { Knex } from 'knex';
import { validatePolicy, type Policy } from '../../../core/policy/schema.js';
import { AlreadyExists, NotFound } from '../errors.js';
import { isUniqueViolation, json, newId, text, timestamp, type Clock, type Row } from '../rows.js';
import { ValidationError } from '../../../core/validation.js';
import { StateConflict } from '../../../core/plan/states.js';
import { refuseOpenRuns } from './windows.js';

/** A policy with windows is deleted only when the caller asks for its windows to go too. A StateConflict: 409 at the API. */
export class PolicyHasWindows extends StateConflict {
  constructor(readonly policy: string, readonly windows: { id: string; name: string }[]) {
    super('action plan', 'in use', 'deleted');
    this.name = 'PolicyHasWindows';
    const list = windows.map((window) => `${window.name} (${window.id})`).join(', ');
    this.message = `policy ${policy} has ${windows.length} window${windows.length === 1 ? '' : 's'}: ${list}; delete ${windows.length === 1 ? 'it' : 'them'} first (ulm window delete), or delete the policy with them (ulm policy delete --with-windows; DELETE /v1/policies/${policy}?with_windows=true)`;
  }
}

export interface PolicyRecord {
  id: string;
  name: string;
  description: string;
  document: Policy;
  createdAt: string;
  updatedAt: string;
}

export interface NewPolicy {
  name: string;
  description?: string;
  document: unknown;
}

function toRecord(row: Row): PolicyRecord {
  return {
    id: text(row.id), name: text(row.name), description: text(row.description), document: json<Policy>(row.document),
    createdAt: timestamp(row.created_at), updatedAt: timestamp(row.updated_at),
  };
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !name.trim() || name.length > 255) {
    throw new ValidationError('invalid policy', [{ path: 'policy.name', message: `expected a name of 1 to 255 characters, got ${JSON.stringify(name)}` }]);
  }
  return name;
}

export class PolicyRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  async create(policy: NewPolicy): Promise<PolicyRecord> {
    const document = validatePolicy(policy.document, 'policy.document');
    const now = this.clock();
    const row = { id: newId(), name: checkName(policy.name), description: policy.description ?? '', document: JSON.stringify(document), created_at: now, updated_at: now };
    try {
      await this.knex('policies').insert(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExists('policy', 'name', policy.name);
      throw error;
    }
    return this.get(row.id);
  }

  async get(id: string): Promise<PolicyRecord> {
    const row = await this.knex('policies').where({ id }).first();
    if (!row) throw new NotFound('policy', id);
    return toRecord(row);
  }

  async findByName(name: string): Promise<PolicyRecord | undefined> {
    const row = await this.knex('policies').where({ name }).first();
    return row ? toRecord(row) : undefined;
  }

  async list(filter: { limit?: number } = {}): Promise<PolicyRecord[]> {
    const query = this.knex('policies').orderBy('name');
    if (filter.limit) query.limit(filter.limit);
    return (await query).map(toRecord);
  }

  async update(id: string, changes: Partial<NewPolicy>): Promise<PolicyRecord> {
    const update: Row = { updated_at: this.clock() };
    if (changes.name !== undefined) update.name = checkName(changes.name);
    if (changes.description !== undefined) update.description = changes.description;
    if (changes.document !== undefined) update.document = JSON.stringify(validatePolicy(changes.document, 'policy.document'));
    let count: number;
    try {
      count = await this.knex('policies').where({ id }).update(update);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExists('policy', 'name', String(changes.name));
      throw error;
    }
    if (!count) throw new NotFound('policy', id);
    return this.get(id);
  }

  /**
   * Deletes the policy; its audits stay, with the policy's name. A policy with windows is refused
   * (PolicyHasWindows) unless `withWindows`, and a window with a run in progress is never deleted
   * here (WindowRunInProgress): the engine restores and closes such runs first.
   */
  async delete(id: string, options: { withWindows?: boolean } = {}): Promise<void> {
    await this.knex.transaction(async (transaction) => {
      const row = await transaction('policies').where({ id }).first();
      if (!row) throw new NotFound('policy', id);
      const windows = (await transaction('windows').where({ policy_id: id }).orderBy('name').select('id', 'name'))
        .map((window: Row) => ({ id: text(window.id), name: text(window.name) }));
      if (windows.length && !options.withWindows) throw new PolicyHasWindows(text(row.name), windows);
      await refuseOpenRuns(transaction, windows);
      await transaction('windows').where({ policy_id: id }).delete();
      await transaction('policies').where({ id }).delete();
    });
  }
}
