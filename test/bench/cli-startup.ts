// The `ulm` command's start-up, as an operator feels it: wall time of `ulm --help` and of
// `ulm plan --snapshot <uniform-xs>` against `node -e 0` in the same run (issue 11: ≤ 0.2 s and
// ≤ 0.3 s on this machine). A benchmark, not a test: it prints the figures and a verdict, and
// exits 0 whenever it ran. The CLI is compiled from the working tree into test-output/cli-bench/
// (no `npm run build` needed) and run the way bin/ulm runs it.
// Run: node --import tsx test/bench/cli-startup.ts [--runs N] [--no-build]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { formatTable } from '../../cli/output.js';
import { REPO_ROOT } from '../support/scorer.js';
import { buildCli } from './build-cli.js';

const OUTPUT = join(REPO_ROOT, 'test-output', 'cli-bench');
const SHARED = process.env.ULM_SHARED ?? join(REPO_ROOT, '..', 'shared');
const INSTANCE = join(SHARED, 'bench', 'instances', 'uniform-xs.json');

interface Case {
  name: string;
  args: string[];
  /** Wall-time target in seconds (issue 11); null for the baseline. */
  target: number | null;
}

/** One run's wall time in seconds; fails loudly on an exit status the command should not have. */
function wallTime(args: string[], environment: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { env: environment, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return seconds;
}

const median = (values: number[]) => {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, 'no-build': { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: "${values.runs}" is not a positive whole number`);
  if (!existsSync(INSTANCE)) {
    console.error(`cli-bench: no ${INSTANCE}; set ULM_SHARED to the folder that contains bench/`);
    process.exit(2);
  }
  if (!values['no-build']) buildCli(OUTPUT);
  const ulm = join(OUTPUT, 'bin', 'ulm');
  // What an operator's shell may add to every node start (a CA bundle read at start-up) is not ulm's time.
  const environment: NodeJS.ProcessEnv = { ...process.env };
  delete environment.NODE_EXTRA_CA_CERTS;
  delete environment.NODE_OPTIONS;
  const cases: Case[] = [
    { name: 'node -e 0', args: ['-e', '0'], target: null },
    { name: 'ulm --help', args: [ulm, '--help'], target: 0.2 },
    { name: `ulm plan --snapshot ${relative(join(REPO_ROOT, '..'), INSTANCE).replace(/^/, '../')}`, args: [ulm, 'plan', '--snapshot', INSTANCE, '--now', '2026-11-22T20:00:00Z'], target: 0.3 },
  ];
  // One warm-up each (the file cache), then the cases interleaved so that load changes hit them alike.
  for (const entry of cases) wallTime(entry.args, environment);
  const times = cases.map((): number[] => []);
  const loadBefore = loadavg()[0];
  for (let round = 0; round < runs; round += 1) cases.forEach((entry, index) => times[index].push(wallTime(entry.args, environment)));
  const baseline = median(times[0]);
  const rows = cases.map((entry, index) => {
    const middle = median(times[index]);
    return [
      entry.name, middle.toFixed(3), Math.min(...times[index]).toFixed(3), entry.target === null ? '' : (middle - baseline).toFixed(3),
      entry.target === null ? '' : `≤ ${entry.target}`, entry.target === null ? '' : middle <= entry.target ? 'PASS' : 'FAIL',
    ];
  });
  console.log(`CLI start-up: wall time over ${runs} runs each (interleaved, after one warm-up), load average ${loadBefore.toFixed(2)} -> ${loadavg()[0].toFixed(2)} on ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim() || '?'} cores`);
  console.log(formatTable(['Command', 'Median s', 'Min s', 'Over node -e 0 s', 'Target s', 'Verdict'], rows));
  console.log('Verdict on the median wall time; "over node -e 0" is what ulm itself adds to starting node.');
}

main();
