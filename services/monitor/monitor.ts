// ulm-monitor: collects the cloud every interval (keeping the hosts view fresh) and watches for
// sustained overload — a host hot for K of its last N samples, not a spike. Then it asks for an
// overload relief plan (goal balance), unless one is already waiting or running. The thresholds
// sit above the consolidation limits, so relief and consolidation never undo each other.
// A collection is stored as a snapshot only when the cloud changed, or every
// [monitor] keep_every_minutes: a full snapshot a minute would fill the database.
import { createHash } from 'node:crypto';
import { sustainedOverloads, type HostSamples } from '../../core/overload.js';
import { resolvePolicy, type Policy } from '../../core/policy/schema.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import type { Runtime } from '../runtime.js';

/** Limits the monitor applies when [monitor] policy names none. */
export const DEFAULT_MONITOR_POLICY: Policy = {
  goal: 'balance', max_host_cpu: 0.75, max_host_memory: 0.9, overload: { cpu_threshold: 0.9, memory_threshold: 0.95, samples: 3, window: 5 },
};

/** Samples are short averages, not the hour-long statistic consolidation plans with. */
export const SAMPLE_METRICS = { statistic: 'mean', window_minutes: 5, missing: 'use_allocations' } as const;

/**
 * What a snapshot says of the cloud's layout, as a digest: hosts (state, capacity, inventories),
 * servers (flavor, host, group) and server groups. Usage figures, which change at every
 * collection, and the collection's time and report are left out.
 */
export function layoutDigest(snapshot: Snapshot): string {
  const { collected_at: _collectedAt, generator: _generator, metrics: _metrics, ...layout } = snapshot;
  const byKey = <T>(items: T[], key: (item: T) => string) => [...items].sort((a, b) => key(a).localeCompare(key(b)));
  const servers = byKey(snapshot.servers, (server) => server.id).map(({ usage: _usage, series: _series, ...server }) => server);
  const hosts = byKey(snapshot.hosts, (host) => host.name);
  return createHash('sha256').update(JSON.stringify({ ...layout, hosts, servers })).digest('hex');
}

/** The newest stored snapshot, as the monitor remembers it. */
export interface StoredLayout {
  digest: string;
  collectedAt: number;
}

/** Store when nothing is stored yet, the layout changed, or the newest stored one is keep_every old. */
export function shouldStoreSnapshot(newest: StoredLayout | null, digest: string, now: number, keepEveryMinutes: number): boolean {
  return !newest || newest.digest !== digest || now - newest.collectedAt >= keepEveryMinutes * 60_000;
}

export class OverloadMonitor {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;
  private readonly samples = new Map<string, HostSamples>();
  /** Undefined until read from the database once; then kept up to date by this monitor. */
  private newest: StoredLayout | null | undefined;

  constructor(private readonly runtime: Runtime) {}

  start(): void {
    const interval = this.runtime.config.monitor.interval_seconds * 1000;
    this.timer = setInterval(() => this.checkSoon(), interval);
    this.timer.unref?.();
    this.checkSoon();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private checkSoon(): void {
    if (this.running) return;
    this.running = this.check()
      .then(() => undefined)
      .catch((error) => this.runtime.logger.error({ error: (error as Error).message }, 'monitor collection failed'))
      .finally(() => { this.running = null; });
  }

  private async policy(): Promise<{ name: string | null; document: Policy }> {
    const name = this.runtime.config.monitor.policy;
    if (!name) return { name: null, document: DEFAULT_MONITOR_POLICY };
    const stored = await this.runtime.repositories.policies.findByName(name);
    if (!stored) throw new Error(`[monitor] policy names "${name}", which is not a stored policy; create it or empty the option`);
    return { name, document: stored.document };
  }

  /** One collection and overload check (exposed for tests). */
  async check(): Promise<string[]> {
    const { engine, repositories, logger, config } = this.runtime;
    const policy = await this.policy();
    const collected = await this.collect(policy.document);
    this.record(collected);
    const overloads = sustainedOverloads([...this.samples.values()], resolvePolicy(policy.document));
    if (!overloads.length) return [];
    const pending = await repositories.actionPlans.list({ states: ['RECOMMENDED', 'APPROVED', 'ONGOING', 'CANCELLING'] });
    if (pending.some((plan) => plan.document.meta.goal === 'balance')) return overloads.map((overload) => overload.host);
    logger.warn({ hosts: overloads.map((overload) => `${overload.host} (${overload.resource} above ${overload.threshold} in ${overload.hotSamples} of the last ${overload.window} samples)`) }, 'sustained overload: asking for a relief plan');
    const request = policy.name ? { policy: policy.name } : { document: policy.document };
    await engine.createAudit({ ...request, goal: 'balance', triggered_by: 'monitor', approve: config.monitor.auto_apply, start: config.monitor.auto_apply });
    return overloads.map((overload) => overload.host);
  }

  private async collect(policy: Policy): Promise<Snapshot> {
    const snapshot = await this.runtime.collect({ ...policy, metrics: { ...policy.metrics, ...SAMPLE_METRICS } });
    await this.storeIfChanged(snapshot);
    return snapshot;
  }

  private async storeIfChanged(snapshot: Snapshot): Promise<void> {
    const { repositories, clock, config } = this.runtime;
    if (this.newest === undefined) {
      const latest = await repositories.snapshots.latest();
      this.newest = latest ? { digest: layoutDigest(latest.document), collectedAt: Date.parse(latest.collectedAt) } : null;
    }
    const digest = layoutDigest(snapshot);
    if (!shouldStoreSnapshot(this.newest, digest, clock.now(), config.monitor.keep_every_minutes)) return;
    await repositories.snapshots.create(snapshot);
    this.newest = { digest, collectedAt: clock.now() };
  }

  private record(snapshot: Snapshot): void {
    const cpu = new Map<string, number>();
    const memory = new Map<string, number>();
    for (const server of snapshot.servers) {
      cpu.set(server.host, (cpu.get(server.host) ?? 0) + server.usage.cpu_cores);
      memory.set(server.host, (memory.get(server.host) ?? 0) + server.usage.memory_mb);
    }
    const keep = 60;
    for (const host of snapshot.hosts) {
      const entry = this.samples.get(host.name) ?? { host: host.name, cpu: [], memory: [] };
      entry.cpu.push((cpu.get(host.name) ?? 0) / host.vcpus);
      entry.memory.push((memory.get(host.name) ?? 0) / host.memory_mb);
      if (entry.cpu.length > keep) { entry.cpu.shift(); entry.memory.shift(); }
      this.samples.set(host.name, entry);
    }
  }
}
