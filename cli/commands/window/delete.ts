// `ulm window delete WINDOW...`: deletes power-saving windows (by id, or by unique name).
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
