// `ulm snapshot list [--limit N]`: the snapshots ulm stored (each audit collects one).
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, print } from '../../command.js';
import { parseCount } from '../../option-parsers.js';
import { renderList, type OutputOptions } from '../../output.js';

interface ListOptions extends OutputOptions {
  limit?: string;
}

export const SNAPSHOT_COLUMNS = ['ID', 'Collected At', 'Hosts', 'Active Hosts', 'Servers', 'Servers Without Metrics'];

export function registerSnapshotList(snapshot: Command): void {
  defineCommand(snapshot, {
    name: 'list',
    summary: 'list the snapshots ulm stored, newest first',
    output: 'list',
    examples: [['ulm snapshot list --limit 5', 'the last five']],
  }).option('--limit <count>', 'at most this many (default 50)')
    .action(async (options: ListOptions, command: Command) => {
      const limit = options.limit === undefined ? undefined : parseCount('--limit', options.limit, 1);
      await withBackend(command, async ({ engine }) => {
        const rows = (await engine.listSnapshots(limit)).map((view) => ({
          ID: view.id, 'Collected At': view.collected_at, Hosts: view.hosts, 'Active Hosts': view.active_hosts,
          Servers: view.servers, 'Servers Without Metrics': view.servers_without_metrics,
        }));
        print(renderList(rows, SNAPSHOT_COLUMNS, options));
      });
    });
}
