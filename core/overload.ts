// Sustained overload: a host is overloaded when it was hot in K of its last N samples, not on a
// single spike. The thresholds sit above the consolidation limits (hysteresis), so a host packed
// by consolidation is never "relieved" back.
import type { ResolvedPolicy } from './policy/schema.js';

export interface HostSamples {
  host: string;
  /** CPU use as fractions of the host's CPUs, oldest first. */
  cpu: number[];
  /** Memory use as fractions of the host's memory, oldest first. */
  memory: number[];
}

export interface Overload {
  host: string;
  resource: 'cpu' | 'memory';
  hotSamples: number;
  window: number;
  latest: number;
  threshold: number;
}

function hotCount(samples: number[], window: number, threshold: number): number {
  let count = 0;
  for (const value of samples.slice(-window)) if (value > threshold) count++;
  return count;
}

/** Hosts hot for K of their last N samples, per resource (CPU first). */
export function sustainedOverloads(hosts: HostSamples[], policy: ResolvedPolicy): Overload[] {
  const { cpu_threshold: cpuThreshold, memory_threshold: memoryThreshold, samples, window } = policy.overload;
  const out: Overload[] = [];
  for (const host of hosts) {
    const cpuHot = hotCount(host.cpu, window, cpuThreshold);
    if (cpuHot >= samples) {
      out.push({ host: host.host, resource: 'cpu', hotSamples: cpuHot, window, latest: host.cpu[host.cpu.length - 1] ?? 0, threshold: cpuThreshold });
      continue;
    }
    const memoryHot = hotCount(host.memory, window, memoryThreshold);
    if (memoryHot >= samples) {
      out.push({ host: host.host, resource: 'memory', hotSamples: memoryHot, window, latest: host.memory[host.memory.length - 1] ?? 0, threshold: memoryThreshold });
    }
  }
  return out;
}
