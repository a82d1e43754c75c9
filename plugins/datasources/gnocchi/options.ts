// The Gnocchi datasource's options: which resource types and metrics hold the usage, named as
// Ceilometer stores them by default.
import { Type, type Static } from '@sinclair/typebox';
import type { HostOverhead } from '../../../core/host-usage.js';
import { hostOverheadOf, HostOverheadOptions } from '../host-overhead.js';

export const GnocchiOptionsSchema = Type.Object({
  server_resource_type: Type.Optional(Type.String({ minLength: 1, description: 'resource type of servers, id = server UUID (default "instance")' })),
  cpu_metric: Type.Optional(Type.String({ minLength: 1, description: 'cumulative CPU time in ns, read as a rate (default "cpu")' })),
  cpu_aggregation: Type.Optional(Type.Union([Type.Literal('rate:mean'), Type.Literal('rateofchange')], {
    description: '"rate:mean" reads the rate the archive policy keeps (Ceilometer\'s ceilometer-low-rate); "rateofchange" has Gnocchi derive it from the mean (default "rate:mean")',
  })),
  cpu_util_metric: Type.Optional(Type.String({ minLength: 1, description: 'CPU use in % of the server\'s vCPUs, used where present (pre-Stein Ceilometer; default "cpu_util")' })),
  memory_metric: Type.Optional(Type.String({ minLength: 1, description: 'memory in use, MiB (default "memory.usage")' })),
  host_resource_type: Type.Optional(Type.String({ minLength: 1, description: 'resource type of compute hosts, attribute host_name (default "nova_compute")' })),
  host_cpu_metric: Type.Optional(Type.String({ minLength: 1, description: 'host CPU use in % (default "compute.node.cpu.percent", needs Nova\'s compute_monitors)' })),
  host_metrics: Type.Optional(Type.Boolean({ description: 'read and check host metrics (default true): a host without compute.node.* samples gets the sum of its servers\' use plus the overhead; false reads and checks no host metric at all' })),
  ...HostOverheadOptions,
  batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'resources per aggregates request (default 200)' })),
}, { additionalProperties: false });

export type GnocchiOptions = Static<typeof GnocchiOptionsSchema>;

export type ResolvedGnocchiOptions = Required<Omit<GnocchiOptions, 'host_overhead_cpu_cores' | 'host_overhead_memory_mb'>> & { host_overhead: HostOverhead };

export function resolveGnocchiOptions(options: GnocchiOptions): ResolvedGnocchiOptions {
  return {
    server_resource_type: options.server_resource_type ?? 'instance',
    cpu_metric: options.cpu_metric ?? 'cpu',
    cpu_aggregation: options.cpu_aggregation ?? 'rate:mean',
    cpu_util_metric: options.cpu_util_metric ?? 'cpu_util',
    memory_metric: options.memory_metric ?? 'memory.usage',
    host_resource_type: options.host_resource_type ?? 'nova_compute',
    host_cpu_metric: options.host_cpu_metric ?? 'compute.node.cpu.percent',
    host_metrics: options.host_metrics ?? true,
    batch_size: options.batch_size ?? 200,
    host_overhead: hostOverheadOf(options),
  };
}
