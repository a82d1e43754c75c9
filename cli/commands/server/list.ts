// `ulm server list [--host HOST] [--long]`: servers from the latest snapshot, with their
// exemptions (never move, not during hours, anti-affinity tags).
import type { Command } from 'commander';
import type { ExemptionView, ServerView } from '../../../core/api/records.js';
import { withBackend } from '../../backend.js';
import { defineCommand, note, print } from '../../command.js';
import { formatTimeWindow } from '../../option-parsers.js';
import { renderList, type OutputOptions, type Row } from '../../output.js';

interface ListOptions extends OutputOptions {
  host?: string;
  exempt?: boolean;
  long?: boolean;
}

export const SERVER_COLUMNS = ['ID', 'Name', 'Host', 'Flavor', 'vCPUs', 'Memory MB', 'Migratable', 'Exemptions'];
export const SERVER_LONG_COLUMNS = [...SERVER_COLUMNS, 'Server Group', 'CPU Usage', 'Memory Usage MB'];

/** `never; not during 08:00-18:00 mon-fri Europe/Berlin; anti-affinity db` */
export function describeExemption(exemption: ExemptionView): string {
  const reason = exemption.reason ? ` (${exemption.reason})` : '';
  if (exemption.kind === 'never') return `never moves${reason}`;
  if (exemption.kind === 'windows') return `not during ${(exemption.windows ?? []).map(formatTimeWindow).join(', ')}${reason}`;
  return `anti-affinity ${exemption.tag}${reason}`;
}

export function serverRow(server: ServerView): Row {
  return {
    ID: server.id, Name: server.name, Host: server.host, Flavor: server.flavor, vCPUs: server.vcpus, 'Memory MB': server.memory_mb,
    Migratable: server.migratable, Exemptions: server.exemptions.map(describeExemption).join('; '),
    'Server Group': server.server_group, 'CPU Usage': server.cpu_usage, 'Memory Usage MB': server.memory_usage_mb,
  };
}

export function registerServerList(server: Command): void {
  defineCommand(server, {
    name: 'list',
    summary: 'list servers (from the latest snapshot) and their exemptions',
    output: 'list',
    examples: [
      ['ulm server list --host cmp-07', 'the servers on cmp-07'],
      ['ulm server list --exempt', 'only servers with exemptions'],
      ['ulm server list --long -f json', 'with server group and observed use'],
    ],
  }).option('--host <host>', 'only the servers on this host')
    .option('--exempt', 'only servers with exemptions')
    .option('--long', 'more columns: server group, CPU usage (cores), memory usage')
    .action(async (options: ListOptions, command: Command) => withBackend(command, async ({ engine }) => {
      const all = await engine.listServers();
      if (!all.length) note('no servers: ulm has no snapshot of the cloud yet (ulm snapshot create, or any audit, collects one)');
      const servers = all.filter((entry) => (!options.host || entry.host === options.host) && (!options.exempt || entry.exemptions.length));
      print(renderList(servers.map(serverRow), options.long ? SERVER_LONG_COLUMNS : SERVER_COLUMNS, options));
    }));
}
