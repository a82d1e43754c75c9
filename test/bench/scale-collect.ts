// The edges at scale (issue 11, item 9): `ulm snapshot save` and the monitor's collection against
// a loopback stand-in cloud of 1,000 hypervisors and 20,000 servers (test/bench/scale-cloud/,
// Nova's paging, 20 ms per call). Prints calls by kind, wall seconds and peak memory against the
// target (≤ 30 s each). A benchmark, not a test: it exits 0 whenever it ran.
// Run: node --import tsx test/bench/scale-collect.ts [--hosts N] [--servers N] [--latency-ms MS] [--build-dir DIR] [--no-build]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { formatTable } from '../../cli/output.js';
import { connectCloud } from '../../openstack/cloud.js';
import { resolveCloudConfig } from '../../openstack/config.js';
import { silentLogger } from '../../openstack/logger.js';
import { createDatasource } from '../../plugins/datasources/index.js';
import { collectSnapshot } from '../../services/collect/collect.js';
import { DEFAULT_MONITOR_POLICY, SAMPLE_METRICS } from '../../services/monitor/monitor.js';
import { REPO_ROOT } from '../support/scorer.js';
import { buildCli, cliBuiltIn } from './build-cli.js';
import type { CallStats } from './scale-cloud/server.js';

const TARGET_SECONDS = 30;

interface Run {
  name: string;
  seconds: number;
  peakRssMib: number;
  peakHeapMib: number | null;
  calls: CallStats;
  summary: string;
}

/** Starts the stand-in in its own process, so its memory and CPU are not ulm's. */
async function startStandIn(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'bench', 'scale-cloud', 'main.ts'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the stand-in cloud exited ${code} before serving`)));
    lines.on('line', (line) => { if (line.startsWith('LISTENING ')) resolve(line.slice('LISTENING '.length)); });
  });
  return { url, child };
}

async function calls(url: string, reset = false): Promise<CallStats> {
  const response = await fetch(`${url}/_stats`, { method: reset ? 'DELETE' : 'GET' });
  return await response.json() as CallStats;
}

/** OS_* for the stand-in, and nothing of the caller's cloud (no OS_CLOUD, no clouds.yaml found). */
function standInEnvironment(url: string, scratch: string): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OS_')));
  return {
    ...kept, HOME: scratch, OS_AUTH_URL: `${url}/identity/v3`, OS_USERNAME: 'admin', OS_PASSWORD: 'stand-in', OS_PROJECT_NAME: 'admin',
    OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default', OS_INTERFACE: 'public', OS_REGION_NAME: 'RegionOne',
  };
}

async function snapshotSave(buildDirectory: string, url: string, scratch: string): Promise<Run> {
  const usageFile = join(scratch, 'snapshot-save-usage.json');
  const output = join(scratch, 'snapshot.json');
  rmSync(usageFile, { force: true });
  await calls(url, true);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', join(REPO_ROOT, 'test', 'bench', 'record-usage.mjs'), join(buildDirectory, 'bin', 'ulm'), 'snapshot', 'save', '-o', output], {
    cwd: scratch, env: { ...standInEnvironment(url, scratch), ULM_BENCH_USAGE_FILE: usageFile }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`ulm snapshot save exited ${run.status}:\n${run.stderr}`);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { max_rss_kib: number };
  return { name: 'ulm snapshot save (bin/ulm, own process)', seconds, peakRssMib: usage.max_rss_kib / 1024, peakHeapMib: null, calls: await calls(url), summary: run.stdout.trim() };
}

/** The monitor's collection as ulm-monitor runs it (its default policy, its sample metrics), in this process. */
async function monitorCollection(url: string, scratch: string): Promise<Run> {
  const config = resolveCloudConfig({ env: standInEnvironment(url, scratch), home: scratch, cwd: scratch });
  await calls(url, true);
  global.gc?.();
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); }, 20);
  const started = performance.now();
  try {
    const logger = silentLogger();
    const cloud = await connectCloud(config, { logger, userAgent: 'ulm-scale-bench' });
    const datasource = createDatasource('gnocchi', {}, { session: cloud.session, logger });
    const policy = { ...DEFAULT_MONITOR_POLICY, metrics: { ...DEFAULT_MONITOR_POLICY.metrics, ...SAMPLE_METRICS } };
    const { snapshot } = await collectSnapshot({ cloud, datasource, policy, now: Date.now(), logger, generator: { tool: 'scale-bench' } });
    const seconds = (performance.now() - started) / 1000;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    return {
      name: 'monitor collection (in this process)', seconds, peakRssMib: process.resourceUsage().maxRSS / 1024, peakHeapMib: peakHeap / 2 ** 20, calls: await calls(url),
      summary: `${snapshot.hosts.length} hosts, ${snapshot.servers.length} servers, ${snapshot.server_groups?.length ?? 0} server groups`,
    };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: '1000' }, servers: { type: 'string', default: '20000' }, 'latency-ms': { type: 'string', default: '20' },
      'build-dir': { type: 'string', default: join(REPO_ROOT, 'test-output', 'scale-bench') }, 'no-build': { type: 'boolean', default: false },
    },
  });
  const buildDirectory = resolve(values['build-dir']);
  const scratch = join(REPO_ROOT, 'test-output', 'scale-bench', 'run');
  mkdirSync(scratch, { recursive: true });
  if (!values['no-build']) buildCli(buildDirectory);
  if (!cliBuiltIn(buildDirectory)) throw new Error(`no compiled CLI in ${buildDirectory}/dist: leave out --no-build`);
  const standIn = await startStandIn(['--hosts', values.hosts, '--servers', values.servers, '--latency-ms', values['latency-ms']]);
  const runs: Run[] = [];
  try {
    runs.push(await snapshotSave(buildDirectory, standIn.url, scratch));
    runs.push(await monitorCollection(standIn.url, scratch));
  } finally {
    standIn.child.kill('SIGTERM');
  }
  console.log(`Scale bench: stand-in cloud of ${values.hosts} hypervisors and ${values.servers} servers, ${values['latency-ms']} ms per call (test/bench/scale-cloud/)\n`);
  const kinds = [...new Set(runs.flatMap((run) => Object.keys(run.calls.calls)))].sort();
  // Calls of each kind, and the most of them in flight at once: the per-host reads' bound shows there.
  console.log(formatTable(['calls (most at once)', ...runs.map((run) => run.name.split(' (')[0])], kinds.map((kind) => [kind, ...runs.map((run) => `${run.calls.calls[kind] ?? 0} (${run.calls.peak_in_flight[kind] ?? 0})`)])));
  console.log();
  console.log(formatTable(['run', 'wall s', 'peak RSS MiB', 'peak heap MiB', 'calls', `≤ ${TARGET_SECONDS} s`], runs.map((run) => [
    run.name, run.seconds.toFixed(1), run.peakRssMib.toFixed(0), run.peakHeapMib === null ? 'n/a' : run.peakHeapMib.toFixed(0),
    String(Object.values(run.calls.calls).reduce((total, count) => total + count, 0)), run.seconds <= TARGET_SECONDS ? 'PASS' : 'FAIL',
  ])));
  for (const run of runs) console.log(`${run.name}: ${run.summary}`);
}

await main();
