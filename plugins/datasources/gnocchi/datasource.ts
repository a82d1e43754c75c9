// Observed usage from Gnocchi as Ceilometer stores it: per server the rate of the cumulative
// `cpu` counter (ns -> cores) or `cpu_util` (% of its vCPUs) where present, and `memory.usage`;
// per host `compute.node.cpu.percent`, or the sum of its servers where that is absent (as a
// default Ceilometer leaves it). Reads go in batches through the aggregates API.
import { hostsWithDerivedUse } from '../../../core/host-usage.js';
import type { Datasource, HostObservation, ServerObservation, UsageObservations, UsageQuery } from '../../../core/datasource.js';
import { aggregateResources, metricOperation, rateOfChange, type GnocchiClient, type MetricReference, type Point, type ResourceSeries } from '../../../openstack/gnocchi.js';
import { statisticOf } from '../statistic.js';
import type { ResolvedGnocchiOptions } from './options.js';

const NANOSECONDS = 1e9;

export class GnocchiDatasource implements Datasource {
  readonly name = 'gnocchi';

  constructor(private readonly gnocchi: GnocchiClient, private readonly options: ResolvedGnocchiOptions) {}

  async observe(query: UsageQuery): Promise<UsageObservations> {
    const window = {
      start: new Date(query.now - query.window_minutes * 60_000).toISOString(),
      stop: new Date(query.now).toISOString(),
      granularity: query.granularity_seconds,
    };
    const servers: Record<string, ServerObservation> = {};
    for (const batch of chunks(query.servers, this.options.batch_size)) {
      const series = await this.serverSeries(batch.map((server) => server.id), window);
      for (const server of batch) {
        const observation = this.serverObservation(series.get(server.id), server.vcpus, query);
        if (observation) servers[server.id] = observation;
      }
    }
    const measured: Record<string, HostObservation> = {};
    if (this.options.host_metrics) {
      for (const batch of chunks(query.hosts, this.options.batch_size)) {
        Object.assign(measured, await this.hostObservations(batch.map((host) => host.name), window, query));
      }
    }
    const hosts = this.options.host_metrics ? hostsWithDerivedUse(query, servers, measured, this.options.host_overhead) : {};
    return { servers, hosts, host_metrics: this.options.host_metrics };
  }

  private async serverSeries(ids: string[], window: { start: string; stop: string; granularity: number }): Promise<ResourceSeries> {
    const options = this.options;
    const base = { resourceType: options.server_resource_type, search: { in: { id: ids } }, ...window };
    const references: MetricReference[] = [
      { metric: options.cpu_util_metric, aggregation: 'mean' },
      { metric: options.memory_metric, aggregation: 'mean' },
    ];
    if (options.cpu_aggregation === 'rate:mean') references.push({ metric: options.cpu_metric, aggregation: 'rate:mean' });
    const { series } = await aggregateResources(this.gnocchi, { ...base, operations: metricOperation(references) });
    if (options.cpu_aggregation === 'rateofchange') {
      const rates = await aggregateResources(this.gnocchi, { ...base, operations: rateOfChange(metricOperation([{ metric: options.cpu_metric, aggregation: 'mean' }])) });
      for (const [id, metrics] of rates.series) {
        const merged = series.get(id) ?? new Map();
        for (const [metric, aggregations] of metrics) merged.set(metric, new Map([['rate', aggregations.get('mean') ?? []]]));
        series.set(id, merged);
      }
    }
    return series;
  }

  private serverObservation(metrics: Map<string, Map<string, Point[]>> | undefined, vcpus: number, query: UsageQuery): ServerObservation | undefined {
    if (!metrics) return undefined;
    const options = this.options;
    const utilisation = metrics.get(options.cpu_util_metric)?.get('mean') ?? [];
    const counterRate = metrics.get(options.cpu_metric)?.get(options.cpu_aggregation === 'rate:mean' ? 'rate:mean' : 'rate') ?? [];
    const memory = metrics.get(options.memory_metric)?.get('mean') ?? [];
    const observation: ServerObservation = { samples: utilisation.length + counterRate.length + memory.length };
    if (utilisation.length) {
      observation.cpu_cores = statisticOf(utilisation.map((point) => (point.value / 100) * vcpus), query.statistic);
      observation.newest_cpu_sample = newest(utilisation);
      observation.cpu_source = options.cpu_util_metric;
    } else {
      // A counter reset (reboot, or a new QEMU process after live migration) gives a negative rate: not a sample.
      const cores = counterRate.filter((point) => point.value >= 0).map((point) => point.value / (point.granularity * NANOSECONDS));
      if (cores.length) {
        observation.cpu_cores = statisticOf(cores, query.statistic);
        observation.newest_cpu_sample = newest(counterRate);
        observation.cpu_source = `${options.cpu_metric} (rate)`;
      }
    }
    if (memory.length) {
      observation.memory_mb = statisticOf(memory.map((point) => point.value), query.statistic);
      observation.newest_memory_sample = newest(memory);
    }
    return observation;
  }

  private async hostObservations(names: string[], window: { start: string; stop: string; granularity: number }, query: UsageQuery): Promise<Record<string, HostObservation>> {
    const options = this.options;
    const { series, resources } = await aggregateResources(this.gnocchi, {
      resourceType: options.host_resource_type, search: { in: { host_name: names } }, ...window, details: true,
      operations: metricOperation([{ metric: options.host_cpu_metric, aggregation: 'mean' }]),
    });
    // Ceilometer's host resource ids are "<host>_<node>" turned into UUIDs: map back by host_name.
    const hostOf = new Map(resources.map((resource) => [String(resource.id), String(resource.host_name)]));
    const hosts: Record<string, HostObservation> = {};
    for (const [id, metrics] of series) {
      const host = hostOf.get(id);
      const points = metrics.get(options.host_cpu_metric)?.get('mean') ?? [];
      if (!host || !points.length) continue;
      const previous = hosts[host];
      // Several nodes of one host (rare): keep the freshest series.
      if (previous?.newest_sample && previous.newest_sample >= newest(points)) continue;
      hosts[host] = { cpu_percent: statisticOf(points.map((point) => point.value), query.statistic), newest_sample: newest(points), samples: points.length };
    }
    return hosts;
  }
}

function newest(points: Point[]): string {
  return new Date(Math.max(...points.map((point) => Date.parse(point.timestamp)))).toISOString();
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}
