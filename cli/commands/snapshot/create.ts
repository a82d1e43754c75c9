// `ulm snapshot create [--policy POLICY]`: ulm collects the cloud now and stores the snapshot
// (what host list and server list show).
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { renderOne, type OutputOptions } from '../../output.js';
import { withActivity } from '../../progress.js';

interface CreateOptions extends OutputOptions {
  policy?: string;
}

export function registerSnapshotCreate(snapshot: Command): void {
  defineCommand(snapshot, {
    name: 'create',
    summary: 'collect the cloud now and store the snapshot in ulm (see snapshot save for a file)',
    output: 'one',
    examples: [
      ['ulm snapshot create', 'refresh what host list and server list show'],
      ['ulm snapshot create --policy night', 'with that policy\'s metrics settings'],
    ],
  }).option('--policy <policy>', 'a stored policy whose metrics settings to use (default: p95 over 60 min; flavors for servers without metrics)')
    .action(async (options: CreateOptions, command: Command) => withBackend(command, async ({ engine }) => {
      print(renderOne(forFormat({ ...await withActivity('collecting the cloud (Nova, Placement, metrics)', () => engine.collectSnapshot(options.policy)) }, options), options));
    }));
}
