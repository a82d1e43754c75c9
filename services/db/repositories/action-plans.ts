// Action plans: the ulm-plan/1 document, its state (core/plan/states.ts), metrics, stale flag
// and times. Creating a plan writes its actions too, in one transaction: the applier's journal
// starts complete.
import type { Knex } from 'knex';
import { PLAN_FORMAT, type PlanDocument, type PlanMetrics } from '../../../core/plan/format.js';
import { canTransitionPlan, isFinalPlanState, PLAN_STATES, StateConflict, type PlanState } from '../../../core/plan/states.js';
import { ValidationError, type Issue } from '../../../core/validation.js';
import { NotFound } from '../errors.js';
import { changed, flag, isForeignKeyViolation, json, newId, optionalText, optionalTimestamp, text, timestamp, type Clock, type Row } from '../rows.js';
import { transition } from './transition.js';

export interface ActionPlanRecord {
  id: string;
  auditId: string | null;
  state: PlanState;
  document: PlanDocument;
  metrics: PlanMetrics;
  /** The cloud changed since the plan was made: it must not start as it is. */
  stale: boolean;
  staleReason: string | null;
  failureReason: string | null;
  /** An operator's cancel asked to abort the live migrations in flight too. */
  abortRequested: boolean;
  /** How often an applier resumed it after the one running it stopped. */
  resumptions: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface NewActionPlan {
  auditId?: string | null;
  document: unknown;
  /** RECOMMENDED unless the policy approves its plans itself. */
  state?: 'RECOMMENDED' | 'APPROVED';
}

function toRecord(row: Row): ActionPlanRecord {
  return {
    id: text(row.id), auditId: optionalText(row.audit_id), state: text(row.state) as PlanState,
    document: json<PlanDocument>(row.document), metrics: json<PlanMetrics>(row.metrics),
    stale: flag(row.stale), staleReason: optionalText(row.stale_reason), failureReason: optionalText(row.failure_reason),
    abortRequested: flag(row.abort_requested), resumptions: Number(row.resumptions ?? 0),
    createdAt: timestamp(row.created_at), updatedAt: timestamp(row.updated_at),
    startedAt: optionalTimestamp(row.started_at), finishedAt: optionalTimestamp(row.finished_at),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isName = (value: unknown) => typeof value === 'string' && value.length > 0 && value.length <= 255;

/** The structure the journal relies on; the planner's own output always passes. */
export function checkPlanDocument(value: unknown): PlanDocument {
  const issues: Issue[] = [];
  if (!isObject(value)) throw new ValidationError('invalid action plan', [{ path: 'plan', message: 'expected an ulm-plan/1 object' }]);
  if (value.format !== PLAN_FORMAT) issues.push({ path: 'plan.format', message: `expected "${PLAN_FORMAT}", got ${JSON.stringify(value.format)}` });
  if (!isObject(value.meta) || !isObject(value.meta.metrics)) issues.push({ path: 'plan.meta.metrics', message: 'is required: expected the plan\'s metrics object' });
  if (!Array.isArray(value.actions)) {
    issues.push({ path: 'plan.actions', message: 'is required: expected an array of actions' });
  } else {
    value.actions.forEach((action: unknown, index) => {
      const path = `plan.actions[${index}]`;
      if (!isObject(action)) return issues.push({ path, message: 'expected an action object' });
      if (!Number.isInteger(action.wave) || (action.wave as number) < 0) issues.push({ path: `${path}.wave`, message: `expected an integer >= 0, got ${JSON.stringify(action.wave)}` });
      if (typeof action.type !== 'string' || !action.type || action.type.length > 32) issues.push({ path: `${path}.type`, message: `expected an action type such as "live_migrate", got ${JSON.stringify(action.type)}` });
      if (typeof action.reason !== 'string') issues.push({ path: `${path}.reason`, message: 'is required: expected why the action is in the plan' });
      const needed = action.type === 'live_migrate' ? ['server', 'source', 'destination'] : ['disable_compute', 'power_off', 'power_on', 'enable_compute'].includes(action.type as string) ? ['host'] : [];
      for (const field of needed) if (!isName(action[field])) issues.push({ path: `${path}.${field}`, message: `is required for a ${String(action.type)} action: expected a name` });
      return undefined;
    });
  }
  if (issues.length) throw new ValidationError('invalid action plan', issues);
  return value as unknown as PlanDocument;
}

const conflict = (from: string, to: string) => new StateConflict('action plan', from, to);

export class ActionPlanRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  /** Writes the plan, one action row per document action, and links the audit to the plan. */
  async create(plan: NewActionPlan): Promise<ActionPlanRecord> {
    const document = checkPlanDocument(plan.document);
    const state = plan.state ?? 'RECOMMENDED';
    if (state !== 'RECOMMENDED' && state !== 'APPROVED') throw new ValidationError('invalid action plan', [{ path: 'state', message: `a new plan is RECOMMENDED or APPROVED, not ${JSON.stringify(state)}` }]);
    const now = this.clock();
    const id = newId();
    try {
      await this.knex.transaction(async (transaction) => {
        await transaction('action_plans').insert({
          id, audit_id: plan.auditId ?? null, state, document: JSON.stringify(document), metrics: JSON.stringify(document.meta.metrics),
          stale: false, created_at: now, updated_at: now,
        });
        const rows = document.actions.map((action, index) => ({
          id: newId(), action_plan_id: id, plan_index: index, wave: action.wave, type: action.type,
          server: action.type === 'live_migrate' ? action.server : null,
          server_name: action.type === 'live_migrate' ? action.server_name ?? null : null,
          host: action.type === 'live_migrate' ? null : action.host,
          source: action.type === 'live_migrate' ? action.source : null,
          destination: action.type === 'live_migrate' ? action.destination : null,
          temporary: action.type === 'live_migrate' ? action.temporary === true : false,
          state: 'PENDING', reason: action.reason, attempts: 0, created_at: now, updated_at: now,
        }));
        // Batches keep each INSERT under SQLite's bound-parameter limit.
        if (rows.length) await transaction.batchInsert('actions', rows, 200);
        if (plan.auditId) await transaction('audits').where({ id: plan.auditId }).update({ action_plan_id: id, updated_at: now });
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new NotFound('audit', String(plan.auditId));
      throw error;
    }
    return this.get(id);
  }

  async get(id: string): Promise<ActionPlanRecord> {
    const row = await this.knex('action_plans').where({ id }).first();
    if (!row) throw new NotFound('action plan', id);
    return toRecord(row);
  }

  async list(filter: { auditId?: string; states?: readonly PlanState[]; stale?: boolean; limit?: number } = {}): Promise<ActionPlanRecord[]> {
    const query = this.knex('action_plans').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]);
    if (filter.auditId !== undefined) query.where({ audit_id: filter.auditId });
    if (filter.states) query.whereIn('state', [...filter.states]);
    if (filter.stale !== undefined) query.where({ stale: filter.stale });
    if (filter.limit) query.limit(filter.limit);
    return (await query).map(toRecord);
  }

  /**
   * Moves the plan along its life cycle; StateConflict when the life cycle forbids it or
   * another process changed the state first. Starting sets started_at, a final state finished_at.
   */
  async updateState(id: string, to: PlanState, details: { failureReason?: string; from?: readonly PlanState[] } = {}): Promise<ActionPlanRecord> {
    if (!PLAN_STATES.includes(to)) throw new ValidationError('invalid action plan state', [{ path: 'state', message: `expected one of ${PLAN_STATES.join(', ')}, got ${JSON.stringify(to)}` }]);
    const now = this.clock();
    await transition<PlanState>({
      executor: this.knex, table: 'action_plans', kind: 'action plan', id, to, from: details.from, allowed: canTransitionPlan, conflict,
      changes: () => ({
        updated_at: now,
        ...(to === 'ONGOING' ? { started_at: now } : {}),
        ...(isFinalPlanState(to) ? { finished_at: now } : {}),
        ...(details.failureReason !== undefined ? { failure_reason: details.failureReason } : {}),
      }),
    });
    return this.get(id);
  }

  /**
   * Claims the plan for one applier until `until`: succeeds when nobody holds it, the claim
   * expired, or `holder` already holds it (renewal). One process wins a race.
   */
  async claim(id: string, holder: string, until: Date): Promise<boolean> {
    const now = this.clock();
    const count = await this.knex('action_plans').where({ id })
      .andWhere((query) => query.whereNull('applier').orWhere('applier', holder).orWhere('lease_expires_at', '<', now))
      .update({ applier: holder, lease_expires_at: until, updated_at: now });
    return changed(count) === 1;
  }

  /** An applier takes the running plan over after the one running it stopped. */
  async recordResumption(id: string): Promise<void> {
    await this.knex('action_plans').where({ id }).update({ resumptions: this.knex.raw('resumptions + 1'), updated_at: this.clock() });
  }

  /** Gives the claim up (the plan finished, or the applier stops). */
  async release(id: string, holder: string): Promise<void> {
    await this.knex('action_plans').where({ id, applier: holder }).update({ applier: null, lease_expires_at: null, updated_at: this.clock() });
  }

  /** Running plans nobody holds any more: their applier stopped. */
  async unclaimedRunning(): Promise<ActionPlanRecord[]> {
    const now = this.clock();
    const rows = await this.knex('action_plans').whereIn('state', ['ONGOING', 'CANCELLING'])
      .andWhere((query) => query.whereNull('applier').orWhere('lease_expires_at', '<', now))
      .orderBy('created_at');
    return rows.map(toRecord);
  }

  /** A running plan's cancel: no new action starts; with `abort`, the migrations in flight are aborted too. */
  async requestCancel(id: string, options: { abort: boolean }): Promise<ActionPlanRecord> {
    await this.updateState(id, 'CANCELLING', { from: ['ONGOING'] });
    if (options.abort) await this.knex('action_plans').where({ id }).update({ abort_requested: true, updated_at: this.clock() });
    return this.get(id);
  }

  /** Flags a plan whose cloud changed; it can then only be superseded or cancelled. */
  async markStale(id: string, reason: string): Promise<ActionPlanRecord> {
    const count = await this.knex('action_plans').where({ id }).update({ stale: true, stale_reason: reason, updated_at: this.clock() });
    if (!count) throw new NotFound('action plan', id);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const plan = await this.get(id);
    if (plan.state === 'ONGOING' || plan.state === 'CANCELLING') throw new StateConflict('action plan', plan.state, 'deleted');
    await this.knex('action_plans').where({ id }).delete();
  }
}
