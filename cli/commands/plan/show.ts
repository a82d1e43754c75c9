// `ulm plan show PLAN [--commands]`: an action plan's state, metrics, progress, and its actions as
// waves; or the openstack commands that would carry it out by hand.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, print } from '../../command.js';
import type { OutputOptions } from '../../output.js';
import { planAsCommands } from '../../plan-commands.js';
import { renderPlanDetail } from '../../plan-views.js';

interface ShowOptions extends OutputOptions {
  commands?: boolean;
  powerDriver?: string;
}

export function registerPlanShow(plan: Command): void {
  defineCommand(plan, {
    name: 'show <plan>',
    summary: 'show an action plan: state, metrics, progress and its actions wave by wave',
    output: 'one',
    examples: [
      ['ulm plan show 5d2a...', 'for people: sections and the waves'],
      ['ulm plan show 5d2a... -f json', 'the plan and its actions, as JSON'],
      ['ulm plan show 5d2a... -f value -c state', 'just its state'],
      ['ulm plan show 5d2a... --commands > plan.sh', 'the openstack commands that carry it out, wave by wave'],
    ],
    details: 'Waves are counted from 1, as in ulm plan and the progress of --wait.',
  }).option('--commands', 'print the plan as the openstack commands that carry it out, wave by wave')
    .option('--power-driver <driver>', 'with --commands: the cloud\'s [power] driver; ironic powers hosts with openstack baremetal commands, others get a comment', 'none')
    .action(async (id: string, options: ShowOptions, command: Command) => withBackend(command, async ({ engine }) => {
      if (options.commands) {
        print(planAsCommands(await engine.listActions(id), { powerDriver: options.powerDriver }));
        return;
      }
      const [view, actions] = await Promise.all([engine.getActionPlan(id), engine.listActions(id)]);
      print(renderPlanDetail(view, actions, options));
    }));
}
