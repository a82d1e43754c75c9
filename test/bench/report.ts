// Renders the benchmark's results as plain text: the per-run table, the failures with their reasons, and the targets.
import { SIZES } from './instances.js';
import { PLANNERS, type InstanceRecord, type PlannerRun, type TargetCheck } from './results.js';
import { migrationsPerFreedHost } from './targets.js';

const COLUMNS = ['instance', 'planner', 'valid', 'goal', 'freed', 'gap', 'active', 'opt', 'migr', 'migr/freed', 'waves', 'n+k', 'overload', 'plan s', 'cpu s', 'total s', 'peak MiB'] as const;
/** Columns of text (left-aligned); the others are numbers (right-aligned). */
const TEXT_COLUMNS = new Set(['instance', 'planner', 'valid', 'goal', 'n+k']);

const PUBLIC_SIZE_ORDER = ['xs', 's', 'm'];

/** Rows ordered by size class, family, public size (xs, s, m), then planner. */
export function sortRuns(runs: PlannerRun[]): PlannerRun[] {
  const publicRank = (name: string) => PUBLIC_SIZE_ORDER.indexOf(name.slice(name.lastIndexOf('-') + 1));
  return [...runs].sort((a, b) =>
    SIZES.indexOf(a.size) - SIZES.indexOf(b.size)
    || a.family.localeCompare(b.family)
    || publicRank(a.instance) - publicRank(b.instance)
    || PLANNERS.indexOf(a.planner) - PLANNERS.indexOf(b.planner));
}

const seconds = (value: number | undefined) => value === undefined ? '-' : value < 10 ? value.toFixed(3) : value.toFixed(1);
const yesNo = (value: boolean | undefined) => value === undefined ? '-' : value ? 'yes' : 'NO';

function row(run: PlannerRun, facts: Map<string, InstanceRecord>): string[] {
  const score = run.score;
  const timing = [seconds(run.plan_seconds), seconds(run.plan_cpu_seconds), seconds(run.total_seconds), run.peak_rss_mib === undefined ? '-' : run.peak_rss_mib.toFixed(0)];
  const optimum = optimumCell(facts.get(run.instance));
  if (run.status !== 'ok') return [run.instance, run.planner, run.status.toUpperCase(), '-', '-', '-', '-', optimum, '-', '-', '-', '-', '-', ...timing];
  if (!score) return [run.instance, run.planner, 'unscored', '-', '-', '-', '-', optimum, '-', '-', '-', '-', '-', ...timing];
  if (!score.valid) return [run.instance, run.planner, 'NO', '-', '-', '-', '-', optimum, '-', '-', '-', '-', '-', ...timing];
  const ratio = migrationsPerFreedHost(run);
  const instanceFacts = facts.get(run.instance)?.facts;
  const hasSeries = instanceFacts?.has_series ?? false;
  // Migrations per freed host only means something where freeing hosts is the goal.
  const showRatio = instanceFacts?.goal === 'consolidate' || (score.hosts_freed ?? 0) > 0;
  return [
    run.instance, run.planner, 'yes', yesNo(score.goal_met),
    String(score.hosts_freed ?? '-'), String(score.gap_to_lower_bound ?? '-'), String(score.active_hosts_after ?? '-'), optimum, String(score.migrations ?? '-'),
    ratio === null || !showRatio ? '-' : Number.isFinite(ratio) ? ratio.toFixed(2) : 'inf',
    String(score.waves ?? '-'), score.n_plus_k_ok === undefined ? '-' : score.n_plus_k_ok ? 'ok' : 'FAIL',
    hasSeries ? `${score.overload_steps ?? '-'}/${score.replay?.overload_steps_before ?? '-'}` : '',
    ...timing,
  ];
}

/** The proven optimum's active hosts; `*` where OPTIMUM.md leaves N+k out (a lower bound only). */
function optimumCell(record: InstanceRecord | undefined): string {
  const optimum = record?.optimum;
  if (!optimum) return '-';
  return `${optimum.active_hosts}${optimum.spare_capacity_not_modelled ? '*' : ''}`;
}

export function renderTable(runs: PlannerRun[], instances: InstanceRecord[]): string {
  const facts = new Map(instances.map((record) => [record.name, record]));
  const rows = sortRuns(runs).map((run) => row(run, facts));
  const widths = COLUMNS.map((column, index) => Math.max(column.length, ...rows.map((cells) => cells[index].length)));
  const format = (cells: readonly string[]) => cells.map((cell, index) =>
    TEXT_COLUMNS.has(COLUMNS[index]) ? cell.padEnd(widths[index]) : cell.padStart(widths[index])).join('  ').trimEnd();
  const lines = [format(COLUMNS), widths.map((width) => '-'.repeat(width)).join('  ')];
  let previousInstance = '';
  for (const cells of rows) {
    // A blank line between instances keeps the three planners of one instance together.
    if (previousInstance && cells[0] !== previousInstance) lines.push('');
    previousInstance = cells[0];
    lines.push(format(cells));
  }
  if (instances.some((record) => record.optimum)) {
    lines.push('', 'active: active hosts after the plan; opt: the proven optimum of active hosts (shared/bench/OPTIMUM.md), * where N+k is not modelled there (a lower bound only)');
  }
  return `${lines.join('\n')}\n`;
}

/** Every run that produced no valid plan, with the scorer's or the process's reason. */
export function renderProblems(runs: PlannerRun[]): string {
  const lines: string[] = [];
  for (const run of sortRuns(runs)) {
    if (run.status !== 'ok') lines.push(`${run.instance} / ${run.planner}: ${run.status}: ${(run.error ?? '').trim().split('\n').slice(0, 6).join('\n    ')}`);
    else if (run.score_error) lines.push(`${run.instance} / ${run.planner}: not scored: ${run.score_error.trim()}`);
    else if (run.score && !run.score.valid) {
      const error = run.score.error;
      lines.push(`${run.instance} / ${run.planner}: INVALID (${error?.phase ?? '?'}${error?.action_index != null ? `, action ${error.action_index}` : ''}${error?.wave != null ? `, wave ${error.wave}` : ''}): ${error?.reason ?? 'rejected'}`);
    }
    if (run.deterministic === false) lines.push(`${run.instance} / ${run.planner}: repeated runs wrote different plans`);
  }
  return lines.length ? `Runs without a valid plan\n${lines.map((line) => `  ${line}`).join('\n')}\n` : 'Every run produced a plan that score.mjs accepts.\n';
}

export function renderTargets(checks: TargetCheck[]): string {
  const lines = ['Targets'];
  for (const check of checks) {
    const mark = check.pass === null ? 'INFO' : check.pass ? 'PASS' : 'FAIL';
    lines.push(`  [${mark}] ${check.target}: ${check.summary}`);
    for (const detail of check.details) lines.push(`         ${detail}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Where the time went outside ulm: scorer and baselines on the largest instances. */
export function renderTimings(runs: PlannerRun[]): string {
  const lines = ['Other processes (wall seconds, peak MiB)'];
  const scored = runs.filter((run) => run.score_seconds !== undefined);
  const slowestScore = [...scored].sort((a, b) => (b.score_seconds ?? 0) - (a.score_seconds ?? 0))[0];
  if (slowestScore) {
    const total = scored.reduce((sum, run) => sum + (run.score_seconds ?? 0), 0);
    lines.push(`  score.mjs: ${scored.length} plans in ${total.toFixed(1)} s; slowest ${slowestScore.instance} / ${slowestScore.planner} ${seconds(slowestScore.score_seconds)} s, ${slowestScore.score_peak_rss_mib?.toFixed(0) ?? '-'} MiB`);
  }
  for (const planner of PLANNERS.filter((name) => name !== 'ulm')) {
    const own = runs.filter((run) => run.planner === planner);
    if (!own.length) continue;
    const slowest = [...own].sort((a, b) => (b.total_seconds ?? Infinity) - (a.total_seconds ?? Infinity))[0];
    const timedOut = own.filter((run) => run.status === 'timeout').map((run) => run.instance);
    const total = own.reduce((sum, run) => sum + (run.total_seconds ?? 0), 0);
    lines.push(`  ${planner}: ${own.length} runs in ${total.toFixed(1)} s; slowest ${slowest.instance} ${seconds(slowest.total_seconds)} s${timedOut.length ? `; timed out: ${timedOut.join(', ')}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
