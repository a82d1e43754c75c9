#!/usr/bin/python3
"""metrics.py - push Gnocchi measures the way Ceilometer stores them, for the last hour.

Per server (resource type `instance`, resource id = server uuid, attributes host, display_name,
flavor_id, flavor_name, image_ref, server_group as Ceilometer sets them):
  cpu           cumulative CPU time in ns (a counter: read it as a rate)
  cpu_util      % of the server's vCPUs, what Ceilometer stored before Stein; pushed *instead of*
                `cpu` for the servers in METRICS_CPU_UTIL (default vm-03,vm-09)
  memory.usage  MiB used by the guest
  memory, vcpus the flavor's size (gauges Ceilometer also keeps)
Per host (resource type `nova_compute`, id `<host>_<host>`, attribute host_name):
  compute.node.cpu.percent   host CPU use, from the servers' use
Archive policy `ulm` (60 s x 1 day, 300 s x 30 days, with rate:mean) made by post_up.py.

Values are a deterministic function of the server name and the time, so running this again
only appends newer points on the same curves (measures older than Gnocchi's newest point are
dropped: the archive policy has back_window 0).

env: METRICS_SERVERS  regexp of server names to push for (default: every ACTIVE server, as Ceilometer)
     METRICS_EXCLUDE  regexp of server names that get no measures (default ^ulm-ft-no-metrics): how
                      ulm's functional tests make "a server without metrics"
     METRICS_MINUTES  how far back (default 60)
     METRICS_CPU_UTIL servers that report cpu_util instead of the cpu counter
"""
import datetime
import hashlib
import math
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oslib import Cloud, wait  # noqa: E402

SERVERS = re.compile(os.environ.get('METRICS_SERVERS', '.'))
EXCLUDE = re.compile(os.environ.get('METRICS_EXCLUDE', '^ulm-ft-no-metrics'))
MINUTES = int(os.environ.get('METRICS_MINUTES', '60'))
CPU_UTIL = [n for n in os.environ.get('METRICS_CPU_UTIL', 'vm-03,vm-09').split(',') if n]
POLICY = 'ulm'
PERIOD = 1800.0  # seconds: the usage curves' period

c = Cloud()
c.issue_token()


def log(msg):
    print('[%s] %s' % (time.strftime('%H:%M:%S'), msg), flush=True)


def unit(name, salt):
    """A stable number in [0, 1) for a server name."""
    return int(hashlib.sha256((salt + name).encode()).hexdigest()[:8], 16) / 0x100000000


def cpu_profile(name, vcpus):
    """cores(t) = base + amplitude * sin(2 pi t / PERIOD): 5-60 % of the vCPUs, +-30 % of that."""
    base = vcpus * (0.05 + 0.55 * unit(name, 'cpu'))
    return base, base * 0.3


def cores_at(name, vcpus, t):
    base, amplitude = cpu_profile(name, vcpus)
    return base + amplitude * math.sin(2 * math.pi * t / PERIOD)


def cpu_ns_at(name, vcpus, t):
    """The cumulative counter: the integral of cores(t) since the epoch, in ns."""
    base, amplitude = cpu_profile(name, vcpus)
    seconds = base * t - amplitude * PERIOD / (2 * math.pi) * (math.cos(2 * math.pi * t / PERIOD) - 1)
    return seconds * 1e9


def memory_at(name, ram, t):
    """40-90 % of the flavor's memory, slowly varying."""
    base = ram * (0.4 + 0.5 * unit(name, 'memory'))
    return min(ram, base * (1 + 0.05 * math.sin(2 * math.pi * t / (PERIOD * 2))))


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S+00:00')


def upsert(resource_type, resource_id, attributes):
    r = c.req('GET', 'metric', '/v1/resource/%s/%s' % (resource_type, resource_id), ok=None)
    if r.status_code == 404:
        c.post('metric', '/v1/resource/' + resource_type, dict(attributes, id=resource_id))
    elif r.status_code == 200:
        current = r.json()
        changed = {k: v for k, v in attributes.items() if current.get(k) != v}
        if changed:  # e.g. the server was live-migrated: Ceilometer updates `host`
            c.req('PATCH', 'metric', '/v1/resource/%s/%s' % (resource_type, resource_id), json=changed)
    else:
        raise RuntimeError('gnocchi: GET resource %s -> %s %s' % (resource_id, r.status_code, r.text[:300]))


now = int(time.time()) // 60 * 60
stamps = [now - 60 * k for k in range(MINUTES, -1, -1)]
servers = [s for s in c.get('compute', '/servers/detail?all_tenants=1', mv='2.64')['servers']
           if s['status'] == 'ACTIVE' and SERVERS.search(s['name']) and not EXCLUDE.search(s['name'])]
groups = {m: g['id'] for g in c.get('compute', '/os-server-groups?all_projects=True', mv='2.64')['server_groups']
          for m in g['members']}
batch = {}
host_cores = {}
for s in servers:
    flavor = s['flavor']
    name, vcpus, ram = s['name'], flavor['vcpus'], flavor['ram']
    host = s['OS-EXT-SRV-ATTR:host']
    upsert('instance', s['id'], {
        'host': host, 'display_name': name, 'flavor_id': flavor['original_name'],
        'flavor_name': flavor['original_name'], 'image_ref': (s.get('image') or {}).get('id', ''),
        'server_group': groups.get(s['id'], '')})
    metrics = {
        'memory.usage': [{'timestamp': iso(t), 'value': round(memory_at(name, ram, t), 1)} for t in stamps],
        'memory': [{'timestamp': iso(t), 'value': ram} for t in stamps],
        'vcpus': [{'timestamp': iso(t), 'value': vcpus} for t in stamps],
    }
    if name in CPU_UTIL:
        metrics['cpu_util'] = [{'timestamp': iso(t), 'value': round(100 * cores_at(name, vcpus, t) / vcpus, 3)}
                               for t in stamps]
    else:
        metrics['cpu'] = [{'timestamp': iso(t), 'value': int(cpu_ns_at(name, vcpus, t))} for t in stamps]
    batch[s['id']] = metrics
    for t in stamps:
        host_cores[(host, t)] = host_cores.get((host, t), 0.0) + cores_at(name, vcpus, t)

hypervisors = c.get('compute', '/os-hypervisors/detail', mv='2.53')['hypervisors']
for hypervisor in hypervisors:
    host = hypervisor['service']['host']
    resource_id = '%s_%s' % (host, hypervisor['hypervisor_hostname'])  # Ceilometer's compute-node id
    upsert('nova_compute', resource_id, {'host_name': host})
    batch[resource_id] = {'compute.node.cpu.percent': [
        {'timestamp': iso(t), 'value': round(min(100.0, 3.0 + 100 * host_cores.get((host, t), 0.0) / hypervisor['vcpus']), 2)}
        for t in stamps]}

body = {rid: {m: {'archive_policy_name': POLICY, 'measures': points} for m, points in ms.items()}
        for rid, ms in batch.items()}
c.req('POST', 'metric', '/v1/batch/resources/metrics/measures?create_metrics=true', json=body)


def processed():
    """metricd has aggregated the newest point of every server (what ulm reads)."""
    search = {'in': {'id': [s['id'] for s in servers]}}
    r = c.req('POST', 'metric', '/v1/aggregates', ok=None, params={'granularity': 60, 'start': iso(now - 120)},
              json={'operations': '(metric (memory.usage mean))', 'resource_type': 'instance', 'search': search})
    if r.status_code != 200:
        return False
    measures = r.json()['measures']
    return all(measures.get(s['id'], {}).get('memory.usage', {}).get('mean', [[None]])[-1][0] == iso(now)
               for s in servers)


if servers:
    wait(processed, 180, 2, 'gnocchi-metricd to aggregate the new measures')
log('gnocchi: measures for the last %d min up to %s for %d servers (%d with cpu_util) and %d hosts' % (
    MINUTES, iso(now), len(servers), len([s for s in servers if s['name'] in CPU_UTIL]), len(hypervisors)))
