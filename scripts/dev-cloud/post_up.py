#!/usr/bin/python3
"""post_up.py - idempotent post-start setup, called by up.

* uploads a tiny fake image ("fake-img", 16 KiB raw/bare) to Glance
* creates Ceilometer-like Gnocchi resource types (instance, nova_compute) and an
  archive policy "ulm" (60 s and 300 s granularity) for pushed measures
* waits until all N nova-compute services are up, maps them into cell1
  (nova-manage cell_v2 discover_hosts) and waits until N hypervisors are listed
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oslib import Cloud, wait  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument('--state', default=os.environ.get('ULM_OS_STATE', '/var/tmp/ulm-dev-cloud'))
ap.add_argument('--computes', type=int, default=4)
a = ap.parse_args()
c = Cloud(a.state)
c.issue_token()


def log(msg):
    print('[%s] %s' % (time.strftime('%H:%M:%S'), msg), flush=True)


# ---- glance image
imgs = c.get('image', '/v2/images?name=fake-img')['images']
if not [i for i in imgs if i['status'] == 'active']:
    for i in imgs:  # broken leftovers
        c.req('DELETE', 'image', '/v2/images/' + i['id'], ok=None)
    img = c.post('image', '/v2/images', {'name': 'fake-img', 'disk_format': 'raw',
                                         'container_format': 'bare', 'visibility': 'public',
                                         'min_disk': 0, 'min_ram': 0})
    c.req('PUT', 'image', '/v2/images/%s/file' % img['id'], data=os.urandom(16384),
          headers={'Content-Type': 'application/octet-stream'})
    wait(lambda: c.get('image', '/v2/images/' + img['id'])['status'] == 'active', 60,
         what='image active')
    log('glance: uploaded image fake-img %s' % img['id'])
else:
    log('glance: image fake-img exists %s' % imgs[0]['id'])

# ---- gnocchi resource types + archive policy
rts = {r['name'] for r in c.get('metric', '/v1/resource_type')}
S = {'type': 'string', 'min_length': 0, 'max_length': 255}
want = {
    'instance': {'display_name': dict(S, required=True), 'host': dict(S, required=True),
                 'flavor_id': dict(S, required=True), 'flavor_name': dict(S, required=False),
                 'image_ref': dict(S, required=False), 'server_group': dict(S, required=False)},
    'nova_compute': {'host_name': dict(S, required=True)},
}
for name, attrs in want.items():
    if name not in rts:
        c.post('metric', '/v1/resource_type', {'name': name, 'attributes': attrs})
        log('gnocchi: created resource type %s' % name)
aps = {p['name'] for p in c.get('metric', '/v1/archive_policy')}
if 'ulm' not in aps:
    c.post('metric', '/v1/archive_policy', {
        'name': 'ulm', 'back_window': 0,
        'aggregation_methods': ['mean', 'min', 'max', 'sum', 'count', 'last', 'rate:mean'],
        'definition': [{'granularity': '60s', 'timespan': '1 day'},
                       {'granularity': '300s', 'timespan': '30 days'}]})
    log('gnocchi: created archive policy ulm')

# ---- computes
def check_alive():
    """fail fast (instead of waiting for a timeout) when a service started by up died"""
    run = os.path.join(a.state, 'run')
    for f in sorted(os.listdir(run)):
        if f.endswith('.pid'):
            pid = int(open(os.path.join(run, f)).read().strip() or 0)
            try:
                os.kill(pid, 0)
            except OSError:
                sys.exit('post_up: %s (pid %d) died - see %s/log/%s.log' % (f[:-4], pid, a.state, f[:-4]))


def computes_up():
    check_alive()
    svcs = c.get('compute', '/os-services?binary=nova-compute', mv='2.53')['services']
    up = [s for s in svcs if s['state'] == 'up']
    return len(up) >= a.computes and up


wait(computes_up, 300, 2, 'all %d nova-compute services up' % a.computes)
log('nova: %d nova-compute services up' % a.computes)
conf = os.path.join(a.state, 'etc/nova/nova.conf')


def hypervisors():
    hv = c.get('compute', '/os-hypervisors', mv='2.53')['hypervisors']
    if len(hv) < a.computes:
        subprocess.run(['nova-manage', '--config-file', conf, 'cell_v2', 'discover_hosts'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return False
    return hv


wait(hypervisors, 300, 3, '%d hypervisors' % a.computes)


def rps():
    r = c.get('placement', '/resource_providers', mv='1.14')['resource_providers']
    return len(r) >= a.computes and r


wait(rps, 120, 2, 'placement resource providers')
log('nova: %d hypervisors mapped, placement has the resource providers' % a.computes)
