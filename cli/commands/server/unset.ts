// `ulm server unset SERVER [--never-move] [--not-during] [--anti-affinity-tag]`: removes a
// server's exemptions of the kinds named (all of them when none is named).
import type { Command } from 'commander';
import type { ExemptionKind } from '../../../core/api/records.js';
import { withBackend } from '../../backend.js';
import { defineCommand, note } from '../../command.js';
import { findServer } from '../../lookups.js';

interface UnsetOptions {
  neverMove?: boolean;
  notDuring?: boolean;
  antiAffinityTag?: boolean;
}

export function exemptionKindsFrom(options: UnsetOptions): ExemptionKind[] | undefined {
  const kinds: ExemptionKind[] = [];
  if (options.neverMove) kinds.push('never');
  if (options.notDuring) kinds.push('windows');
  if (options.antiAffinityTag) kinds.push('anti_affinity_tag');
  return kinds.length ? kinds : undefined;
}

export function registerServerUnset(server: Command): void {
  defineCommand(server, {
    name: 'unset <server>',
    summary: 'remove a server\'s exemptions (all of them, or the kinds named)',
    examples: [
      ['ulm server unset db-01', 'every exemption of db-01'],
      ['ulm server unset web-03 --not-during', 'only its time windows'],
    ],
  }).option('--never-move', 'remove "never move"')
    .option('--not-during', 'remove its time windows')
    .option('--anti-affinity-tag', 'remove its anti-affinity tags')
    .action(async (reference: string, options: UnsetOptions, command: Command) => withBackend(command, async ({ engine }) => {
      const found = await findServer(engine, reference);
      const kinds = exemptionKindsFrom(options);
      let removed = 0;
      for (const kind of kinds ?? [undefined]) removed += await engine.removeExemptions(found.id, kind);
      if (!removed) note(`server ${found.name}: no such exemption to remove`);
    }));
}
