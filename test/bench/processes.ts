// Runs one child process for the benchmark (planner, baseline, scorer, generator) with a time limit, and a small worker pool.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export interface ProcessRequest {
  command: string;
  args: string[];
  cwd?: string;
  /** Standard output goes to this file (plans are large); otherwise it is captured. */
  stdoutFile?: string;
  /** Killed (SIGKILL) after this long; the result then says `timedOut`. */
  timeoutSeconds?: number;
  env?: NodeJS.ProcessEnv;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Captured standard output ('' when it went to a file). */
  stdout: string;
  /** The end of standard error: enough to show why a process failed. */
  stderrTail: string;
  wallSeconds: number;
}

const STDERR_TAIL_CHARS = 4000;

export function runProcess(request: ProcessRequest): Promise<ProcessResult> {
  return new Promise((resolvePromise, rejectPromise) => {
    const stdoutFd = request.stdoutFile ? openSync(request.stdoutFile, 'w') : null;
    const started = performance.now();
    const child = spawn(request.command, request.args, {
      cwd: request.cwd ?? REPO_ROOT,
      env: request.env ?? process.env,
      stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
    });
    const stdoutChunks: Buffer[] = [];
    let stderrTail = '';
    child.stdout?.on('data', (chunk: Buffer) => stdoutChunks.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => { stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS); });
    let timedOut = false;
    const timer = request.timeoutSeconds === undefined ? null : setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, request.timeoutSeconds * 1000);
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      if (stdoutFd !== null) closeSync(stdoutFd);
      rejectPromise(error);
    });
    child.on('close', (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      if (stdoutFd !== null) closeSync(stdoutFd);
      resolvePromise({
        exitCode, signal, timedOut,
        stdout: Buffer.concat(stdoutChunks).toString('utf8'),
        stderrTail,
        wallSeconds: (performance.now() - started) / 1000,
      });
    });
  });
}

export interface MeasuredUsage {
  max_rss_kib: number;
  user_cpu_s: number;
  system_cpu_s: number;
}

/**
 * Runs a plain Node script (baseline, scorer) with record-usage.mjs preloaded, so its peak
 * memory is known too. Usage is null when the process did not exit normally (killed).
 */
export async function runNodeScriptMeasured(script: string, args: string[], request: Omit<ProcessRequest, 'command' | 'args' | 'env'>, usageFile: string): Promise<ProcessResult & { usage: MeasuredUsage | null }> {
  rmSync(usageFile, { force: true });
  const preload = join(REPO_ROOT, 'test', 'bench', 'record-usage.mjs');
  const result = await runProcess({
    ...request,
    command: process.execPath,
    args: ['--import', preload, script, ...args],
    env: { ...process.env, ULM_BENCH_USAGE_FILE: usageFile },
  });
  let usage: MeasuredUsage | null = null;
  if (existsSync(usageFile)) {
    usage = JSON.parse(readFileSync(usageFile, 'utf8')) as MeasuredUsage;
    rmSync(usageFile, { force: true });
  }
  return { ...result, usage };
}

/** Runs tasks with at most `jobs` at a time; results keep the tasks' order. */
export async function runPool<T>(tasks: (() => Promise<T>)[], jobs: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, tasks.length)) }, worker));
  return results;
}
