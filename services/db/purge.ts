// Retention: which snapshots, audits, finished action plans and their actions (the journal) are
// older than a cut-off and no longer needed, and deleting them. Always kept: the newest snapshot,
// plans not finished, plans a host ulm still holds or a window run / maintenance in progress refers
// to, the audits of kept plans, and the snapshots of kept audits.
import type { Knex } from 'knex';
import { isFinalAuditState, isFinalPlanState, type AuditState, type PlanState } from '../../core/plan/states.js';
import { isFinalMaintenanceState, type MaintenanceState } from '../../core/maintenance/states.js';

/** The few columns the selection reads of each row (never the documents, which can be megabytes). */
export interface PurgeCandidates {
  snapshots: { id: string; collectedAt: number }[];
  audits: { id: string; state: AuditState; finishedAt: number; snapshotId: string | null; actionPlanId: string | null }[];
  actionPlans: { id: string; state: PlanState; finishedAt: number; auditId: string | null }[];
  /** Plans referred to by what is still going on: held hosts, open window runs, active maintenances. */
  plansInUse: Set<string>;
}

export interface PurgeSelection {
  snapshots: string[];
  audits: string[];
  actionPlans: string[];
}

/** The rows older than `before` that may go (pure: the caller loads the candidates). */
export function selectPurge(candidates: PurgeCandidates, before: number): PurgeSelection {
  const plans = candidates.actionPlans.filter((plan) => isFinalPlanState(plan.state) && plan.finishedAt < before && !candidates.plansInUse.has(plan.id));
  const purgedPlans = new Set(plans.map((plan) => plan.id));
  const keptPlans = candidates.actionPlans.filter((plan) => !purgedPlans.has(plan.id));
  // A kept plan keeps its audit, whichever side holds the reference.
  const keptPlanIds = new Set(keptPlans.map((plan) => plan.id));
  const keptPlanAudits = new Set(keptPlans.flatMap((plan) => (plan.auditId ? [plan.auditId] : [])));
  const audits = candidates.audits.filter((audit) => isFinalAuditState(audit.state) && audit.finishedAt < before
    && !keptPlanAudits.has(audit.id) && !(audit.actionPlanId !== null && keptPlanIds.has(audit.actionPlanId)));
  const purgedAudits = new Set(audits.map((audit) => audit.id));
  const keptSnapshots = new Set(candidates.audits.filter((audit) => !purgedAudits.has(audit.id) && audit.snapshotId).map((audit) => audit.snapshotId!));
  const newest = candidates.snapshots.reduce<{ id: string; collectedAt: number } | null>((best, snapshot) => (!best || snapshot.collectedAt > best.collectedAt ? snapshot : best), null);
  const snapshots = candidates.snapshots.filter((snapshot) => snapshot.collectedAt < before && snapshot.id !== newest?.id && !keptSnapshots.has(snapshot.id));
  return { snapshots: snapshots.map((snapshot) => snapshot.id), audits: audits.map((audit) => audit.id), actionPlans: plans.map((plan) => plan.id) };
}

/** Rows deleted (or, in a dry run, that would be) per table. */
export interface PurgeReport {
  snapshots: number;
  audits: number;
  action_plans: number;
  actions: number;
}

const time = (value: unknown): number => (value instanceof Date ? value.getTime() : value === null || value === undefined ? Number.NaN : new Date(value as string | number).getTime());
const optional = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
// Each IN list stays well under SQLite's and MariaDB's limits on bound parameters.
const CHUNK = 500;

async function loadCandidates(knex: Knex): Promise<PurgeCandidates> {
  const snapshots = (await knex('snapshots').select('id', 'collected_at')).map((row) => ({ id: String(row.id), collectedAt: time(row.collected_at) }));
  const audits = (await knex('audits').select('id', 'state', 'finished_at', 'updated_at', 'snapshot_id', 'action_plan_id')).map((row) => ({
    id: String(row.id), state: row.state as AuditState, finishedAt: time(row.finished_at ?? row.updated_at),
    snapshotId: optional(row.snapshot_id), actionPlanId: optional(row.action_plan_id),
  }));
  const actionPlans = (await knex('action_plans').select('id', 'state', 'finished_at', 'updated_at', 'audit_id')).map((row) => ({
    id: String(row.id), state: row.state as PlanState, finishedAt: time(row.finished_at ?? row.updated_at), auditId: optional(row.audit_id),
  }));
  const plansInUse = new Set<string>();
  const add = (value: unknown) => { if (value !== null && value !== undefined) plansInUse.add(String(value)); };
  for (const row of await knex('host_states').select('action_plan_id')) add(row.action_plan_id);
  for (const row of await knex('savings').whereNull('period_end').select('action_plan_id', 'restore_plan_id')) { add(row.action_plan_id); add(row.restore_plan_id); }
  for (const row of await knex('maintenances').select('state', 'drain_plan_id', 'power_off_plan_id', 'restore_plan_id')) {
    if (isFinalMaintenanceState(row.state as MaintenanceState)) continue;
    add(row.drain_plan_id); add(row.power_off_plan_id); add(row.restore_plan_id);
  }
  return { snapshots, audits, actionPlans, plansInUse };
}

function chunks(ids: string[]): string[][] {
  const out: string[][] = [];
  for (let start = 0; start < ids.length; start += CHUNK) out.push(ids.slice(start, start + CHUNK));
  return out;
}

/**
 * Deletes (or with dryRun only counts) what selectPurge selects before `before`: actions with
 * their plans, then audits, then snapshots, in one transaction per table so a failure leaves
 * every reference whole.
 */
export async function purgeDatabase(knex: Knex, options: { before: Date; dryRun?: boolean }): Promise<PurgeReport> {
  const selection = selectPurge(await loadCandidates(knex), options.before.getTime());
  let actions = 0;
  for (const ids of chunks(selection.actionPlans)) {
    const [row] = await knex('actions').whereIn('action_plan_id', ids).count({ count: '*' });
    actions += Number(row?.count ?? 0);
  }
  const report: PurgeReport = { snapshots: selection.snapshots.length, audits: selection.audits.length, action_plans: selection.actionPlans.length, actions };
  if (options.dryRun) return report;
  await knex.transaction(async (transaction) => {
    for (const ids of chunks(selection.actionPlans)) {
      await transaction('actions').whereIn('action_plan_id', ids).delete();
      // Audits point at their plan without a foreign key; savings and maintenances keep their figures.
      await transaction('action_plans').whereIn('id', ids).delete();
    }
  });
  await knex.transaction(async (transaction) => {
    for (const ids of chunks(selection.audits)) await transaction('audits').whereIn('id', ids).delete();
  });
  await knex.transaction(async (transaction) => {
    for (const ids of chunks(selection.snapshots)) await transaction('snapshots').whereIn('id', ids).delete();
  });
  return report;
}
