// Observed usage from Prometheus: per server the rate of its libvirt domain's CPU time (cores)
// and its memory, per host 1 - the idle rate of node_exporter's CPUs and MemTotal - MemAvailable,
// or the sum of its servers where a host has no node_exporter samples. Each query is a PromQL
// subquery over the policy's window at its granularity; the statistic is taken here, as for Gnocchi.
import type { Datasource, HostObservation, ServerObservation, UsageObservations, UsageQuery } from '../../../core/datasource.js';
import { hostsWithDerivedUse } from '../../../core/host-usage.js';
import { statisticOf } from '../statistic.js';
import type { ResolvedPrometheusOptions } from './options.js';
import { queryPrometheus, type Sample, type Series } from './query.js';

const MEBIBYTE = 1024 * 1024;

/** Runs PromQL at an instant; the datasource's only edge (the HTTP API by default). */
export type RunQuery = (promql: string, time: number) => Promise<Series[]>;

export class PrometheusDatasource implements Datasource {
  readonly name = 'prometheus';
  private readonly run: RunQuery;

  constructor(private readonly options: ResolvedPrometheusOptions, run?: RunQuery) {
    this.run = run ?? ((promql, time) => queryPrometheus(options, promql, time));
  }

  async observe(query: UsageQuery): Promise<UsageObservations> {
    const options = this.options;
    const queries = new PrometheusQueries(options, query);
    const servers: Record<string, ServerObservation> = {};
    for (const batch of chunks(query.servers.map((server) => server.id), options.batch_size)) {
      const cpu = bySeriesLabel(await this.run(queries.serverCpu(batch), query.now), options.server_label);
      const memory = bySeriesLabel(await this.run(queries.serverMemory(batch), query.now), options.server_label);
      for (const id of batch) {
        const observation = serverObservation(cpu.get(id) ?? [], memory.get(id) ?? [], query, options);
        if (observation) servers[id] = observation;
      }
    }
    if (!options.host_metrics) return { servers, hosts: {}, host_metrics: false };
    const names = hostNames(query.hosts.map((host) => host.name));
    const hostCpu = byHost(await this.run(queries.hostCpu(), query.now), options.host_label, names);
    const hostMemory = byHost(await this.run(queries.hostMemory(), query.now), options.host_label, names);
    const measured: Record<string, HostObservation> = {};
    for (const host of query.hosts) {
      const cpu = hostCpu.get(host.name) ?? [];
      const memory = hostMemory.get(host.name) ?? [];
      const cpuPercent = statisticOf(cpu.map((sample) => sample.value), query.statistic);
      if (cpuPercent === undefined) continue;
      const memoryBytes = statisticOf(memory.map((sample) => sample.value), query.statistic);
      measured[host.name] = {
        cpu_percent: cpuPercent,
        ...(memoryBytes !== undefined ? { memory_mb: memoryBytes / MEBIBYTE } : {}),
        newest_sample: newest(cpu),
        samples: cpu.length + memory.length,
      };
    }
    return { servers, hosts: hostsWithDerivedUse(query, servers, measured, options.host_overhead), host_metrics: true };
  }
}

/** The PromQL of each measure: an instant expression, asked for as a subquery over the window. */
export class PrometheusQueries {
  constructor(private readonly options: ResolvedPrometheusOptions, private readonly query: Pick<UsageQuery, 'window_minutes' | 'granularity_seconds'>) {}

  /** Cores used by each server: the rate of its domain's CPU time. */
  serverCpu(ids: readonly string[]): string {
    return this.overWindow(this.perServer(`rate(${this.options.server_cpu_metric}%s[${this.options.rate_interval}])`, ids));
  }

  /** Bytes of memory used by each server. */
  serverMemory(ids: readonly string[]): string {
    return this.overWindow(this.perServer(`${this.options.server_memory_metric}%s`, ids));
  }

  /** Percent of each host's CPUs in use: 100 × (1 − the mean idle rate over its CPUs). */
  hostCpu(): string {
    const { host_cpu_metric: metric, host_cpu_idle_mode: idle, rate_interval: range } = this.options;
    return this.overWindow(`100 * (1 - ${this.perHost('avg', `rate(${metric}{mode="${idle}"}[${range}])`)})`);
  }

  /** Bytes of memory in use on each host: total − available. */
  hostMemory(): string {
    const { host_memory_total_metric: total, host_memory_available_metric: available } = this.options;
    return this.overWindow(this.perHost('max', `(${total} - ${available})`));
  }

  /**
   * `%s` in the usage expression takes the server selector when the server label is on the
   * usage metric; otherwise the label comes from the info metric, joined on the shared labels.
   * The info metric is first reduced to those labels: a relabelled info series (a resize changes
   * its flavor label) would else match twice for the lookback and fail the whole query.
   * After a live migration a domain exists on two hosts for a moment: max, not sum, per server.
   */
  private perServer(usage: string, ids: readonly string[]): string {
    const { server_label: label, server_info_metric: info, server_join_labels: join } = this.options;
    const selector = `{${label}=~"${ids.map(regexLiteral).join('|')}"}`;
    if (!info) return `max by (${label}) (${usage.replace('%s', selector)})`;
    const on = labelList(join);
    return `max by (${label}) (${usage.replace('%s', '')} * on(${on}) group_left(${label}) max by (${on}, ${label}) (${info}${selector}))`;
  }

  private perHost(aggregation: 'avg' | 'max', usage: string): string {
    const { host_label: label, host_info_metric: info, host_join_labels: join } = this.options;
    if (!info) return `${aggregation} by (${label}) (${usage})`;
    const on = labelList(join);
    return `${aggregation} by (${label}) (${usage} * on(${on}) group_left(${label}) max by (${on}, ${label}) (${info}))`;
  }

  private overWindow(expression: string): string {
    return `(${expression})[${this.query.window_minutes}m:${this.query.granularity_seconds}s]`;
  }
}

function serverObservation(cpu: Sample[], memory: Sample[], query: UsageQuery, options: ResolvedPrometheusOptions): ServerObservation | undefined {
  if (!cpu.length && !memory.length) return undefined;
  const observation: ServerObservation = { samples: cpu.length + memory.length };
  const cores = statisticOf(cpu.map((sample) => sample.value), query.statistic);
  if (cores !== undefined) {
    observation.cpu_cores = cores;
    observation.newest_cpu_sample = newest(cpu);
    observation.cpu_source = `rate(${options.server_cpu_metric})`;
  }
  const bytes = statisticOf(memory.map((sample) => sample.value), query.statistic);
  if (bytes !== undefined) {
    observation.memory_mb = bytes / MEBIBYTE;
    observation.newest_memory_sample = newest(memory);
  }
  return observation;
}

/** Series by the value of one label; a series without it is not ulm's to read. */
export function bySeriesLabel(series: readonly Series[], label: string): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const entry of series) {
    const key = entry.labels[label];
    if (key) out.set(key, [...(out.get(key) ?? []), ...entry.samples]);
  }
  return out;
}

/** Exporters may name a host by its FQDN where Nova has its short name, or the other way round. */
export function hostNames(names: readonly string[]): (labelValue: string) => string | undefined {
  const exact = new Set(names);
  const short = new Map<string, string>();
  for (const name of names) short.set(name.split('.')[0], name);
  return (value) => (exact.has(value) ? value : short.get(value.split('.')[0]));
}

function byHost(series: readonly Series[], label: string, hostOf: (value: string) => string | undefined): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const [value, samples] of bySeriesLabel(series, label)) {
    const host = hostOf(value);
    if (host) out.set(host, [...(out.get(host) ?? []), ...samples]);
  }
  return out;
}

function newest(samples: readonly Sample[]): string {
  return new Date(Math.max(...samples.map((sample) => sample.time))).toISOString();
}

/** A label value matched exactly inside a PromQL regex in a double-quoted string. */
function regexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&').replace(/"/g, '\\"');
}

function labelList(labels: string): string {
  return labels.split(',').map((label) => label.trim()).join(', ');
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}
