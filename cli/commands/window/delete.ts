// `ulm window delete WINDOW...`: deletes power-saving windows (by id, or by unique name); a run
// in progress is restored and closed first.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, note } from '../../command.js';
import { CommandFailure } from '../../errors.js';
import { findWindow } from '../../lookups.js';

export function registerWindowDelete(windowCommand: Command): void {
  defineCommand(windowCommand, {
    name: 'delete <window...>',
    summary: 'delete power-saving windows',
    examples: [['ulm window delete weeknights', 'by name (when unique) or id']],
    details: `A window whose run is in progress (hosts packed tonight) is never left stranded: its plan
is stopped, its hosts are brought back through a restore plan the applier runs (as at the
window's close), and the run is closed before the window goes. While that plan still has
migrations in flight the deletion is refused; run it again once \`ulm plan show PLAN\` says the
plan has ended.`,
  }).action(async (references: string[], _options: unknown, command: Command) => withBackend(command, async ({ engine }) => {
    const failed: string[] = [];
    for (const reference of references) {
      try {
        await engine.deleteWindow((await findWindow(engine, reference)).id);
      } catch (error) {
        note(`ulm: window ${reference}: ${(error as Error).message}`);
        failed.push(reference);
      }
    }
    if (failed.length) throw new CommandFailure(`${failed.length} of ${references.length} windows not deleted: ${failed.join(', ')}`);
  }));
}
