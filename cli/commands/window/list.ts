// `ulm window list [--policy POLICY]`: the power-saving windows and their next openings.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, print } from '../../command.js';
import { renderList, type OutputOptions } from '../../output.js';

interface ListOptions extends OutputOptions {
  policy?: string;
}

export const WINDOW_COLUMNS = ['ID', 'Name', 'Policy', 'Opens', 'Closes', 'Time Zone', 'Auto Apply', 'Enabled', 'Open Now', 'Next Opening'];

export function registerWindowList(windowCommand: Command): void {
  defineCommand(windowCommand, {
    name: 'list',
    summary: 'list the power-saving windows',
    output: 'list',
    examples: [
      ['ulm window list', 'every window'],
      ['ulm window list --policy night --sort-column "Next Opening"', 'one policy\'s, soonest first'],
    ],
  }).option('--policy <policy>', 'only this policy\'s windows (id or name)')
    .action(async (options: ListOptions, command: Command) => withBackend(command, async ({ engine }) => {
      const rows = (await engine.listWindows({ policy: options.policy })).map((view) => ({
        ID: view.id, Name: view.window.name, Policy: view.policy_name, Opens: view.window.opens,
        Closes: view.window.closes ?? (view.window.duration_minutes !== undefined ? `after ${view.window.duration_minutes} min` : null),
        'Time Zone': view.window.timezone ?? 'UTC', 'Auto Apply': view.window.auto_apply ?? false, Enabled: view.window.enabled ?? true,
        'Open Now': view.next?.open_now ?? false, 'Next Opening': view.next?.opens_at ?? null,
      }));
      print(renderList(rows, WINDOW_COLUMNS, options));
    }));
}
