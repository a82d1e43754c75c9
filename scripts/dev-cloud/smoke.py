#!/usr/bin/python3
"""smoke.py - prove ulm's dev cloud does what ulm needs (adapted from the shared loopback-cloud checks).

Each step prints 'OK <step> ...' or 'FAIL <step> ...'; exit status = number of FAILs.
Needs seed to have run (servers vm-*).  SMOKE_EXTRA=0 skips the negative checks
(anti-affinity / capacity enforcement).
"""
import datetime
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oslib import Cloud, wait  # noqa: E402

EXTRA = os.environ.get('SMOKE_EXTRA', '1') != '0'
c = Cloud()
fails = 0
results = []


def step(name):
    def deco(fn):
        global fails
        t0 = time.time()
        try:
            detail = fn() or ''
            line = 'OK   %-28s %s (%.1fs)' % (name, detail, time.time() - t0)
        except Exception as e:  # noqa
            fails += 1
            line = 'FAIL %-28s %s: %s' % (name, type(e).__name__, str(e)[:400])
            if os.environ.get('SMOKE_DEBUG'):
                traceback.print_exc()
        print(line, flush=True)
        results.append(line)
        return fn
    return deco


ctx = {}


@step('token-issue')
def _():
    tok = c.issue_token()
    ctx['project_id'] = tok['project']['id']
    return 'user=%s project=%s expires=%s catalog=%s' % (
        tok['user']['name'], tok['project']['name'], tok['expires_at'], ','.join(sorted(c.catalog)))


@step('hypervisors-with-stats')
def _():
    hv = c.get('compute', '/os-hypervisors/detail', mv='2.53')['hypervisors']
    assert hv, 'no hypervisors'
    for h in sorted(hv, key=lambda h: h['hypervisor_hostname']):
        print('     %-7s %-5s vcpus %2d/%-3d ram %5d/%-5d MiB disk %3d/%-5d GiB vms %d' % (
            h['hypervisor_hostname'], h['state'], h['vcpus_used'], h['vcpus'], h['memory_mb_used'],
            h['memory_mb'], h['local_gb_used'], h['local_gb'], h['running_vms']))
    ctx['hosts'] = {h['hypervisor_hostname']: h for h in hv}
    return '%d hypervisors (stats fields need microversion < 2.88)' % len(hv)


@step('servers-with-host')
def _():
    srv = c.get('compute', '/servers/detail?all_tenants=1', mv='2.53')['servers']
    assert srv, 'no servers (run seed)'
    for s in sorted(srv, key=lambda s: s['name']):
        print('     %-6s %-7s %-7s %s' % (s['name'], s['status'], s['OS-EXT-SRV-ATTR:host'], s['id']))
    assert all('OS-EXT-SRV-ATTR:host' in s for s in srv)
    ctx['servers'] = srv
    return '%d servers' % len(srv)


def pick_migration():
    groups = c.get('compute', '/os-server-groups?all_projects=True', mv='2.64')['server_groups']
    in_group = {m for g in groups for m in g['members']}
    flavors = {f['name']: f for f in c.get('compute', '/flavors/detail', mv='2.61')['flavors']}
    srv = [s for s in ctx['servers'] if s['status'] == 'ACTIVE' and s['id'] not in in_group]
    srv.sort(key=lambda s: flavors[s['flavor']['original_name']]['ram'])
    s = srv[0]
    ram = flavors[s['flavor']['original_name']]['ram']
    hv = c.get('compute', '/os-hypervisors/detail', mv='2.53')['hypervisors']
    cands = [h for h in hv if h['hypervisor_hostname'] != s['OS-EXT-SRV-ATTR:host']
             and h['status'] == 'enabled' and h['state'] == 'up' and h['free_ram_mb'] >= ram]
    cands.sort(key=lambda h: -h['free_ram_mb'])
    return s, cands[0]['hypervisor_hostname'], groups


@step('live-migrate-to-host')
def _():
    s, dest, groups = pick_migration()
    ctx['groups'] = groups
    src = s['OS-EXT-SRV-ATTR:host']
    t0 = time.time()
    r = c.req('POST', 'compute', '/servers/%s/action' % s['id'], mv='2.30',
              json={'os-migrateLive': {'host': dest, 'block_migration': 'auto'}})
    assert r.status_code == 202, r.status_code

    def moved():
        cur = c.get('compute', '/servers/' + s['id'], mv='2.53')['server']
        return cur['OS-EXT-SRV-ATTR:host'] == dest and cur['status'] == 'ACTIVE' and cur

    wait(moved, 120, 0.5, 'server on %s' % dest)
    t_host = time.time() - t0

    def migration_done():
        ms = c.get('compute', '/os-migrations?instance_uuid=%s&migration_type=live-migration' % s['id'],
                   mv='2.80')['migrations']
        ms.sort(key=lambda m: m['created_at'])
        return ms and ms[-1]['status'] == 'completed' and ms[-1]

    m = wait(migration_done, 120, 0.5, 'migration completed')
    t_done = time.time() - t0
    inprog = c.get('compute', '/servers/%s/migrations' % s['id'], mv='2.80')['migrations']
    assert m['source_compute'] == src and m['dest_compute'] == dest, m
    ctx['migrated'] = (s, src, dest)
    return '%s %s -> %s; host changed after %.1fs, migration %s status=%s after %.1fs; in-progress list now %d' % (
        s['name'], src, dest, t_host, m['uuid'], m['status'], t_done, len(inprog))


@step('placement-after-migration')
def _():
    s, src, dest = ctx['migrated']
    rps = {r['name']: r['uuid'] for r in c.get('placement', '/resource_providers', mv='1.14')['resource_providers']}
    alloc = c.get('placement', '/allocations/' + s['id'], mv='1.28')['allocations']
    assert list(alloc) == [rps[dest]], 'allocation on %s, expected %s' % (list(alloc), dest)
    return 'consumer %s allocated on %s only: %s' % (s['name'], dest, alloc[rps[dest]]['resources'])


@step('live-migrate-back')
def _():
    s, src, dest = ctx['migrated']
    c.req('POST', 'compute', '/servers/%s/action' % s['id'], mv='2.30',
          json={'os-migrateLive': {'host': src, 'block_migration': 'auto'}})
    wait(lambda: c.get('compute', '/servers/' + s['id'], mv='2.53')['server']['OS-EXT-SRV-ATTR:host'] == src,
         120, 0.5, 'server back on %s' % src)
    return '%s back on %s (the seeded layout is kept)' % (s['name'], src)


@step('service-disable-enable')
def _():
    svcs = c.get('compute', '/os-services?binary=nova-compute', mv='2.53')['services']
    svc = sorted(svcs, key=lambda x: x['host'])[-1]
    r = c.req('PUT', 'compute', '/os-services/' + svc['id'], mv='2.53',
              json={'status': 'disabled', 'disabled_reason': 'ulm smoke maintenance'}).json()['service']
    assert r['status'] == 'disabled' and r['disabled_reason'] == 'ulm smoke maintenance', r
    hv = [h for h in c.get('compute', '/os-hypervisors/detail', mv='2.53')['hypervisors']
          if h['service']['host'] == svc['host']][0]
    assert hv['status'] == 'disabled', hv['status']
    # placement sees the COMPUTE_STATUS_DISABLED trait (set via the compute, async)
    rp = [x for x in c.get('placement', '/resource_providers?name=' + svc['host'], mv='1.14')['resource_providers']][0]
    wait(lambda: 'COMPUTE_STATUS_DISABLED' in c.get('placement', '/resource_providers/%s/traits' % rp['uuid'],
                                                    mv='1.14')['traits'], 30, 0.5, 'disabled trait')
    r2 = c.req('PUT', 'compute', '/os-services/' + svc['id'], mv='2.53',
               json={'status': 'enabled'}).json()['service']
    assert r2['status'] == 'enabled' and r2['disabled_reason'] is None, r2
    wait(lambda: 'COMPUTE_STATUS_DISABLED' not in c.get('placement', '/resource_providers/%s/traits' % rp['uuid'],
                                                        mv='1.14')['traits'], 30, 0.5, 'trait removed')
    return '%s (%s) disabled with reason, COMPUTE_STATUS_DISABLED trait seen, re-enabled' % (svc['host'], svc['id'])


@step('placement-inventory-usage')
def _():
    rps = c.get('placement', '/resource_providers', mv='1.14')['resource_providers']
    srv = c.get('compute', '/servers/detail?all_tenants=1', mv='2.53')['servers']
    flavors = {f['name']: f for f in c.get('compute', '/flavors/detail', mv='2.61')['flavors']}
    for rp in sorted(rps, key=lambda r: r['name']):
        inv = c.get('placement', '/resource_providers/%s/inventories' % rp['uuid'], mv='1.14')['inventories']
        use = c.get('placement', '/resource_providers/%s/usages' % rp['uuid'], mv='1.14')['usages']
        mine = [s for s in srv if s['OS-EXT-SRV-ATTR:host'] == rp['name']]
        exp_ram = sum(flavors[s['flavor']['original_name']]['ram'] for s in mine)
        exp_cpu = sum(flavors[s['flavor']['original_name']]['vcpus'] for s in mine)
        assert use['MEMORY_MB'] == exp_ram and use['VCPU'] == exp_cpu, (rp['name'], use, exp_ram, exp_cpu)
        print('     %-7s VCPU %2d/%-3d (total %d x%.1f)  MEMORY_MB %5d/%-5d (total %d - reserved %d, x%.1f)  DISK_GB %d/%d' % (
            rp['name'], use['VCPU'], inv['VCPU']['total'] * inv['VCPU']['allocation_ratio'],
            inv['VCPU']['total'], inv['VCPU']['allocation_ratio'],
            use['MEMORY_MB'], (inv['MEMORY_MB']['total'] - inv['MEMORY_MB']['reserved']) * inv['MEMORY_MB']['allocation_ratio'],
            inv['MEMORY_MB']['total'], inv['MEMORY_MB']['reserved'], inv['MEMORY_MB']['allocation_ratio'],
            use['DISK_GB'], inv['DISK_GB']['total'] * inv['DISK_GB']['allocation_ratio']))
    return '%d resource providers; usages match the servers per host' % len(rps)


@step('gnocchi-ceilometer-measures')
def _():
    """read-only: the measures seed/metrics pushed, as ulm's Gnocchi datasource reads them"""
    seeded = [x for x in ctx['servers'] if x['name'].startswith('vm-') and x['status'] == 'ACTIVE']
    assert seeded, 'no seeded servers (run seed)'
    start = (datetime.datetime.utcnow() - datetime.timedelta(minutes=30)).strftime('%Y-%m-%dT%H:%M:%SZ')
    r = c.req('POST', 'metric', '/v1/aggregates', params={'granularity': 60, 'start': start},
              headers={'Accept': 'application/json'}, json={
                  'resource_type': 'instance', 'search': {'in': {'id': [x['id'] for x in seeded]}},
                  'operations': '(metric (cpu rate:mean) (cpu_util mean) (memory.usage mean))'})
    measures = r.json()['measures']
    missing = [x['name'] for x in seeded if x['id'] not in measures]
    assert not missing, 'no measures for %s (run metrics)' % missing
    counters = sum(1 for m in measures.values() if 'cpu' in m)
    utils = sum(1 for m in measures.values() if 'cpu_util' in m)
    newest = max(p[0] for m in measures.values() for p in m['memory.usage']['mean'])
    return '%d servers: %d with the cpu counter, %d with cpu_util; newest memory.usage %s' % (
        len(measures), counters, utils, newest)


if EXTRA:
    def anti_affinity(mv):
        groups = c.get('compute', '/os-server-groups?all_projects=True', mv='2.64')['server_groups']
        g = [g for g in groups if g['policy'] == 'anti-affinity' and len(g['members']) >= 2]
        if not g:
            return 'skipped: no anti-affinity group with 2 members'
        a, b = g[0]['members'][:2]
        sa = c.get('compute', '/servers/' + a, mv='2.53')['server']
        sb = c.get('compute', '/servers/' + b, mv='2.53')['server']
        src, target = sa['OS-EXT-SRV-ATTR:host'], sb['OS-EXT-SRV-ATTR:host']
        before = {m['uuid'] for m in c.get('compute', '/os-migrations?instance_uuid=%s' % a, mv='2.80')['migrations']}
        r = c.req('POST', 'compute', '/servers/%s/action' % a, mv=mv, ok=None,
                  json={'os-migrateLive': {'host': target, 'block_migration': 'auto'}})
        if r.status_code != 202:
            cur = c.get('compute', '/servers/' + a, mv='2.53')['server']
            assert r.status_code == 400 and cur['OS-EXT-SRV-ATTR:host'] == src, (r.status_code, cur['OS-EXT-SRV-ATTR:host'])
            return 'mv %s: %s onto peer host %s -> HTTP %d %s (synchronous pre-checks)' % (
                mv, sa['name'], target, r.status_code, r.json().get('badRequest', {}).get('message', r.text[:100]))

        def settled():
            ms = [m for m in c.get('compute', '/os-migrations?instance_uuid=%s' % a, mv='2.80')['migrations']
                  if m['uuid'] not in before]
            return ms and ms[-1]['status'] in ('error', 'failed', 'completed') and ms[-1]

        m = wait(settled, 60, 0.5, 'migration settled')
        wait(lambda: c.get('compute', '/servers/' + a, mv='2.53')['server']['status'] == 'ACTIVE', 30)
        cur = c.get('compute', '/servers/' + a, mv='2.53')['server']
        assert m['status'] != 'completed' and cur['OS-EXT-SRV-ATTR:host'] == src, (m['status'], cur['OS-EXT-SRV-ATTR:host'])
        return 'mv %s: %s onto peer host %s -> HTTP 202, migration status=%s, server stays ACTIVE on %s' % (
            mv, sa['name'], target, m['status'], src)

    @step('anti-affinity-sync-2.30')
    def _():
        return anti_affinity('2.30')

    @step('anti-affinity-async-2.56')
    def _():
        return anti_affinity('2.56')

    @step('capacity-enforced')
    def _():
        rps = c.get('placement', '/resource_providers', mv='1.14')['resource_providers']
        mx = 0
        for rp in rps:
            inv = c.get('placement', '/resource_providers/%s/inventories' % rp['uuid'], mv='1.14')['inventories']
            mx = max(mx, (inv['MEMORY_MB']['total'] - inv['MEMORY_MB']['reserved']) * inv['MEMORY_MB']['allocation_ratio'])
        fl = c.req('GET', 'compute', '/flavors/xhuge', mv='2.61', ok=None)
        if fl.status_code == 404:
            c.post('compute', '/flavors', {'flavor': {'name': 'xhuge', 'id': 'xhuge', 'vcpus': 1,
                                                      'ram': int(mx) + 1024, 'disk': 1}}, mv='2.61')
        img = c.get('image', '/v2/images?name=fake-img')['images'][0]['id']
        s = c.post('compute', '/servers', {'server': {'name': 'smoke-too-big', 'imageRef': img,
                                                      'flavorRef': 'xhuge', 'networks': 'none'}}, mv='2.74')['server']
        st = wait(lambda: (lambda x: x['status'] in ('ACTIVE', 'ERROR') and x)(
            c.get('compute', '/servers/' + s['id'], mv='2.53')['server']), 60, 1, 'server settled')
        c.req('DELETE', 'compute', '/servers/' + s['id'])
        c.req('DELETE', 'compute', '/flavors/xhuge')
        assert st['status'] == 'ERROR', st['status']
        return 'flavor with %d MiB RAM -> ERROR "%s"' % (int(mx) + 1024, st.get('fault', {}).get('message', '').strip())

print('%d passed, %d failed' % (len(results) - fails, fails))
sys.exit(fails)
