// Tests of offline `ulm plan --snapshot`'s exit status, which scripts rely on instead of parsing
// the plan: 0 goal met, 3 met only in part (blocked servers on stderr), 4 infeasible or no path.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { snapshot } from '../../support/builders.js';
import { runUlm, type InProcessRun } from '../../support/ulm-in-process.js';

/** `ulm plan --snapshot FILE ARGS` in this process, on `cluster` written to a file. */
async function planOffline(directory: string, cluster: Snapshot, args: string[] = []): Promise<InProcessRun> {
  const file = join(directory, 'cluster.json');
  writeFileSync(file, JSON.stringify(cluster));
  return runUlm(['plan', '--snapshot', file, '--now', '2026-11-22T20:00:00Z', ...args], { keepEnvironment: true });
}

/** Two hosts of 8 GiB, each full with one 8 GiB server. */
function twoFullHosts() {
  return snapshot().policy({ goal: 'reach_target' }).hosts(['cmp-1', 'cmp-2'], { vcpus: 8, memory_mb: 8192 })
    .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 8192 } })
    .server('vm-2', { on: 'cmp-2', flavor: { vcpus: 2, memory_mb: 8192 } });
}

describe('ulm plan --snapshot exit status', () => {
  let directory: string;
  before(() => { directory = mkdtempSync(join(tmpdir(), 'ulm-plan-exit-')); });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('0 when the plan meets its goal, with nothing on stderr', async () => {
    const cluster = snapshot().policy({ goal: 'consolidate' }).hosts(['cmp-1', 'cmp-2'])
      .server('vm-1', { on: 'cmp-1' }).server('vm-2', { on: 'cmp-2' }).build();
    const run = await planOffline(directory, cluster, ['-f', 'json']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).meta.status, 'complete');
    assert.equal(run.stderr, '');
  });

  it('3 when the goal is met only in part, each blocked server on stderr with its constraint and detail', async () => {
    const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-1'] }).hosts(['cmp-1', 'cmp-2'])
      .server('vm-1', { on: 'cmp-1' }).server('gpu-1', { on: 'cmp-1', migratable: false }).build();
    const run = await planOffline(directory, cluster, ['-f', 'json']);
    assert.equal(run.status, 3, run.stderr);
    const plan = JSON.parse(run.stdout);
    assert.equal(plan.meta.status, 'partial');
    assert.deepEqual(plan.actions.filter((action: { type: string }) => action.type === 'live_migrate').map((action: { server: string }) => action.server), ['vm-1']);
    assert.match(run.stderr, /only in part: 1 server\(s\) blocked/);
    assert.match(run.stderr, /^ {2}gpu-1: not_migratable: .+$/m);
  });

  it('4 when the goal is infeasible, with the reason on stderr', async () => {
    const run = await planOffline(directory, twoFullHosts().target({ 'vm-1': 'cmp-2' }).build());
    assert.equal(run.status, 4, run.stderr);
    assert.match(run.stderr, /the goal is infeasible: .*cmp-2: MEMORY_MB/);
    assert.match(run.stdout, /Infeasible: /);
  });

  it('4 when no path to the goal is found and nothing is proposed (partial_target, both servers stuck)', async () => {
    const cluster = twoFullHosts().policy({ goal: 'reach_target', partial_target: true }).target({ 'vm-1': 'cmp-2', 'vm-2': 'cmp-1' }).build();
    const run = await planOffline(directory, cluster, ['-f', 'json']);
    assert.equal(run.status, 4, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).actions, []);
    assert.match(run.stderr, /no path to the goal was found/);
    assert.match(run.stderr, /^ {2}vm-1: no_capacity_safe_path: could not reach cmp-2/m);
  });

  it('says so in its --help', async () => {
    const run = await planOffline(directory, twoFullHosts().build(), ['--help']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /Exit status \(offline, with --snapshot\):\n {2}0 {2}the plan meets its goal[\s\S]* 3 {2}the plan meets its goal only in part[\s\S]* 4 {2}the goal is infeasible, or no path/);
  });
});
