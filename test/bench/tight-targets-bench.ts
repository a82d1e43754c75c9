// The benchmark's tight reach_target cases (tight-targets.ts): each planned with ulm's planner in
// this process, scored by score.mjs, and reported against the targets: every feasible target
// reached with migrations <= 1.2 x servers off target, every infeasible one proven, each plan in
// <= 1 s (a figure printed, not a timed test).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plan } from '../../core/planner/index.js';
import { readSnapshot, snapshotPolicy } from '../../core/snapshot/read.js';
import { PLANS_DIR, sharedBenchDir } from './paths.js';
import { DEFAULT_PLAN_INSTANT } from './results.js';
import { REACH_TARGET_MIGRATION_FACTOR } from './targets.js';
import { tightTargetCases } from './tight-targets.js';

const SECONDS_LIMIT = 1;

/** Plans and scores every case; returns the report's lines. */
export function runTightTargets(now = DEFAULT_PLAN_INSTANT): string {
  const folder = join(PLANS_DIR, 'tight-targets');
  mkdirSync(folder, { recursive: true });
  const rows: string[][] = [['case', 'hosts', 'servers', 'free', 'off target', 'witness', 'status', 'migr', 'migr/off', 'plan s', 'verdict']];
  let passed = 0;
  const cases = tightTargetCases();
  for (const made of cases) {
    const snapshot = readSnapshot(JSON.parse(JSON.stringify(made.snapshot)));
    const started = performance.now();
    const document = plan({ snapshot, policy: snapshotPolicy(snapshot), now: Date.parse(now), planner: 'ulm-bench' });
    const seconds = (performance.now() - started) / 1000;
    const instanceFile = join(folder, `${made.name}.json`);
    const planFile = join(folder, `${made.name}.ulm.json`);
    writeFileSync(instanceFile, JSON.stringify(made.snapshot));
    writeFileSync(planFile, JSON.stringify(document));
    const run = spawnSync(process.execPath, [join(sharedBenchDir(), 'score.mjs'), instanceFile, planFile], { encoding: 'utf8' });
    const result = JSON.parse(run.stdout || '{}') as { valid?: boolean; goal_met?: boolean; migrations?: number };
    const migrations = result.migrations ?? 0;
    const problems: string[] = [];
    if (!result.valid) problems.push('invalid plan');
    if (made.feasible) {
      if (!result.goal_met) problems.push(`not reached (${document.meta.status})`);
      else if (migrations > REACH_TARGET_MIGRATION_FACTOR * made.offTarget) problems.push(`migrations > ${REACH_TARGET_MIGRATION_FACTOR} x off target`);
    } else if (document.meta.status !== 'infeasible') problems.push(`not proven infeasible (${document.meta.status})`);
    if (seconds > SECONDS_LIMIT) problems.push(`over ${SECONDS_LIMIT} s`);
    if (!problems.length) passed++;
    rows.push([made.name, String(made.hosts), String(made.servers), `${(made.freeFraction * 100).toFixed(0)}%`, String(made.offTarget),
      made.witness ? String(made.witness.actions.length) : '-', document.meta.status, String(migrations),
      made.offTarget ? (migrations / made.offTarget).toFixed(2) : '-', seconds.toFixed(3), problems.length ? `FAIL ${problems.join(', ')}` : 'PASS']);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  return [
    `tight reach_target cases (test/bench/tight-targets.ts; plans and scores in ${folder}):`,
    ...table,
    `${passed === cases.length ? 'PASS' : 'FAIL'} tight reach_target: ${passed}/${cases.length} cases reached (migrations <= ${REACH_TARGET_MIGRATION_FACTOR} x off target) or proven infeasible, each in <= ${SECONDS_LIMIT} s`,
  ].join('\n');
}
