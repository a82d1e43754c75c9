// `ulm status`: ulm at a glance: version, where it runs, the cloud, hosts by state, plans, the
// next window, maintenances under way and the next one, and the last audit.
import type { Command } from 'commander';
import type { MaintenanceView, StatusView } from '../../core/api/records.js';
import { withBackend } from '../backend.js';
import { defineCommand, forFormat, print } from '../command.js';
import { renderOne, type OutputOptions, type Row } from '../output.js';

/** `3f2c... DRAINING cmp-07, cmp-08 at ... until ...`: one maintenance on one line. */
function maintenanceLine(view: MaintenanceView): string {
  return `${view.id} ${view.state} ${view.hosts.join(', ')} at ${view.at}${view.until ? ` until ${view.until}` : ''}${view.power_off ? ' (power off)' : ''}`;
}

export function statusRecord(status: StatusView, where: string): Row {
  return {
    version: status.version,
    backend: where,
    scheduler_leader: status.scheduler_leader,
    cloud_reachable: status.cloud.reachable,
    cloud_detail: status.cloud.detail,
    // Before the first collection there is nothing to count: say so rather than show 0 hosts.
    hosts: status.hosts_detail ?? status.hosts,
    last_snapshot: status.last_snapshot ? `${status.last_snapshot.id} (${status.last_snapshot.collected_at})` : null,
    plans_ongoing: status.plans.ongoing,
    plans_recommended: status.plans.recommended,
    next_window: status.next_window ? `${status.next_window.window} (policy ${status.next_window.policy})` : null,
    next_window_opens_at: status.next_window?.opens_at ?? null,
    maintenances_ongoing: status.maintenances.ongoing.map(maintenanceLine),
    next_maintenance: status.maintenances.next ? maintenanceLine(status.maintenances.next) : null,
    next_maintenance_drain_starts_at: status.maintenances.next?.drain_starts_at ?? null,
    last_audit: status.last_audit ? `${status.last_audit.id} ${status.last_audit.state} (${status.last_audit.goal}, ${status.last_audit.created_at})` : null,
  };
}

export function registerStatus(program: Command): void {
  defineCommand(program, {
    name: 'status',
    summary: 'ulm at a glance: cloud, hosts by state, plans, next window, maintenances, last audit',
    output: 'one',
    examples: [
      ['ulm status', 'for people'],
      ['ulm status -f json -c hosts', 'host counts by state, for scripts'],
    ],
  }).action(async (options: OutputOptions, command: Command) => withBackend(command, async (backend) => {
    print(renderOne(forFormat(statusRecord(await backend.engine.status(), backend.description), options), options));
  }));
}
