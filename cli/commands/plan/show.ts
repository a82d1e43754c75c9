// `ulm plan show PLAN`: an action plan's state, metrics, progress, and its actions as waves.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, print } from '../../command.js';
import type { OutputOptions } from '../../output.js';
import { renderPlanDetail } from '../../plan-views.js';

export function registerPlanShow(plan: Command): void {
  defineCommand(plan, {
    name: 'show <plan>',
    summary: 'show an action plan: state, metrics, progress and its actions wave by wave',
    output: 'one',
    examples: [
      ['ulm plan show 5d2a...', 'for people: sections and the waves'],
      ['ulm plan show 5d2a... -f json', 'the plan and its actions, as JSON'],
      ['ulm plan show 5d2a... -f value -c state', 'just its state'],
    ],
  }).action(async (id: string, options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    const [view, actions] = await Promise.all([engine.getActionPlan(id), engine.listActions(id)]);
    print(renderPlanDetail(view, actions, options));
  }));
}
