// `npm run bench`: plans every bench instance with ulm and the two baselines, scores each plan with score.mjs, prints the table and the targets.
//
// Phases, in order: generate the large instances that are not cached (in parallel, --jobs);
// time ulm on every instance, one child process per run and strictly one at a time so
// timings are not disturbed by the benchmark itself; then run the baselines and the scorer
// (in parallel, --jobs). See test/bench/README.md.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FACTS_VERSION, generatedInstances, generateInstance, instanceFacts, isGenerated, publicInstances, SIZES, type BenchInstance, type SizeClass } from './instances.js';
import { COMPILED_RUNNER, PLANS_DIR, REPO_ROOT, RESULTS_FILE, sharedBenchDir, WORK_DIR } from './paths.js';
import { runNodeScriptMeasured, runPool, runProcess } from './processes.js';
import { renderProblems, renderTable, renderTargets, renderTimings } from './report.js';
import { DEFAULT_PLAN_INSTANT, PLANNERS, type BenchResults, type PlanOneReport, type InstanceRecord, type PlannerName, type PlannerRun, type ScoreOutput, type TargetCheck } from './results.js';
import { longestNPlusKPrefix, ScorerPool } from './n-plus-k-floor.js';
import { runNPlusKSweep, sweepOptions } from './n-plus-k-sweep.js';
import { readOptima } from './optimum.js';
import { checkTargets } from './targets.js';
import { BOUND_FAMILIES_BY_DEFAULT, boundOf, boundRecord, loadLinearSolver, renderBounds, type HostCountBoundRecord } from './host-count-bound-bench.js';
import { runScopedInstances } from './scoped-bench.js';
import { runTightTargets } from './tight-targets-bench.js';

/**
 * The baselines take 5-30 s on XL on this class of machine (measured 2026-11-22: bfd
 * 14-20 s, ulm-spec-naive 4-12 s); five minutes means something went wrong, and the row
 * then says `timeout` instead of holding the benchmark up.
 */
const DEFAULT_BASELINE_TIMEOUT_SECONDS = 300;
/** ulm's own runs get the same generous limit; its target on XL is 10 s. */
const DEFAULT_ULM_TIMEOUT_SECONDS = 300;
/** score.mjs takes 1-4 s on XL; a limit only guards against a hung process. */
const SCORER_TIMEOUT_SECONDS = 600;

const USAGE = `usage: npm run bench -- [options]

  --sizes LIST            public,L,XL (default: all three)
  --family NAME           only these families (repeat or comma-separate), e.g. --family drain,hotspot
  --no-baselines          run and score ulm only
  --repeat N              run ulm N times per instance; timings are the medians (default 1)
  --jobs N                parallel processes for generation, baselines and scoring (default 1);
                          ulm's timed runs are always one at a time
  --json FILE             also write the results there (always: test-output/bench/results.json)
  --baseline-timeout S    seconds before a baseline run is killed and reported as timeout (default ${DEFAULT_BASELINE_TIMEOUT_SECONDS})
  --ulm-timeout S         the same for ulm's runs (default ${DEFAULT_ULM_TIMEOUT_SECONDS})
  --now ISO-8601          the instant ulm plans for (default ${DEFAULT_PLAN_INSTANT})
  --from-results FILE     run nothing: print the report of an earlier results.json again (targets re-checked)
  --no-tight              skip the generated tight reach_target cases (test/bench/tight-targets.ts)
  --no-scoped             skip the scoped instances (test/bench/scoped-bench.ts)
  --no-sweep              skip the N+k sweep of generated instances (test/bench/n-plus-k-sweep.ts)
  --sweep-seeds N         seeds per family and N+k in the sweep (default 20)
  --bound                 the configuration-LP host-count bound on every consolidate instance
                          (default: heterogeneous only; cached beside each generated instance)
  --no-bound              no configuration-LP bound
  -h, --help
`;

interface BenchOptions {
  sizes: SizeClass[];
  families: string[] | null;
  baselines: boolean;
  repeat: number;
  jobs: number;
  jsonFile: string | null;
  baselineTimeoutSeconds: number;
  ulmTimeoutSeconds: number;
  now: string;
  fromResults: string | null;
  tight: boolean;
  scoped: boolean;
  sweep: boolean;
  sweepSeeds: string | undefined;
  /** Which consolidate instances get the configuration-LP bound. */
  bound: 'all' | 'default' | 'none';
}

function positiveInteger(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`${option} must be a positive integer, got "${value}"`);
  return parsed;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      family: { type: 'string', multiple: true },
      'no-baselines': { type: 'boolean', default: false },
      repeat: { type: 'string' },
      jobs: { type: 'string' },
      json: { type: 'string' },
      'baseline-timeout': { type: 'string' },
      'ulm-timeout': { type: 'string' },
      now: { type: 'string' },
      'from-results': { type: 'string' },
      'no-tight': { type: 'boolean', default: false },
      'no-scoped': { type: 'boolean', default: false },
      'no-sweep': { type: 'boolean', default: false },
      'sweep-seeds': { type: 'string' },
      bound: { type: 'boolean', default: false },
      'no-bound': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const sizes = (values.sizes ?? SIZES.join(',')).split(',').map((size) => size.trim()).filter(Boolean);
  for (const size of sizes) if (!(SIZES as readonly string[]).includes(size)) throw new UsageError(`--sizes: unknown size "${size}"; use ${SIZES.join(', ')}`);
  positiveInteger(values['sweep-seeds'], '--sweep-seeds', 20);
  const now = values.now ?? DEFAULT_PLAN_INSTANT;
  if (!Number.isFinite(Date.parse(now))) throw new UsageError(`--now: "${now}" is not an ISO 8601 instant`);
  return {
    sizes: sizes as SizeClass[],
    families: values.family ? values.family.flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter(Boolean) : null,
    baselines: !values['no-baselines'],
    repeat: positiveInteger(values.repeat, '--repeat', 1),
    jobs: positiveInteger(values.jobs, '--jobs', 1),
    jsonFile: values.json ? resolve(values.json) : null,
    baselineTimeoutSeconds: positiveInteger(values['baseline-timeout'], '--baseline-timeout', DEFAULT_BASELINE_TIMEOUT_SECONDS),
    ulmTimeoutSeconds: positiveInteger(values['ulm-timeout'], '--ulm-timeout', DEFAULT_ULM_TIMEOUT_SECONDS),
    now,
    fromResults: values['from-results'] ? resolve(values['from-results']) : null,
    tight: !values['no-tight'],
    scoped: !values['no-scoped'],
    sweep: !values['no-sweep'],
    sweepSeeds: values['sweep-seeds'],
    bound: values['no-bound'] ? 'none' : values.bound ? 'all' : 'default',
  };
}

const progress = (line: string) => process.stderr.write(`${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const planFile = (instance: string, planner: PlannerName) => join(PLANS_DIR, `${instance}.${planner}.json`);

function selectInstances(benchDir: string, options: BenchOptions): BenchInstance[] {
  const all = [...publicInstances(benchDir), ...generatedInstances(benchDir)];
  const known = new Set(all.map((instance) => instance.family));
  for (const family of options.families ?? []) if (!known.has(family)) throw new UsageError(`--family: unknown family "${family}"; known: ${[...known].sort().join(', ')}`);
  return all.filter((instance) => options.sizes.includes(instance.size) && (!options.families || options.families.includes(instance.family)));
}

async function prepareInstances(benchDir: string, instances: BenchInstance[], jobs: number): Promise<void> {
  const missing = instances.filter((instance) => instance.size !== 'public' && !isGenerated(benchDir, instance));
  if (!missing.length) return;
  progress(`generating ${missing.length} instance(s) into ${join(WORK_DIR, 'instances')} (cached for later runs)`);
  await runPool(missing.map((instance) => async () => {
    const wallSeconds = await generateInstance(benchDir, instance);
    progress(`  generated ${instance.name} in ${wallSeconds.toFixed(1)} s`);
  }), jobs);
}

/**
 * Compiles plan-one.ts with the planner it imports, with tsc as for dist/, so the timed runs
 * are plain `node` on compiled JS: no tsx loader thread inflating peak memory (about 40 MiB)
 * and no need for an up-to-date `npm run build`. Type errors (core/ may be mid-change) are
 * reported and the emitted JS is used anyway; a broken planner then shows as a crash.
 */
async function compileRunner(): Promise<void> {
  const started = performance.now();
  const result = await runProcess({
    command: process.execPath,
    args: [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'test', 'bench', 'tsconfig.plan-one.json')],
  });
  if (result.exitCode !== 0) progress(`warning: tsc reported errors compiling the planner (running the emitted JS anyway):\n${result.stdout.trim()}${result.stderrTail.trim()}`);
  progress(`compiled plan-one.ts and the planner in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** One timed ulm run in its own process (test/bench/plan-one.ts, compiled). */
async function runUlmOnce(instance: BenchInstance, outFile: string, options: BenchOptions): Promise<{ report: PlanOneReport | null; error?: string; timedOut: boolean }> {
  const result = await runProcess({
    command: process.execPath,
    args: [COMPILED_RUNNER, instance.path, outFile, '--now', options.now],
    timeoutSeconds: options.ulmTimeoutSeconds,
  });
  if (result.timedOut) return { report: null, timedOut: true, error: `killed after ${options.ulmTimeoutSeconds} s (--ulm-timeout)` };
  const lastLine = result.stdout.trim().split('\n').pop() ?? '';
  let report: PlanOneReport | null;
  try { report = JSON.parse(lastLine) as PlanOneReport; } catch { report = null; }
  if (!report) {
    // No report at all: the process died (out of memory, signal) before it could write one.
    return { report: null, timedOut: false, error: `exit ${result.exitCode ?? result.signal}: ${result.stderrTail.trim() || '(no output)'}` };
  }
  return { report, timedOut: false, error: report.ok ? undefined : `${report.phase}: ${report.error}` };
}

async function runUlm(instance: BenchInstance, options: BenchOptions): Promise<PlannerRun> {
  const base = { instance: instance.name, family: instance.family, size: instance.size, planner: 'ulm' as const };
  const outFile = planFile(instance.name, 'ulm');
  const reports: PlanOneReport[] = [];
  const loadAverage = loadavg()[0];
  let firstPlan: Buffer | null = null;
  let deterministic = true;
  for (let attempt = 0; attempt < options.repeat; attempt++) {
    const attemptFile = attempt === 0 ? outFile : `${outFile}.repeat`;
    const { report, error, timedOut } = await runUlmOnce(instance, attemptFile, options);
    if (timedOut) return { ...base, status: 'timeout', error, total_seconds: options.ulmTimeoutSeconds };
    if (!report?.ok) return { ...base, status: 'crash', error, ...(report ? { peak_rss_mib: report.peak_rss_mib } : {}) };
    reports.push(report);
    const bytes = readFileSync(attemptFile);
    if (firstPlan === null) firstPlan = bytes;
    else if (!firstPlan.equals(bytes)) deterministic = false;
  }
  rmSync(`${outFile}.repeat`, { force: true });
  const pick = (field: 'plan_seconds' | 'plan_cpu_seconds' | 'read_seconds' | 'total_seconds' | 'peak_rss_mib' | 'rss_before_plan_mib') => median(reports.map((report) => report[field] ?? NaN));
  return {
    ...base, status: 'ok', plan_file: outFile,
    plan_seconds: pick('plan_seconds'), plan_cpu_seconds: pick('plan_cpu_seconds'), load_average_1m: loadAverage, read_seconds: pick('read_seconds'), total_seconds: pick('total_seconds'), peak_rss_mib: pick('peak_rss_mib'), rss_before_plan_mib: pick('rss_before_plan_mib'),
    ...(options.repeat > 1 ? { repeat_plan_seconds: reports.map((report) => report.plan_seconds ?? NaN), deterministic } : {}),
  };
}

async function runBaseline(benchDir: string, instance: BenchInstance, planner: PlannerName, options: BenchOptions): Promise<PlannerRun> {
  const base = { instance: instance.name, family: instance.family, size: instance.size, planner };
  const outFile = planFile(instance.name, planner);
  const result = await runNodeScriptMeasured(join(benchDir, 'baselines', `${planner}.mjs`), [instance.path],
    { cwd: benchDir, stdoutFile: outFile, timeoutSeconds: options.baselineTimeoutSeconds }, join(PLANS_DIR, `${instance.name}.${planner}.usage.json`));
  if (result.timedOut) {
    rmSync(outFile, { force: true });
    return { ...base, status: 'timeout', error: `killed after ${options.baselineTimeoutSeconds} s (--baseline-timeout)`, total_seconds: options.baselineTimeoutSeconds };
  }
  if (result.exitCode !== 0) return { ...base, status: 'crash', error: `exit ${result.exitCode ?? result.signal}: ${result.stderrTail.trim()}`, total_seconds: result.wallSeconds };
  let ownPlanSeconds: number | undefined;
  try {
    const plan = JSON.parse(readFileSync(outFile, 'utf8')) as { meta?: { plan_seconds?: number } };
    ownPlanSeconds = plan.meta?.plan_seconds;
  } catch { /* an unreadable plan is the scorer's to reject */ }
  return {
    ...base, status: 'ok', plan_file: outFile, plan_seconds: ownPlanSeconds, total_seconds: result.wallSeconds,
    ...(result.usage ? { peak_rss_mib: result.usage.max_rss_kib / 1024 } : {}),
  };
}

/** Scores a run's plan in an independent score.mjs process and attaches the verdict and metrics. */
async function scoreRun(benchDir: string, instance: BenchInstance, run: PlannerRun): Promise<void> {
  if (run.status !== 'ok' || !run.plan_file) return;
  const result = await runNodeScriptMeasured(join(benchDir, 'score.mjs'), [instance.path, run.plan_file],
    { cwd: benchDir, timeoutSeconds: SCORER_TIMEOUT_SECONDS }, join(PLANS_DIR, `${instance.name}.${run.planner}.score-usage.json`));
  run.score_seconds = result.wallSeconds;
  if (result.usage) run.score_peak_rss_mib = result.usage.max_rss_kib / 1024;
  if (result.timedOut) { run.score_error = `score.mjs killed after ${SCORER_TIMEOUT_SECONDS} s`; return; }
  if (result.exitCode !== 0 && result.exitCode !== 1) { run.score_error = `score.mjs exit ${result.exitCode ?? result.signal}: ${result.stderrTail.trim()}`; return; }
  try {
    run.score = JSON.parse(result.stdout) as ScoreOutput;
    writeFileSync(run.plan_file.replace(/\.json$/, '.score.json'), result.stdout);
  } catch (error) {
    run.score_error = `score.mjs printed no JSON: ${(error as Error).message}`;
  }
}

/**
 * The N+k floor: each valid baseline plan of an instance with spare_capacity_hosts (goal
 * consolidate) cut at its last wave after which score.mjs still finds N+k (n-plus-k-floor.ts).
 */
async function cutAtSpareCapacity(benchDir: string, instances: BenchInstance[], runs: PlannerRun[], jobs: number): Promise<void> {
  const scorer = new ScorerPool(join(benchDir, 'score.mjs'), jobs);
  try {
    const tasks: (() => Promise<void>)[] = [];
    for (const instance of instances) {
      const policy = (JSON.parse(readFileSync(instance.path, 'utf8')) as { policy?: { goal?: string; spare_capacity_hosts?: number } }).policy ?? {};
      if (!(policy.spare_capacity_hosts && policy.spare_capacity_hosts > 0) || policy.goal !== 'consolidate') continue;
      for (const run of runs.filter((entry) => entry.instance === instance.name && entry.planner !== 'ulm' && entry.score?.valid && entry.plan_file)) {
        tasks.push(async () => {
          try {
            run.n_plus_k_cut = await longestNPlusKPrefix(scorer, instance.path, run.plan_file!, join(PLANS_DIR, `${instance.name}.${run.planner}.cut.json`));
          } catch (error) {
            progress(`[N+k floor] ${instance.name} / ${run.planner}: no floor, the cuts could not be scored: ${(error as Error).message}`);
            return;
          }
          progress(`[N+k floor] ${instance.name} / ${run.planner}: ${run.n_plus_k_cut ? `${run.n_plus_k_cut.hosts_freed} freed at ${run.n_plus_k_cut.waves_kept} of ${run.n_plus_k_cut.waves_in_plan} waves (${run.n_plus_k_cut.checks} cuts scored)` : 'no N+k-safe cut'}`);
        });
      }
    }
    await runPool(tasks, jobs);
  } finally {
    await scorer.close();
  }
}

function describeRun(run: PlannerRun): string {
  if (run.status !== 'ok') return `${run.status}${run.error ? `: ${run.error.split('\n')[0]}` : ''}`;
  const score = run.score;
  const verdict = run.score_error ? 'unscored' : !score ? '' : score.valid ? `valid, freed ${score.hosts_freed}, ${score.migrations} migrations` : `INVALID: ${score.error?.reason}`;
  return `plan ${run.plan_seconds?.toFixed(3) ?? '-'} s, total ${run.total_seconds?.toFixed(3)} s, peak ${run.peak_rss_mib?.toFixed(0) ?? '-'} MiB${verdict ? `; ${verdict}` : ''}`;
}

function renderReport(startedAt: string, options: Pick<BenchOptions, 'sizes' | 'families' | 'repeat'>, instances: InstanceRecord[], runs: PlannerRun[], targets: TargetCheck[]): string {
  return [
    `ulm bench, ${startedAt}: ${instances.length} instances (${options.sizes.join(', ')}${options.families ? `; families ${options.families.join(', ')}` : ''}), ${runs.length} runs; ulm timings ${options.repeat > 1 ? `median of ${options.repeat} runs` : 'from one run'}`,
    '',
    renderTable(runs, instances),
    renderProblems(runs),
    renderTimings(runs),
    renderTargets(targets),
  ].join('\n');
}

/** --from-results: prints the report of an earlier run again, targets re-checked by the current code; runs nothing. */
function rerender(resultsFile: string): number {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults;
  // Facts recorded by an older bench lack what the current targets read: computed again.
  results.instances = results.instances.map((record) => record.facts.facts_version === FACTS_VERSION || !existsSync(record.path) ? record : { ...record, facts: instanceFacts(record) });
  // Results of a bench without the optima get them from today's OPTIMUM.md.
  const optima = readOptima(sharedBenchDir());
  results.instances = results.instances.map((record) => record.optimum || record.size !== 'public' || !optima.has(record.name) ? record : { ...record, optimum: optima.get(record.name) });
  const baselinesRun = results.runs.some((run) => run.planner !== 'ulm');
  const targets = checkTargets(results.instances, results.runs, baselinesRun);
  const options = results.options as unknown as BenchOptions;
  const phases = Object.entries(results.phase_seconds ?? {}).map(([phase, seconds]) => `${phase} ${seconds.toFixed(0)} s`).join(', ');
  process.stdout.write(`${renderReport(results.started_at, options, results.instances, results.runs, targets)}\nbench run of ${results.started_at} took ${results.wall_seconds.toFixed(0)} s${phases ? ` (${phases})` : ''}; report re-rendered from ${resultsFile}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | null;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) { process.stdout.write(USAGE); return 0; }
  if (options.fromResults) return rerender(options.fromResults);
  const startedAt = new Date();
  const started = performance.now();
  const loadAtStart = loadavg();
  const benchDir = sharedBenchDir();
  const selected = selectInstances(benchDir, options);
  if (!selected.length) { process.stderr.write('bench: no instance matches --sizes/--family\n'); return 2; }
  mkdirSync(PLANS_DIR, { recursive: true });
  progress(`bench: ${selected.length} instance(s) from ${benchDir}; planners: ulm${options.baselines ? ', bfd, ulm-spec-naive' : ''}; load average ${loadAtStart.map((value) => value.toFixed(2)).join(' ')} on ${cpus().length} CPU(s)`);

  // Seconds spent in each phase, to say where the bench's own time goes.
  const phaseSeconds: Record<string, number> = {};
  let phaseStarted = performance.now();
  const endPhase = (phase: string) => { phaseSeconds[phase] = (performance.now() - phaseStarted) / 1000; phaseStarted = performance.now(); };
  await prepareInstances(benchDir, selected, options.jobs);
  const optima = readOptima(benchDir);
  const instances: InstanceRecord[] = selected.map((instance) => ({
    name: instance.name, family: instance.family, size: instance.size, path: instance.path, facts: instanceFacts(instance),
    ...(instance.size === 'public' && optima.has(instance.name) ? { optimum: optima.get(instance.name) } : {}),
  }));

  endPhase('instances');
  await compileRunner();
  endPhase('compile');
  // ulm's timed runs: strictly sequential, nothing else of the benchmark running.
  const ulmRuns: PlannerRun[] = [];
  for (const [position, instance] of selected.entries()) {
    const run = await runUlm(instance, options);
    ulmRuns.push(run);
    progress(`[ulm ${position + 1}/${selected.length}] ${instance.name}: ${describeRun(run)}`);
  }

  endPhase('ulm');
  // Baselines and scoring: free to share the CPUs (--jobs).
  const runs: PlannerRun[] = [...ulmRuns];
  const tasks: (() => Promise<void>)[] = [];
  let done = 0;
  const taskCount = selected.length * (options.baselines ? PLANNERS.length : 1);
  for (const [position, instance] of selected.entries()) {
    tasks.push(async () => {
      await scoreRun(benchDir, instance, ulmRuns[position]);
      progress(`[score ${++done}/${taskCount}] ${instance.name} / ulm: ${describeRun(ulmRuns[position])}`);
    });
    if (!options.baselines) continue;
    for (const planner of PLANNERS.filter((name) => name !== 'ulm')) {
      tasks.push(async () => {
        const run = await runBaseline(benchDir, instance, planner, options);
        runs.push(run);
        await scoreRun(benchDir, instance, run);
        progress(`[score ${++done}/${taskCount}] ${instance.name} / ${planner}: ${describeRun(run)}`);
      });
    }
  }
  await runPool(tasks, options.jobs);
  endPhase(options.baselines ? 'baselines and scoring' : 'scoring');
  if (options.baselines) {
    await cutAtSpareCapacity(benchDir, selected, runs, options.jobs);
    endPhase('N+k floor');
  }

  const targets = checkTargets(instances, runs, options.baselines);
  // The configuration-LP bound, in this process, after ulm's timed runs.
  const boundRecords: HostCountBoundRecord[] = [];
  const boundInstances = selected.filter((instance, position) => instances[position].facts.goal === 'consolidate'
    && (options.bound === 'all' || (options.bound === 'default' && BOUND_FAMILIES_BY_DEFAULT.includes(instance.family) && instance.size !== 'public')));
  if (boundInstances.length) {
    progress(`host-count bound (configuration LP) on ${boundInstances.length} instance(s)`);
    const solver = await loadLinearSolver();
    for (const instance of boundInstances) {
      const record = boundRecord(instance.name, boundOf(instance.path, solver), runs.find((run) => run.planner === 'ulm' && run.instance === instance.name));
      boundRecords.push(record);
      progress(`[bound] ${instance.name}: ${record.bound} (score.mjs ${record.scorer_bound}), ${record.seconds.toFixed(1)} s`);
    }
    endPhase('host-count bound');
  }
  const bounds = boundRecords.length ? `\n${renderBounds(boundRecords)}\n` : '';
  // The tight reach_target cases plan in this process, after everything else has finished.
  if (options.tight) progress('tight reach_target cases: planning and scoring');
  const tight = options.tight ? `\n${runTightTargets(options.now)}\n` : '';
  if (options.tight) endPhase('tight reach_target');
  if (options.scoped) progress('scoped instances: planning and scoring');
  const scoped = options.scoped ? `\n${runScopedInstances(options.now)}\n` : '';
  if (options.scoped) endPhase('scoped instances');
  if (options.sweep) progress('N+k sweep: generated instances of every family with N+1 and N+2');
  const sweep = options.sweep ? `\n${(await runNPlusKSweep(sweepOptions({ seeds: options.sweepSeeds, jobs: String(options.jobs > 1 ? options.jobs : 2), now: options.now }))).report}\n` : '';
  if (options.sweep) endPhase('N+k sweep');
  const output = renderReport(startedAt.toISOString(), options, instances, runs, targets) + bounds + tight + scoped + sweep;
  const wallSeconds = (performance.now() - started) / 1000;
  process.stdout.write(`${output}\nbench finished in ${wallSeconds.toFixed(0)} s (${Object.entries(phaseSeconds).map(([phase, seconds]) => `${phase} ${seconds.toFixed(0)} s`).join(', ')}); results in ${RESULTS_FILE}${options.jsonFile ? ` and ${options.jsonFile}` : ''}\n`);

  const results: BenchResults = {
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    wall_seconds: wallSeconds,
    options: { ...options },
    machine: { node: process.version, cpus: cpus().length, load_average_at_start: loadAtStart, platform: platform() },
    baseline_timeout_seconds: options.baselineTimeoutSeconds,
    phase_seconds: phaseSeconds,
    instances, runs, targets,
    ...(boundRecords.length ? { host_count_bounds: boundRecords } : {}),
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  if (options.jsonFile) {
    mkdirSync(resolve(options.jsonFile, '..'), { recursive: true });
    copyFileSync(RESULTS_FILE, options.jsonFile);
  }
  // The exit status says whether the benchmark ran, not whether the targets pass.
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
