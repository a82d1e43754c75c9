// Collect: turns the cloud into one `ulm-cluster/1` snapshot from Nova, Placement and a usage
// datasource, with the metrics preflight, and checks it as every reader of snapshots will.
import type { Datasource } from '../../core/datasource.js';
import { resolvePolicy, type Policy } from '../../core/policy/schema.js';
import { SNAPSHOT_FORMAT, type Snapshot } from '../../core/snapshot/format.js';
import { readSnapshot } from '../../core/snapshot/read.js';
import type { Cloud } from '../../openstack/cloud.js';
import type { Logger } from '../../openstack/logger.js';
import { buildHosts } from './hosts.js';
import { applyObservations, derivedHostsLine, refusalMessage, type MetricsReport } from './preflight.js';
import { readCloud } from './read-cloud.js';
import { buildServers } from './servers.js';

/** The policy's metrics.missing is "refuse" and some server or host has no fresh metrics. */
export class MissingMetricsError extends Error {
  readonly report: MetricsReport;
  constructor(report: MetricsReport) {
    super(refusalMessage(report));
    this.name = 'MissingMetricsError';
    this.report = report;
  }
}

export interface CollectOptions {
  cloud: Cloud;
  datasource: Datasource;
  /** Embedded in the snapshot; its `metrics` section says how usage is read. */
  policy: Policy;
  /** Epoch milliseconds: the clock is the caller's. */
  now: number;
  logger: Logger;
  name?: string;
  generator?: Record<string, unknown>;
  concurrency?: number;
}

export interface CollectResult {
  snapshot: Snapshot;
  report: MetricsReport;
  /** Compute hosts, servers and groups left out, and why. */
  notes: string[];
}

export async function collectSnapshot(options: CollectOptions): Promise<CollectResult> {
  const { cloud, datasource, logger, now } = options;
  const resolved = resolvePolicy(options.policy);
  const started = Date.now();
  const inventory = await readCloud(cloud, {
    concurrency: options.concurrency,
    migrationsSince: new Date(now - resolved.cooldownMinutes * 60_000).toISOString(),
  });
  const { hosts, skipped: hostNotes } = buildHosts(inventory);
  const { servers: drafts, serverGroups, skipped: serverNotes, flavorFromNova } = buildServers(inventory, new Set(hosts.map((host) => host.name)));
  logger.debug({ hosts: hosts.length, servers: drafts.length, server_groups: serverGroups.length, duration_ms: Date.now() - started }, 'read Nova and Placement');
  const measuredServers = drafts.filter((server) => server.status === 'ACTIVE');
  const observations = await datasource.observe({
    servers: measuredServers.map((server) => ({ id: server.id, name: server.name, host: server.host, vcpus: server.flavor.vcpus, memory_mb: server.flavor.memory_mb })),
    hosts: hosts.map((host) => ({ name: host.name, vcpus: host.vcpus })),
    statistic: resolved.metrics.statistic,
    window_minutes: resolved.metrics.window_minutes,
    granularity_seconds: resolved.metrics.granularity_seconds,
    now,
  });
  const { servers, report, refused } = applyObservations({ servers: drafts, hosts, observations, metrics: resolved.metrics, datasource: datasource.name, now });
  logger.debug({ servers_measured: report.servers_measured, servers_without_fresh_metrics: report.servers_without_fresh_metrics.length, hosts_without_fresh_metrics: report.hosts_without_fresh_metrics.length }, 'metrics preflight');
  if (refused) throw new MissingMetricsError(report);
  if (report.hosts_derived_from_servers?.length) logger.info({ hosts: report.hosts_derived_from_servers }, derivedHostsLine(report.hosts_derived_from_servers));
  const notes = [...hostNotes, ...serverNotes, ...flavorFromNova.map((id) => `server ${id}: no Placement allocation found, flavor taken from Nova`)];
  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT,
    name: options.name ?? null,
    collected_at: new Date(now).toISOString(),
    generator: { ...options.generator, notes },
    policy: options.policy,
    hosts,
    server_groups: serverGroups,
    servers,
    metrics: report,
  };
  // What readers will check: a snapshot ulm writes is one ulm (and the scorer) can read.
  return { snapshot: readSnapshot(snapshot), report, notes };
}
