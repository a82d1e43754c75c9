// Savings of each window run: how many hosts were off, for how many host-hours, and the
// energy that saved (an estimate from the hosts' idle power).
import type { Knex } from 'knex';
import { ValidationError, type Issue } from '../../../core/validation.js';
import { AlreadyExists, NotFound } from '../errors.js';
import { integer, isForeignKeyViolation, isUniqueViolation, newId, optionalText, optionalTimestamp, text, timestamp, toDate, type Clock, type Row } from '../rows.js';

export interface SavingsRecord {
  id: string;
  windowId: string | null;
  actionPlanId: string | null;
  /** The plan that brings the run's hosts back when the window closes. */
  restorePlanId: string | null;
  periodStart: string;
  /** Null while the window run goes on. */
  periodEnd: string | null;
  hostsOff: number;
  hostHoursOff: number;
  energyKwh: number;
  createdAt: string;
  updatedAt: string;
}

export interface SavingsFigures {
  periodEnd?: string | null;
  hostsOff?: number;
  hostHoursOff?: number;
  energyKwh?: number;
}

function toRecord(row: Row): SavingsRecord {
  return {
    id: text(row.id), windowId: optionalText(row.window_id), actionPlanId: optionalText(row.action_plan_id), restorePlanId: optionalText(row.restore_plan_id),
    periodStart: timestamp(row.period_start), periodEnd: optionalTimestamp(row.period_end),
    hostsOff: integer(row.hosts_off), hostHoursOff: Number(row.host_hours_off), energyKwh: Number(row.energy_kwh),
    createdAt: timestamp(row.created_at), updatedAt: timestamp(row.updated_at),
  };
}

function figureColumns(figures: SavingsFigures): Row {
  const issues: Issue[] = [];
  const columns: Row = {};
  const amount = (field: string, column: string, value: number | undefined, whole = false) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (whole && !Number.isInteger(value))) issues.push({ path: `savings.${field}`, message: `expected ${whole ? 'an integer' : 'a number'} >= 0, got ${JSON.stringify(value)}` });
    else columns[column] = value;
  };
  amount('hosts_off', 'hosts_off', figures.hostsOff, true);
  amount('host_hours_off', 'host_hours_off', figures.hostHoursOff);
  amount('energy_kwh', 'energy_kwh', figures.energyKwh);
  if (issues.length) throw new ValidationError('invalid savings', issues);
  if (figures.periodEnd !== undefined) columns.period_end = figures.periodEnd === null ? null : toDate(figures.periodEnd, 'savings.period_end');
  return columns;
}

export class SavingsRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  /** Opens the record of one window run; one per window and start. */
  async create(run: { windowId?: string | null; actionPlanId?: string | null; periodStart: string } & SavingsFigures): Promise<SavingsRecord> {
    const now = this.clock();
    const id = newId();
    try {
      await this.knex('savings').insert({
        id, window_id: run.windowId ?? null, action_plan_id: run.actionPlanId ?? null, period_start: toDate(run.periodStart, 'savings.period_start'),
        hosts_off: 0, host_hours_off: 0, energy_kwh: 0, ...figureColumns(run), created_at: now, updated_at: now,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExists('savings record of this window', 'period_start', run.periodStart);
      if (isForeignKeyViolation(error)) throw new NotFound(run.windowId ? 'window or action plan' : 'action plan', String(run.windowId ?? run.actionPlanId));
      throw error;
    }
    return this.get(id);
  }

  /** Links a window run to the action plan it made. */
  async setActionPlan(id: string, actionPlanId: string): Promise<SavingsRecord> {
    const count = await this.knex('savings').where({ id }).update({ action_plan_id: actionPlanId, updated_at: this.clock() });
    if (!count) throw new NotFound('savings record', id);
    return this.get(id);
  }

  /** Links a window run to the restore plan that brings its hosts back. */
  async setRestorePlan(id: string, restorePlanId: string): Promise<SavingsRecord> {
    const count = await this.knex('savings').where({ id }).update({ restore_plan_id: restorePlanId, updated_at: this.clock() });
    if (!count) throw new NotFound('savings record', id);
    return this.get(id);
  }

  async get(id: string): Promise<SavingsRecord> {
    const row = await this.knex('savings').where({ id }).first();
    if (!row) throw new NotFound('savings record', id);
    return toRecord(row);
  }

  async update(id: string, figures: SavingsFigures): Promise<SavingsRecord> {
    const count = await this.knex('savings').where({ id }).update({ ...figureColumns(figures), updated_at: this.clock() });
    if (!count) throw new NotFound('savings record', id);
    return this.get(id);
  }

  /** Runs that started in [since, until), oldest first. */
  async list(filter: { windowId?: string; since?: string; until?: string } = {}): Promise<SavingsRecord[]> {
    const query = this.knex('savings').orderBy([{ column: 'period_start' }, { column: 'id' }]);
    if (filter.windowId !== undefined) query.where({ window_id: filter.windowId });
    if (filter.since) query.where('period_start', '>=', toDate(filter.since, 'since'));
    if (filter.until) query.where('period_start', '<', toDate(filter.until, 'until'));
    return (await query).map(toRecord);
  }

  /** Sums over the runs that started in [since, until). */
  async totals(filter: { since?: string; until?: string } = {}): Promise<{ runs: number; hostHoursOff: number; energyKwh: number }> {
    const query = this.knex('savings').count({ runs: '*' }).sum({ hostHoursOff: 'host_hours_off' }).sum({ energyKwh: 'energy_kwh' });
    if (filter.since) query.where('period_start', '>=', toDate(filter.since, 'since'));
    if (filter.until) query.where('period_start', '<', toDate(filter.until, 'until'));
    const [row] = await query;
    return { runs: Number(row?.runs ?? 0), hostHoursOff: Number(row?.hostHoursOff ?? 0), energyKwh: Number(row?.energyKwh ?? 0) };
  }
}
