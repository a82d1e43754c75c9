// `ulm server set SERVER [--never-move] [--not-during WINDOW]... [--anti-affinity-tag TAG]...
// [--reason TEXT]`: exemptions that plans respect for this server.
import type { Command } from 'commander';
import type { ExemptionRequest } from '../../../core/api/records.js';
import { withBackend } from '../../backend.js';
import { defineCommand } from '../../command.js';
import { findServer } from '../../lookups.js';
import { badOption, collect, parseTimeWindow } from '../../option-parsers.js';

interface SetOptions {
  neverMove?: boolean;
  notDuring?: string[];
  antiAffinityTag?: string[];
  reason?: string;
}

/** The exemptions the options ask for, checked before anything is sent. */
export function exemptionRequestsFrom(options: SetOptions): ExemptionRequest[] {
  const reason = options.reason;
  const requests: ExemptionRequest[] = [];
  if (options.neverMove) requests.push({ kind: 'never', reason });
  if (options.notDuring?.length) {
    requests.push({ kind: 'windows', windows: options.notDuring.map((text, index) => parseTimeWindow(options.notDuring!.length > 1 ? `--not-during[${index}]` : '--not-during', text)), reason });
  }
  for (const tag of options.antiAffinityTag ?? []) {
    if (!tag.trim()) badOption('--anti-affinity-tag', 'is empty; give a tag, e.g. db-primary');
    requests.push({ kind: 'anti_affinity_tag', tag: tag.trim(), reason });
  }
  if (!requests.length) badOption('<server>', 'nothing to set: give --never-move, --not-during "08:00-18:00 mon-fri Europe/Berlin" or --anti-affinity-tag TAG');
  return requests;
}

export function registerServerSet(server: Command): void {
  defineCommand(server, {
    name: 'set <server>',
    summary: 'exempt a server (id or name): never move it, not during given hours, or keep it apart from servers with the same tag',
    examples: [
      ['ulm server set db-01 --never-move --reason "licence bound to host"', ''],
      ['ulm server set web-03 --not-during "08:00-18:00 mon-fri Europe/Berlin"', ''],
      ['ulm server set batch-1 --not-during "22:00-06:00" --not-during "sat,sun"', 'repeat for several windows'],
      ['ulm server set db-01 --anti-affinity-tag db-primary', 'never on a host with another db-primary'],
    ],
    details: `--not-during: "HH:MM-HH:MM [days] [time zone]"; days as mon-fri, sat,sun, weekdays, weekends
(default every day), time zone as an IANA name (default UTC); without a time range, all day.
A range that ends before it starts (22:00-06:00) runs past midnight.`,
  }).option('--never-move', 'plans never move this server')
    .option('--not-during <window>', 'plans do not move it during this weekly window (repeat for more)', collect)
    .option('--anti-affinity-tag <tag>', 'keep it on a different host from every server with this tag (repeat for more)', collect)
    .option('--reason <text>', 'why, for other operators')
    .action(async (reference: string, options: SetOptions, command: Command) => {
      const requests = exemptionRequestsFrom(options);
      await withBackend(command, async ({ engine }) => {
        const found = await findServer(engine, reference);
        for (const request of requests) await engine.setExemption(found.id, request);
      });
    });
}
