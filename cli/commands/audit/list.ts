// `ulm audit list [--policy POLICY] [--limit N]`: audits, newest first.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, print } from '../../command.js';
import { parseCount } from '../../option-parsers.js';
import { renderList, type OutputOptions } from '../../output.js';

interface ListOptions extends OutputOptions {
  policy?: string;
  limit?: string;
}

export const AUDIT_COLUMNS = ['ID', 'Policy', 'Goal', 'Triggered By', 'State', 'Action Plan', 'Created At', 'Failure Reason'];

export function registerAuditList(audit: Command): void {
  defineCommand(audit, {
    name: 'list',
    summary: 'list audits, newest first',
    output: 'list',
    examples: [
      ['ulm audit list --limit 10', 'the last ten'],
      ['ulm audit list --policy night -f csv', 'one policy\'s, as CSV'],
    ],
  }).option('--policy <policy>', 'only audits of this policy (id or name)')
    .option('--limit <count>', 'at most this many (default 100)')
    .action(async (options: ListOptions, command: Command) => {
      const limit = options.limit === undefined ? undefined : parseCount('--limit', options.limit, 1);
      await withBackend(command, async ({ engine }) => {
        const rows = (await engine.listAudits({ policy: options.policy, limit })).map((audit) => ({
          ID: audit.id, Policy: audit.policy_name, Goal: audit.goal, 'Triggered By': audit.triggered_by, State: audit.state,
          'Action Plan': audit.action_plan_id, 'Created At': audit.created_at, 'Failure Reason': audit.failure_reason,
        }));
        print(renderList(rows, AUDIT_COLUMNS, options));
      });
    });
}
