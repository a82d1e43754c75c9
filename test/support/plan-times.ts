// Records how long each plan of a functional test took on the real cloud, one JSON line per plan,
// for the applier's speed report (test/bench/applier-times.ts).
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFinalPlanState } from '../../core/plan/states.js';
import type { ActionRecord } from '../../services/db/repositories/actions.js';
import type { ActionPlanRecord } from '../../services/db/repositories/action-plans.js';
import type { Runtime } from '../../services/runtime.js';

export const PLAN_TIMES_FORMAT = 'ulm-plan-times/1';

/** The plan kinds of the report; a goal not listed here is reported under its own name. */
export const PLAN_KINDS = ['consolidate', 'drain', 'restore', 'rebalance'] as const;

/** One finished plan as the report reads it. Times in seconds. */
export interface PlanTimesRecord {
  format: typeof PLAN_TIMES_FORMAT;
  /** When the test runtime that ran the plan closed. */
  recorded_at: string;
  plan: string;
  /** consolidate, drain, restore, rebalance (a reach_target plan), or the goal itself. */
  kind: string;
  goal: string;
  state: string;
  /** The policy the audit used ("ad hoc" for an inline one); null for a plan without an audit. */
  policy: string | null;
  /** Live migrations that succeeded. */
  live_migrations: number;
  /** Distinct waves among the actions that ran. */
  waves: number;
  /** Live migrations that succeeded, per wave in wave order (waves without any are left out). */
  migrations_per_wave: number[];
  /** For the same waves: the most of them out of one source host (they run max_per_source_host at a time). */
  busiest_source_per_wave?: number[];
  /** min([applier] max_parallel_migrations, the policy's max_parallel_migrations). */
  parallelism: number;
  applier_max_parallel_migrations: number;
  policy_max_parallel_migrations: number | null;
  /** [nova] max_concurrent_live_migrations: migrations out of one host at once. */
  max_per_source_host: number;
  poll_interval_seconds: number;
  /** From the first action's start to the last action's finish. */
  wall_seconds: number;
  /** Of the wall time, how long no action was running: checks before a call, bookkeeping between waves. */
  idle_seconds?: number;
  /** How often an applier resumed the plan after the one running it was stopped (the crash tests kill it). */
  resumptions?: number;
  /** Each succeeded live migration, journaled start to verified finish. */
  migration_seconds: number[];
  /** Host actions that ran (disable_compute, power_off, power_on, enable_compute). */
  host_actions: { type: string; host: string | null; state: string; seconds: number }[];
  /** Every action that ran, in start order: seconds from the plan's first start to its own start and finish (where the wall time goes). */
  timeline?: { type: string; wave: number; host: string | null; source: string | null; destination: string | null; state: string; start: number; finish: number }[];
}

/** ULM_PLAN_TIMES_FILE, else a file in the OS temp dir (scripts/functional empties it first). */
export function planTimesFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.ULM_PLAN_TIMES_FILE || join(tmpdir(), 'ulm-functional-plan-times.jsonl');
}

/** The report's kind of a plan made for `goal`. */
export function kindOf(goal: string): string {
  return goal === 'reach_target' ? 'rebalance' : goal;
}

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

/**
 * The record of one finished plan, or null when none of its actions ran (a plan cancelled or
 * superseded before it started has no wall time; an action found done needs no call and no time).
 */
export function planTimes(plan: ActionPlanRecord, actions: ActionRecord[], settings: {
  applierMaxParallelMigrations: number; policyMaxParallelMigrations: number | null; maxPerSourceHost: number; pollIntervalSeconds: number; policy: string | null; recordedAt: string;
}): PlanTimesRecord | null {
  const ran = actions.filter((action) => action.startedAt !== null && action.finishedAt !== null);
  if (!ran.length) return null;
  const started = ran.map((action) => Date.parse(action.startedAt!));
  const finished = ran.map((action) => Date.parse(action.finishedAt!));
  const firstStart = Math.min(...started);
  const migrations = ran.filter((action) => action.type === 'live_migrate' && action.state === 'SUCCEEDED');
  const waves = [...new Set(ran.map((action) => action.wave))].sort((a, b) => a - b);
  const ofWave = waves.map((wave) => migrations.filter((action) => action.wave === wave)).filter((moves) => moves.length > 0);
  const busiest = (moves: ActionRecord[]) => Math.max(...[...new Set(moves.map((action) => action.source))].map((source) => moves.filter((action) => action.source === source).length));
  return {
    format: PLAN_TIMES_FORMAT, recorded_at: settings.recordedAt,
    plan: plan.id, kind: kindOf(plan.document.meta.goal), goal: plan.document.meta.goal, state: plan.state, policy: settings.policy,
    live_migrations: migrations.length, waves: waves.length,
    migrations_per_wave: ofWave.map((moves) => moves.length), busiest_source_per_wave: ofWave.map(busiest),
    parallelism: Math.min(settings.applierMaxParallelMigrations, settings.policyMaxParallelMigrations ?? Infinity),
    applier_max_parallel_migrations: settings.applierMaxParallelMigrations, policy_max_parallel_migrations: settings.policyMaxParallelMigrations,
    max_per_source_host: settings.maxPerSourceHost, poll_interval_seconds: settings.pollIntervalSeconds,
    wall_seconds: (Math.max(...finished) - firstStart) / 1000,
    idle_seconds: idleSeconds(started.map((start, index) => [start, finished[index]])),
    resumptions: plan.resumptions,
    migration_seconds: migrations.map((action) => seconds(action.startedAt!, action.finishedAt!)),
    host_actions: ran.filter((action) => action.type !== 'live_migrate')
      .map((action) => ({ type: action.type, host: action.host, state: action.state, seconds: seconds(action.startedAt!, action.finishedAt!) })),
    timeline: [...ran].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!)).map((action) => ({
      type: action.type, wave: action.wave, host: action.host, source: action.source, destination: action.destination, state: action.state,
      start: (Date.parse(action.startedAt!) - firstStart) / 1000, finish: (Date.parse(action.finishedAt!) - firstStart) / 1000,
    })),
  };
}

/** How long none of the [start, finish] intervals covers, between the first start and the last finish. */
function idleSeconds(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let idle = 0;
  let reached = sorted[0][1];
  for (const [start, finish] of sorted.slice(1)) {
    if (start > reached) idle += start - reached;
    reached = Math.max(reached, finish);
  }
  return idle / 1000;
}

/** The policy the plan's audit used: its name and max_parallel_migrations (null: no limit). */
async function policyOf(runtime: Pick<Runtime, 'repositories'>, plan: ActionPlanRecord): Promise<{ name: string | null; maxParallelMigrations: number | null }> {
  if (!plan.auditId) return { name: null, maxParallelMigrations: null };
  const audit = await runtime.repositories.audits.get(plan.auditId);
  const inline = audit.parameters.document as { max_parallel_migrations?: number | null } | undefined;
  // A stored policy may have been deleted since (the CLI test deletes its own).
  const stored = audit.policyId ? await runtime.repositories.policies.get(audit.policyId).catch(() => undefined) : undefined;
  const limit = inline?.max_parallel_migrations ?? stored?.document.max_parallel_migrations ?? null;
  return { name: audit.policyName, maxParallelMigrations: limit };
}

/**
 * Appends one line per finished plan of the runtime's database to `file`. Call it before the
 * database goes away (the test runtime's close, or a test's own `after`).
 */
export async function recordPlanTimes(runtime: Pick<Runtime, 'repositories' | 'config'>, file = planTimesFile()): Promise<PlanTimesRecord[]> {
  const recordedAt = new Date().toISOString();
  const records: PlanTimesRecord[] = [];
  const plans = (await runtime.repositories.actionPlans.list()).filter((plan) => isFinalPlanState(plan.state)).reverse();
  for (const plan of plans) {
    const policy = await policyOf(runtime, plan);
    const record = planTimes(plan, await runtime.repositories.actions.list({ actionPlanId: plan.id }), {
      applierMaxParallelMigrations: runtime.config.applier.max_parallel_migrations, policyMaxParallelMigrations: policy.maxParallelMigrations,
      maxPerSourceHost: runtime.config.nova.max_concurrent_live_migrations, pollIntervalSeconds: runtime.config.applier.poll_interval_seconds,
      policy: policy.name, recordedAt,
    });
    if (record) records.push(record);
  }
  if (records.length) appendFileSync(file, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  return records;
}
