// `ulm snapshot save` against the real loopback cloud: the seeded hosts with their Placement
// sizes, every project's servers, the server groups, observed usage from Gnocchi, and the
// metrics preflight (refuse / use_allocations) with a server that has no measures.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../../core/snapshot/format.js';
import { readSnapshot } from '../../core/snapshot/read.js';
import type { MetricsReport } from '../../services/collect/preflight.js';
import { cloudEnvironment, openstack, openstackAction, pushFreshMeasures, REPO, requireDevCloud, seededHosts, STATE, ulm } from './dev-cloud.js';

interface OscServer { ID: string; Name: string; Status: string; Host: string; 'Flavor Name': string; 'Availability Zone': string }
interface OscGroup { ID: string; Name: string; Policy: string; Members: string[] }

const NO_METRICS_SERVER = 'ulm-ft-no-metrics';

describe('ulm snapshot save against the dev cloud', function () {
  this.timeout(600_000);
  let directory: string;
  let snapshot: Snapshot;
  let saveOutput: string;

  before(() => {
    requireDevCloud();
    pushFreshMeasures();
    directory = mkdtempSync(join(tmpdir(), 'ulm-functional-'));
    const run = ulm(['snapshot', 'save', '--os-cloud', 'ulm-admin', '-o', join(directory, 'cluster.json')]);
    assert.equal(run.status, 0, `snapshot save failed:\n${run.stderr}`);
    saveOutput = run.stdout;
    snapshot = JSON.parse(readFileSync(join(directory, 'cluster.json'), 'utf8')) as Snapshot;
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('says what it saved', () => {
    assert.match(saveOutput, /^Saved .*cluster\.json: 6 hosts \(\d enabled\), \d+ servers, \d+ server groups; usage p95 over 60 min from gnocchi/);
  });

  it('writes a snapshot that readSnapshot accepts and the scorer bounds', () => {
    assert.equal(readSnapshot(snapshot).format, 'ulm-cluster/1');
    const scorer = spawnSync(process.execPath, [join(REPO, '..', 'shared', 'bench', 'score.mjs'), '--lower-bound', join(directory, 'cluster.json')], { encoding: 'utf8' });
    assert.equal(scorer.status, 0, scorer.stderr || scorer.stdout);
    const bound = JSON.parse(scorer.stdout) as { hosts: number; servers: number; lower_bound_active_hosts: number };
    assert.equal(bound.hosts, snapshot.hosts.length);
    assert.equal(bound.servers, snapshot.servers.length);
    assert.ok(bound.lower_bound_active_hosts >= 3, 'the 3-member anti-affinity group needs 3 hosts');
  });

  it('has every seeded compute host with its size, reserved memory and allocation ratios from Placement', () => {
    const seeded = seededHosts();
    assert.deepEqual(snapshot.hosts.map((host) => host.name), [...seeded.sizes.keys()]);
    for (const host of snapshot.hosts) {
      const size = seeded.sizes.get(host.name)!;
      assert.deepEqual({ vcpus: host.vcpus, memory_mb: host.memory_mb, disk_gb: host.disk_gb }, size, host.name);
      // nova's reserved_host_memory_mb default, which the fake driver reports to Placement
      assert.equal(host.reserved_memory_mb, 512);
      assert.equal(host.vcpu_allocation_ratio, seeded.cpuRatio);
      assert.equal(host.memory_allocation_ratio, seeded.ramRatio);
      assert.equal(host.disk_allocation_ratio, seeded.diskRatio);
      assert.equal(host.state, 'up');
      assert.equal(host.availability_zone, 'nova');
    }
    assert.ok(new Set(snapshot.hosts.map((host) => host.vcpus)).size >= 3, 'hosts of mixed sizes');
  });

  it('has each host\'s maintenance state as python-openstackclient shows the nova-compute service', () => {
    const services = openstack<Array<{ Host: string; Status: string; State: string; 'Disabled Reason': string | null }>>(['compute', 'service', 'list', '--service', 'nova-compute', '--long']);
    for (const host of snapshot.hosts) {
      const service = services.find((candidate) => candidate.Host === host.name)!;
      assert.equal(host.enabled, service.Status === 'enabled', host.name);
      assert.equal(host.disabled_reason ?? null, host.enabled ? null : service['Disabled Reason']);
    }
  });

  it('has every ACTIVE server of every project on the host and with the flavor Nova reports', () => {
    const listed = openstack<OscServer[]>(['server', 'list', '--all-projects', '--long']).filter((server) => server.Host && server.Name !== NO_METRICS_SERVER);
    const byId = new Map(snapshot.servers.map((server) => [server.id, server]));
    for (const server of listed) {
      const saved = byId.get(server.ID);
      assert.ok(saved, `${server.Name} is missing from the snapshot`);
      assert.equal(saved.host, server.Host, server.Name);
      assert.equal(saved.flavor.name, server['Flavor Name'], server.Name);
      assert.equal(saved.availability_zone, server['Availability Zone']);
    }
    const demo = openstack<OscServer[]>(['server', 'list', '--all-projects', '--project', 'ulm-demo']);
    assert.ok(demo.length >= 1 && demo.every((server) => byId.has(server.ID)), 'servers of the second project are in');
    const xlarge = snapshot.servers.find((server) => server.flavor.name === 'xlarge')!;
    assert.deepEqual({ vcpus: xlarge.flavor.vcpus, memory_mb: xlarge.flavor.memory_mb, disk_gb: xlarge.flavor.disk_gb }, { vcpus: 8, memory_mb: 8192, disk_gb: 80 }, 'flavor sizes are the Placement allocation');
  });

  it('has the anti-affinity group with its members, and the soft one', () => {
    const groups = openstack<OscGroup[]>(['server', 'group', 'list', '--all-projects', '--long']);
    const anti = groups.find((group) => group.Name === 'ulm-anti')!;
    const saved = snapshot.server_groups!.find((group) => group.id === anti.ID);
    assert.deepEqual(saved && { name: saved.name, policy: saved.policy }, { name: 'ulm-anti', policy: 'anti-affinity' });
    const members = snapshot.servers.filter((server) => server.server_group === anti.ID).map((server) => server.id).sort();
    assert.deepEqual(members, [...anti.Members].sort());
    assert.equal(new Set(snapshot.servers.filter((server) => server.server_group === anti.ID).map((server) => server.host)).size, members.length, 'members on distinct hosts');
    assert.ok(snapshot.server_groups!.some((group) => group.name === 'ulm-soft-anti' && group.policy === 'soft-anti-affinity'));
  });

  it('marks the server with metadata ulm:migratable=false as not migratable, and only it', () => {
    const pinned = snapshot.servers.filter((server) => !server.migratable && server.name?.startsWith('vm-')).map((server) => server.name);
    assert.deepEqual(pinned, ['vm-12']);
    assert.equal(snapshot.servers.find((server) => server.name === 'vm-12')!.metadata!['ulm:migratable'], 'false');
  });

  it('carries Nova tags', () => {
    assert.deepEqual(snapshot.servers.find((server) => server.name === 'vm-05')!.tags!.sort(), ['backup:daily', 'tier:db']);
  });

  it('reads usage from Gnocchi for every server, from the cpu counter and from cpu_util alike', () => {
    const report = snapshot.metrics as MetricsReport;
    assert.equal(report.datasource, 'gnocchi');
    assert.equal(report.statistic, 'p95');
    assert.equal(report.servers_measured + report.servers_not_measured.length, snapshot.servers.length, 'every running server measured');
    assert.deepEqual(report.servers_without_fresh_metrics, []);
    assert.deepEqual(report.hosts_without_fresh_metrics, []);
    for (const server of snapshot.servers.filter((candidate) => candidate.name?.startsWith('vm-'))) {
      assert.ok(server.usage.cpu_cores > 0 && server.usage.cpu_cores <= server.flavor.vcpus, `${server.name}: ${server.usage.cpu_cores} cores of ${server.flavor.vcpus}`);
      assert.ok(server.usage.memory_mb >= 0.35 * server.flavor.memory_mb && server.usage.memory_mb <= server.flavor.memory_mb, `${server.name}: ${server.usage.memory_mb} MiB`);
    }
    // vm-03 reports cpu_util (pre-Stein Ceilometer), vm-01 the cumulative counter
    assert.ok(snapshot.servers.find((server) => server.name === 'vm-03')!.usage.cpu_cores > 0);
    assert.ok(snapshot.servers.find((server) => server.name === 'vm-01')!.usage.cpu_cores > 0);
    assert.deepEqual(Object.keys(report.host_cpu_percent ?? {}).sort(), snapshot.hosts.map((host) => host.name));
  });

  it('records when it was collected and with which microversions', () => {
    assert.ok(Math.abs(Date.parse(snapshot.collected_at!) - Date.now()) < 600_000);
    const generator = snapshot.generator as Record<string, unknown>;
    assert.equal(generator.nova_microversion, '2.93');
    assert.equal(generator.placement_microversion, '1.28');
    assert.match(String(generator.global_request_id), /^req-[0-9a-f-]{36}$/);
  });

  it('reads the OS_* variables of an openrc when no cloud is named', () => {
    const openrc = Object.fromEntries(readFileSync(`${STATE}/admin-openrc`, 'utf8').split('\n')
      .filter((line) => line.startsWith('export ')).map((line) => line.slice(7).split('=', 2) as [string, string]));
    const env = cloudEnvironment(openrc);
    delete env.OS_CLOUD;
    delete env.OS_CLIENT_CONFIG_FILE;
    const run = ulm(['snapshot', 'save', '-o', join(directory, 'openrc.json')], env);
    assert.equal(run.status, 0, run.stderr);
    assert.equal((JSON.parse(readFileSync(join(directory, 'openrc.json'), 'utf8')) as Snapshot).hosts.length, snapshot.hosts.length);
  });

  it('a wrong password fails with exit 1, says what to check, and shows no secret', () => {
    const run = ulm(['snapshot', 'save', '--os-cloud', 'ulm-admin', '--os-password', 'not-the-password-42', '-o', join(directory, 'never.json')]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Keystone at http:\/\/127\.0\.0\.1:5000\/v3 refused to authenticate user admin .*HTTP 401.*check the user name, password and user domain/);
    assert.doesNotMatch(run.stdout + run.stderr, /not-the-password-42|ulm-secret/);
    assert.equal(existsSync(join(directory, 'never.json')), false);
  });

  it('an unknown cloud name is a usage error (exit 2) that lists the clouds', () => {
    const run = ulm(['snapshot', 'save', '--os-cloud', 'nope', '-o', join(directory, 'never.json')]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--os-cloud: cloud "nope" is not in .*clouds\.yaml; the clouds there are: ulm-admin/);
  });

  describe('a server without measures', () => {
    let serverId: string;

    before(() => {
      // Booted by the test, never given measures: what a server looks like when Ceilometer misses it.
      const existing = openstack<OscServer[]>(['server', 'list', '--all-projects', '--name', `^${NO_METRICS_SERVER}$`]);
      if (existing.length) serverId = existing[0].ID;
      else {
        // `--nic none` needs compute microversion 2.37 (the dev cloud has no networks)
        serverId = openstack<{ id: string }>(['--os-compute-api-version', '2.37', 'server', 'create', '--flavor', 'small', '--image', 'fake-img', '--nic', 'none', '--wait', NO_METRICS_SERVER]).id;
      }
    });
    after(() => { if (serverId) openstackAction(['server', 'delete', '--wait', serverId]); });

    it('refuse (the default): exit 1, the server is named, no snapshot is written', () => {
      const run = ulm(['snapshot', 'save', '--os-cloud', 'ulm-admin', '-o', join(directory, 'refused.json')]);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`metrics are missing or stale .* for 1 server\\(s\\) and 0 host\\(s\\); ulm does not plan on missing data:\\n  server ${NO_METRICS_SERVER} \\(${serverId}\\) on cmp-\\d\\d: no samples in the last 60 min`));
      assert.match(run.stderr, /set the policy's metrics\.missing to use_allocations/);
      assert.equal(existsSync(join(directory, 'refused.json')), false);
    });

    it('use_allocations: the snapshot is written, the server is planned on its flavor and listed', () => {
      const policy = join(directory, 'lenient.yaml');
      writeFileSync(policy, 'goal: consolidate\nmetrics:\n  missing: use_allocations\n  statistic: max\n');
      const run = ulm(['snapshot', 'save', '--os-cloud', 'ulm-admin', '--policy', policy, '-o', join(directory, 'lenient.json')]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, new RegExp(`warning: 1 server\\(s\\) without fresh metrics are planned on their allocations .*: ${NO_METRICS_SERVER}`));
      const saved = JSON.parse(readFileSync(join(directory, 'lenient.json'), 'utf8')) as Snapshot;
      const report = saved.metrics as MetricsReport;
      assert.equal(report.missing, 'use_allocations');
      assert.equal(report.statistic, 'max');
      assert.deepEqual(report.servers_without_fresh_metrics.map((server) => [server.id, server.usage_from]), [[serverId, 'allocations']]);
      assert.deepEqual(saved.servers.find((server) => server.id === serverId)!.usage, { cpu_cores: 1, memory_mb: 1024 });
      assert.deepEqual(saved.policy, { goal: 'consolidate', metrics: { missing: 'use_allocations', statistic: 'max' } });
    });
  });
});
