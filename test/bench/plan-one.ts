// Child process of the benchmark: plans one instance with ulm's core and prints its timings and peak memory as one JSON line.
//
//   node test-output/bench/build/test/bench/plan-one.js INSTANCE.json PLAN_OUT.json [--now ISO-8601]
//   (compiled by bench.ts with test/bench/tsconfig.plan-one.json; `node --import tsx` on this
//   file works too, with tsx's loader adding about 40 MiB to the peak)
//
// One process per instance so that peak RSS belongs to that instance alone. The phases are
// timed separately: reading + validating the snapshot is not the planner's work.
import { readFileSync, writeFileSync } from 'node:fs';
import { plan } from '../../core/planner/index.js';
import { parseJson, readSnapshot, snapshotPolicy } from '../../core/snapshot/read.js';
import { loadExactSolver } from '../../services/exact-solver.js';
import { PLANNER_NAME } from '../../services/version.js';
import { DEFAULT_PLAN_INSTANT, type PlanOneReport } from './results.js';

const mib = (bytes: number) => bytes / (1024 * 1024);

async function main(argv: string[]): Promise<number> {
  const [instancePath, planPath] = argv;
  const nowIndex = argv.indexOf('--now');
  const now = Date.parse(nowIndex >= 0 ? argv[nowIndex + 1] : DEFAULT_PLAN_INSTANT);
  if (!instancePath || !planPath || !Number.isFinite(now)) {
    process.stderr.write('usage: plan-one INSTANCE.json PLAN_OUT.json [--now ISO-8601]\n');
    return 2;
  }
  // The exact step's solver (WebAssembly) loads before the clock starts, as ulm's processes load
  // it at start-up; plan() itself stays synchronous.
  const loadStarted = performance.now();
  const exactSolver = await loadExactSolver();
  const solverLoadSeconds = (performance.now() - loadStarted) / 1000;
  const report: PlanOneReport = { ok: false, peak_rss_mib: 0 };
  let phase: NonNullable<PlanOneReport['phase']> = 'read';
  const started = performance.now();
  try {
    const text = readFileSync(instancePath, 'utf8');
    const value = parseJson(text, `snapshot ${instancePath}`);
    const parsed = performance.now();
    phase = 'validate';
    const snapshot = readSnapshot(value);
    const policy = snapshotPolicy(snapshot);
    const validated = performance.now();
    report.rss_before_plan_mib = mib(process.memoryUsage.rss());
    phase = 'plan';
    const cpuBeforePlan = process.cpuUsage();
    const document = plan({ snapshot, policy, now, planner: PLANNER_NAME, exactSolver });
    const planned = performance.now();
    const planCpu = process.cpuUsage(cpuBeforePlan);
    phase = 'write';
    // The same bytes as `ulm plan -f json`.
    writeFileSync(planPath, `${JSON.stringify(document, null, 2)}\n`);
    const written = performance.now();
    Object.assign(report, {
      ok: true,
      parse_seconds: (parsed - started) / 1000,
      validate_seconds: (validated - parsed) / 1000,
      read_seconds: (validated - started) / 1000,
      plan_seconds: (planned - validated) / 1000,
      plan_cpu_seconds: (planCpu.user + planCpu.system) / 1e6,
      write_seconds: (written - planned) / 1000,
      total_seconds: (written - started) / 1000,
      solver_load_seconds: solverLoadSeconds,
      status: document.meta.status,
      actions: document.actions.length,
    });
  } catch (error) {
    report.phase = phase;
    report.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  report.peak_rss_mib = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return report.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
