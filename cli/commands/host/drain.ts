// `ulm host drain HOST... [--dry-run] [--wait]`: plans emptying hosts for maintenance (live
// migrating their servers away, then disabling them in Nova) and, unless a dry run, starts it.
import type { Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, note, print } from '../../command.js';
import { CommandFailure } from '../../errors.js';
import type { OutputOptions } from '../../output.js';
import { afterStart } from '../../plan-runs.js';
import { renderAuditOutcome } from '../../plan-views.js';

interface DrainOptions extends OutputOptions {
  dryRun?: boolean;
  wait?: boolean;
}

export function registerHostDrain(host: Command): void {
  defineCommand(host, {
    name: 'drain <host...>',
    summary: 'empty hosts for maintenance: live-migrate their servers away, then disable them',
    output: 'one',
    examples: [
      ['ulm host drain cmp-07 --dry-run', 'the plan, left RECOMMENDED for review'],
      ['ulm host drain cmp-07 cmp-08 --wait', 'drain now and follow it to the end'],
    ],
    details: `The limits come from the stored policy named "drain" when there is one, else built-in
ones (90% CPU, 95% memory, 2 migrations per host at once; flavors stand in for missing metrics).
Bring hosts back with ulm host undrain.
Exit status: 0 planned (dry run) or started (with --wait: succeeded); 1 the hosts cannot be
emptied (the reason is printed) or the plan did not succeed.`,
  }).option('--dry-run', 'plan only: the plan waits as RECOMMENDED (ulm plan show / approve / start)')
    .option('--wait', 'follow the plan to its end; exit 1 unless it succeeds')
    .action(async (hosts: string[], options: DrainOptions, command: Command) => withBackend(command, async (backend) => {
      const outcome = await backend.engine.drainHosts(hosts, { dryRun: Boolean(options.dryRun) });
      print(renderAuditOutcome(outcome, options));
      if (outcome.audit.state === 'FAILED' || !outcome.action_plan) {
        throw new CommandFailure(`cannot drain ${hosts.join(', ')}: ${outcome.audit.failure_reason ?? 'no action plan'} (audit ${outcome.audit.id})`);
      }
      const plan = outcome.action_plan;
      if (options.dryRun) {
        note(`dry run: action plan ${plan.id} waits as ${plan.state}; review it with ulm plan show ${plan.id}, then ulm plan approve ${plan.id} && ulm plan start ${plan.id} --wait (or ulm plan cancel ${plan.id})`);
        return;
      }
      await afterStart(backend, plan.id, Boolean(options.wait));
    }));
}
