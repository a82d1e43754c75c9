// `ulm status`: ulm at a glance: version, where it runs, the cloud, hosts by state, plans, the
// next window and the last audit.
import type { Command } from 'commander';
import type { StatusView } from '../../services/engine/types.js';
import { withBackend } from '../backend.js';
import { defineCommand, forFormat, print } from '../command.js';
import { renderOne, type OutputOptions, type Row } from '../output.js';

export function statusRecord(status: StatusView, where: string): Row {
  return {
    version: status.version,
    backend: where,
    scheduler_leader: status.scheduler_leader,
    cloud_reachable: status.cloud.reachable,
    cloud_detail: status.cloud.detail,
    hosts: status.hosts,
    plans_ongoing: status.plans.ongoing,
    plans_recommended: status.plans.recommended,
    next_window: status.next_window ? `${status.next_window.window} (policy ${status.next_window.policy})` : null,
    next_window_opens_at: status.next_window?.opens_at ?? null,
    last_audit: status.last_audit ? `${status.last_audit.id} ${status.last_audit.state} (${status.last_audit.goal}, ${status.last_audit.created_at})` : null,
  };
}

export function registerStatus(program: Command): void {
  defineCommand(program, {
    name: 'status',
    summary: 'ulm at a glance: cloud, hosts by state, plans, next window, last audit',
    output: 'one',
    examples: [
      ['ulm status', 'for people'],
      ['ulm status -f json -c hosts', 'host counts by state, for scripts'],
    ],
  }).action(async (options: OutputOptions, command: Command) => withBackend(command, async (backend) => {
    print(renderOne(forFormat(statusRecord(await backend.engine.status(), backend.description), options), options));
  }));
}
