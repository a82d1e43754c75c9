// The metrics preflight: which servers and hosts lack fresh metrics, and what the policy says
// to do about it: refuse (the default), or plan those servers on their allocations. Either way
// they are listed; ulm never plans silently on missing data.
import type { HostObservation, ServerObservation, UsageObservations } from '../../core/datasource.js';
import type { MetricsPolicy } from '../../core/policy/schema.js';
import type { Host, Server } from '../../core/snapshot/format.js';
import type { ServerDraft } from './servers.js';

export interface ServerWithoutMetrics {
  id: string;
  name: string | undefined;
  host: string;
  /** The older of the newest CPU and memory samples; null when a measure has none in the window. */
  newest_sample: string | null;
  reason: string;
  /** Set when the policy let ulm go on: where the server's usage came from instead. */
  usage_from?: 'allocations';
}

export interface HostWithoutMetrics {
  name: string;
  newest_sample: string | null;
  reason: string;
}

/** The snapshot's `metrics` field: how usage was read, and what was missing. */
export interface MetricsReport {
  datasource: string;
  statistic: string;
  window_minutes: number;
  granularity_seconds: number;
  max_age_minutes: number;
  missing: 'refuse' | 'use_allocations';
  servers_measured: number;
  servers_without_fresh_metrics: ServerWithoutMetrics[];
  hosts_without_fresh_metrics: HostWithoutMetrics[];
  /** Servers not running (SHUTOFF, PAUSED, ...): their usage follows from their state, not from samples. */
  servers_not_measured: Array<{ id: string; name: string | undefined; status: string; usage_from: 'none' | 'memory allocation' | 'allocations' }>;
  /** Observed host CPU use (percent), when the datasource reads host metrics. */
  host_cpu_percent?: Record<string, number>;
  /** Host memory in use (MiB), where the datasource has it. */
  host_memory_mb?: Record<string, number>;
  /** Hosts without a host meter, whose use is the sum of their servers' plus the datasource's overhead. */
  hosts_derived_from_servers?: string[];
}

export interface PreflightResult {
  servers: Server[];
  report: MetricsReport;
  /** True when something is missing and the policy says refuse. */
  refused: boolean;
}

/** Rounded for the snapshot: observed figures do not need 15 digits. */
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

export function applyObservations(input: {
  servers: ServerDraft[];
  hosts: Host[];
  observations: UsageObservations;
  metrics: Required<MetricsPolicy>;
  datasource: string;
  now: number;
}): PreflightResult {
  const { observations, metrics, now } = input;
  const oldest = now - metrics.max_age_minutes * 60_000;
  const serversWithout: ServerWithoutMetrics[] = [];
  const notMeasured: MetricsReport['servers_not_measured'] = [];
  let measured = 0;
  const servers: Server[] = input.servers.map((draft) => {
    const { status, ...server } = draft;
    if (status !== 'ACTIVE') {
      // Not running: a stopped or suspended guest uses nothing, a paused one keeps its memory,
      // anything in between (ERROR, resizing, ...) is counted at its full allocation.
      const usageFrom = status === 'SHUTOFF' || status === 'SUSPENDED' ? 'none' : status === 'PAUSED' ? 'memory allocation' : 'allocations';
      notMeasured.push({ id: server.id, name: server.name, status, usage_from: usageFrom });
      const usage = usageFrom === 'none' ? { cpu_cores: 0, memory_mb: 0 }
        : usageFrom === 'memory allocation' ? { cpu_cores: 0, memory_mb: server.flavor.memory_mb }
          : { cpu_cores: server.flavor.vcpus, memory_mb: server.flavor.memory_mb };
      return { ...server, usage };
    }
    const observation = observations.servers[server.id];
    const problem = serverProblem(observation, oldest, metrics.window_minutes);
    if (!problem) {
      measured++;
      return { ...server, usage: { cpu_cores: round(Math.max(0, observation!.cpu_cores!)), memory_mb: round(Math.max(0, observation!.memory_mb!), 1) } };
    }
    const entry: ServerWithoutMetrics = { id: server.id, name: server.name, host: server.host, newest_sample: newestOf(observation), reason: problem };
    serversWithout.push(entry);
    if (metrics.missing === 'use_allocations') entry.usage_from = 'allocations';
    // Under "refuse" no plan is made; the allocation is still the safest figure to write.
    return { ...server, usage: { cpu_cores: server.flavor.vcpus, memory_mb: server.flavor.memory_mb } };
  });
  const hostsWithout: HostWithoutMetrics[] = [];
  const hostCpu: Record<string, number> = {};
  const hostMemory: Record<string, number> = {};
  const derived: string[] = [];
  if (observations.host_metrics) {
    for (const host of input.hosts) {
      const observation: HostObservation | undefined = observations.hosts[host.name];
      if (observation?.cpu_percent !== undefined) hostCpu[host.name] = round(observation.cpu_percent, 2);
      if (observation?.memory_mb !== undefined) hostMemory[host.name] = round(observation.memory_mb, 1);
      if (observation?.derived_from_servers) derived.push(host.name);
      const newest = observation?.newest_sample;
      const from = observation?.derived_from_servers ? ' (derived from its servers)' : '';
      if (!newest) hostsWithout.push({ name: host.name, newest_sample: null, reason: `no host sample in the last ${metrics.window_minutes} min, and not every server on it has metrics to derive it from` });
      else if (Date.parse(newest) < oldest) hostsWithout.push({ name: host.name, newest_sample: newest, reason: `newest sample${from} is ${age(newest, now)} old (more than ${metrics.max_age_minutes} min)` });
    }
  }
  const report: MetricsReport = {
    datasource: input.datasource,
    statistic: metrics.statistic,
    window_minutes: metrics.window_minutes,
    granularity_seconds: metrics.granularity_seconds,
    max_age_minutes: metrics.max_age_minutes,
    missing: metrics.missing,
    servers_measured: measured,
    servers_without_fresh_metrics: serversWithout,
    hosts_without_fresh_metrics: hostsWithout,
    servers_not_measured: notMeasured,
    ...(observations.host_metrics ? { host_cpu_percent: hostCpu } : {}),
    ...(Object.keys(hostMemory).length ? { host_memory_mb: hostMemory } : {}),
    ...(derived.length ? { hosts_derived_from_servers: derived } : {}),
  };
  const refused = metrics.missing === 'refuse' && (serversWithout.length > 0 || hostsWithout.length > 0);
  return { servers, report, refused };
}

function serverProblem(observation: ServerObservation | undefined, oldest: number, windowMinutes: number): string | undefined {
  if (!observation) return `no samples in the last ${windowMinutes} min`;
  const missing: string[] = [];
  if (observation.cpu_cores === undefined || !observation.newest_cpu_sample) missing.push('CPU');
  if (observation.memory_mb === undefined || !observation.newest_memory_sample) missing.push('memory');
  if (missing.length) return `no ${missing.join(' or ')} samples in the last ${windowMinutes} min`;
  const stale: string[] = [];
  if (Date.parse(observation.newest_cpu_sample!) < oldest) stale.push('CPU');
  if (Date.parse(observation.newest_memory_sample!) < oldest) stale.push('memory');
  if (stale.length) return `newest ${stale.join(' and ')} sample too old`;
  return undefined;
}

function newestOf(observation: ServerObservation | undefined): string | null {
  if (!observation?.newest_cpu_sample || !observation.newest_memory_sample) return null;
  return observation.newest_cpu_sample < observation.newest_memory_sample ? observation.newest_cpu_sample : observation.newest_memory_sample;
}

function age(timestamp: string, now: number): string {
  const minutes = Math.round((now - Date.parse(timestamp)) / 60_000);
  return minutes >= 120 ? `${Math.round(minutes / 60)} h` : `${minutes} min`;
}

/** The refusal, for people: every server and host without fresh metrics, and the two ways out. */
export function refusalMessage(report: MetricsReport): string {
  const lines = [
    `metrics are missing or stale (max_age_minutes ${report.max_age_minutes}) for ${report.servers_without_fresh_metrics.length} server(s) and ${report.hosts_without_fresh_metrics.length} host(s); ulm does not plan on missing data:`,
    ...report.servers_without_fresh_metrics.slice(0, 50).map((server) => `  server ${server.name || server.id} (${server.id}) on ${server.host}: ${server.reason}${server.newest_sample ? `, newest ${server.newest_sample}` : ''}`),
    ...(report.servers_without_fresh_metrics.length > 50 ? [`  ... and ${report.servers_without_fresh_metrics.length - 50} more servers`] : []),
    ...report.hosts_without_fresh_metrics.map((host) => `  host ${host.name}: ${host.reason}`),
    ...(report.hosts_derived_from_servers?.length ? [derivedHostsLine(report.hosts_derived_from_servers)] : []),
    `Fix the metrics pipeline (${report.datasource === 'gnocchi' ? 'Ceilometer -> Gnocchi' : `exporters -> ${report.datasource}`}), or set the policy's metrics.missing to use_allocations to plan those servers on their flavor${report.hosts_without_fresh_metrics.length ? ' (hosts without metrics are then only reported)' : ''}.`,
  ];
  return lines.join('\n');
}

/** Which hosts had no host meter and were counted from their servers: said wherever the preflight reports. */
export function derivedHostsLine(hosts: readonly string[]): string {
  return `host use derived from their servers' use (no host metrics) for ${hosts.length} host(s): ${hosts.join(', ')}`;
}
