// Host use where no host meter exists: derived from the host's servers plus the overhead, named
// by the preflight, and never used where the host has its own samples.
import { strict as assert } from 'node:assert';
import type { ServerObservation, UsageQuery } from '../../../core/datasource.js';
import { hostsWithDerivedUse } from '../../../core/host-usage.js';
import { resolvePolicy } from '../../../core/policy/schema.js';
import type { Host } from '../../../core/snapshot/format.js';
import { applyObservations, refusalMessage } from '../../../services/collect/preflight.js';
import type { ServerDraft } from '../../../services/collect/servers.js';

const NOW = Date.parse('2026-12-06T20:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();
const OVERHEAD = { cpu_cores: 0.5, memory_mb: 1024 };

const query: Pick<UsageQuery, 'servers' | 'hosts' | 'now'> = {
  servers: [
    { id: 'a', host: 'cmp-01', vcpus: 2, memory_mb: 2048 },
    { id: 'b', host: 'cmp-01', vcpus: 4, memory_mb: 4096 },
    { id: 'c', host: 'cmp-02', vcpus: 2, memory_mb: 2048 },
  ],
  hosts: [{ name: 'cmp-01', vcpus: 16 }, { name: 'cmp-02', vcpus: 8 }, { name: 'cmp-03', vcpus: 8 }],
  now: NOW,
};

const fresh = (cpu: number, memory: number, minutes = 1): ServerObservation => ({ cpu_cores: cpu, memory_mb: memory, newest_cpu_sample: minutesAgo(minutes), newest_memory_sample: minutesAgo(minutes), samples: 120 });

describe('host use derived from servers', () => {
  it('is the sum of the servers\' use plus the overhead, as fresh as the stalest server', () => {
    const hosts = hostsWithDerivedUse(query, { a: fresh(1, 1000, 2), b: fresh(2.5, 3000, 7), c: fresh(1, 500) }, {}, OVERHEAD);
    assert.deepEqual(hosts['cmp-01'], { cpu_percent: 25, memory_mb: 5024, newest_sample: minutesAgo(7), samples: 240, derived_from_servers: true });
    assert.equal(hosts['cmp-02'].cpu_percent, 18.75);
  });

  it('a host without servers uses the overhead only, sampled now', () => {
    const hosts = hostsWithDerivedUse(query, {}, {}, OVERHEAD);
    assert.deepEqual(hosts['cmp-03'], { cpu_percent: 6.25, memory_mb: 1024, newest_sample: new Date(NOW).toISOString(), samples: 0, derived_from_servers: true });
  });

  it('host meters are used where present', () => {
    const measured = { 'cmp-01': { cpu_percent: 71, newest_sample: minutesAgo(1), samples: 60 } };
    const hosts = hostsWithDerivedUse(query, { a: fresh(1, 1000), b: fresh(2, 3000), c: fresh(1, 500) }, measured, OVERHEAD);
    assert.deepEqual(hosts['cmp-01'], measured['cmp-01']);
    assert.equal(hosts['cmp-02'].derived_from_servers, true);
  });

  it('a host with a server lacking CPU or memory figures is not derived', () => {
    const hosts = hostsWithDerivedUse(query, { a: fresh(1, 1000), b: { samples: 3, memory_mb: 10, newest_memory_sample: minutesAgo(1) }, c: fresh(1, 500) }, {}, OVERHEAD);
    assert.equal(hosts['cmp-01'], undefined);
    assert.ok(hosts['cmp-02']);
  });

  describe('the metrics preflight', () => {
    const metrics = resolvePolicy({ goal: 'consolidate' }).metrics;
    const HOSTS: Host[] = [{ name: 'cmp-01', vcpus: 16, memory_mb: 32768, disk_gb: 1000, enabled: true }, { name: 'cmp-02', vcpus: 8, memory_mb: 16384, disk_gb: 1000, enabled: true }];
    const draft = (id: string, host: string): ServerDraft => ({ id, name: `vm-${id}`, host, status: 'ACTIVE', flavor: { name: 'medium', vcpus: 2, memory_mb: 2048, disk_gb: 20 }, server_group: null, migratable: true });
    const drafts = [draft('a', 'cmp-01'), draft('c', 'cmp-02')];
    const twoHosts = { servers: query.servers.filter((server) => server.id !== 'b'), hosts: query.hosts.slice(0, 2), now: NOW };

    it('does not refuse when every server has fresh metrics and no host meter exists, and names the derived hosts', () => {
      const servers = { a: fresh(1, 1000), c: fresh(1, 500) };
      const observations = { servers, hosts: hostsWithDerivedUse(twoHosts, servers, {}, OVERHEAD), host_metrics: true };
      const result = applyObservations({ servers: drafts, hosts: HOSTS, observations, metrics, datasource: 'prometheus', now: NOW });
      assert.equal(result.refused, false);
      assert.deepEqual(result.report.hosts_derived_from_servers, ['cmp-01', 'cmp-02']);
      assert.deepEqual(result.report.host_cpu_percent, { 'cmp-01': 9.38, 'cmp-02': 18.75 });
      assert.deepEqual(result.report.host_memory_mb, { 'cmp-01': 2024, 'cmp-02': 1524 });
    });

    it('a refusal names the derived hosts and a derived host made stale by its servers', () => {
      const servers = { a: fresh(1, 1000, 40), c: fresh(1, 500) };
      const observations = { servers, hosts: hostsWithDerivedUse(twoHosts, servers, {}, OVERHEAD), host_metrics: true };
      const result = applyObservations({ servers: drafts, hosts: HOSTS, observations, metrics, datasource: 'prometheus', now: NOW });
      assert.equal(result.refused, true);
      const message = refusalMessage(result.report);
      assert.match(message, /host cmp-01: newest sample \(derived from its servers\) is 40 min old/);
      assert.match(message, /host use derived from their servers' use \(no host metrics\) for 2 host\(s\): cmp-01, cmp-02/);
      assert.match(message, /exporters -> prometheus/);
    });
  });
});
