// `ulm policy show POLICY`: one policy, by id or name, with its document.
import type { Command } from 'commander';
import type { PolicyView } from '../../../core/api/records.js';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { renderOne, type OutputOptions, type Row } from '../../output.js';

/** A policy as `show`, `create` and `set` print it. */
export function policyRecord(policy: PolicyView): Row {
  return {
    id: policy.id, name: policy.name, description: policy.description, goal: policy.document.goal,
    document: policy.document, created_at: policy.created_at, updated_at: policy.updated_at,
  };
}

export function registerPolicyShow(policy: Command): void {
  defineCommand(policy, {
    name: 'show <policy>',
    summary: 'show a policy (by id or name) and its document',
    output: 'one',
    examples: [
      ['ulm policy show night', 'the policy named night'],
      ['ulm policy show night -f json -c document > night.json', 'its document, to edit and set again'],
    ],
  }).action(async (reference: string, options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    print(renderOne(forFormat(policyRecord(await engine.getPolicy(reference)), options), options));
  }));
}
