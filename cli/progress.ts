// Live progress of a running action plan on standard error: one line rewritten in place on a
// terminal, plain lines (only when something changed) in logs and pipes; `--wait`, which
// follows a plan to its end through API restarts (`--timeout` bounds it) and fails the command
// when it does not succeed; and the activity line of other long commands.
import { InvalidArgumentError } from 'commander';
import type { ActionState, PlanState } from '../core/plan/states.js';
import { FINAL_PLAN_STATES, isFinalPlanState } from '../core/plan/states.js';
import type { Engine } from '../core/api/engine.js';
import type { ActionPlanView } from '../core/api/records.js';
import { CommandFailure, EXIT_USAGE } from './errors.js';

/** Where progress goes: standard error, or a test's buffer. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const ARROW = '->';

function count(counts: Record<ActionState, number>, state: ActionState): number {
  return counts[state] ?? 0;
}

/**
 * Waves as people count them: the ulm-plan/1 document numbers them from 0, the first wave is
 * "wave 1"; before any started, 0.
 */
export function waveNumber(wave: number | null): number {
  return wave === null ? 0 : wave + 1;
}

/** `plan 1f2e… ONGOING: wave 2/4; 5 of 12 actions succeeded, 1 failed, 2 running; moving vm-03 cmp-01 -> cmp-04` (skipped is not succeeded) */
export function progressLine(plan: ActionPlanView): string {
  const { counts, waves, current_wave: wave, transfers } = plan.progress;
  const total = Object.values(counts).reduce((sum, value) => sum + value, 0);
  const parts = [`${waves ? `wave ${waveNumber(wave)} of ${waves}` : 'no waves'}; ${count(counts, 'SUCCEEDED')} of ${total} actions succeeded`];
  if (count(counts, 'FAILED')) parts.push(`${count(counts, 'FAILED')} failed`);
  if (count(counts, 'ONGOING')) parts.push(`${count(counts, 'ONGOING')} running`);
  if (count(counts, 'SKIPPED')) parts.push(`${count(counts, 'SKIPPED')} skipped`);
  if (count(counts, 'CANCELLED')) parts.push(`${count(counts, 'CANCELLED')} cancelled`);
  let line = `action plan ${plan.id} ${plan.state}: ${parts.join(', ')}`;
  if (transfers.length) line += `; moving ${transfers.map((move) => `${move.server} ${move.source} ${ARROW} ${move.destination}`).join(', ')}`;
  return line;
}

/** Prints progress lines: rewritten in place on a terminal, appended (when changed) elsewhere. */
export class ProgressDisplay {
  private last = '';
  private open = false;

  constructor(private readonly stream: ProgressStream = process.stderr) {}

  show(line: string): void {
    if (line === this.last) return;
    this.last = line;
    if (this.stream.isTTY) {
      const width = Math.max(20, (this.stream.columns ?? 120) - 1);
      const fitted = line.length > width ? `${line.slice(0, width - 1)}…` : line;
      this.stream.write(`\r\x1b[2K${fitted}`);
      this.open = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the live line with the full text of the last state. */
  finish(line: string): void {
    if (this.stream.isTTY) {
      this.stream.write(`${this.open ? '\r\x1b[2K' : ''}${line}\n`);
      this.open = false;
    } else if (line !== this.last) {
      this.stream.write(`${line}\n`);
    }
    this.last = line;
  }
}

export interface FollowOptions {
  intervalMs?: number;
  stream?: ProgressStream;
  /** `--timeout`: give up (exit 1) when the plan has not ended after this long; default: no limit. */
  timeoutMs?: number;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Longest pause between two polls while ulm-api cannot be reached. */
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * A poll that failed for a reason that passes (ulm-api restarting, a proxy in front of it
 * answering 502/503/504, a connection refused, reset or timed out): try again, not give up.
 */
export function isTransient(error: unknown): boolean {
  const failure = error as { transient?: unknown; status?: unknown; code?: unknown };
  if (failure?.transient === true) return true;
  if (typeof failure?.status === 'number' && [502, 503, 504].includes(failure.status)) return true;
  return typeof failure?.code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN'].includes(failure.code);
}

/** The pause before retry `attempt` (1, 2, ...): 1 s, 2 s, 4 s ... up to 30 s, never shorter than the poll interval. */
export function retryDelay(attempt: number, intervalMs: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(intervalMs, 1000 * 2 ** (attempt - 1)));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Plan states that end a wait without success. */
const UNSUCCESSFUL: readonly PlanState[] = FINAL_PLAN_STATES.filter((state) => state !== 'SUCCEEDED');

/**
 * Follows a plan until it ends, showing its progress; returns its last view. A plan that is not
 * running yet (APPROVED, waiting for an applier) is waited for too.
 */
export async function followPlan(engine: Engine, planId: string, options: FollowOptions = {}): Promise<ActionPlanView> {
  const display = new ProgressDisplay(options.stream);
  const wait = options.sleep ?? sleep;
  let interrupted = false;
  const onInterrupt = () => {
    // The plan goes on without us (against the API), or stops at a safe point (direct mode).
    if (interrupted) process.exit(130);
    interrupted = true;
    (options.stream ?? process.stderr).write(`\nstopped following action plan ${planId}; it goes on: ulm plan show ${planId} (Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', onInterrupt);
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 1000;
  const deadline = options.timeoutMs === undefined ? Infinity : now() + options.timeoutMs;
  let last: ActionPlanView | null = null;
  let failedPolls = 0;
  try {
    for (;;) {
      let plan: ActionPlanView | null = null;
      try {
        plan = await engine.getActionPlan(planId);
        failedPolls = 0;
      } catch (error) {
        // One failed poll (an API restart during a two-hour plan) is no reason to stop following.
        if (!isTransient(error)) throw error;
        failedPolls += 1;
        const delay = retryDelay(failedPolls, interval);
        display.show(`${last ? progressLine(last) : `action plan ${planId}`}; cannot read it now (${(error as Error).message.split(':')[0]}), retry ${failedPolls} in ${Math.round(delay / 1000)} s`);
        if (now() + delay > deadline) throw timedOut(planId, last, options.timeoutMs!, display);
        await wait(delay);
        continue;
      }
      last = plan;
      if (isFinalPlanState(plan.state) || interrupted) {
        display.finish(progressLine(plan));
        return plan;
      }
      display.show(plan.state === 'APPROVED' || plan.state === 'RECOMMENDED' ? `action plan ${plan.id} ${plan.state}: waiting for an applier to start it` : progressLine(plan));
      if (now() + interval > deadline) throw timedOut(planId, plan, options.timeoutMs!, display);
      await wait(interval);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** `--timeout` reached: the plan goes on; the command stops waiting and fails (exit 1). */
function timedOut(planId: string, plan: ActionPlanView | null, timeoutMs: number, display: ProgressDisplay): CommandFailure {
  display.finish(plan ? progressLine(plan) : `action plan ${planId}: not read`);
  return new CommandFailure(`stopped waiting after ${Math.round(timeoutMs / 1000)} s (--timeout): action plan ${planId} is still ${plan?.state ?? 'unknown'} and goes on; follow it with ulm plan show ${planId}`);
}

/** The parser of `--timeout SECONDS`: checked before the command does anything (usage error, exit 2). */
export function timeoutArgument(value: string): string {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('give a positive number of seconds, e.g. --timeout 7200');
  return value;
}

/** Parses `--timeout SECONDS` (a positive number). */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new CommandFailure(`--timeout: "${value}" is not a number of seconds; use e.g. --timeout 7200`, EXIT_USAGE);
  }
  return seconds * 1000;
}

/** `work`, with `label` and the seconds it takes on a terminal's standard error meanwhile. */
export async function withActivity<T>(label: string, work: () => Promise<T>, stream: ProgressStream = process.stderr): Promise<T> {
  const line = new ActivityLine(label, stream);
  try {
    return await work();
  } finally {
    line.stop();
  }
}

/**
 * What a long command is doing, on one line of a terminal's standard error with the seconds
 * spent (`connecting to ... 3 s`); nothing when standard error is not a terminal.
 */
export class ActivityLine {
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | null = null;

  constructor(private label: string, private readonly stream: ProgressStream = process.stderr) {
    if (!stream.isTTY) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), 1000);
    // The line never keeps the process alive.
    this.timer.unref();
  }

  update(label: string): void {
    this.label = label;
    if (this.timer) this.draw();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.stream.write('\r\x1b[2K');
  }

  private draw(): void {
    const line = `${this.label}... ${Math.floor((Date.now() - this.started) / 1000)} s`;
    const width = Math.max(20, (this.stream.columns ?? 120) - 1);
    this.stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
  }
}

/** `--wait`: exit 1 unless the plan succeeded. */
export function requireSuccess(plan: ActionPlanView): void {
  if (UNSUCCESSFUL.includes(plan.state)) {
    throw new CommandFailure(`action plan ${plan.id} ended ${plan.state}${plan.failure_reason ? `: ${plan.failure_reason}` : ''}; see ulm plan show ${plan.id}`);
  }
  if (!isFinalPlanState(plan.state)) {
    throw new CommandFailure(`action plan ${plan.id} is still ${plan.state}: stopped waiting before it ended`);
  }
}
