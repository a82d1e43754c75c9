// Actions of action plans, the applier's journal: each call to Nova is written before it is
// made (start, recordCall) and after it answers (recordCall, finish), so a restarted applier
// knows what was sent and reconciles it against Nova instead of repeating or losing it.
import type { Knex } from 'knex';
import { ACTION_STATES, canTransitionAction, isFinalActionState, StateConflict, type ActionState } from '../../../core/plan/states.js';
import { ValidationError } from '../../../core/validation.js';
import { NotFound } from '../errors.js';
import { changed, flag, integer, newId, optionalInteger, optionalText, optionalTimestamp, text, timestamp, type Clock, type Row } from '../rows.js';
import { transition } from './transition.js';

export interface ActionRecord {
  id: string;
  actionPlanId: string;
  /** The action's index in the plan document's actions. */
  planIndex: number;
  wave: number;
  type: string;
  server: string | null;
  serverName: string | null;
  /** The host a disable_compute or power_off action acts on. */
  host: string | null;
  source: string | null;
  destination: string | null;
  temporary: boolean;
  state: ActionState;
  /** Why the plan contains the action. */
  reason: string;
  /** Calls made for it (a retried call counts again). */
  attempts: number;
  novaMigrationId: string | null;
  /**
   * The highest id among the server's Nova migrations before the call (null: not recorded):
   * the call's own migration is above it.
   */
  novaMigrationFloor: number | null;
  /**
   * How many live migration calls Nova had recorded for the server before the call (null: not
   * recorded): after a restart, more now means the call reached Nova.
   */
  novaCallsBefore: number | null;
  /** x-openstack-request-id of the last call, to find it in Nova's logs. */
  requestId: string | null;
  /** Why it failed, was skipped or cancelled. */
  error: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

function toRecord(row: Row): ActionRecord {
  return {
    id: text(row.id), actionPlanId: text(row.action_plan_id), planIndex: integer(row.plan_index), wave: integer(row.wave), type: text(row.type),
    server: optionalText(row.server), serverName: optionalText(row.server_name), host: optionalText(row.host),
    source: optionalText(row.source), destination: optionalText(row.destination), temporary: flag(row.temporary),
    state: text(row.state) as ActionState, reason: text(row.reason), attempts: integer(row.attempts),
    novaMigrationId: optionalText(row.nova_migration_id),
    novaMigrationFloor: optionalInteger(row.nova_migration_floor), novaCallsBefore: optionalInteger(row.nova_calls_before), requestId: optionalText(row.request_id), error: optionalText(row.error),
    createdAt: timestamp(row.created_at), updatedAt: timestamp(row.updated_at),
    startedAt: optionalTimestamp(row.started_at), finishedAt: optionalTimestamp(row.finished_at),
  };
}

const conflict = (from: string, to: string) => new StateConflict('action', from, to);

export interface CallRecord {
  requestId?: string | null;
  novaMigrationId?: string | null;
  novaMigrationFloor?: number | null;
  novaCallsBefore?: number | null;
}

export class ActionRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  async get(id: string): Promise<ActionRecord> {
    const row = await this.knex('actions').where({ id }).first();
    if (!row) throw new NotFound('action', id);
    return toRecord(row);
  }

  /** A plan's actions in plan order. */
  async list(filter: { actionPlanId?: string; states?: readonly ActionState[]; wave?: number } = {}): Promise<ActionRecord[]> {
    const query = this.knex('actions').orderBy([{ column: 'action_plan_id' }, { column: 'plan_index' }]);
    if (filter.actionPlanId !== undefined) query.where({ action_plan_id: filter.actionPlanId });
    if (filter.states) query.whereIn('state', [...filter.states]);
    if (filter.wave !== undefined) query.where({ wave: filter.wave });
    return (await query).map(toRecord);
  }

  /** Before the first call to Nova: PENDING -> ONGOING, one attempt counted. */
  async start(id: string, call: CallRecord = {}): Promise<ActionRecord> {
    return this.updateState(id, 'ONGOING', { from: ['PENDING'], call, countAttempt: true });
  }

  /**
   * Around a call to Nova for an ONGOING action: its request id and the migration id Nova gave.
   * `retry` counts another attempt (written before the retried call).
   */
  async recordCall(id: string, call: CallRecord & { retry?: boolean }): Promise<ActionRecord> {
    const update: Row = { ...callColumns(call), updated_at: this.clock() };
    if (call.retry) update.attempts = this.knex.raw('attempts + 1');
    const count = changed(await this.knex('actions').where({ id, state: 'ONGOING' }).update(update));
    if (count !== 1) {
      const current = await this.get(id);
      throw conflict(current.state, 'ONGOING');
    }
    return this.get(id);
  }

  /** Verified done, failed, or aborted by an operator: ONGOING -> SUCCEEDED | FAILED | CANCELLED. */
  async finish(id: string, outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', details: { error?: string; call?: CallRecord } = {}): Promise<ActionRecord> {
    return this.updateState(id, outcome, { from: ['ONGOING'], error: details.error, call: details.call });
  }

  /** Its effect was verified in place when its wave started: PENDING -> SUCCEEDED, no call made. */
  async alreadyDone(id: string): Promise<ActionRecord> {
    return this.updateState(id, 'SUCCEEDED', { from: ['PENDING'] });
  }

  /**
   * A journal-only action added to a running plan (the abort of a migration in flight): it has
   * no place in the plan document, so it is numbered after the document's actions.
   */
  async append(actionPlanId: string, action: { type: string; wave: number; server?: string | null; serverName?: string | null; host?: string | null; source?: string | null; destination?: string | null; novaMigrationId?: string | null; reason: string }): Promise<ActionRecord> {
    const now = this.clock();
    const id = newId();
    await this.knex.transaction(async (transaction) => {
      const last = await transaction('actions').where({ action_plan_id: actionPlanId }).max({ index: 'plan_index' }).first();
      await transaction('actions').insert({
        id, action_plan_id: actionPlanId, plan_index: Number(last?.index ?? -1) + 1, wave: action.wave, type: action.type,
        server: action.server ?? null, server_name: action.serverName ?? null, host: action.host ?? null,
        source: action.source ?? null, destination: action.destination ?? null, temporary: false,
        state: 'PENDING', reason: action.reason, attempts: 0, nova_migration_id: action.novaMigrationId ?? null, created_at: now, updated_at: now,
      });
    });
    return this.get(id);
  }

  /** No longer valid when its wave started, or already done: PENDING -> SKIPPED. */
  async skip(id: string, why: string): Promise<ActionRecord> {
    return this.updateState(id, 'SKIPPED', { from: ['PENDING'], error: why });
  }

  /** The plan stopped: every PENDING action of it becomes CANCELLED. Returns how many. */
  async cancelPending(actionPlanId: string, why: string): Promise<number> {
    const now = this.clock();
    return changed(await this.knex('actions').where({ action_plan_id: actionPlanId, state: 'PENDING' })
      .update({ state: 'CANCELLED', error: why, updated_at: now, finished_at: now }));
  }

  /** Any life-cycle step, checked against core/plan/states.ts; one process wins a race. */
  async updateState(id: string, to: ActionState, details: { from?: readonly ActionState[]; error?: string; call?: CallRecord; countAttempt?: boolean } = {}): Promise<ActionRecord> {
    if (!ACTION_STATES.includes(to)) throw new ValidationError('invalid action state', [{ path: 'state', message: `expected one of ${ACTION_STATES.join(', ')}, got ${JSON.stringify(to)}` }]);
    const now = this.clock();
    await transition<ActionState>({
      executor: this.knex, table: 'actions', kind: 'action', id, to, from: details.from, allowed: canTransitionAction, conflict,
      changes: () => ({
        updated_at: now,
        ...callColumns(details.call ?? {}),
        ...(to === 'ONGOING' ? { started_at: now } : {}),
        ...(details.countAttempt ? { attempts: this.knex.raw('attempts + 1') } : {}),
        ...(isFinalActionState(to) ? { finished_at: now } : {}),
        ...(details.error !== undefined ? { error: details.error } : {}),
      }),
    });
    return this.get(id);
  }
}

function callColumns(call: CallRecord): Row {
  return {
    ...(call.requestId !== undefined ? { request_id: call.requestId } : {}),
    ...(call.novaMigrationId !== undefined ? { nova_migration_id: call.novaMigrationId } : {}),
    ...(call.novaMigrationFloor !== undefined ? { nova_migration_floor: call.novaMigrationFloor } : {}),
    ...(call.novaCallsBefore !== undefined ? { nova_calls_before: call.novaCallsBefore } : {}),
  };
}
