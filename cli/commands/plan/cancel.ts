// `ulm plan cancel PLAN [--wait]`: cancels a plan; a running one stops at a safe point (no new
// wave starts, migrations in flight finish).
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { CommandFailure } from '../../errors.js';
import { renderOne, type OutputOptions } from '../../output.js';
import { pollInterval } from '../../plan-runs.js';
import { planRecord } from '../../plan-views.js';
import { followPlan } from '../../progress.js';

interface CancelOptions extends OutputOptions {
  wait?: boolean;
}

export function registerPlanCancel(plan: Command): void {
  defineCommand(plan, {
    name: 'cancel <plan>',
    summary: 'cancel an action plan (a running one stops after the migrations in flight)',
    output: 'one',
    examples: [
      ['ulm plan cancel 5d2a...', 'RECOMMENDED or APPROVED: CANCELLED at once; ONGOING: CANCELLING'],
      ['ulm plan cancel 5d2a... --wait', 'and wait until it has stopped'],
    ],
    details: 'Exit status with --wait: 0 the plan ended CANCELLED; 1 it ended otherwise (it finished first, or failed).',
  }).option('--wait', 'wait until the plan has stopped')
    .action(async (id: string, options: CancelOptions, command: Command) => withBackend(command, async (backend) => {
      const cancelled = await backend.engine.cancelActionPlan(id);
      print(renderOne(forFormat(planRecord(cancelled), options), options));
      if (!options.wait) return;
      const last = await followPlan(backend.engine, id, { intervalMs: pollInterval(backend) });
      if (last.state !== 'CANCELLED') throw new CommandFailure(`action plan ${id} ended ${last.state}, not CANCELLED${last.failure_reason ? `: ${last.failure_reason}` : ''}`);
    }));
}
