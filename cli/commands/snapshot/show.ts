// `ulm snapshot show SNAPSHOT [-o FILE]`: a stored snapshot: a summary, or the ulm-cluster/1
// document itself (to plan offline with ulm plan --snapshot).
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, note, print } from '../../command.js';
import { renderOne, type OutputOptions } from '../../output.js';

interface ShowOptions extends OutputOptions {
  output?: string;
}

export function registerSnapshotShow(snapshot: Command): void {
  defineCommand(snapshot, {
    name: 'show <snapshot>',
    summary: 'show a stored snapshot, or write its ulm-cluster/1 document to a file',
    output: 'one',
    examples: [
      ['ulm snapshot show 8c1e...', 'a summary'],
      ['ulm snapshot show 8c1e... -o cluster.json && ulm plan --snapshot cluster.json', 'what-if planning offline'],
    ],
  }).option('-o, --output <file>', 'write the ulm-cluster/1 document to this file ("-" for standard output)')
    .action(async (id: string, options: ShowOptions, command: Command) => withBackend(command, async ({ engine }) => {
      const document = await engine.getSnapshot(id);
      if (options.output) {
        const text = `${JSON.stringify(document, null, 2)}\n`;
        if (options.output === '-') print(text);
        else {
          writeFileSync(options.output, text);
          note(`wrote ${options.output}: ${document.hosts.length} hosts, ${document.servers.length} servers`);
        }
        return;
      }
      const enabled = document.hosts.filter((host) => host.enabled).length;
      print(renderOne(forFormat({
        id, format: document.format, name: document.name ?? null, collected_at: document.collected_at ?? null,
        hosts: document.hosts.length, enabled_hosts: enabled, active_hosts: new Set(document.servers.map((server) => server.host)).size,
        servers: document.servers.length, server_groups: document.server_groups?.length ?? 0,
      }, options), options));
    }));
}
