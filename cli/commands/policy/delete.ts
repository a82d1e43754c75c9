// `ulm policy delete POLICY...`: deletes policies (by id or name), each on its own: one that
// fails does not stop the others, and the command then exits 1.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, note } from '../../command.js';
import { CommandFailure } from '../../errors.js';

export function registerPolicyDelete(policy: Command): void {
  defineCommand(policy, {
    name: 'delete <policy...>',
    summary: 'delete policies (their windows go with them)',
    examples: [
      ['ulm policy delete night', 'one policy'],
      ['ulm policy delete old-1 old-2', 'several; each is tried'],
    ],
  }).action(async (references: string[], _options: unknown, command: Command) => withBackend(command, async ({ engine }) => {
    const failed: string[] = [];
    for (const reference of references) {
      try {
        await engine.deletePolicy(reference);
      } catch (error) {
        note(`ulm: policy ${reference}: ${(error as Error).message}`);
        failed.push(reference);
      }
    }
    if (failed.length) throw new CommandFailure(`${failed.length} of ${references.length} policies not deleted: ${failed.join(', ')}`);
  }));
}
