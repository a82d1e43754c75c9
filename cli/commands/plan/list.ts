// `ulm plan list [--state STATE...] [--audit AUDIT] [--limit N]`: action plans, newest first.
import type { Command } from 'commander';
import { PLAN_STATES, type PlanState } from '../../../core/plan/states.js';
import { withBackend } from '../../backend.js';
import { defineCommand, print } from '../../command.js';
import { badOption, collect, parseCount, splitList } from '../../option-parsers.js';
import { renderList, type OutputOptions } from '../../output.js';
import { doneOf } from '../../plan-views.js';

interface ListOptions extends OutputOptions {
  state?: string[];
  audit?: string;
  limit?: string;
}

export const PLAN_COLUMNS = ['ID', 'Goal', 'State', 'Audit', 'Migrations', 'Waves', 'Hosts Freed', 'Progress', 'Created At'];

/** `--state ongoing,failed` -> ['ONGOING', 'FAILED'], each checked. */
export function parsePlanStates(values: string[]): PlanState[] {
  return splitList(values).map((value) => {
    const state = value.toUpperCase() as PlanState;
    if (!PLAN_STATES.includes(state)) badOption('--state', `"${value}" is not a plan state; use one of ${PLAN_STATES.join(', ')}`);
    return state;
  });
}

export function registerPlanList(plan: Command): void {
  defineCommand(plan, {
    name: 'list',
    summary: 'list action plans, newest first',
    output: 'list',
    examples: [
      ['ulm plan list', 'the latest plans'],
      ['ulm plan list --state RECOMMENDED', 'those waiting for approval'],
      ['ulm plan list --state ongoing,cancelling -f value -c ID', 'ids of the running ones'],
    ],
  }).option('--state <state>', `only plans in these states (comma-separated or repeated): ${PLAN_STATES.join(', ')}`, collect)
    .option('--audit <audit>', 'only the plan of this audit')
    .option('--limit <count>', 'at most this many (default 100)')
    .action(async (options: ListOptions, command: Command) => {
      const state = options.state ? parsePlanStates(options.state) : undefined;
      const limit = options.limit === undefined ? undefined : parseCount('--limit', options.limit, 1);
      await withBackend(command, async ({ engine }) => {
        const rows = (await engine.listActionPlans({ state, audit: options.audit, limit })).map((view) => ({
          ID: view.id, Goal: view.goal, State: view.state, Audit: view.audit_id, Migrations: view.metrics.migrations,
          Waves: view.metrics.waves, 'Hosts Freed': view.metrics.hosts_freed, Progress: doneOf(view), 'Created At': view.created_at,
        }));
        print(renderList(rows, PLAN_COLUMNS, options));
      });
    });
}
