// `ulm host undrain HOST... [--rebalance] [--wait]`: brings hosts ulm holds back into service
// (power on, wait for nova-compute, enable), optionally moving servers back onto them.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, print } from '../../command.js';
import { CommandFailure } from '../../errors.js';
import { renderList, type OutputOptions } from '../../output.js';
import { afterStart } from '../../plan-runs.js';

interface UndrainOptions extends OutputOptions {
  rebalance?: boolean;
  wait?: boolean;
}

export const UNDRAIN_COLUMNS = ['Host', 'Restored', 'Detail'];

/** The rebalancing plan the engine started, named in its result line. */
export function rebalancingPlanOf(details: string[]): string | null {
  for (const detail of details) {
    const match = /action plan ([0-9A-Za-z-]+)/.exec(detail);
    if (match && /rebalanc/i.test(detail)) return match[1];
  }
  return null;
}

export function registerHostUndrain(host: Command): void {
  defineCommand(host, {
    name: 'undrain <host...>',
    summary: 'bring hosts ulm put into maintenance back: power on, wait for nova-compute, enable',
    output: 'list',
    examples: [
      ['ulm host undrain cmp-07', 'back in service'],
      ['ulm host undrain cmp-07 --rebalance --wait', 'and move the servers drained off it back, following that plan'],
    ],
    details: `ulm never enables a host it did not disable itself: such hosts are reported, not touched.
Exit status: 0 every host restored (and, with --wait, the rebalancing succeeded); 1 otherwise.`,
  }).option('--rebalance', 'afterwards, move the servers that were drained off these hosts back')
    .option('--wait', 'with --rebalance: follow the rebalancing plan to its end')
    .action(async (hosts: string[], options: UndrainOptions, command: Command) => withBackend(command, async (backend) => {
      const results = await backend.engine.undrainHosts(hosts, { rebalance: Boolean(options.rebalance) });
      print(renderList(results.map((result) => ({ Host: result.host, Restored: result.restored, Detail: result.detail })), UNDRAIN_COLUMNS, options));
      const planId = options.rebalance ? rebalancingPlanOf(results.map((result) => result.detail)) : null;
      if (planId) await afterStart(backend, planId, Boolean(options.wait));
      const failed = results.filter((result) => !result.restored);
      if (failed.length) throw new CommandFailure(`${failed.length} of ${hosts.length} hosts not restored: ${failed.map((result) => `${result.host} (${result.detail})`).join('; ')}`);
    }));
}
