// `ulm audit show AUDIT`: one audit: policy, goal, state, snapshot and action plan.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { renderOne, type OutputOptions } from '../../output.js';

export function registerAuditShow(audit: Command): void {
  defineCommand(audit, {
    name: 'show <audit>',
    summary: 'show an audit',
    output: 'one',
    examples: [['ulm audit show 3b9d...', 'its state, snapshot and action plan']],
  }).action(async (id: string, options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    print(renderOne(forFormat({ ...await engine.getAudit(id) }, options), options));
  }));
}
