// Power-saving windows of a policy: when they open (cron or "weekdays 20:00" text, read by the
// scheduler), how long they last or when they close, in which time zone, and on which holidays not.
import type { Knex } from 'knex';
import { isKnownTimeZone } from '../../../core/policy/windows.js';
import { ValidationError, type Issue } from '../../../core/validation.js';
import { AlreadyExists, NotFound } from '../errors.js';
import { flag, isForeignKeyViolation, isUniqueViolation, json, newId, optionalInteger, optionalText, text, timestamp, type Clock, type Row } from '../rows.js';

export const CATCH_UP_POLICIES = ['run_once', 'skip'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

export interface WindowRecord {
  id: string;
  policyId: string;
  name: string;
  /** A cron expression or scheduler text such as "weekdays 20:00"; the scheduler parses it. */
  schedule: string;
  /** How long the window stays open; or else `closeAt`. */
  durationMinutes: number | null;
  /** Local time (HH:MM) the window closes; or else `durationMinutes`. */
  closeAt: string | null;
  timezone: string;
  /** Dates (YYYY-MM-DD, local) on which the window does not open. */
  holidays: string[];
  /** A start missed while no scheduler ran; null: [scheduler] misfire_policy. */
  catchUp: CatchUpPolicy | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewWindow {
  policyId: string;
  name: string;
  schedule: string;
  durationMinutes?: number | null;
  closeAt?: string | null;
  timezone?: string;
  holidays?: string[];
  catchUp?: CatchUpPolicy | null;
  enabled?: boolean;
}

type WindowFields = Omit<NewWindow, 'policyId'>;

function toRecord(row: Row): WindowRecord {
  return {
    id: text(row.id), policyId: text(row.policy_id), name: text(row.name), schedule: text(row.schedule),
    durationMinutes: optionalInteger(row.duration_minutes), closeAt: optionalText(row.close_at), timezone: text(row.timezone),
    holidays: json<string[]>(row.holidays), catchUp: optionalText(row.catch_up) as CatchUpPolicy | null, enabled: flag(row.enabled),
    createdAt: timestamp(row.created_at), updatedAt: timestamp(row.updated_at),
  };
}

const WEEK_MINUTES = 7 * 24 * 60;

/** Checks a complete window; every issue names the field and what is expected. */
function validate(window: Required<WindowFields>): void {
  const issues: Issue[] = [];
  const add = (field: string, message: string) => issues.push({ path: `window.${field}`, message });
  if (!window.name.trim() || window.name.length > 255) add('name', `expected a name of 1 to 255 characters, got ${JSON.stringify(window.name)}`);
  if (!window.schedule.trim() || window.schedule.length > 255) add('schedule', `expected a cron expression or a time such as "weekdays 20:00", got ${JSON.stringify(window.schedule)}`);
  const hasDuration = window.durationMinutes !== null;
  const hasClose = window.closeAt !== null;
  if (hasDuration === hasClose) add(hasDuration ? 'close_at' : 'duration_minutes', 'give either duration_minutes or close_at, not both and not neither');
  if (hasDuration && (!Number.isInteger(window.durationMinutes) || (window.durationMinutes as number) < 1 || (window.durationMinutes as number) > WEEK_MINUTES)) {
    add('duration_minutes', `expected an integer from 1 to ${WEEK_MINUTES} (a week), got ${JSON.stringify(window.durationMinutes)}`);
  }
  if (hasClose && !/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(window.closeAt as string)) add('close_at', `expected a time (HH:MM), got ${JSON.stringify(window.closeAt)}`);
  if (!isKnownTimeZone(window.timezone)) add('timezone', `"${window.timezone}" is not an IANA time zone; use a name such as "Europe/Berlin" or "UTC"`);
  window.holidays.forEach((day, index) => {
    const date = /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(`${day}T00:00:00Z`) : undefined;
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day) add(`holidays[${index}]`, `expected a date (YYYY-MM-DD), got ${JSON.stringify(day)}`);
  });
  if (window.catchUp !== null && !CATCH_UP_POLICIES.includes(window.catchUp)) add('catch_up', `expected one of ${CATCH_UP_POLICIES.join(', ')} or null, got ${JSON.stringify(window.catchUp)}`);
  if (issues.length) throw new ValidationError('invalid window', issues);
}

export class WindowRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  async create(window: NewWindow): Promise<WindowRecord> {
    const fields: Required<WindowFields> = {
      name: window.name, schedule: window.schedule, durationMinutes: window.durationMinutes ?? null, closeAt: window.closeAt ?? null,
      timezone: window.timezone ?? 'UTC', holidays: window.holidays ?? [], catchUp: window.catchUp ?? null, enabled: window.enabled ?? true,
    };
    validate(fields);
    const now = this.clock();
    const id = newId();
    await this.write(() => this.knex('windows').insert({ id, policy_id: window.policyId, ...toRow(fields), created_at: now, updated_at: now }), window);
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

  async update(id: string, changes: Partial<WindowFields>): Promise<WindowRecord> {
    const current = await this.get(id);
    const fields: Required<WindowFields> = {
      name: changes.name ?? current.name, schedule: changes.schedule ?? current.schedule,
      durationMinutes: changes.durationMinutes !== undefined ? changes.durationMinutes : current.durationMinutes,
      closeAt: changes.closeAt !== undefined ? changes.closeAt : current.closeAt,
      timezone: changes.timezone ?? current.timezone, holidays: changes.holidays ?? current.holidays,
      catchUp: changes.catchUp !== undefined ? changes.catchUp : current.catchUp, enabled: changes.enabled ?? current.enabled,
    };
    validate(fields);
    await this.write(() => this.knex('windows').where({ id }).update({ ...toRow(fields), updated_at: this.clock() }), { policyId: current.policyId, name: fields.name });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.knex('windows').where({ id }).delete())) throw new NotFound('window', id);
  }

  private async write(operation: () => Promise<unknown>, window: { policyId: string; name: string }): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExists('window of this policy', 'name', window.name);
      if (isForeignKeyViolation(error)) throw new NotFound('policy', window.policyId);
      throw error;
    }
  }
}

function toRow(fields: Required<WindowFields>): Row {
  return {
    name: fields.name, schedule: fields.schedule, duration_minutes: fields.durationMinutes, close_at: fields.closeAt,
    timezone: fields.timezone, holidays: JSON.stringify(fields.holidays), catch_up: fields.catchUp, enabled: fields.enabled,
  };
}
