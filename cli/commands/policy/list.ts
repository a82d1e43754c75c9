// `ulm policy list`: the stored policies, with their goal.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, print } from '../../command.js';
import { renderList, type OutputOptions } from '../../output.js';

export const POLICY_COLUMNS = ['ID', 'Name', 'Goal', 'Description', 'Updated At'];

export function registerPolicyList(policy: Command): void {
  defineCommand(policy, {
    name: 'list',
    summary: 'list the stored policies',
    output: 'list',
    examples: [
      ['ulm policy list', 'the policies as a table'],
      ['ulm policy list -f value -c Name', 'just their names'],
    ],
  }).action(async (options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    const rows = (await engine.listPolicies()).map((policy) => ({
      ID: policy.id, Name: policy.name, Goal: policy.document.goal, Description: policy.description, 'Updated At': policy.updated_at,
    }));
    print(renderList(rows, POLICY_COLUMNS, options));
  }));
}
