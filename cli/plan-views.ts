// How action plans and audits read on the command line: one record for `-f json|yaml|value|csv`
// and `-c`, and for people the plan's state, metrics, progress and actions as waves.
import type { ActionPlanView, ActionView, AuditAndPlan } from '../core/api/records.js';
import { forFormat } from './command.js';
import { waveNumber } from './progress.js';
import { renderOne, renderSection, type OutputOptions, type Row } from './output.js';

const gib = (megabytes: number) => Math.round((megabytes / 1024) * 10) / 10;

/** `5/12` actions succeeded (verified); skipped ones are not done. */
export function doneOf(plan: ActionPlanView): string {
  const counts = plan.progress.counts;
  const total = Object.values(counts).reduce((sum, value) => sum + value, 0);
  return `${counts.SUCCEEDED ?? 0}/${total}`;
}

/** What a plan did so far, from verified actions: `3 live migrations, 1 host disabled, 0 powered off`. */
export function verifiedOf(plan: ActionPlanView): string {
  const done = plan.progress.done;
  const parts = [`${done.migrations} live migration(s)`, `${done.hosts_disabled} host(s) disabled`, `${done.hosts_powered_off} powered off`];
  if (done.hosts_powered_on || done.hosts_enabled) parts.push(`${done.hosts_powered_on} powered on`, `${done.hosts_enabled} enabled`);
  return parts.join(', ');
}

/** A plan as one flat record: state, metrics and progress. */
export function planRecord(plan: ActionPlanView): Row {
  const metrics = plan.metrics;
  return {
    id: plan.id,
    state: plan.state,
    goal: plan.goal,
    audit_id: plan.audit_id,
    stale: plan.stale,
    stale_reason: plan.stale_reason,
    failure_reason: plan.failure_reason,
    resumptions: plan.resumptions,
    migrations: metrics.migrations,
    temporary_migrations: metrics.temporary_migrations,
    waves: metrics.waves,
    hosts_freed: metrics.hosts_freed,
    active_hosts_before: metrics.active_hosts_before,
    active_hosts_after: metrics.active_hosts_after,
    hosts_disabled: metrics.hosts_disabled,
    hosts_powered_off: metrics.hosts_powered_off,
    memory_to_move_gib: gib(metrics.memory_to_move_mb),
    power_saved_w: metrics.power_saved_w,
    progress: `${doneOf(plan)} actions succeeded`,
    done: verifiedOf(plan),
    current_wave: plan.progress.current_wave,
    actions: plan.progress.counts,
    transfers: plan.progress.transfers.map((move) => `${move.server} ${move.source} -> ${move.destination}`),
    created_at: plan.created_at,
    started_at: plan.started_at,
    finished_at: plan.finished_at,
  };
}

/** What an audit (or a drain, or `consolidate`) made: the audit and its plan, as one record. */
export function auditOutcomeRecord(outcome: AuditAndPlan): Row {
  const { audit, action_plan: plan } = outcome;
  return {
    audit_id: audit.id,
    audit_state: audit.state,
    policy: audit.policy_name,
    goal: audit.goal,
    failure_reason: audit.failure_reason,
    action_plan_id: plan?.id ?? null,
    action_plan_state: plan?.state ?? null,
    migrations: plan?.metrics.migrations ?? null,
    waves: plan?.metrics.waves ?? null,
    hosts_freed: plan?.metrics.hosts_freed ?? null,
    active_hosts: plan ? `${plan.metrics.active_hosts_before} -> ${plan.metrics.active_hosts_after}` : null,
    power_saved_w: plan?.metrics.power_saved_w ?? null,
  };
}

export function renderAuditOutcome(outcome: AuditAndPlan, options: OutputOptions): string {
  return renderOne(forFormat(auditOutcomeRecord(outcome), options), options);
}

function actionLabel(action: ActionView): string {
  if (action.type === 'live_migrate') return action.temporary ? 'live migrate (temporary)' : 'live migrate';
  return action.type.replace(/_/g, ' ');
}

/** The actions of a plan, wave by wave (counted from 1, as the progress line does), with their state. */
export function wavesSection(actions: ActionView[], fitWidth: boolean): string {
  const ordered = actions.slice().sort((a, b) => a.wave - b.wave || a.index - b.index);
  return renderSection('Waves', ['Wave', 'Action', 'Server / host', 'From', 'To', 'State', 'Reason'], ordered.map((action) => [
    waveNumber(action.wave), actionLabel(action),
    action.type === 'live_migrate' ? action.server_name ?? action.server : action.host,
    action.source ?? '', action.destination ?? '', action.error ? `${action.state}: ${action.error}` : action.state, action.reason,
  ]), fitWidth);
}

/**
 * `plan show`: for people, sections (plan, metrics, progress, waves); for programs and `-c`, one
 * record with the actions in it.
 */
export function renderPlanDetail(plan: ActionPlanView, actions: ActionView[], options: OutputOptions): string {
  if (options.format !== 'table' || options.column.length) {
    return renderOne(forFormat({ ...planRecord(plan), actions: options.format === 'table' ? `${actions.length} (see ulm plan show ${plan.id})` : actions }, options), options);
  }
  const metrics = plan.metrics;
  const counts = plan.progress.counts;
  const parts = [
    renderSection(`Action plan ${plan.id}`, ['Field', 'Value'], [
      ['state', plan.state], ['goal', plan.goal], ['audit', plan.audit_id ?? ''],
      ...(plan.stale ? [['stale', plan.stale_reason ?? 'the cloud changed since it was made']] : []),
      ...(plan.failure_reason ? [['failure reason', plan.failure_reason]] : []),
      ...(plan.resumptions ? [['resumed', `${plan.resumptions} time(s), after the applier running it stopped`]] : []),
      ['created', plan.created_at], ['started', plan.started_at ?? ''], ['finished', plan.finished_at ?? ''],
    ], options.fitWidth),
    renderSection('Metrics', ['Metric', 'Value'], [
      ['hosts freed', metrics.hosts_freed],
      ['active hosts', `${metrics.active_hosts_before} -> ${metrics.active_hosts_after}`],
      ['migrations', metrics.temporary_migrations ? `${metrics.migrations} (${metrics.temporary_migrations} temporary)` : metrics.migrations],
      ['waves', metrics.waves],
      ['memory to move', `${gib(metrics.memory_to_move_mb)} GiB`],
      ['estimated power saved', `${metrics.power_saved_w} W (${metrics.power_before_w} -> ${metrics.power_after_w} W)`],
      ['hosts to disable', metrics.hosts_disabled],
      ...(metrics.hosts_powered_off ? [['hosts to power off', metrics.hosts_powered_off]] : []),
    ], options.fitWidth),
    renderSection('Progress', ['Field', 'Value'], [
      ['wave', !plan.progress.waves ? 'no waves' : plan.progress.current_wave === null ? `not started (${plan.progress.waves} waves)` : `${waveNumber(plan.progress.current_wave)} of ${plan.progress.waves}`],
      ['actions succeeded', doneOf(plan)],
      ...(plan.started_at ? [['done so far (verified)', verifiedOf(plan)]] : []),
      ...Object.entries(counts).filter(([, value]) => value).map(([state, value]) => [state.toLowerCase(), value]),
      ...(plan.progress.transfers.length ? [['moving now', plan.progress.transfers.map((move) => `${move.server} ${move.source} -> ${move.destination}`).join('\n')]] : []),
    ], options.fitWidth),
  ];
  if (actions.length) parts.push(wavesSection(actions, options.fitWidth));
  else parts.push('Nothing to do: the plan has no actions.\n');
  return parts.join('\n');
}
