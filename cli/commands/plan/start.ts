// `ulm plan start PLAN [--wait]`: hands an APPROVED plan to an applier; `--wait` follows it to
// its end and exits 1 unless it succeeds.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { renderOne, type OutputOptions } from '../../output.js';
import { followStarted } from '../../plan-runs.js';
import { requireSuccess, timeoutArgument } from '../../progress.js';
import { planRecord } from '../../plan-views.js';

interface StartOptions extends OutputOptions {
  wait?: boolean;
  timeout?: string;
}

export function registerPlanStart(plan: Command): void {
  defineCommand(plan, {
    name: 'start <plan>',
    summary: 'start an APPROVED action plan',
    output: 'one',
    examples: [
      ['ulm plan start 5d2a...', 'start it; it runs in ulm\'s appliers'],
      ['ulm plan start 5d2a... --wait', 'and follow it: waves, migrations done/failed, transfers'],
    ],
    details: `Progress goes to standard error: one live line on a terminal, plain lines otherwise.
In direct mode without a message bus, the plan runs in this process: the command stays until it ends.
Exit status with --wait: 0 SUCCEEDED, 1 FAILED, CANCELLED or SUPERSEDED.`,
  }).option('--wait', 'follow the plan to its end; exit 1 unless it succeeds')
    .option('--timeout <seconds>', 'with --wait: stop waiting after this many seconds (exit 1; the plan goes on)', timeoutArgument)
    .action(async (id: string, options: StartOptions, command: Command) => withBackend(command, async (backend) => {
      const started = await backend.engine.startActionPlan(id);
      const ended = await followStarted(backend, id, options);
      // Followed to its end: how it ended is what a script asking for -c state wants.
      print(renderOne(forFormat(planRecord(ended ?? started), options), options));
      if (ended) requireSuccess(ended);
    }));
}
