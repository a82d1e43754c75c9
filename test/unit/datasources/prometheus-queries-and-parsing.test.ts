// The Prometheus datasource: the PromQL it asks, how it reads Prometheus' answers, and the
// usage it makes of them (statistic over the window, bytes to MiB, hosts by short name).
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UsageQuery } from '../../../core/datasource.js';
import { ValidationError } from '../../../core/validation.js';
import { silentLogger } from '../../../openstack/logger.js';
import { createDatasource, type DatasourceContext } from '../../../plugins/datasources/index.js';
import { PrometheusDatasource, PrometheusQueries } from '../../../plugins/datasources/prometheus/datasource.js';
import { resolvePrometheusOptions } from '../../../plugins/datasources/prometheus/options.js';
import { parseResult, queryPrometheus, type Series } from '../../../plugins/datasources/prometheus/query.js';

const NOW = Date.parse('2026-12-06T20:00:00Z');
const WINDOW = { window_minutes: 60, granularity_seconds: 60 };
const SERVER_A = '0b3c5a36-1111-4c8e-9a53-6f0a2d6c1a01';
const SERVER_B = '0b3c5a36-2222-4c8e-9a53-6f0a2d6c1a02';

describe('Prometheus datasource', () => {
  describe('the PromQL it asks', () => {
    it('joins the libvirt exporter\'s info metric for the server UUID, as a subquery over the window', () => {
      const queries = new PrometheusQueries(resolvePrometheusOptions({}), WINDOW);
      assert.equal(queries.serverCpu([SERVER_A, SERVER_B]),
        `(max by (uuid) (rate(libvirt_domain_info_cpu_time_seconds_total[5m]) * on(instance, domain) group_left(uuid) max by (instance, domain, uuid) (libvirt_domain_info_meta{uuid=~"${SERVER_A}|${SERVER_B}"})))[60m:60s]`);
      assert.equal(queries.serverMemory([SERVER_A]),
        `(max by (uuid) (libvirt_domain_memory_stats_rss_bytes * on(instance, domain) group_left(uuid) max by (instance, domain, uuid) (libvirt_domain_info_meta{uuid=~"${SERVER_A}"})))[60m:60s]`);
    });

    it('reads node_exporter\'s idle CPU time and MemTotal - MemAvailable by node_uname_info\'s nodename', () => {
      const queries = new PrometheusQueries(resolvePrometheusOptions({}), { window_minutes: 30, granularity_seconds: 15 });
      assert.equal(queries.hostCpu(),
        '(100 * (1 - avg by (nodename) (rate(node_cpu_seconds_total{mode="idle"}[5m]) * on(instance) group_left(nodename) max by (instance, nodename) (node_uname_info))))[30m:15s]');
      assert.equal(queries.hostMemory(),
        '(max by (nodename) ((node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes) * on(instance) group_left(nodename) max by (instance, nodename) (node_uname_info)))[30m:15s]');
    });

    it('selects on the usage metrics themselves when no info metric is set, with other names and labels', () => {
      const options = resolvePrometheusOptions({ server_info_metric: '', server_label: 'instance_id', server_cpu_metric: 'libvirt_domain_vcpu_time_seconds_total', host_info_metric: '', host_label: 'hostname', rate_interval: '2m' });
      const queries = new PrometheusQueries(options, WINDOW);
      assert.equal(queries.serverCpu(['a.b']), '(max by (instance_id) (rate(libvirt_domain_vcpu_time_seconds_total{instance_id=~"a\\\\.b"}[2m])))[60m:60s]');
      assert.equal(queries.hostCpu(), '(100 * (1 - avg by (hostname) (rate(node_cpu_seconds_total{mode="idle"}[2m]))))[60m:60s]');
    });

    it('refuses names that are not Prometheus names, naming the option', () => {
      const context = { logger: silentLogger() } as unknown as DatasourceContext;
      assert.throws(() => createDatasource('prometheus', { server_cpu_metric: 'cpu"}) or vector(1' }, context), (error: unknown) => error instanceof ValidationError && /server_cpu_metric/.test(JSON.stringify(error.issues)));
      assert.throws(() => createDatasource('prometheus', { url: 'localhost:9090' }, context), (error: unknown) => error instanceof ValidationError && /url/.test(JSON.stringify(error.issues)));
      assert.equal(createDatasource('prometheus', { url: 'http://127.0.0.1:9090', timeout_seconds: '5', host_metrics: 'false' }, context).name, 'prometheus');
    });
  });

  describe('reading Prometheus\' answers', () => {
    it('a matrix keeps every sample with its time; a vector its one sample', () => {
      assert.deepEqual(parseResult({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { uuid: 'x' }, values: [[1765051200, '0.5'], [1765051260.5, 'NaN']] }] } }),
        [{ labels: { uuid: 'x' }, samples: [{ time: 1765051200000, value: 0.5 }, { time: 1765051260500, value: Number.NaN }] }]);
      assert.deepEqual(parseResult({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1765051200, '2'] }] } }),
        [{ labels: {}, samples: [{ time: 1765051200000, value: 2 }] }]);
      assert.throws(() => parseResult({ status: 'success', data: { resultType: 'scalar' } }), /scalar result/);
    });

    describe('over HTTP', () => {
      let server: Server;
      let url = '';
      let seen: { method?: string; authorization?: string; body: URLSearchParams } | undefined;
      before(async () => {
        server = createServer((request, response) => {
          let body = '';
          request.on('data', (chunk) => { body += chunk; });
          request.on('end', () => {
            seen = { method: request.method, authorization: request.headers.authorization, body: new URLSearchParams(body) };
            const query = seen.body.get('query') ?? '';
            response.setHeader('content-type', 'application/json');
            if (query.startsWith('bad')) {
              response.statusCode = 400;
              response.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 4' }));
            } else {
              response.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { q: query }, value: [1, '1'] }] } }));
            }
          });
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix/`;
      });
      after(() => new Promise<void>((resolve) => server.close(() => resolve())));

      it('posts the query at the instant with basic authentication under the URL\'s path', async () => {
        const series = await queryPrometheus({ url, username: 'admin', password: 'secret', timeout_seconds: 5 }, 'up', NOW);
        assert.equal(series[0].labels.q, 'up');
        assert.equal(seen?.method, 'POST');
        assert.equal(seen?.body.get('time'), String(NOW / 1000) + '.000');
        assert.equal(seen?.authorization, `Basic ${Buffer.from('admin:secret').toString('base64')}`);
      });

      it('an error answer names the server, its error and the query', async () => {
        await assert.rejects(queryPrometheus({ url, username: '', password: '', timeout_seconds: 5 }, 'bad query', NOW),
          /Prometheus at .* refused the query \(400 bad_data\): parse error at char 4\n {2}query: bad query/);
      });

      it('a server that does not answer is named', async () => {
        await assert.rejects(queryPrometheus({ url: 'http://127.0.0.1:1', username: '', password: '', timeout_seconds: 5 }, 'up', NOW), /Prometheus at http:\/\/127\.0\.0\.1:1: /);
      });
    });
  });

  describe('the usage it observes', () => {
    const query: UsageQuery = {
      servers: [{ id: SERVER_A, host: 'cmp-01', vcpus: 2, memory_mb: 2048 }, { id: SERVER_B, host: 'cmp-02', vcpus: 2, memory_mb: 2048 }],
      hosts: [{ name: 'cmp-01', vcpus: 16 }, { name: 'cmp-02', vcpus: 8 }],
      statistic: 'max', ...WINDOW, now: NOW,
    };
    const at = (minutesAgo: number, value: number) => ({ time: NOW - minutesAgo * 60_000, value });
    const answers = (promql: string): Series[] => {
      if (promql.includes('cpu_time')) return [{ labels: { uuid: SERVER_A }, samples: [at(3, 0.25), at(2, 0.75), at(1, Number.NaN)] }, { labels: { uuid: SERVER_B }, samples: [at(1, 1.5)] }];
      if (promql.includes('rss_bytes')) return [{ labels: { uuid: SERVER_A }, samples: [at(2, 512 * 1048576)] }, { labels: { uuid: SERVER_B }, samples: [at(1, 1024 * 1048576)] }];
      if (promql.includes('node_cpu')) return [{ labels: { nodename: 'cmp-01.example.org' }, samples: [at(1, 40), at(2, 60)] }];
      if (promql.includes('MemTotal')) return [{ labels: { nodename: 'cmp-01.example.org' }, samples: [at(1, 8 * 1073741824)] }];
      return [];
    };

    it('takes the statistic over the window, MiB from bytes, the FQDN for the short host name, and derives hosts without node_exporter', async () => {
      const asked: string[] = [];
      const datasource = new PrometheusDatasource(resolvePrometheusOptions({ host_overhead_cpu_cores: 1, host_overhead_memory_mb: 100 }), async (promql, time) => {
        assert.equal(time, NOW);
        asked.push(promql);
        return answers(promql);
      });
      const observed = await datasource.observe(query);
      assert.equal(asked.length, 4);
      assert.deepEqual(observed.servers[SERVER_A], { samples: 4, cpu_cores: 0.75, newest_cpu_sample: new Date(NOW - 60_000).toISOString(), cpu_source: 'rate(libvirt_domain_info_cpu_time_seconds_total)', memory_mb: 512, newest_memory_sample: new Date(NOW - 120_000).toISOString() });
      assert.deepEqual(observed.hosts['cmp-01'], { cpu_percent: 60, memory_mb: 8192, newest_sample: new Date(NOW - 60_000).toISOString(), samples: 3 });
      assert.deepEqual(observed.hosts['cmp-02'], { cpu_percent: 31.25, memory_mb: 1124, newest_sample: new Date(NOW - 60_000).toISOString(), samples: 2, derived_from_servers: true });
    });

    it('host_metrics false asks no host query and checks no host', async () => {
      const asked: string[] = [];
      const datasource = new PrometheusDatasource(resolvePrometheusOptions({ host_metrics: false }), async (promql) => { asked.push(promql); return answers(promql); });
      const observed = await datasource.observe(query);
      assert.equal(asked.length, 2);
      assert.deepEqual(observed.hosts, {});
      assert.equal(observed.host_metrics, false);
    });
  });
});
