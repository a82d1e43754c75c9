// `ulm plan explain PLAN`: the servers the plan wanted to move and could not, with the
// constraint that held each, and the planner's notes.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, note, print } from '../../command.js';
import { renderList, type OutputOptions } from '../../output.js';

export const BLOCKED_COLUMNS = ['Server', 'Server Name', 'Host', 'Constraint', 'Detail'];

export function registerPlanExplain(plan: Command): void {
  defineCommand(plan, {
    name: 'explain <plan>',
    summary: 'list the servers the plan could not move and why, and the planner\'s notes',
    output: 'list',
    examples: [
      ['ulm plan explain 5d2a...', 'blocked servers and notes'],
      ['ulm plan explain 5d2a... -f json', 'the blocked servers as JSON (notes on standard error)'],
    ],
  }).action(async (id: string, options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    const document = await engine.getPlanDocument(id);
    const rows = document.meta.blocked.map((entry) => ({
      Server: entry.server, 'Server Name': entry.server_name, Host: entry.host, Constraint: entry.constraint, Detail: entry.detail,
    }));
    const notes = [
      `goal ${document.meta.goal}, ${document.meta.status.replace(/_/g, ' ')}`,
      ...(document.meta.infeasible ? [`infeasible: ${document.meta.infeasible}`] : []),
      ...document.meta.notes,
    ];
    if (options.format === 'table') {
      print(rows.length ? renderList(rows, BLOCKED_COLUMNS, options) : 'Every server the plan wanted to move can move.\n');
      for (const line of notes) print(`Note: ${line}\n`);
    } else {
      print(renderList(rows, BLOCKED_COLUMNS, options));
      for (const line of notes) note(`note: ${line}`);
    }
  }));
}
