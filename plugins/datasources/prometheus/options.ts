// The Prometheus datasource's options: where Prometheus is, and the metric and label names of
// the exporters that kolla-ansible and OpenStack-Helm run (libvirt exporter, node_exporter).
import { Type, type Static } from '@sinclair/typebox';
import type { HostOverhead } from '../../../core/host-usage.js';
import { hostOverheadOf, HostOverheadOptions } from '../host-overhead.js';

// Prometheus' own grammar: a name here is pasted into PromQL, so nothing else may pass.
const METRIC_NAME = '^[a-zA-Z_:][a-zA-Z0-9_:]*$';
const LABEL_NAME = '^[a-zA-Z_][a-zA-Z0-9_]*$';
const LABEL_LIST = '^[a-zA-Z_][a-zA-Z0-9_]*(,[a-zA-Z_][a-zA-Z0-9_]*)*$';

const metric = (fallback: string, description: string) => Type.Optional(Type.String({ pattern: METRIC_NAME, default: fallback, description: `${description} (default "${fallback}")` }));
const label = (fallback: string, description: string) => Type.Optional(Type.String({ pattern: LABEL_NAME, default: fallback, description: `${description} (default "${fallback}")` }));
const labels = (fallback: string, description: string) => Type.Optional(Type.String({ pattern: LABEL_LIST, default: fallback, description: `${description} (default "${fallback}")` }));
// An info metric may be left empty: the label is then on the usage metrics themselves.
const infoMetric = (fallback: string, description: string) => Type.Optional(Type.String({ pattern: `^$|${METRIC_NAME}`, default: fallback, description: `${description} (default "${fallback}"; empty: the label is on the usage metrics themselves)` }));

export const PrometheusOptionsSchema = Type.Object({
  url: Type.Optional(Type.String({ pattern: '^https?://', default: 'http://localhost:9090', description: 'base URL of the Prometheus server, with its path prefix if any, e.g. http://192.0.2.10:9091 (default "http://localhost:9090")' })),
  username: Type.Optional(Type.String({ default: '', description: 'user for HTTP basic authentication (kolla-ansible enables it on Prometheus); empty: none' })),
  password: Type.Optional(Type.String({ default: '', description: 'password for HTTP basic authentication', secret: true })),
  timeout_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 30, description: 'time-out of each query, in seconds, also passed to Prometheus (default 30)' })),
  rate_interval: Type.Optional(Type.String({ pattern: '^[0-9]+(ms|s|m|h)$', default: '5m', description: 'range of rate() over the CPU counters; at least four scrape intervals (default "5m")' })),
  batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: 'servers per query (default 200)' })),
  server_cpu_metric: metric('libvirt_domain_info_cpu_time_seconds_total', 'CPU time of each server\'s domain, a counter in seconds, read as a rate (= cores)'),
  server_memory_metric: metric('libvirt_domain_memory_stats_rss_bytes', 'memory of each server\'s domain in bytes: the QEMU process\'s resident set, what the host gives it'),
  server_label: label('uuid', 'label holding the Nova server UUID'),
  server_info_metric: infoMetric('libvirt_domain_info_meta', 'info metric (value 1) that carries the server label, joined to the usage metrics'),
  server_join_labels: labels('instance,domain', 'labels the server info metric shares with the usage metrics, comma-separated'),
  host_metrics: Type.Optional(Type.Boolean({ default: true, description: 'read and check host metrics (default true): a host without node_exporter samples gets the sum of its servers\' use plus the overhead; false reads and checks no host metric at all' })),
  host_cpu_metric: metric('node_cpu_seconds_total', 'CPU time of each host CPU by mode, a counter in seconds; use is 1 - the idle rate'),
  host_cpu_idle_mode: Type.Optional(Type.String({ pattern: LABEL_NAME, default: 'idle', description: 'value of the "mode" label of idle time (default "idle")' })),
  host_memory_total_metric: metric('node_memory_MemTotal_bytes', 'memory of each host in bytes'),
  host_memory_available_metric: metric('node_memory_MemAvailable_bytes', 'memory available on each host in bytes; in use is total - available'),
  host_label: label('nodename', 'label holding the host name as Nova knows it (the nova-compute service host; an FQDN matches its short name too)'),
  host_info_metric: infoMetric('node_uname_info', 'info metric (value 1) that carries the host label, joined to the host metrics'),
  host_join_labels: labels('instance', 'labels the host info metric shares with the host metrics, comma-separated'),
  ...HostOverheadOptions,
}, { additionalProperties: false });

export type PrometheusOptions = Static<typeof PrometheusOptionsSchema>;

type Overhead = 'host_overhead_cpu_cores' | 'host_overhead_memory_mb';
export type ResolvedPrometheusOptions = Required<Omit<PrometheusOptions, Overhead>> & { host_overhead: HostOverhead };

/** The options with every default filled in, from the schema itself (one place for each default). */
export function resolvePrometheusOptions(options: PrometheusOptions): ResolvedPrometheusOptions {
  const resolved: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(PrometheusOptionsSchema.properties)) {
    if (name === 'host_overhead_cpu_cores' || name === 'host_overhead_memory_mb') continue;
    resolved[name] = (options as Record<string, unknown>)[name] ?? (property as { default: unknown }).default;
  }
  return { ...(resolved as Required<Omit<PrometheusOptions, Overhead>>), host_overhead: hostOverheadOf(options) };
}
