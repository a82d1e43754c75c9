// Audits: one run of a policy's goal (by an operator, a window or overload relief), from the
// snapshot it collected to the action plan it produced.
import type { Knex } from 'knex';
import { PLAN_GOALS, type PlanGoal } from '../../../core/plan/format.js';
import { AUDIT_STATES, canTransitionAudit, isFinalAuditState, type AuditState } from '../../../core/plan/states.js';
import { ValidationError } from '../../../core/validation.js';
import { AuditStateConflict, NotFound } from '../errors.js';
import { isForeignKeyViolation, json, newId, optionalText, optionalTimestamp, text, timestamp, type Clock, type Row } from '../rows.js';
import { transition } from './transition.js';

// The audit life cycle, after Watcher's, is declared with the others in core/plan/states.ts.
export { AUDIT_STATES, canTransitionAudit, type AuditState } from '../../../core/plan/states.js';

export const AUDIT_TRIGGERS = ['manual', 'window', 'overload'] as const;
export type AuditTrigger = (typeof AUDIT_TRIGGERS)[number];

export interface AuditRecord {
  id: string;
  policyId: string | null;
  policyName: string;
  windowId: string | null;
  goal: PlanGoal;
  triggeredBy: AuditTrigger;
  /** What this run changes from the policy, e.g. the hosts to drain. */
  parameters: Record<string, unknown>;
  state: AuditState;
  snapshotId: string | null;
  actionPlanId: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The process running it (host:pid) while ONGOING, and when that process last showed it was alive. */
  runner: string | null;
  heartbeatAt: string | null;
}

export interface NewAudit {
  /** The stored policy; null for an ad-hoc policy given inline (kept in `parameters`). */
  policyId: string | null;
  /** Name shown for an ad-hoc policy (default "ad hoc"). */
  policyName?: string;
  goal?: PlanGoal;
  windowId?: string | null;
  triggeredBy?: AuditTrigger;
  parameters?: Record<string, unknown>;
}

function toRecord(row: Row): AuditRecord {
  return {
    id: text(row.id), policyId: optionalText(row.policy_id), policyName: text(row.policy_name), windowId: optionalText(row.window_id),
    goal: text(row.goal) as PlanGoal, triggeredBy: text(row.triggered_by) as AuditTrigger, parameters: json<Record<string, unknown>>(row.parameters),
    state: text(row.state) as AuditState, snapshotId: optionalText(row.snapshot_id), actionPlanId: optionalText(row.action_plan_id),
    failureReason: optionalText(row.failure_reason), createdAt: timestamp(row.created_at), updatedAt: timestamp(row.updated_at),
    startedAt: optionalTimestamp(row.started_at), finishedAt: optionalTimestamp(row.finished_at),
    runner: optionalText(row.runner), heartbeatAt: optionalTimestamp(row.heartbeat_at),
  };
}


export class AuditRepository {
  constructor(private readonly knex: Knex, private readonly clock: Clock) {}

  /** A PENDING audit of the policy; its goal is the policy's unless given. */
  async create(audit: NewAudit): Promise<AuditRecord> {
    const policy = audit.policyId === null
      ? { name: audit.policyName ?? 'ad hoc', document: JSON.stringify(audit.parameters?.document ?? {}) }
      : await this.knex('policies').where({ id: audit.policyId }).first('name', 'document');
    if (!policy) throw new NotFound('policy', String(audit.policyId));
    const goal = audit.goal ?? (json<{ goal: PlanGoal }>(policy.document)).goal;
    const triggeredBy = audit.triggeredBy ?? 'manual';
    if (!PLAN_GOALS.includes(goal)) throw new ValidationError('invalid audit', [{ path: 'audit.goal', message: `expected one of ${PLAN_GOALS.join(', ')}, got ${JSON.stringify(goal)}` }]);
    if (!AUDIT_TRIGGERS.includes(triggeredBy)) throw new ValidationError('invalid audit', [{ path: 'audit.triggered_by', message: `expected one of ${AUDIT_TRIGGERS.join(', ')}, got ${JSON.stringify(triggeredBy)}` }]);
    const now = this.clock();
    const id = newId();
    try {
      await this.knex('audits').insert({
        id, policy_id: audit.policyId, policy_name: policy.name, window_id: audit.windowId ?? null, goal, triggered_by: triggeredBy,
        parameters: JSON.stringify(audit.parameters ?? {}), state: 'PENDING', created_at: now, updated_at: now,
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new NotFound('window', String(audit.windowId));
      throw error;
    }
    return this.get(id);
  }

  async get(id: string): Promise<AuditRecord> {
    const row = await this.knex('audits').where({ id }).first();
    if (!row) throw new NotFound('audit', id);
    return toRecord(row);
  }

  async list(filter: { policyId?: string; states?: readonly AuditState[]; limit?: number } = {}): Promise<AuditRecord[]> {
    const query = this.knex('audits').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]);
    if (filter.policyId !== undefined) query.where({ policy_id: filter.policyId });
    if (filter.states) query.whereIn('state', [...filter.states]);
    if (filter.limit) query.limit(filter.limit);
    return (await query).map(toRecord);
  }

  /** Moves the audit along its life cycle; AuditStateConflict (a StateConflict) otherwise. */
  async updateState(id: string, to: AuditState, details: { snapshotId?: string; failureReason?: string; runner?: string } = {}): Promise<AuditRecord> {
    if (!AUDIT_STATES.includes(to)) throw new ValidationError('invalid audit state', [{ path: 'state', message: `expected one of ${AUDIT_STATES.join(', ')}, got ${JSON.stringify(to)}` }]);
    const now = this.clock();
    try {
      await transition<AuditState>({
        executor: this.knex, table: 'audits', kind: 'audit', id, to, allowed: canTransitionAudit,
        conflict: (from, target) => new AuditStateConflict(from, target),
        changes: () => ({
          updated_at: now,
          ...(to === 'ONGOING' ? { started_at: now, heartbeat_at: now, runner: details.runner ?? null } : {}),
          ...(isFinalAuditState(to) ? { finished_at: now } : {}),
          ...(details.snapshotId !== undefined ? { snapshot_id: details.snapshotId } : {}),
          ...(details.failureReason !== undefined ? { failure_reason: details.failureReason } : {}),
        }),
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new NotFound('snapshot', String(details.snapshotId));
      throw error;
    }
    return this.get(id);
  }

  /** The runner of an ONGOING audit is still at work on it. */
  async heartbeat(id: string): Promise<void> {
    await this.knex('audits').where({ id, state: 'ONGOING' }).update({ heartbeat_at: this.clock() });
  }

  /**
   * Ends FAILED, with the reason, every ONGOING audit whose runner showed no sign of life since
   * `silentSince`: the process that ran it stopped, and nothing else will end it.
   */
  async failAbandoned(silentSince: Date): Promise<AuditRecord[]> {
    const rows = await this.knex('audits').where({ state: 'ONGOING' })
      .andWhere((query) => query.where('heartbeat_at', '<', silentSince).orWhere((legacy) => legacy.whereNull('heartbeat_at').andWhere('updated_at', '<', silentSince)));
    const failed: AuditRecord[] = [];
    for (const row of rows.map(toRecord)) {
      const reason = `the ulm process that ran it (${row.runner ?? 'unknown'}) stopped: no sign of life since ${row.heartbeatAt ?? row.updatedAt}`;
      try {
        failed.push(await this.updateState(row.id, 'FAILED', { failureReason: reason }));
      } catch (error) {
        // Its runner ended it meanwhile: that state stands.
        if (!(error instanceof AuditStateConflict)) throw error;
      }
    }
    return failed;
  }
}
