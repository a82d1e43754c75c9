// `ulm host list [--long]`: compute hosts as ulm sees them: state, servers, allocation and use.
import type { Command } from 'commander';
import type { HostView } from '../../../core/api/records.js';
import { withBackend } from '../../backend.js';
import { defineCommand, note, percent, print } from '../../command.js';
import { renderList, type OutputOptions, type Row } from '../../output.js';

interface ListOptions extends OutputOptions {
  long?: boolean;
}

export const HOST_COLUMNS = ['Name', 'State', 'Servers', 'vCPUs', 'Memory MB', 'vCPU Allocation %', 'Memory Allocation %', 'CPU Usage %', 'Memory Usage %'];
export const HOST_LONG_COLUMNS = [...HOST_COLUMNS, 'Availability Zone', 'State Detail', 'Held By ulm', 'Powered Off', 'Action Plan'];

export function hostRow(host: HostView): Row {
  return {
    Name: host.name, State: host.state, Servers: host.servers, vCPUs: host.vcpus, 'Memory MB': host.memory_mb,
    'vCPU Allocation %': percent(host.vcpu_allocation), 'Memory Allocation %': percent(host.memory_allocation),
    'CPU Usage %': percent(host.cpu_usage), 'Memory Usage %': percent(host.memory_usage),
    'Availability Zone': host.availability_zone, 'State Detail': host.state_detail, 'Held By ulm': host.held_by_ulm,
    'Powered Off': host.powered_off, 'Action Plan': host.action_plan_id,
  };
}

export function registerHostList(host: Command): void {
  defineCommand(host, {
    name: 'list',
    summary: 'list compute hosts: state (active, empty, draining, maintenance, powered_off, disabled, down), servers, allocation and use',
    output: 'list',
    examples: [
      ['ulm host list', 'every host'],
      ['ulm host list --sort-column "CPU Usage %"', 'the least busy first'],
      ['ulm host list --long -f csv', 'with zone, state detail and the plan holding each host'],
      ['ulm host list -f value -c Name -c State', 'name and state, for scripts'],
    ],
    details: 'Allocation is against Placement capacity (allocation ratios applied); use is observed, against the host\'s size; both from the latest snapshot.',
  }).option('--long', 'more columns: availability zone, state detail, held by ulm, powered off, action plan')
    .action(async (options: ListOptions, command: Command) => withBackend(command, async ({ engine }) => {
      const hosts = await engine.listHosts();
      if (!hosts.length) note('no hosts: ulm has no snapshot of the cloud yet (ulm snapshot create, or any audit, collects one)');
      print(renderList(hosts.map(hostRow), options.long ? HOST_LONG_COLUMNS : HOST_COLUMNS, options));
    }));
}
