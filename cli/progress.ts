// Live progress of a running action plan on standard error: one line rewritten in place on a
// terminal, plain lines (only when something changed) in logs and pipes; and `--wait`, which
// follows a plan to its end and fails the command when it does not succeed.
import type { ActionState, PlanState } from '../core/plan/states.js';
import { FINAL_PLAN_STATES, isFinalPlanState } from '../core/plan/states.js';
import type { ActionPlanView, Engine } from '../services/engine/types.js';
import { CommandFailure } from './errors.js';

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
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
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
  try {
    for (;;) {
      const plan = await engine.getActionPlan(planId);
      if (isFinalPlanState(plan.state) || interrupted) {
        display.finish(progressLine(plan));
        return plan;
      }
      display.show(plan.state === 'APPROVED' || plan.state === 'RECOMMENDED' ? `action plan ${plan.id} ${plan.state}: waiting for an applier to start it` : progressLine(plan));
      await wait(options.intervalMs ?? 1000);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
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
