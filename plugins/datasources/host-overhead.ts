// The options every datasource shares for hosts without host meters: what a host uses beyond
// its servers, added to their sum (core/host-usage.ts).
import { Type } from '@sinclair/typebox';
import type { HostOverhead } from '../../core/host-usage.js';

export const DEFAULT_HOST_OVERHEAD: HostOverhead = { cpu_cores: 0.5, memory_mb: 1024 };

export const HostOverheadOptions = {
  host_overhead_cpu_cores: Type.Optional(Type.Number({
    minimum: 0, default: DEFAULT_HOST_OVERHEAD.cpu_cores,
    description: `CPU cores a host uses beyond its servers (QEMU, libvirt, agents), added to their sum where the host has no host meter (default ${DEFAULT_HOST_OVERHEAD.cpu_cores})`,
  })),
  host_overhead_memory_mb: Type.Optional(Type.Number({
    minimum: 0, default: DEFAULT_HOST_OVERHEAD.memory_mb,
    description: `memory in MiB a host uses beyond its servers, added to their sum where the host has no host meter (default ${DEFAULT_HOST_OVERHEAD.memory_mb})`,
  })),
};

export function hostOverheadOf(options: { host_overhead_cpu_cores?: number; host_overhead_memory_mb?: number }): HostOverhead {
  return {
    cpu_cores: options.host_overhead_cpu_cores ?? DEFAULT_HOST_OVERHEAD.cpu_cores,
    memory_mb: options.host_overhead_memory_mb ?? DEFAULT_HOST_OVERHEAD.memory_mb,
  };
}
