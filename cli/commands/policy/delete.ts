// `ulm policy delete POLICY...`: deletes policies (by id or name), each on its own: one that
// fails does not stop the others, and the command then exits 1. A policy with windows is kept
// unless --with-windows.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, note } from '../../command.js';
import { CommandFailure } from '../../errors.js';

export function registerPolicyDelete(policy: Command): void {
  defineCommand(policy, {
    name: 'delete <policy...>',
    summary: 'delete policies (one with windows only with --with-windows)',
    examples: [
      ['ulm policy delete night', 'one policy without windows'],
      ['ulm policy delete old-1 old-2', 'several; each is tried'],
      ['ulm policy delete night --with-windows', 'the policy and its windows'],
    ],
    details: `A policy with power-saving windows is not deleted: the command names its windows (names
and ids) and exits 1. --with-windows deletes the windows too. A window whose run is in
progress (hosts packed tonight) is never left stranded: its plan is stopped, its hosts are
brought back through a restore plan the applier runs (as at the window's close), and the run is
closed before the window goes. While that plan still has migrations in flight the deletion is
refused; run it again once \`ulm plan show PLAN\` says the plan has ended.`,
  }).option('--with-windows', 'also delete the policies\' power-saving windows (runs in progress are restored first)')
    .action(async (references: string[], options: { withWindows?: boolean }, command: Command) => withBackend(command, async ({ engine }) => {
      const failed: string[] = [];
      for (const reference of references) {
        try {
          await engine.deletePolicy(reference, options.withWindows ? { with_windows: true } : {});
        } catch (error) {
          note(`ulm: policy ${reference}: ${(error as Error).message}`);
          failed.push(reference);
        }
      }
      if (failed.length) throw new CommandFailure(`${failed.length} of ${references.length} policies not deleted: ${failed.join(', ')}`);
    }));
}
