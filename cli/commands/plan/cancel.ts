// `ulm plan cancel PLAN [--wait] [--abort-running]`: cancels a plan; a running one starts no
// further action at once; migrations in flight finish, or are aborted through Nova when asked.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { CommandFailure } from '../../errors.js';
import { renderOne, type OutputOptions } from '../../output.js';
import { pollInterval } from '../../plan-runs.js';
import { planRecord } from '../../plan-views.js';
import { followPlan, parseTimeout, timeoutArgument } from '../../progress.js';

interface CancelOptions extends OutputOptions {
  wait?: boolean;
  timeout?: string;
  abortRunning?: boolean;
}

export function registerPlanCancel(plan: Command): void {
  defineCommand(plan, {
    name: 'cancel <plan>',
    summary: 'cancel an action plan (a running one starts nothing more; migrations in flight finish unless aborted)',
    output: 'one',
    examples: [
      ['ulm plan cancel 5d2a...', 'RECOMMENDED or APPROVED: CANCELLED at once; ONGOING: CANCELLING'],
      ['ulm plan cancel 5d2a... --wait', 'and wait until it has stopped'],
      ['ulm plan cancel 5d2a... --abort-running', 'also abort the live migrations in flight (their servers stay where they were)'],
    ],
    details: 'Exit status with --wait: 0 the plan ended CANCELLED; 1 it ended otherwise (it finished first, or failed).',
  }).option('--wait', 'wait until the plan has stopped')
    .option('--timeout <seconds>', 'with --wait: stop waiting after this many seconds (exit 1; the plan goes on)', timeoutArgument)
    .option('--abort-running', 'also abort the live migrations in flight through Nova')
    .action(async (id: string, options: CancelOptions, command: Command) => withBackend(command, async (backend) => {
      const cancelled = await backend.engine.cancelActionPlan(id, { abortRunning: options.abortRunning === true });
      print(renderOne(forFormat(planRecord(cancelled), options), options));
      if (!options.wait) return;
      const last = await followPlan(backend.engine, id, { intervalMs: pollInterval(backend), timeoutMs: parseTimeout(options.timeout) });
      if (last.state !== 'CANCELLED') throw new CommandFailure(`action plan ${id} ended ${last.state}, not CANCELLED${last.failure_reason ? `: ${last.failure_reason}` : ''}`);
    }));
}
