// What happens after a command started an action plan: against the API it runs there (and
// `--wait` follows it); in direct mode on the in-process bus nothing else would run it, so the
// applier runs here and the command stays until the plan ends.
import type { ActionPlanView } from '../core/api/records.js';
import type { Backend } from './backend.js';
import { note } from './command.js';
import { followPlan, parseTimeout, requireSuccess } from './progress.js';

/** `--wait` and `--timeout` as a command receives them. */
export interface WaitOptions {
  wait?: boolean;
  timeout?: string;
}


/** Polling is cheap in this process; across the network once a second is enough. */
export function pollInterval(backend: Backend): number {
  return backend.kind === 'direct' ? 500 : 1000;
}

/**
 * After a plan was started: follows it to its end when asked (`--wait`) or when it runs in this
 * process, and returns how it ended; otherwise says how to follow it and returns null.
 */
export async function followStarted(backend: Backend, planId: string, waiting: boolean | WaitOptions): Promise<ActionPlanView | null> {
  const { wait, timeout } = typeof waiting === 'boolean' ? { wait: waiting, timeout: undefined } : { wait: Boolean(waiting.wait), timeout: waiting.timeout };
  const timeoutMs = parseTimeout(timeout);
  if (backend.runsPlansHere) {
    if (!wait) note(`direct mode: action plan ${planId} runs in this process; following it to its end (Ctrl-C stops following; it resumes the next time an applier runs)`);
    await backend.startApplier();
  } else if (!wait) {
    note(`action plan ${planId} started; follow it with: ulm plan show ${planId}  (or --wait)`);
    return null;
  }
  return followPlan(backend.engine, planId, { intervalMs: pollInterval(backend), timeoutMs });
}

/** `followStarted`, then exit 1 unless the plan (when followed) succeeded. */
export async function afterStart(backend: Backend, planId: string, waiting: boolean | WaitOptions): Promise<void> {
  const ended = await followStarted(backend, planId, waiting);
  if (ended) requireSuccess(ended);
}
