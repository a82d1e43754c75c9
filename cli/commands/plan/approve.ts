// `ulm plan approve PLAN`: a RECOMMENDED plan becomes APPROVED (ready to start).
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { renderOne, type OutputOptions } from '../../output.js';
import { planRecord } from '../../plan-views.js';

export function registerPlanApprove(plan: Command): void {
  defineCommand(plan, {
    name: 'approve <plan>',
    summary: 'approve a RECOMMENDED action plan',
    output: 'one',
    examples: [['ulm plan approve 5d2a... && ulm plan start 5d2a... --wait', 'approve, run and follow it']],
    details: 'Exit status: 1 when the plan is not RECOMMENDED or is stale (the cloud changed since it was made: run a new audit).',
  }).action(async (id: string, options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    print(renderOne(forFormat(planRecord(await engine.approveActionPlan(id)), options), options));
  }));
}
