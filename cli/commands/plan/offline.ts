// `ulm plan --snapshot FILE [--policy FILE] [--now ISO-8601] [-f table|json|yaml] [--explain]`:
// plans offline from a ulm-cluster/1 snapshot; `-f json` prints exactly the ulm-plan/1 document,
// and the exit status says whether the plan meets its goal (0), in part (3) or not at all (4).
import type { Command } from 'commander';
import { stringify as yamlOf } from 'yaml';
import { CONSTRAINT_NAMES, Constraint } from '../../../core/constraints.js';
import { plan } from '../../../core/planner/index.js';
import type { PlanDocument } from '../../../core/plan/format.js';
import { unknownPolicyFields } from '../../../core/policy/schema.js';
import { snapshotPolicy } from '../../../core/snapshot/read.js';
import { ValidationError } from '../../../core/validation.js';
import { readPolicyFile, readSnapshotFile } from '../../files.js';
import { renderList, renderSection, withOutputOptions, type OutputOptions } from '../../output.js';
import { CommandFailure, EXIT_GOAL_NOT_REACHED, EXIT_GOAL_PARTLY_MET } from '../../errors.js';
import { PLANNER_NAME } from '../../version.js';

interface OfflineOptions extends OutputOptions {
  snapshot?: string;
  policy?: string;
  now?: string;
  explain: boolean;
}

export function parseNow(value: string | undefined, clock: () => number = Date.now): number {
  if (value === undefined) return clock();
  const instant = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || !Number.isFinite(instant)) {
    throw new ValidationError('invalid option', [{ path: '--now', message: `"${value}" is not an ISO 8601 instant; use e.g. 2026-11-22T20:00:00Z or 2026-11-22T21:00:00+01:00` }]);
  }
  return instant;
}

export function registerOfflinePlan(planCommand: Command): void {
  withOutputOptions(planCommand)
    .option('--snapshot <file>', 'plan offline from this ulm-cluster/1 snapshot')
    .option('--policy <file>', "policy file (YAML or JSON); default: the snapshot's own policy")
    .option('--now <instant>', 'plan as of this ISO 8601 instant (exemption windows, cooldown); default: now')
    .option('--explain', 'also list the servers the plan could not move, and why', false)
    .addHelpText('after', `
Examples:
  ulm plan --snapshot cluster.json                      waves, moves and metrics as tables
  ulm plan --snapshot cluster.json -f json > plan.json  the ulm-plan/1 document
  ulm plan --snapshot cluster.json --policy night.yaml --now 2026-11-23T20:00:00+01:00 --explain

Exit status (offline, with --snapshot):
  0  the plan meets its goal (or there is nothing to do)
  2  bad input (the message names the field and what is expected)
  3  the plan meets its goal only in part: the servers it could not move are listed on
     standard error (name, constraint, detail)
  4  the goal is infeasible, or no path to it was found: nothing is proposed; the reason and
     the servers concerned are on standard error`)
    .action((options: OfflineOptions, command: Command) => {
      if (!options.snapshot) {
        command.help({ error: true });
      }
      const snapshot = readSnapshotFile(options.snapshot!);
      if (!options.policy) {
        const ignored = unknownPolicyFields(snapshot.policy);
        if (ignored.length) process.stderr.write(`warning: the snapshot's policy has fields this ulm does not know, ignored: ${ignored.join(', ')}\n`);
      }
      const policy = options.policy ? readPolicyFile(options.policy) : snapshotPolicy(snapshot);
      const document = plan({ snapshot, policy, now: parseNow(options.now), planner: PLANNER_NAME });
      process.stdout.write(renderPlan(document, options));
      const shortfall = goalShortfall(document);
      if (shortfall) throw new CommandFailure(shortfall.message, shortfall.exitCode);
    });
}

const NO_PATH = CONSTRAINT_NAMES[Constraint.noSafePath];

/**
 * How a plan falls short of its goal, as the exit status and the message on standard error;
 * null when it meets it. A plan that moves nothing because no order of moves was found
 * (reach_target beyond the search limit) has not reached its goal, even in part.
 */
export function goalShortfall(document: PlanDocument): { exitCode: number; message: string } | null {
  const { status, blocked, notes } = document.meta;
  if (status !== 'infeasible' && status !== 'partial') return null;
  const blockedLines = blocked.map((entry) => `  ${entry.server_name}: ${entry.constraint}: ${entry.detail}`);
  if (status === 'infeasible') {
    return { exitCode: EXIT_GOAL_NOT_REACHED, message: [`the goal is infeasible: ${document.meta.infeasible ?? 'no reason given'}`, ...blockedLines].join('\n') };
  }
  const moves = document.actions.some((action) => action.type === 'live_migrate');
  if (!moves && blocked.some((entry) => entry.constraint === NO_PATH)) {
    return { exitCode: EXIT_GOAL_NOT_REACHED, message: ['no path to the goal was found; nothing is proposed', ...notes.map((note) => `  note: ${note}`), ...blockedLines].join('\n') };
  }
  const header = blocked.length
    ? `the plan meets its goal only in part: ${blocked.length} server(s) blocked (server: constraint: detail)`
    : 'the plan meets its goal only in part';
  return { exitCode: EXIT_GOAL_PARTLY_MET, message: [header, ...blockedLines, ...(blocked.length ? [] : notes.map((note) => `  note: ${note}`))].join('\n') };
}

const ACTION_COLUMNS = ['wave', 'type', 'server', 'server_name', 'source', 'destination', 'host', 'reason'];

/** A plan for people (table) or programs (json, yaml: the document itself; value, csv: actions). */
export function renderPlan(document: PlanDocument, options: OutputOptions & { explain?: boolean }): string {
  switch (options.format) {
    case 'json': return `${JSON.stringify(document, null, 2)}\n`;
    case 'yaml': return yamlOf(document);
    case 'value':
    case 'csv': return renderList(document.actions as unknown as Record<string, unknown>[], ACTION_COLUMNS, options);
    default: return planTables(document, options.explain ?? false, options.fitWidth);
  }
}

function planTables(document: PlanDocument, explain: boolean, fitWidth: boolean): string {
  const metrics = document.meta.metrics;
  const gib = (mb: number) => `${(mb / 1024).toFixed(1)} GiB`;
  const parts: string[] = [];
  parts.push(renderSection(`Plan for ${document.instance ?? 'snapshot'}: goal ${document.meta.goal}, ${document.meta.status.replace(/_/g, ' ')} (as of ${document.meta.now})`, ['Metric', 'Value'], [
    ['hosts freed', metrics.hosts_freed],
    ['active hosts', `${metrics.active_hosts_before} -> ${metrics.active_hosts_after}`],
    ['migrations', metrics.temporary_migrations ? `${metrics.migrations} (${metrics.temporary_migrations} temporary)` : metrics.migrations],
    ['waves', metrics.waves],
    ['memory to move', gib(metrics.memory_to_move_mb)],
    ['estimated power saved', `${metrics.power_saved_w} W (${metrics.power_before_w} -> ${metrics.power_after_w} W)`],
    ['hosts over usage limits', `${metrics.hosts_over_limits_before} -> ${metrics.hosts_over_limits_after}`],
    ['hosts to disable', metrics.hosts_disabled],
    ...(metrics.hosts_powered_off ? [['hosts to power off', metrics.hosts_powered_off]] : []),
    ['servers blocked', document.meta.blocked.length],
  ], fitWidth));
  if (document.actions.length) {
    parts.push(renderSection('Waves', ['Wave', 'Action', 'Server / host', 'From', 'To', 'Reason'], document.actions.map((action) => action.type === 'live_migrate'
      ? [action.wave, action.temporary ? 'live migrate (temporary)' : 'live migrate', action.server_name ?? action.server, action.source, action.destination, action.reason]
      : [action.wave, action.type === 'disable_compute' ? 'disable compute' : 'power off', action.host, '', '', action.reason]), fitWidth));
  }
  if (document.meta.infeasible) parts.push(`Infeasible: ${document.meta.infeasible}\n`);
  if (explain) {
    if (document.meta.blocked.length) {
      parts.push(renderSection('Servers the plan could not move', ['Server', 'Host', 'Constraint', 'Detail'],
        document.meta.blocked.map((entry) => [entry.server_name, entry.host, entry.constraint, entry.detail]), fitWidth));
    } else {
      parts.push('Every server the plan wanted to move can move.\n');
    }
    for (const note of document.meta.notes) parts.push(`Note: ${note}\n`);
  }
  return parts.join('\n');
}
