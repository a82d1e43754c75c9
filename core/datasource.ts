// The datasource interface (types only): how collection asks for servers' and hosts' observed
// usage over the policy's window, whatever stores it (Gnocchi, Prometheus, a file).
import type { TSchema } from '@sinclair/typebox';
import type { MetricsPolicy } from './policy/schema.js';

export type Statistic = NonNullable<MetricsPolicy['statistic']>;

/** What to observe: the servers and hosts, and the statistic over which window. */
export interface UsageQuery {
  servers: Array<{ id: string; name?: string; host: string; vcpus: number; memory_mb: number }>;
  hosts: Array<{ name: string; vcpus: number }>;
  statistic: Statistic;
  window_minutes: number;
  granularity_seconds: number;
  /** End of the window, epoch milliseconds (injected: the caller owns the clock). */
  now: number;
}

/** One server's observed usage; a measure with no sample in the window is left out. */
export interface ServerObservation {
  /** The statistic of CPU use, in host CPUs (cores). */
  cpu_cores?: number;
  /** The statistic of memory in use, MiB. */
  memory_mb?: number;
  /** Time of the newest CPU sample in the window (ISO 8601). */
  newest_cpu_sample?: string;
  newest_memory_sample?: string;
  /** Which measure the CPU figure came from, e.g. "cpu" (a counter's rate) or "cpu_util". */
  cpu_source?: string;
  /** Samples read, over all measures. */
  samples: number;
}

export interface HostObservation {
  /** The statistic of the host's CPU use, percent of its CPUs. */
  cpu_percent?: number;
  /** The statistic of the host's memory in use, MiB. */
  memory_mb?: number;
  newest_sample?: string;
  samples: number;
  /** No host meter: the use is the sum of the host's servers' use plus an overhead (core/host-usage.ts). */
  derived_from_servers?: boolean;
}

export interface UsageObservations {
  /** By server id; a server the datasource knows nothing about is absent. */
  servers: Record<string, ServerObservation>;
  /** By host name. */
  hosts: Record<string, HostObservation>;
  /** False when the datasource is set not to read host metrics (then hosts are not checked). */
  host_metrics: boolean;
}

export interface Datasource {
  readonly name: string;
  observe(query: UsageQuery): Promise<UsageObservations>;
}

/**
 * A datasource plugin: its name, a JSON schema of its options (validated before `create`), and
 * the factory. `Context` is what the caller hands every plugin (e.g. an OpenStack session).
 */
export interface DatasourcePlugin<Options, Context> {
  readonly name: string;
  readonly description: string;
  readonly optionsSchema: TSchema;
  create(options: Options, context: Context): Datasource;
}
