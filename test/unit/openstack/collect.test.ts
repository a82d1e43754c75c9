// The pure half of collection: statistics over samples, the metrics preflight (refuse or
// use_allocations, stale and missing samples, servers not running), and which servers ulm
// may move.
import { strict as assert } from 'node:assert';
import type { UsageObservations } from '../../../core/datasource.js';
import { resolvePolicy } from '../../../core/policy/schema.js';
import type { Host } from '../../../core/snapshot/format.js';
import type { NovaServer } from '../../../openstack/nova/servers.js';
import { percentile, statisticOf } from '../../../plugins/datasources/statistic.js';
import { createDatasource } from '../../../plugins/datasources/index.js';
import { applyObservations, refusalMessage } from '../../../services/collect/preflight.js';
import { pinnedReason, type ServerDraft } from '../../../services/collect/servers.js';
import { ValidationError } from '../../../core/validation.js';
import { silentLogger } from '../../../openstack/logger.js';
import type { DatasourceContext } from '../../../plugins/datasources/index.js';

const NOW = Date.parse('2026-11-22T20:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

function draft(name: string, options: Partial<ServerDraft> = {}): ServerDraft {
  return { id: `id-${name}`, name, host: 'cmp-01', status: 'ACTIVE', flavor: { name: 'medium', vcpus: 2, memory_mb: 2048, disk_gb: 20 }, server_group: null, migratable: true, ...options };
}

const HOSTS: Host[] = [{ name: 'cmp-01', vcpus: 16, memory_mb: 32768, disk_gb: 1000, enabled: true }];

function observed(servers: UsageObservations['servers'], hosts: UsageObservations['hosts'] = { 'cmp-01': { cpu_percent: 20, newest_sample: minutesAgo(1), samples: 60 } }): UsageObservations {
  return { servers, hosts, host_metrics: true };
}

const fresh = (cpu: number, memory: number) => ({ cpu_cores: cpu, memory_mb: memory, newest_cpu_sample: minutesAgo(1), newest_memory_sample: minutesAgo(1), samples: 120 });

describe('collection', () => {
  describe('statistics over the window', () => {
    it('p95 interpolates between the closest ranks; mean and max as named', () => {
      const samples = Array.from({ length: 21 }, (_, index) => index);
      assert.equal(statisticOf(samples, 'p95'), 19);
      assert.equal(statisticOf(samples, 'p50'), 10);
      assert.equal(statisticOf(samples, 'mean'), 10);
      assert.equal(statisticOf(samples, 'max'), 20);
      assert.equal(percentile([1, 2], 0.5), 1.5);
    });

    it('no samples give no statistic (never zero)', () => {
      assert.equal(statisticOf([], 'p95'), undefined);
      assert.equal(statisticOf([Number.NaN], 'mean'), undefined);
    });
  });

  describe('metrics preflight', () => {
    const metrics = resolvePolicy({ goal: 'consolidate' }).metrics;

    it('fresh metrics become the servers\' usage and nothing is listed', () => {
      const result = applyObservations({ servers: [draft('vm-1')], hosts: HOSTS, observations: observed({ 'id-vm-1': fresh(0.41234, 1500.04) }), metrics, datasource: 'gnocchi', now: NOW });
      assert.equal(result.refused, false);
      assert.deepEqual(result.servers[0].usage, { cpu_cores: 0.412, memory_mb: 1500 });
      assert.equal(result.report.servers_measured, 1);
      assert.deepEqual(result.report.servers_without_fresh_metrics, []);
      assert.deepEqual(result.report.host_cpu_percent, { 'cmp-01': 20 });
    });

    it('refuse (the default): a server without samples or with stale ones refuses, and each is named', () => {
      const observations = observed({ 'id-stale': { ...fresh(1, 1000), newest_memory_sample: minutesAgo(40) } });
      const result = applyObservations({ servers: [draft('vm-none'), draft('stale')], hosts: HOSTS, observations, metrics, datasource: 'gnocchi', now: NOW });
      assert.equal(result.refused, true);
      const listed = result.report.servers_without_fresh_metrics;
      assert.deepEqual(listed.map((server) => [server.name, server.reason]), [
        ['vm-none', 'no samples in the last 60 min'],
        ['stale', 'newest memory sample too old'],
      ]);
      const message = refusalMessage(result.report);
      assert.match(message, /for 2 server\(s\) and 0 host\(s\); ulm does not plan on missing data/);
      assert.match(message, /server vm-none \(id-vm-none\) on cmp-01: no samples in the last 60 min/);
      assert.match(message, /set the policy's metrics\.missing to use_allocations/);
    });

    it('a server with memory but no CPU samples is missing metrics too', () => {
      const result = applyObservations({ servers: [draft('vm-1')], hosts: HOSTS, observations: observed({ 'id-vm-1': { memory_mb: 1000, newest_memory_sample: minutesAgo(1), samples: 60 } }), metrics, datasource: 'gnocchi', now: NOW });
      assert.equal(result.report.servers_without_fresh_metrics[0].reason, 'no CPU samples in the last 60 min');
    });

    it('use_allocations: those servers are planned on their flavor and listed as such', () => {
      const lenient = resolvePolicy({ goal: 'consolidate', metrics: { missing: 'use_allocations' } }).metrics;
      const result = applyObservations({ servers: [draft('vm-1'), draft('vm-2')], hosts: HOSTS, observations: observed({ 'id-vm-2': fresh(0.5, 900) }), metrics: lenient, datasource: 'gnocchi', now: NOW });
      assert.equal(result.refused, false);
      assert.deepEqual(result.servers[0].usage, { cpu_cores: 2, memory_mb: 2048 });
      assert.deepEqual(result.servers[1].usage, { cpu_cores: 0.5, memory_mb: 900 });
      assert.equal(result.report.servers_without_fresh_metrics[0].usage_from, 'allocations');
    });

    it('a host without fresh metrics refuses under refuse and is only listed under use_allocations', () => {
      const observations = observed({ 'id-vm-1': fresh(0.5, 900) }, { 'cmp-01': { cpu_percent: 10, newest_sample: minutesAgo(180), samples: 3 } });
      const refused = applyObservations({ servers: [draft('vm-1')], hosts: HOSTS, observations, metrics, datasource: 'gnocchi', now: NOW });
      assert.equal(refused.refused, true);
      assert.match(refused.report.hosts_without_fresh_metrics[0].reason, /newest sample is 3 h old/);
      const lenient = resolvePolicy({ goal: 'consolidate', metrics: { missing: 'use_allocations' } }).metrics;
      assert.equal(applyObservations({ servers: [draft('vm-1')], hosts: HOSTS, observations, metrics: lenient, datasource: 'gnocchi', now: NOW }).refused, false);
    });

    it('hosts are not checked when the datasource reads no host metrics', () => {
      const result = applyObservations({ servers: [], hosts: HOSTS, observations: { servers: {}, hosts: {}, host_metrics: false }, metrics, datasource: 'gnocchi', now: NOW });
      assert.equal(result.refused, false);
      assert.equal(result.report.host_cpu_percent, undefined);
    });

    it('servers not running are not measured: stopped use nothing, paused keep their memory, others count in full', () => {
      const result = applyObservations({
        servers: [draft('off', { status: 'SHUTOFF' }), draft('paused', { status: 'PAUSED' }), draft('broken', { status: 'ERROR' })],
        hosts: HOSTS, observations: observed({}), metrics, datasource: 'gnocchi', now: NOW,
      });
      assert.equal(result.refused, false);
      assert.deepEqual(result.servers.map((server) => server.usage), [{ cpu_cores: 0, memory_mb: 0 }, { cpu_cores: 0, memory_mb: 2048 }, { cpu_cores: 2, memory_mb: 2048 }]);
      assert.deepEqual(result.report.servers_not_measured.map((server) => server.usage_from), ['none', 'memory allocation', 'allocations']);
      assert.ok(result.servers.every((server) => !('status' in server)), 'status is not a snapshot field');
    });
  });

  describe('which servers may move', () => {
    const server = (options: Partial<NovaServer> = {}): NovaServer => ({
      id: 's', name: 's', status: 'ACTIVE', project_id: 'p', host: 'cmp-01', hypervisor_hostname: 'cmp-01', availability_zone: 'nova', pinned_availability_zone: undefined,
      flavor: null, flavor_id: 'f', tags: [], metadata: {}, task_state: null, vm_state: 'active', power_state: 1, ...options,
    });

    it('an ACTIVE server with no opt-out may move', () => assert.equal(pinnedReason(server()), undefined));
    it('metadata ulm:migratable=false (or no, 0, off) pins it', () => {
      for (const value of ['false', 'False', 'no', '0', 'off']) assert.equal(pinnedReason(server({ metadata: { 'ulm:migratable': value } })), `metadata ulm:migratable=${value}`);
      assert.equal(pinnedReason(server({ metadata: { 'ulm:migratable': 'true' } })), undefined);
    });
    it('a tag ulm:migratable=false pins it', () => assert.equal(pinnedReason(server({ tags: ['ulm:migratable=false'] })), 'tag ulm:migratable=false'));
    it('a server not ACTIVE or PAUSED, or busy with a task, stays', () => {
      assert.equal(pinnedReason(server({ status: 'SHUTOFF' })), 'status SHUTOFF');
      assert.equal(pinnedReason(server({ status: 'PAUSED' })), undefined);
      assert.equal(pinnedReason(server({ task_state: 'migrating' })), 'task migrating in progress');
    });
  });

  describe('datasource registry', () => {
    const context = { session: {}, logger: silentLogger() } as unknown as DatasourceContext;

    it('an unknown datasource names the known ones', () => {
      assert.throws(() => createDatasource('prometheus-typo', {}, context), (error: Error) => error instanceof ValidationError && /"prometheus-typo" is not a datasource; the datasources are: gnocchi/.test(error.message));
    });

    it('options from the command line are converted and checked against the plugin\'s schema', () => {
      assert.equal(createDatasource('gnocchi', { batch_size: '50', host_metrics: 'false' }, context).name, 'gnocchi');
      assert.throws(() => createDatasource('gnocchi', { batch_size: '0' }, context), (error: Error) => error instanceof ValidationError && error.issues[0].path === 'datasource.gnocchi.batch_size');
      assert.throws(() => createDatasource('gnocchi', { cpu_metrik: 'cpu' }, context), (error: Error) => error instanceof ValidationError && /datasource\.gnocchi\.cpu_metrik: is not a known field/.test(error.message));
    });
  });
});
