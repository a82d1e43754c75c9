// The Prometheus datasource against a real Prometheus server (Debian's package) scraping, every
// second, a loopback exporter that serves the libvirt exporter's and node_exporter's metric names
// for the dev cloud's real servers and hosts: the usage read back is the usage exported, a host
// without node_exporter is derived from its servers, and a whole collection passes the preflight.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UsageQuery } from '../../core/datasource.js';
import { connectCloud } from '../../openstack/cloud.js';
import { silentLogger } from '../../openstack/logger.js';
import { createDatasource } from '../../plugins/datasources/index.js';
import { collectSnapshot } from '../../services/collect/collect.js';
import { devCloudConfig, openstack, serverList, sleep, STATE } from './dev-cloud.js';

const PROMETHEUS = '/usr/bin/prometheus';
const MEBIBYTE = 1024 * 1024;
// Prometheus' rate() divides by its whole range: over the default 5m a series younger than that
// reads low. The test's series are seconds old, so the range is four scrapes.
const RATE_INTERVAL = '4s';

interface ExportedServer { id: string; host: string; domain: string; cores: number; rss_bytes: number }
interface ExportedHost { name: string; cpus: number; busy: number; total_bytes: number; available_bytes: number }

/** What the exporter serves: counters grow at the set rates from the moment it started. */
class LoopbackExporter {
  private readonly started = Date.now();
  private server?: Server;
  constructor(readonly servers: ExportedServer[], readonly hosts: ExportedHost[]) {}

  async listen(): Promise<number> {
    this.server = createServer((request, response) => {
      const [, kind, host] = (request.url ?? '').split('/');
      response.setHeader('content-type', 'text/plain; version=0.0.4');
      response.end(kind === 'libvirt' ? this.libvirt(host) : kind === 'node' ? this.node(host) : '');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** As the libvirt exporter of one compute host: the UUID only on the info metric. */
  private libvirt(host: string): string {
    const lines = ['# TYPE libvirt_domain_info_meta gauge', '# TYPE libvirt_domain_info_cpu_time_seconds_total counter', '# TYPE libvirt_domain_memory_stats_rss_bytes gauge'];
    for (const server of this.servers.filter((candidate) => candidate.host === host)) {
      lines.push(`libvirt_domain_info_meta{domain="${server.domain}",flavor="small",instance_name="${server.domain}",uuid="${server.id}"} 1`);
      lines.push(`libvirt_domain_info_cpu_time_seconds_total{domain="${server.domain}"} ${(server.cores * this.seconds()).toFixed(6)}`);
      lines.push(`libvirt_domain_memory_stats_rss_bytes{domain="${server.domain}"} ${server.rss_bytes}`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** As node_exporter on one compute host. */
  private node(name: string): string {
    const host = this.hosts.find((candidate) => candidate.name === name);
    if (!host) return '';
    const lines = ['# TYPE node_uname_info gauge', `node_uname_info{machine="x86_64",nodename="${host.name}.example.org",release="6.1.0",sysname="Linux"} 1`, '# TYPE node_cpu_seconds_total counter'];
    for (let cpu = 0; cpu < host.cpus; cpu++) {
      lines.push(`node_cpu_seconds_total{cpu="${cpu}",mode="idle"} ${((1 - host.busy) * this.seconds()).toFixed(6)}`);
      lines.push(`node_cpu_seconds_total{cpu="${cpu}",mode="user"} ${(host.busy * this.seconds()).toFixed(6)}`);
    }
    lines.push('# TYPE node_memory_MemTotal_bytes gauge', `node_memory_MemTotal_bytes ${host.total_bytes}`);
    lines.push('# TYPE node_memory_MemAvailable_bytes gauge', `node_memory_MemAvailable_bytes ${host.available_bytes}`);
    return `${lines.join('\n')}\n`;
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** One target per compute host and exporter, named as the real ones are (host:port), all served by the loopback exporter. */
function prometheusConfig(exporterPort: number, computeHosts: string[], nodeHosts: string[]): string {
  const target = (job: string, host: string, port: number) => `      - targets: ['127.0.0.1:${exporterPort}']\n        labels: {instance: '${host}:${port}', __metrics_path__: '/${job}/${host}'}`;
  return [
    'global:', '  scrape_interval: 1s', '  scrape_timeout: 1s',
    'scrape_configs:',
    '  - job_name: libvirt', '    static_configs:', ...computeHosts.map((host) => target('libvirt', host, 9177)),
    '  - job_name: node', '    static_configs:', ...nodeHosts.map((host) => target('node', host, 9100)),
    '',
  ].join('\n');
}

describe('Prometheus datasource against a real Prometheus server', function () {
  this.timeout(300_000);
  let exporter: LoopbackExporter;
  let prometheus: ChildProcess | undefined;
  let directory = '';
  let url = '';
  let prometheusLog = '';
  let derivedHost = '';

  before(async function () {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install -y --no-install-recommends prometheus (scripts/functional does)`);
    if (!existsSync(`${STATE}/clouds.yaml`)) throw new Error(`the dev cloud is not up (no ${STATE}/clouds.yaml): run bash scripts/functional`);
    const listed = serverList();
    const computeHosts = openstack<Array<{ Host: string }>>(['compute', 'service', 'list', '--service', 'nova-compute']).map((service) => service.Host).sort();
    const servers = listed.filter((server) => server.Host).map((server, index): ExportedServer => ({
      id: server.ID, host: server.Host!, domain: `instance-${(index + 1).toString(16).padStart(8, '0')}`,
      // Distinct figures per server, so that a mix-up shows.
      cores: Number((0.1 + 0.05 * index).toFixed(2)), rss_bytes: (256 + 64 * index) * MEBIBYTE,
    }));
    // The last host has no node_exporter: its use must come from its servers.
    derivedHost = computeHosts[computeHosts.length - 1];
    const nodeHosts = computeHosts.slice(0, -1);
    const hosts = nodeHosts.map((name, index): ExportedHost => ({ name, cpus: 4, busy: 0.1 + 0.1 * index, total_bytes: 32 * 1024 * MEBIBYTE, available_bytes: (20 + index) * 1024 * MEBIBYTE }));
    exporter = new LoopbackExporter(servers, hosts);
    const exporterPort = await exporter.listen();
    directory = mkdtempSync(join(tmpdir(), 'ulm-prometheus-'));
    writeFileSync(join(directory, 'prometheus.yml'), prometheusConfig(exporterPort, computeHosts, nodeHosts));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [`--config.file=${join(directory, 'prometheus.yml')}`, `--storage.tsdb.path=${join(directory, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stderr!.on('data', (chunk: Buffer) => { prometheusLog = (prometheusLog + chunk.toString()).slice(-4000); });
    // Ready once every target has been scraped a dozen times: enough rates over RATE_INTERVAL for a median.
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited ${prometheus.exitCode}: ${prometheusLog}`);
      const answer = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count(count_over_time(up[1m]) >= 12)')}`).then((response) => response.json() as Promise<{ data?: { result?: Array<{ value: [number, string] }> } }>).catch(() => undefined);
      if (Number(answer?.data?.result?.[0]?.value[1]) === computeHosts.length + nodeHosts.length) break;
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape the exporter within 60 s: ${prometheusLog}`);
      await sleep(500);
    }
  });

  after(async () => {
    if (prometheus?.pid && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      process.kill(prometheus.pid, 'SIGTERM');
      await exited;
    }
    await exporter?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('reads each server\'s and host\'s use as exported, and derives the host without node_exporter from its servers', async () => {
    const datasource = createDatasource('prometheus', { url, rate_interval: RATE_INTERVAL, timeout_seconds: '10', host_overhead_cpu_cores: '0.5', host_overhead_memory_mb: '1024' }, { session: undefined as never, logger: silentLogger() });
    const query: UsageQuery = {
      servers: exporter.servers.map((server) => ({ id: server.id, host: server.host, vcpus: 2, memory_mb: 2048 })),
      hosts: [...new Set([...exporter.hosts.map((host) => host.name), derivedHost])].map((name) => ({ name, vcpus: 8 })),
      statistic: 'p50', window_minutes: 5, granularity_seconds: 1, now: Date.now(),
    };
    const observed = await datasource.observe(query);
    for (const server of exporter.servers) {
      const seen = observed.servers[server.id];
      assert.ok(seen, `server ${server.id} was not observed`);
      assert.ok(Math.abs(seen.cpu_cores! - server.cores) < 0.02 * server.cores + 0.002, `server ${server.id}: ${seen.cpu_cores} cores read, ${server.cores} exported`);
      assert.equal(seen.memory_mb, server.rss_bytes / MEBIBYTE);
      assert.ok(Date.parse(seen.newest_cpu_sample!) > Date.now() - 10_000);
    }
    for (const host of exporter.hosts) {
      const seen = observed.hosts[host.name];
      assert.ok(seen && !seen.derived_from_servers, `host ${host.name} was not measured`);
      assert.ok(Math.abs(seen.cpu_percent! - host.busy * 100) < 1, `host ${host.name}: ${seen.cpu_percent}% read, ${host.busy * 100}% exported`);
      assert.equal(seen.memory_mb, (host.total_bytes - host.available_bytes) / MEBIBYTE);
    }
    const onDerived = exporter.servers.filter((server) => server.host === derivedHost);
    const derived = observed.hosts[derivedHost];
    assert.equal(derived?.derived_from_servers, true);
    assert.equal(derived.memory_mb, 1024 + onDerived.reduce((sum, server) => sum + server.rss_bytes / MEBIBYTE, 0));
    const cores = 0.5 + onDerived.reduce((sum, server) => sum + server.cores, 0);
    assert.ok(Math.abs(derived.cpu_percent! - (100 * cores) / 8) < 0.5, `host ${derivedHost}: ${derived.cpu_percent}% derived, ${(100 * cores) / 8}% expected`);
  });

  it('a collection of the dev cloud with datasource prometheus passes the metrics preflight and names the derived host', async () => {
    const cloud = await connectCloud(devCloudConfig(), { logger: silentLogger() });
    const datasource = createDatasource('prometheus', { url, rate_interval: RATE_INTERVAL }, { session: cloud.session, logger: silentLogger() });
    const policy = { goal: 'consolidate' as const, metrics: { statistic: 'p95' as const, window_minutes: 5, granularity_seconds: 1 } };
    const { snapshot, report } = await collectSnapshot({ cloud, datasource, policy, now: Date.now(), logger: silentLogger() });
    assert.equal(report.datasource, 'prometheus');
    assert.deepEqual(report.servers_without_fresh_metrics, []);
    assert.deepEqual(report.hosts_without_fresh_metrics, []);
    assert.deepEqual(report.hosts_derived_from_servers, [derivedHost]);
    for (const server of snapshot.servers.filter((candidate) => report.servers_not_measured.every((idle) => idle.id !== candidate.id))) {
      const exported = exporter.servers.find((candidate) => candidate.id === server.id)!;
      assert.equal(server.usage?.memory_mb, exported.rss_bytes / MEBIBYTE);
    }
  });
});
