// `ulm host drain HOST... [--dry-run] [--wait]`: plans emptying hosts for maintenance (live
// migrating their servers away, then disabling them in Nova) and, unless a dry run, starts it.
// With `--at TIME [--until TIME] [--power-off]` it schedules the maintenance instead.
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { MaintenanceView } from '../../../core/api/records.js';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, note, print } from '../../command.js';
import { CommandFailure } from '../../errors.js';
import { localZone, maintenanceTimes } from '../../maintenance-times.js';
import { badOption } from '../../option-parsers.js';
import { renderOne, type OutputOptions, type Row } from '../../output.js';
import { afterStart } from '../../plan-runs.js';
import { renderAuditOutcome } from '../../plan-views.js';
import { timeoutArgument, withActivity } from '../../progress.js';

interface DrainOptions extends OutputOptions {
  dryRun?: boolean;
  wait?: boolean;
  timeout?: string;
  at?: string;
  until?: string;
  powerOff?: boolean;
}

/** A maintenance as `host drain --at` and `host maintenance show` print it. */
export function maintenanceRecord(view: MaintenanceView): Row {
  return {
    id: view.id, hosts: view.hosts, state: view.state, at: view.at, until: view.until, power_off: view.power_off,
    drain_starts_at: view.drain_starts_at, estimated_drain_seconds: view.estimated_drain_seconds, drain_plan_id: view.drain_plan_id,
    power_off_plan_id: view.power_off_plan_id, restore_plan_id: view.restore_plan_id, created_by: view.created_by,
    failure_reason: view.failure_reason, created_at: view.created_at, started_at: view.started_at, finished_at: view.finished_at,
  };
}

export function registerHostDrain(host: Command): void {
  defineCommand(host, {
    name: 'drain <host...>',
    summary: 'empty hosts for maintenance now, or schedule it (--at): live-migrate their servers away, then disable them',
    output: 'one',
    examples: [
      ['ulm host drain cmp-07 --dry-run', 'the plan, left RECOMMENDED for review'],
      ['ulm host drain cmp-07 cmp-08 --wait', 'drain now and follow it to the end'],
      ['ulm host drain cmp-07 --at "2026-12-01 22:00" --until "2026-12-02 06:00" --power-off', 'empty and off by 22:00 local time, back at 06:00'],
    ],
    details: `The limits come from the stored policy named "drain" when there is one, else built-in
ones (90% CPU, 95% memory, 2 migrations per host at once; flavors stand in for missing metrics).
Bring hosts back with ulm host undrain.
Scheduled (--at): the drain starts early enough to be done by TIME (the median of the live
migrations ulm has measured, times the rounds a dry-run drain needs, plus [scheduler]
maintenance_margin); with --power-off the hosts are powered off at TIME; at --until they are
brought back. TIME is ISO 8601 with an offset (2026-12-01T22:00:00+01:00) or "YYYY-MM-DD HH:MM"
in this machine's time zone (${localZone()}). See them with ulm host maintenance list.
Exit status: 0 planned (dry run), started (with --wait: succeeded) or scheduled; 1 the hosts
cannot be emptied (the reason is printed) or the plan did not succeed; 2 bad input (a TIME in
the past, --until not after --at, an unknown host).`,
  }).option('--dry-run', 'plan only: the plan waits as RECOMMENDED (ulm plan show / approve / start)')
    .option('--wait', 'follow the plan to its end; exit 1 unless it succeeds')
    .option('--timeout <seconds>', 'with --wait: stop waiting after this many seconds (exit 1; the plan goes on)', timeoutArgument)
    .option('--at <time>', 'schedule the maintenance: the hosts are empty and disabled by TIME')
    .option('--until <time>', 'with --at: bring the hosts back at TIME (default: they stay until ulm host undrain)')
    .option('--power-off', 'with --at: power the hosts off at the --at TIME')
    .action(async (hosts: string[], options: DrainOptions, command: Command) => {
      if (options.at === undefined) {
        if (options.until !== undefined) badOption('--until', 'needs --at: schedule the maintenance with --at TIME, or drain now without --until');
        if (options.powerOff) badOption('--power-off', 'needs --at: schedule the maintenance with --at TIME (a drain now only disables the hosts)');
      } else {
        if (options.dryRun) badOption('--dry-run', 'is for a drain now; a scheduled maintenance (--at) makes its plan when its drain starts');
        if (options.wait) badOption('--wait', 'is for a drain now; follow a scheduled maintenance with ulm host maintenance show ID');
      }
      const times = options.at === undefined ? null : maintenanceTimes(options.at, options.until, Date.now());
      return withBackend(command, async (backend) => {
        if (times) {
          // Against the API, the token's user is recorded; in direct mode, this machine's user.
          const createdBy = backend.kind === 'direct' ? `${userInfo().username} (direct mode)` : undefined;
          const scheduled = await backend.engine.scheduleMaintenance({ hosts, at: times.at, until: times.until, power_off: Boolean(options.powerOff), ...(createdBy ? { created_by: createdBy } : {}) });
          print(renderOne(forFormat(maintenanceRecord(scheduled), options), options));
          note(`maintenance ${scheduled.id} scheduled: its drain starts at ${scheduled.drain_starts_at}; follow it with ulm host maintenance show ${scheduled.id}, cancel it with ulm host maintenance cancel ${scheduled.id}`);
          return;
        }
        const outcome = await withActivity(`collecting the cloud and planning the drain of ${hosts.join(', ')}`, () => backend.engine.drainHosts(hosts, { dryRun: Boolean(options.dryRun) }));
        print(renderAuditOutcome(outcome, options));
        if (outcome.audit.state === 'FAILED' || !outcome.action_plan) {
          throw new CommandFailure(`cannot drain ${hosts.join(', ')}: ${outcome.audit.failure_reason ?? 'no action plan'} (audit ${outcome.audit.id})`);
        }
        const plan = outcome.action_plan;
        if (options.dryRun) {
          note(`dry run: action plan ${plan.id} waits as ${plan.state}; review it with ulm plan show ${plan.id}, then ulm plan approve ${plan.id} && ulm plan start ${plan.id} --wait (or ulm plan cancel ${plan.id})`);
          return;
        }
        await afterStart(backend, plan.id, options);
      });
    });
}
