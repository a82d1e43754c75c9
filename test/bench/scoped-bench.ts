// The benchmark's scoped instances: public instances with a `scope` added to their policy (made
// here, since the shared folder is read-only), planned with ulm's planner in this process and
// scored by score.mjs on the instance as the scope leaves it (servers outside it not migratable,
// hosts outside it disabled), so that the scorer itself refuses a move out of or into the scope.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plan } from '../../core/planner/index.js';
import type { Scope } from '../../core/policy/schema.js';
import { hostOutsideScope, serverExcludedByScope } from '../../core/policy/scope.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import { readSnapshot, snapshotPolicy } from '../../core/snapshot/read.js';
import { scopedForScorer } from '../support/builders.js';
import { PLANS_DIR, sharedBenchDir } from './paths.js';
import { DEFAULT_PLAN_INSTANT } from './results.js';

interface ScopedCase {
  name: string;
  /** File of shared/bench/instances/. */
  from: string;
  scope: Scope;
}

const CASES: ScopedCase[] = [
  // Five racks of ten, one of them excluded, and one project's servers held where they are.
  { name: 'uniform-m-scoped', from: 'uniform-m.json', scope: { aggregates: ['rack-001', 'rack-002', 'rack-003', 'rack-004', 'rack-005'], exclude: { aggregates: ['rack-003'], projects: ['proj-014'] } } },
  // One availability zone of two, with N+1 (spare_capacity_hosts: 1) inside it.
  { name: 'heterogeneous-m-az1', from: 'heterogeneous-m.json', scope: { availability_zones: ['az1'] } },
];

/** Plans and scores every scoped case; returns the report's lines. */
export function runScopedInstances(now = DEFAULT_PLAN_INSTANT): string {
  const folder = join(PLANS_DIR, 'scoped');
  mkdirSync(folder, { recursive: true });
  const rows: string[][] = [['case', 'scope', 'hosts in', 'servers held', 'valid', 'goal', 'freed', 'migr', 'out-of-scope moves', 'into scope-out', 'maintained out', 'plan s', 'verdict']];
  let passed = 0;
  for (const made of CASES) {
    const base = JSON.parse(readFileSync(join(sharedBenchDir(), 'instances', made.from), 'utf8')) as Snapshot;
    const instance: Snapshot = { ...base, name: made.name, policy: { ...(base.policy as object), scope: made.scope } };
    const snapshot = readSnapshot(JSON.parse(JSON.stringify(instance)));
    const started = performance.now();
    const document = plan({ snapshot, policy: snapshotPolicy(snapshot), now: Date.parse(now), planner: 'ulm-bench' });
    const seconds = (performance.now() - started) / 1000;

    const outHosts = new Set(snapshot.hosts.filter((host) => hostOutsideScope(made.scope, host) !== null).map((host) => host.name));
    const held = new Set(snapshot.servers.filter((server) => outHosts.has(server.host) || serverExcludedByScope(made.scope, server) !== null).map((server) => server.id));
    let movedOut = 0;
    let into = 0;
    let maintained = 0;
    for (const action of document.actions) {
      if (action.type === 'live_migrate') {
        if (held.has(action.server)) movedOut++;
        if (outHosts.has(action.destination)) into++;
      } else if ((action.type === 'disable_compute' || action.type === 'power_off') && outHosts.has(action.host)) maintained++;
    }

    const instanceFile = join(folder, `${made.name}.json`);
    const scorerFile = join(folder, `${made.name}.as-scoped.json`);
    const planFile = join(folder, `${made.name}.ulm.json`);
    writeFileSync(instanceFile, JSON.stringify(instance));
    writeFileSync(scorerFile, JSON.stringify(scopedForScorer(instance)));
    writeFileSync(planFile, JSON.stringify(document));
    const run = spawnSync(process.execPath, [join(sharedBenchDir(), 'score.mjs'), scorerFile, planFile], { encoding: 'utf8' });
    const result = JSON.parse(run.stdout || '{}') as { valid?: boolean; goal_met?: boolean; hosts_freed?: number; migrations?: number; error?: { reason?: string } };

    const problems: string[] = [];
    if (!result.valid) problems.push(`invalid plan (${result.error?.reason ?? run.stderr.trim()})`);
    if (movedOut || into || maintained) problems.push('scope not respected');
    if (!result.goal_met) problems.push('goal not met');
    if ((result.hosts_freed ?? 0) <= 0) problems.push('nothing freed');
    if (!problems.length) passed++;
    rows.push([made.name, JSON.stringify(made.scope), `${snapshot.hosts.length - outHosts.size}/${snapshot.hosts.length}`, String(held.size),
      result.valid ? 'yes' : 'NO', result.goal_met ? 'yes' : 'no', String(result.hosts_freed ?? '-'), String(result.migrations ?? '-'),
      String(movedOut), String(into), String(maintained), seconds.toFixed(3), problems.length ? `FAIL ${problems.join(', ')}` : 'PASS']);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  return [
    `scoped instances (public instances with policy.scope added; plans and scores in ${folder}):`,
    ...table,
    `${passed === CASES.length ? 'PASS' : 'FAIL'} scope: ${passed}/${CASES.length} scoped plans valid (scored with servers outside the scope unmovable and hosts outside it disabled), goal met, hosts freed, no server outside the scope moved, no host outside it received or was put into maintenance`,
  ].join('\n');
}
