// The N+k sweep: generated instances of every gen.mjs family with N+1 and N+2, where ulm must free at least as many hosts as any baseline cut at its last N+k-safe wave.
//
//   node --import tsx test/bench/n-plus-k-sweep.ts [--seeds N] [--hosts H] [--servers S] [--jobs J] [--family F] [--runner PLAN_ONE_JS] [--label NAME]
//   (npm run bench runs it after its table, with the planner it compiled; --no-sweep skips it)
//
// Each instance: `node gen.mjs --family F --hosts H --servers S --seed N --spare-hosts K`
// (cached under test-output/bench/sweep/), ulm's plan() in this process, bfd.mjs and
// ulm-spec-naive.mjs as child processes, every plan and every cut judged by score.mjs.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { longestNPlusKPrefix, nPlusKFloor, ScorerPool, type NPlusKCut } from './n-plus-k-floor.js';
import { COMPILED_RUNNER, REPO_ROOT, sharedBenchDir, WORK_DIR } from './paths.js';
import { runPool, runProcess } from './processes.js';
import { DEFAULT_PLAN_INSTANT, type ScoreOutput } from './results.js';

/** Every family of gen.mjs (its --help lists them). */
export const SWEEP_FAMILIES = ['uniform', 'heterogeneous', 'memory-bound', 'cpu-bound', 'anti-affinity', 'pinned', 'fragmented', 'diurnal', 'drain', 'reach-target', 'hotspot'];
/**
 * "Medium" for the sweep: 30 hosts and 600 servers (the public m instances have 100 / 2,000).
 * Large enough for four host generations, two zones and groups to matter, and above the 12
 * active hosts under which the planner searches exhaustively; small enough that 11 families x
 * 20 seeds x N+1 and N+2 run in about ten minutes on two busy cores.
 */
export const SWEEP_DEFAULTS = { seeds: 20, hosts: 30, servers: 600, spares: [1, 2] };
const BASELINES = ['bfd', 'ulm-spec-naive'] as const;
const SWEEP_DIR = join(WORK_DIR, 'sweep');

export interface SweepOptions {
  seeds: number;
  hosts: number;
  servers: number;
  spares: number[];
  families: string[];
  jobs: number;
  now: string;
  /** The compiled plan-one.js to plan with: the working tree's by default, an older build to compare. */
  runner: string;
  /** Plans and results go to sweep/plans-LABEL and sweep/results-LABEL.json (runs side by side); default none. */
  label: string | null;
}

export interface SweepRow {
  instance: string;
  family: string;
  seed: number;
  spare: number;
  goal?: string;
  /** gen.mjs could not make it (too many servers for the hosts): reason. */
  skipped?: string;
  ulm?: { valid: boolean; n_plus_k_ok: boolean; hosts_freed: number; migrations: number; error?: string };
  cuts: Partial<Record<(typeof BASELINES)[number], NPlusKCut | null | { error: string }>>;
  floor: number | null;
  below: boolean;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function generate(benchDir: string, family: string, seed: number, spare: number, options: SweepOptions): Promise<{ path: string } | { skipped: string }> {
  const name = `${family}-${options.hosts}x${options.servers}-s${seed}-n${spare}`;
  const path = join(SWEEP_DIR, 'instances', `${name}.json`);
  if (existsSync(path)) return { path };
  mkdirSync(join(SWEEP_DIR, 'instances'), { recursive: true });
  const args = [join(benchDir, 'gen.mjs'), '--family', family, '--hosts', String(options.hosts), '--servers', String(options.servers), '--seed', String(seed), '--spare-hosts', String(spare), '--name', name];
  // Another sweep may make the same file at the same time: each writes its own part, the bytes are the same.
  const part = `${path}.part-${process.pid}`;
  const result = await runProcess({ command: process.execPath, args, stdoutFile: part, cwd: benchDir });
  if (result.exitCode !== 0) { rmSync(part, { force: true }); return { skipped: result.stderrTail.trim().split('\n').pop() ?? `gen.mjs exit ${result.exitCode}` }; }
  renameSync(part, path);
  return { path };
}

/** ulm plans in the benchmark's compiled child (plan-one.ts), so that two instances plan at once. */
async function planWithUlm(runner: string, instancePath: string, planPath: string, now: string): Promise<void> {
  const result = await runProcess({ command: process.execPath, args: [runner, instancePath, planPath, '--now', now], timeoutSeconds: 300 });
  const report = JSON.parse(result.stdout.trim().split('\n').pop() || '{}') as { ok?: boolean; error?: string };
  if (!report.ok) throw new Error(report.error ?? `plan-one exit ${result.exitCode ?? result.signal}: ${result.stderrTail.trim()}`);
}

/** Compiles plan-one.ts and the planner from the working tree (as bench.ts does before its runs). */
export async function compilePlanner(): Promise<void> {
  const result = await runProcess({ command: process.execPath, args: [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'test', 'bench', 'tsconfig.plan-one.json')] });
  if (result.exitCode !== 0) progress(`warning: tsc reported errors compiling the planner (running the emitted JS anyway):\n${result.stdout.trim()}`);
}

async function sweepOne(benchDir: string, scorer: ScorerPool, family: string, seed: number, spare: number, options: SweepOptions): Promise<SweepRow> {
  const instance = `${family}-s${seed}-n${spare}`;
  const row: SweepRow = { instance, family, seed, spare, cuts: {}, floor: null, below: false };
  const made = await generate(benchDir, family, seed, spare, options);
  if ('skipped' in made) return { ...row, skipped: made.skipped };
  const plans = join(SWEEP_DIR, options.label ? `plans-${options.label}` : 'plans');
  mkdirSync(plans, { recursive: true });
  row.goal = (JSON.parse(readFileSync(made.path, 'utf8')) as { policy: { goal: string } }).policy.goal;
  // Hosts freed is what consolidation is for; a cut drain, balance or reach_target plan has not
  // met its goal, so what it frees is no floor: those rows only report ulm's plan.
  for (const baseline of row.goal === 'consolidate' ? BASELINES : []) {
    const planPath = join(plans, `${instance}.${baseline}.json`);
    const run = await runProcess({ command: process.execPath, args: [join(benchDir, 'baselines', `${baseline}.mjs`), made.path], stdoutFile: planPath, cwd: benchDir, timeoutSeconds: 300 });
    if (run.exitCode !== 0) { row.cuts[baseline] = { error: `exit ${run.exitCode ?? run.signal}: ${run.stderrTail.trim().split('\n').pop()}` }; continue; }
    try {
      row.cuts[baseline] = await longestNPlusKPrefix(scorer, made.path, planPath, join(plans, `${instance}.${baseline}.cut.json`));
    } catch (error) {
      row.cuts[baseline] = { error: (error as Error).message.split('\n')[0] };
    }
  }
  const ulmPlan = join(plans, `${instance}.ulm.json`);
  try {
    await planWithUlm(options.runner, made.path, ulmPlan, options.now);
    const score: ScoreOutput = await scorer.score(made.path, ulmPlan);
    row.ulm = { valid: score.valid, n_plus_k_ok: score.n_plus_k_ok === true, hosts_freed: score.hosts_freed ?? 0, migrations: score.migrations ?? 0, ...(score.valid ? {} : { error: score.error?.reason }) };
  } catch (error) {
    row.ulm = { valid: false, n_plus_k_ok: false, hosts_freed: 0, migrations: 0, error: (error as Error).message.split('\n')[0] };
  }
  row.floor = nPlusKFloor(Object.values(row.cuts).map((cut) => (cut && 'error' in cut ? null : cut)));
  row.below = !row.ulm.valid || (row.floor !== null && row.ulm.hosts_freed < row.floor);
  return row;
}

const ratio = (migrations: number, freed: number) => (freed > 0 ? migrations / freed : migrations > 0 ? Infinity : 0);

/** Lines of the sweep's report: a summary, then the instances below the floor and the ones where ulm moves more per freed host. */
export function renderSweep(rows: SweepRow[], options: SweepOptions, seconds: number): string {
  const made = rows.filter((row) => !row.skipped);
  const below = made.filter((row) => row.below);
  const nPlusKBroken = made.filter((row) => row.goal === 'consolidate' && row.ulm?.valid && !row.ulm.n_plus_k_ok && row.floor !== null);
  const gaps = made.filter((row) => row.floor !== null && row.ulm).map((row) => ({ row, gap: row.ulm!.hosts_freed - row.floor! }));
  const worst = gaps.reduce<{ row: SweepRow; gap: number } | null>((acc, entry) => (!acc || entry.gap < acc.gap ? entry : acc), null);
  const costlier = made.filter((row) => {
    if (!row.ulm?.valid || row.ulm.hosts_freed <= 0) return false;
    const cuts = Object.values(row.cuts).filter((cut): cut is NPlusKCut => !!cut && !('error' in cut) && cut.hosts_freed > 0);
    return cuts.length > 0 && cuts.every((cut) => ratio(row.ulm!.migrations, row.ulm!.hosts_freed) > ratio(cut.migrations, cut.hosts_freed) + 1e-9);
  });
  const byFamily = SWEEP_FAMILIES.filter((family) => options.families.includes(family)).map((family) => {
    const mine = made.filter((row) => row.family === family);
    const sum = (pick: (row: SweepRow) => number) => mine.reduce((total, row) => total + pick(row), 0);
    return `  ${family.padEnd(14)} ${String(mine.length).padStart(3)} instances, ulm freed ${String(sum((row) => row.ulm?.hosts_freed ?? 0)).padStart(5)}, floor ${String(sum((row) => row.floor ?? 0)).padStart(5)}, below ${mine.filter((row) => row.below).length}`;
  });
  const describe = (row: SweepRow) => {
    const cuts = BASELINES.map((baseline) => {
      const cut = row.cuts[baseline];
      if (!cut) return `${baseline} no safe cut`;
      if ('error' in cut) return `${baseline} ${cut.error}`;
      return `${baseline} cut ${cut.waves_kept}/${cut.waves_in_plan} waves frees ${cut.hosts_freed} (${cut.migrations} migrations)`;
    }).join('; ');
    const ulm = row.ulm ? (row.ulm.valid ? `ulm frees ${row.ulm.hosts_freed} (${row.ulm.migrations} migrations${row.ulm.n_plus_k_ok ? '' : ', N+k NOT met'})` : `ulm INVALID: ${row.ulm.error}`) : 'ulm -';
    return `    ${row.instance} (${row.goal}): ${ulm}; ${cuts}`;
  };
  const verdict = below.length === 0 && nPlusKBroken.length === 0 ? 'PASS' : 'FAIL';
  return [
    `N+k sweep: ${options.families.length} families x ${options.seeds} seeds x N+${options.spares.join('/N+')}, ${options.hosts} hosts / ${options.servers} servers each (instances and plans in ${SWEEP_DIR}), ${seconds.toFixed(0)} s`,
    ...byFamily,
    `${verdict} N+k floor: ${made.length} instances (${rows.length - made.length} not generated), ulm below the floor on ${below.length}, ulm's own plan breaking N+k on ${nPlusKBroken.length}; worst gap ${worst ? `${worst.gap >= 0 ? '+' : ''}${worst.gap} (${worst.row.instance}: ulm ${worst.row.ulm!.hosts_freed}, floor ${worst.row.floor})` : 'n/a'}`,
    ...below.map(describe),
    ...nPlusKBroken.filter((row) => !row.below).map(describe),
    `INFO migrations per freed host: ulm above every baseline's N+k-safe cut on ${costlier.length} of ${made.length}`,
    ...costlier.slice(0, 10).map(describe),
    ...rows.filter((row) => row.skipped).map((row) => `    not generated: ${row.instance}: ${row.skipped}`),
  ].join('\n');
}

/** Runs the whole sweep; returns its rows (also written to test-output/bench/sweep/results.json, or results-LABEL.json). */
export async function runNPlusKSweep(options: SweepOptions): Promise<{ rows: SweepRow[]; report: string }> {
  const benchDir = sharedBenchDir();
  const started = performance.now();
  const scorer = new ScorerPool(join(benchDir, 'score.mjs'), options.jobs);
  const tasks: (() => Promise<SweepRow>)[] = [];
  let done = 0;
  for (const family of options.families) {
    for (let seed = 1; seed <= options.seeds; seed++) {
      for (const spare of options.spares) {
        tasks.push(async () => {
          const row = await sweepOne(benchDir, scorer, family, seed, spare, options);
          done++;
          if (row.below || done % 20 === 0) progress(`[sweep ${done}/${tasks.length}] ${row.instance}: ulm ${row.ulm?.hosts_freed ?? '-'}, floor ${row.floor ?? '-'}${row.below ? ' BELOW' : ''}`);
          return row;
        });
      }
    }
  }
  try {
    const rows = await runPool(tasks, options.jobs);
    const report = renderSweep(rows, options, (performance.now() - started) / 1000);
    writeFileSync(join(SWEEP_DIR, options.label ? `results-${options.label}.json` : 'results.json'), `${JSON.stringify({ options, rows }, null, 2)}\n`);
    return { rows, report };
  } finally {
    await scorer.close();
  }
}

export function sweepOptions(values: { seeds?: string; hosts?: string; servers?: string; jobs?: string; family?: string[]; now?: string; runner?: string; label?: string }): SweepOptions {
  const count = (value: string | undefined, option: string, fallback: number) => {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${option} must be a positive integer, got "${value}"`);
    return parsed;
  };
  const families = values.family ? values.family.flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter(Boolean) : SWEEP_FAMILIES;
  for (const family of families) if (!SWEEP_FAMILIES.includes(family)) throw new Error(`--family: unknown family "${family}"; known: ${SWEEP_FAMILIES.join(', ')}`);
  return {
    seeds: count(values.seeds, '--seeds', SWEEP_DEFAULTS.seeds),
    hosts: count(values.hosts, '--hosts', SWEEP_DEFAULTS.hosts),
    servers: count(values.servers, '--servers', SWEEP_DEFAULTS.servers),
    spares: SWEEP_DEFAULTS.spares,
    families,
    jobs: count(values.jobs, '--jobs', 2),
    now: values.now ?? DEFAULT_PLAN_INSTANT,
    runner: values.runner ? resolve(values.runner) : COMPILED_RUNNER,
    label: values.label && /^[\w.-]+$/.test(values.label) ? values.label : null,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { seeds: { type: 'string' }, hosts: { type: 'string' }, servers: { type: 'string' }, jobs: { type: 'string' }, family: { type: 'string', multiple: true }, now: { type: 'string' }, runner: { type: 'string' }, label: { type: 'string' } }, strict: true });
  // --runner: an older compiled test/bench/plan-one.js (a copy of test-output/bench/build), for before/after figures.
  (values.runner ? Promise.resolve() : compilePlanner()).then(() => runNPlusKSweep(sweepOptions(values))).then(({ report }) => { process.stdout.write(`${report}\n`); }, (error: unknown) => {
    process.stderr.write(`n-plus-k-sweep: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
