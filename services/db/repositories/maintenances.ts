// Scheduled maintenances of hosts: what was asked (hosts, at, until, power-off), where it stands
// in its life cycle (core/maintenance/states.ts) and the plans that carried it out. State
// changes are conditional updates, so two schedulers or a scheduler and an operator never both win.
import type { Knex } from 'knex';
import { canTransitionMaintenance, isFinalMaintenanceState, MAINTENANCE_STATES, ACTIVE_MAINTENANCE_STATES, type MaintenanceState } from '../../../core/maintenance/states.js';
import { StateConflict } from '../../../core/plan/states.js';
import { ValidationError } from '../../../core/validation.js';
import { flag, integer, json, newId, optionalText, optionalTimestamp, text, timestamp, toDate, type Clock, type Row } from '../rows.js';
import { NotFound } from '../errors.js';
import { transition } from './transition.js';

export interface MaintenanceRecord {
  id: string;
  hosts: string[];
  state: MaintenanceState;
  at: string;
  until: string | null;
  powerOff: boolean;
  drainStartsAt: string;
  estimatedDrainSeconds: number;
  drainPlanId: string | null;
  powerOffPlanId: string | null;
  restorePlanId: string | null;
  createdBy: string;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface NewMaintenance {
  hosts: string[];
  at: string;
  until: string | null;
  powerOff: boolean;
  drainStartsAt: string;
  estimatedDrainSeconds: number;
  createdBy: string;
}

/** What a transition may write besides the state. */
export interface MaintenanceChanges {
  drainPlanId?: string;
  powerOffPlanId?: string;
  restorePlanId?: string;
  failureReason?: string;
  /** Ending a maintenance early moves its end to now. */
  until?: string;
}

/** A maintenance state change its life cycle does not allow (HTTP 409 at the API). */
export class MaintenanceStateConflict extends StateConflict {
  constructor(from: string, to: string) {
    super('action plan', from, to);
    this.message = `maintenance is ${from}; it cannot become ${to}`;
  }
}

function toRecord(row: Row): MaintenanceRecord {
  return {
    id: text(row.id), hosts: json<string[]>(row.hosts), state: text(row.state) as MaintenanceState, at: timestamp(row.at),
    until: optionalTimestamp(row.until), powerOff: flag(row.power_off), drainStartsAt: timestamp(row.drain_starts_at),
    estimatedDrainSeconds: integer(row.estimated_drain_seconds), drainPlanId: optionalText(row.drain_plan_id),
    powerOffPlanId: optionalText(row.power_off_plan_id), restorePlanId: optionalText(row.restore_plan_id),
    createdBy: text(row.created_by), failureReason: optionalText(row.failure_reason), createdAt: timestamp(row.created_at),
    updatedAt: timestamp(row.updated_at), startedAt: optionalTimestamp(row.started_at), finishedAt: optionalTimestamp(row.finished_at),
  };
}

function changesToRow(changes: MaintenanceChanges): Row {
  return {
    ...(changes.drainPlanId !== undefined ? { drain_plan_id: changes.drainPlanId } : {}),
    ...(changes.powerOffPlanId !== undefined ? { power_off_plan_id: changes.powerOffPlanId } : {}),
    ...(changes.restorePlanId !== undefined ? { restore_plan_id: changes.restorePlanId } : {}),
    ...(changes.failureReason !== undefined ? { failure_reason: changes.failureReason } : {}),
    ...(changes.until !== undefined ? { until: toDate(changes.until, 'until') } : {}),
  };
}

export class MaintenanceRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  /** A SCHEDULED maintenance. The caller has checked the hosts and the times. */
  async create(input: NewMaintenance): Promise<MaintenanceRecord> {
    if (!input.hosts.length) throw new ValidationError('invalid maintenance', [{ path: 'hosts', message: 'is empty: name at least one host' }]);
    const now = this.clock();
    const id = newId();
    await this.knex('maintenances').insert({
      id, hosts: JSON.stringify(input.hosts), state: 'SCHEDULED', at: toDate(input.at, 'at'), until: input.until === null ? null : toDate(input.until, 'until'),
      power_off: input.powerOff, drain_starts_at: toDate(input.drainStartsAt, 'drain_starts_at'), estimated_drain_seconds: Math.round(input.estimatedDrainSeconds),
      created_by: input.createdBy, created_at: now, updated_at: now,
    });
    return this.get(id);
  }

  async get(id: string): Promise<MaintenanceRecord> {
    const row = await this.knex('maintenances').where({ id }).first();
    if (!row) throw new NotFound('maintenance', id);
    return toRecord(row);
  }

  /** Soonest first; `host` keeps those of one host, `active` those not yet finished. */
  async list(filter: { states?: readonly MaintenanceState[]; active?: boolean; host?: string; limit?: number } = {}): Promise<MaintenanceRecord[]> {
    const query = this.knex('maintenances').orderBy([{ column: 'at' }, { column: 'id' }]);
    if (filter.states) query.whereIn('state', [...filter.states]);
    if (filter.active) query.whereIn('state', [...ACTIVE_MAINTENANCE_STATES]);
    const records = (await query).map(toRecord).filter((record) => filter.host === undefined || record.hosts.includes(filter.host));
    return filter.limit ? records.slice(0, filter.limit) : records;
  }

  /** Moves the maintenance along its life cycle, from one of `from` when given; MaintenanceStateConflict otherwise. */
  async updateState(id: string, to: MaintenanceState, changes: MaintenanceChanges & { from?: readonly MaintenanceState[] } = {}): Promise<MaintenanceRecord> {
    if (!MAINTENANCE_STATES.includes(to)) throw new ValidationError('invalid maintenance state', [{ path: 'state', message: `expected one of ${MAINTENANCE_STATES.join(', ')}, got ${JSON.stringify(to)}` }]);
    const now = this.clock();
    await transition<MaintenanceState>({
      executor: this.knex, table: 'maintenances', kind: 'maintenance', id, to, from: changes.from, allowed: canTransitionMaintenance,
      conflict: (from, target) => new MaintenanceStateConflict(from, target),
      changes: (from) => ({
        updated_at: now,
        ...(from === 'SCHEDULED' ? { started_at: now } : {}),
        ...(isFinalMaintenanceState(to) ? { finished_at: now } : {}),
        ...changesToRow(changes),
      }),
    });
    return this.get(id);
  }

  /** Writes fields without a state change (a plan id recorded after the transition that claimed it). */
  async update(id: string, changes: MaintenanceChanges): Promise<MaintenanceRecord> {
    const count = await this.knex('maintenances').where({ id }).update({ ...changesToRow(changes), updated_at: this.clock() });
    if (!count) throw new NotFound('maintenance', id);
    return this.get(id);
  }

  /** Seconds each of the latest succeeded live migrations took, as the applier journaled them. */
  async measuredMigrationSeconds(limit = 200): Promise<number[]> {
    const rows = await this.knex('actions').where({ type: 'live_migrate', state: 'SUCCEEDED' })
      .whereNotNull('started_at').whereNotNull('finished_at')
      .orderBy('finished_at', 'desc').limit(limit).select('started_at', 'finished_at');
    return rows.map((row: Row) => (Date.parse(timestamp(row.finished_at)) - Date.parse(timestamp(row.started_at))) / 1000)
      .filter((seconds: number) => Number.isFinite(seconds) && seconds >= 0);
  }
}
