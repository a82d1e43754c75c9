// `ulm host maintenance list|show|cancel`: the scheduled maintenances of hosts (made by
// `ulm host drain HOST --at TIME`), where each stands, and cancelling one.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, note, print } from '../../command.js';
import { renderList, renderOne, type OutputOptions } from '../../output.js';
import { maintenanceRecord } from './drain.js';

interface ListOptions extends OutputOptions {
  host?: string;
  all?: boolean;
}

export const MAINTENANCE_COLUMNS = ['ID', 'Hosts', 'State', 'At', 'Until', 'Power Off', 'Drain Starts', 'Created By', 'Failure Reason'];

export function registerHostMaintenance(host: Command): void {
  const maintenance = host.command('maintenance').description('scheduled maintenances of hosts: list, show, cancel (schedule one with ulm host drain --at)');
  maintenance.addHelpText('after', `\nExamples:\n  ulm host maintenance list           the maintenances not ended\n  ulm host maintenance cancel 3f2c...  cancel one, or end it now`);

  defineCommand(maintenance, {
    name: 'list',
    summary: 'list scheduled maintenances not ended (soonest first); --all: ended ones too',
    output: 'list',
    examples: [
      ['ulm host maintenance list', 'scheduled and under way'],
      ['ulm host maintenance list --host cmp-07 --all', 'every maintenance of one host'],
    ],
  }).option('--host <host>', 'only this host\'s maintenances')
    .option('--all', 'also the ended ones (DONE, FAILED, CANCELLED)')
    .action(async (options: ListOptions, command: Command) => withBackend(command, async ({ engine }) => {
      const views = await engine.listMaintenances({ ...(options.host ? { host: options.host } : {}), active: !options.all });
      print(renderList(views.map((view) => ({
        ID: view.id, Hosts: view.hosts.join(', '), State: view.state, At: view.at, Until: view.until, 'Power Off': view.power_off,
        'Drain Starts': view.drain_starts_at, 'Created By': view.created_by, 'Failure Reason': view.failure_reason,
      })), MAINTENANCE_COLUMNS, options));
    }));

  defineCommand(maintenance, {
    name: 'show <id>',
    summary: 'show a scheduled maintenance: its state, times and plans',
    output: 'one',
    examples: [['ulm host maintenance show 3f2c...', 'where it stands, and why when it FAILED']],
  }).action(async (id: string, options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    print(renderOne(forFormat(maintenanceRecord(await engine.getMaintenance(id)), options), options));
  }));

  defineCommand(maintenance, {
    name: 'cancel <id>',
    summary: 'cancel a maintenance: before its drain nothing happens; during the drain it stops; in maintenance the hosts come back now',
    output: 'one',
    examples: [['ulm host maintenance cancel 3f2c...', 'SCHEDULED: CANCELLED at once; IN_MAINTENANCE: restored at the next scheduler tick']],
    details: 'Exit status: 0 cancelled (or ended now); 1 it cannot be cancelled in its state (POWERING_OFF, RESTORING, ended).',
  }).action(async (id: string, options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    const view = await engine.cancelMaintenance(id);
    print(renderOne(forFormat(maintenanceRecord(view), options), options));
    if (view.state !== 'CANCELLED') note(`maintenance ${id} is ${view.state}: its hosts are brought back at the next scheduler tick (until is now ${view.until})`);
  }));
}
