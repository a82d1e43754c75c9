// `ulm plan --snapshot FILE [--policy FILE] [--now ISO-8601] [-f FORMAT] [-c COLUMN] [--explain]
// [--commands]`: plans offline from a ulm-cluster/1 snapshot; `-f json` prints exactly the
// ulm-plan/1 document, `--commands` the openstack commands that carry it out, and the exit status
// says whether the plan meets its goal (0), in part (3) or not at all (4).
import type { Command } from 'commander';
import { CONSTRAINT_NAMES, Constraint } from '../../../core/constraints.js';
import type { PlanAction, PlanDocument } from '../../../core/plan/format.js';
import { ValidationError } from '../../../core/validation.js';
import { renderList, renderSection, toYaml, withOutputOptions, type OutputOptions, type Row } from '../../output.js';
import { CommandFailure, EXIT_GOAL_NOT_REACHED, EXIT_GOAL_PARTLY_MET, UsageError } from '../../errors.js';
import { planAsCommands } from '../../plan-commands.js';
import { waveNumber } from '../../progress.js';
import { PLANNER_NAME } from '../../../services/version.js';

interface OfflineOptions extends OutputOptions {
  snapshot?: string;
  policy?: string;
  now?: string;
  explain: boolean;
  commands?: boolean;
  powerDriver?: string;
}

export function parseNow(value: string | undefined, clock: () => number = Date.now): number {
  if (value === undefined) return clock();
  const instant = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || !Number.isFinite(instant)) {
    throw new ValidationError('invalid option', [{ path: '--now', message: `"${value}" is not an ISO 8601 instant; use e.g. 2026-11-22T20:00:00Z or 2026-11-22T21:00:00+01:00` }]);
  }
  return instant;
}

export function registerOfflinePlan(planCommand: Command, verbs: string[] = []): void {
  withOutputOptions(planCommand)
    .option('--snapshot <file>', 'plan offline from this ulm-cluster/1 snapshot')
    .option('--policy <file>', "policy file (YAML or JSON); default: the snapshot's own policy")
    .option('--now <instant>', 'plan as of this ISO 8601 instant (exemption windows, cooldown); default: now')
    .option('--explain', 'also list the servers the plan could not move, and why', false)
    .option('--commands', 'print the plan as the openstack commands that carry it out, wave by wave')
    .option('--power-driver <driver>', 'with --commands: the [power] driver of the cloud; ironic powers hosts with openstack baremetal commands, others get a comment', 'none')
    .addHelpText('after', `
Examples:
  ulm plan --snapshot cluster.json                      waves, moves and metrics as tables
  ulm plan --snapshot cluster.json -f json > plan.json  the ulm-plan/1 document
  ulm plan --snapshot cluster.json -f csv               the actions, with the table's columns
  ulm plan --snapshot cluster.json --commands           the openstack commands, wave by wave
  ulm plan --snapshot cluster.json --policy night.yaml --now 2026-11-23T20:00:00+01:00 --explain

Waves are counted from 1 (the ulm-plan/1 document counts them from 0).

Exit status (offline, with --snapshot):
  0  the plan meets its goal (or there is nothing to do)
  2  bad input (the message names the field and what is expected)
  3  the plan meets its goal only in part: the servers it could not move are listed on
     standard error (name, constraint, detail)
  4  the goal is infeasible, or no path to it was found: nothing is proposed; the reason and
     the servers concerned are on standard error`)
    .action(async (options: OfflineOptions, command: Command) => {
      if (!options.snapshot) {
        const commands = verbs.length ? `, or a command: ${verbs.map((verb) => `ulm plan ${verb}`).join(', ')}` : '';
        throw new UsageError(command, `give --snapshot FILE to plan offline${commands} (ulm plan --help)`);
      }
      // Loaded here: the other plan commands need none of the planner.
      const [{ planWithExactStep }, { readPolicyFile, readSnapshotFile }, { unknownPolicyFields }, { snapshotPolicy }] = await Promise.all([
        import('../../../services/exact-solver.js'), import('../../files.js'), import('../../../core/policy/schema.js'), import('../../../core/snapshot/read.js'),
      ]);
      const snapshot = readSnapshotFile(options.snapshot);
      if (!options.policy) {
        const ignored = unknownPolicyFields(snapshot.policy);
        if (ignored.length) process.stderr.write(`warning: the snapshot's policy has fields this ulm does not know, ignored: ${ignored.join(', ')}\n`);
      }
      const policy = options.policy ? readPolicyFile(options.policy) : snapshotPolicy(snapshot);
      // Small clusters are also solved exactly when that may free more hosts (the solver loads then).
      const document = await planWithExactStep({ snapshot, policy, now: parseNow(options.now), planner: PLANNER_NAME });
      process.stdout.write(options.commands ? planAsCommands(document.actions, { powerDriver: options.powerDriver }) : renderPlan(document, options));
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

/** The columns of the Waves table, and of `-f value|csv` and `-c`. */
export const WAVE_COLUMNS = ['Wave', 'Action', 'Server / host', 'From', 'To', 'Reason'];

/** One action as the Waves table shows it (waves counted from 1). */
export function waveRow(action: PlanAction): Row {
  const moves = action.type === 'live_migrate';
  return {
    Wave: waveNumber(action.wave),
    Action: moves ? (action.temporary ? 'live migrate (temporary)' : 'live migrate') : action.type.replace(/_/g, ' '),
    'Server / host': moves ? action.server_name ?? action.server : action.host,
    From: moves ? action.source : '',
    To: moves ? action.destination : '',
    Reason: action.reason,
  };
}

/**
 * A plan for people (table), for programs (json, yaml: the ulm-plan/1 document itself), and as
 * its actions with the table's columns (value, csv, and any format with -c).
 */
export function renderPlan(document: PlanDocument, options: Partial<OutputOptions> & Pick<OutputOptions, 'format'> & { explain?: boolean }): string {
  if (options.column?.length || options.format === 'value' || options.format === 'csv') {
    return renderList(document.actions.map(waveRow), WAVE_COLUMNS, options);
  }
  switch (options.format) {
    case 'json': return `${JSON.stringify(document, null, 2)}\n`;
    case 'yaml': return toYaml(document);
    default: return planTables(document, options.explain ?? false, options.fitWidth ?? false);
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
    parts.push(renderSection('Waves', WAVE_COLUMNS, document.actions.map((action) => {
      const row = waveRow(action);
      return WAVE_COLUMNS.map((column) => row[column]);
    }), fitWidth));
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
