// `ulm host show HOST`: one compute host as ulm sees it, with its scheduled maintenance.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, percent, print } from '../../command.js';
import { renderOne, type OutputOptions } from '../../output.js';

const FRACTIONS = ['vcpu_allocation', 'memory_allocation', 'cpu_usage', 'memory_usage'] as const;

export function registerHostShow(host: Command): void {
  defineCommand(host, {
    name: 'show <host>',
    summary: 'show a compute host: state and why, servers, allocation and use, the plan holding it, its scheduled maintenance',
    output: 'one',
    examples: [
      ['ulm host show cmp-07', 'for people (fractions as percentages)'],
      ['ulm host show cmp-07 -f json', 'as the API has it (fractions 0..1)'],
    ],
  }).action(async (name: string, options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    const view: Record<string, unknown> = { ...await engine.getHost(name) };
    // The maintenance not ended (one per host at a time): what will happen to it, and when.
    const [maintenance] = await engine.listMaintenances({ host: name, active: true });
    view.maintenance = maintenance
      ? { id: maintenance.id, state: maintenance.state, at: maintenance.at, until: maintenance.until, power_off: maintenance.power_off, drain_starts_at: maintenance.drain_starts_at }
      : null;
    if (options.format === 'table') for (const field of FRACTIONS) view[field] = `${percent(view[field] as number)}%`;
    print(renderOne(forFormat(view, options), options));
  }));
}
