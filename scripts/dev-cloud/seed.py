#!/usr/bin/python3
"""seed.py - ulm's dev-cloud seed: flavors, server groups and servers spread over the hosts,
then Ceilometer-like Gnocchi measures for the last hour (metrics.py).  Idempotent, by name.

env:
  SEED_SERVERS (14)     servers vm-01..vm-NN, pinned round-robin to the enabled hosts with
                        microversion 2.74 "host" (still scheduled, so Placement and the server
                        group filters check every boot)
  SEED_FLAVORS          flavor cycle, default 'small,medium,large,xlarge,small,medium'
  SEED_ANTI (3)         the first N servers go into the hard anti-affinity group 'ulm-anti'
  SEED_SOFT_ANTI        servers in the soft-anti-affinity group 'ulm-soft-anti' (default 'vm-04,vm-10',
                        which round-robin puts on one host: a soft violation ulm may repair)
  SEED_PINNED           servers with metadata ulm:migratable=false (default 'vm-12')
  SEED_DEMO_SERVERS (2) the last N servers are booted in a second project 'ulm-demo', so that
                        listing across all projects matters
  SEED_METRICS (1)      0: do not push measures (metrics.py does it on its own too)
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oslib import Cloud, wait  # noqa: E402

M = int(os.environ.get('SEED_SERVERS', '14'))
FLAVOR_CYCLE = os.environ.get('SEED_FLAVORS', 'small,medium,large,xlarge,small,medium').split(',')
ANTI = int(os.environ.get('SEED_ANTI', '3'))
SOFT_ANTI = [n for n in os.environ.get('SEED_SOFT_ANTI', 'vm-04,vm-10').split(',') if n]
PINNED = [n for n in os.environ.get('SEED_PINNED', 'vm-12').split(',') if n]
DEMO = int(os.environ.get('SEED_DEMO_SERVERS', '2'))
MV = '2.74'

FLAVORS = {  # name: (vcpus, ram MiB, disk GiB)
    'small': (1, 1024, 10),
    'medium': (2, 2048, 20),
    'large': (4, 4096, 40),
    'xlarge': (8, 8192, 80),
}
TAGS = {'vm-01': ['tier:web'], 'vm-02': ['tier:web'], 'vm-05': ['tier:db', 'backup:daily']}

DEMO_PROJECT = 'ulm-demo'
ANTI_GROUP, SOFT_ANTI_GROUP = 'ulm-anti', 'ulm-soft-anti'


def seed_hosts(services):
    """The hosts the servers are spread over: the enabled nova-compute hosts that are up, by name."""
    return sorted(s['host'] for s in services if s['state'] == 'up' and s['status'] == 'enabled')


def layout(hosts):
    """The seeded servers, in boot order: name, flavor, home host, project, server group, metadata, tags.
    reset.py puts the cloud back to this, so it is the one definition of the seeded layout."""
    servers = []
    for i in range(1, M + 1):
        name = 'vm-%02d' % i
        group = ANTI_GROUP if i <= ANTI else SOFT_ANTI_GROUP if name in SOFT_ANTI else None
        servers.append({'name': name, 'flavor': FLAVOR_CYCLE[(i - 1) % len(FLAVOR_CYCLE)],
                        'host': hosts[(i - 1) % len(hosts)],
                        'project': DEMO_PROJECT if DEMO > 0 and i > M - DEMO else 'admin',
                        'group': group,
                        'metadata': {'ulm:migratable': 'false'} if name in PINNED else {},
                        'tags': TAGS.get(name, [])})
    return servers


def log(msg):
    print('[%s] %s' % (time.strftime('%H:%M:%S'), msg), flush=True)


def ensure_demo_project(admin):
    """Project ulm-demo with the admin user as admin there (servers in a second project)."""
    found = admin.req('GET', 'identity', '/projects?name=' + DEMO_PROJECT).json()['projects']
    if found:
        project_id = found[0]['id']
    else:
        project_id = admin.post('identity', '/projects', {'project': {
            'name': DEMO_PROJECT, 'domain_id': 'default', 'description': 'ulm dev cloud: a second project'}})['project']['id']
        log('project %s %s created' % (DEMO_PROJECT, project_id))
    user_id = admin.req('GET', 'identity', '/users?name=admin').json()['users'][0]['id']
    role_id = admin.req('GET', 'identity', '/roles?name=admin').json()['roles'][0]['id']
    admin.req('PUT', 'identity', '/projects/%s/users/%s/roles/%s' % (project_id, user_id, role_id))
    return project_id


def ensure_group(admin, name, policy, cloud):
    groups = [g for g in admin.get('compute', '/os-server-groups?all_projects=True', mv='2.64')['server_groups']
              if g['name'] == name]
    if groups:
        return groups[0]['id']
    group = cloud.post('compute', '/os-server-groups',
                       {'server_group': {'name': name, 'policy': policy}}, mv='2.64')['server_group']
    log('server group %s (%s) %s created' % (name, policy, group['id']))
    return group['id']


def main():
    admin = Cloud()
    admin_project = admin.issue_token()['project']['id']

    existing = {f['name']: f for f in admin.get('compute', '/flavors/detail?is_public=None', mv=MV)['flavors']}
    flavor_ids = {}
    for name, (vcpus, ram, disk) in FLAVORS.items():
        if name in existing:
            flavor_ids[name] = existing[name]['id']
            continue
        flavor = admin.post('compute', '/flavors', {'flavor': {'name': name, 'vcpus': vcpus, 'ram': ram,
                                                               'disk': disk, 'id': name}}, mv=MV)['flavor']
        flavor_ids[name] = flavor['id']
        log('flavor %s created (%d vcpu, %d MiB, %d GiB)' % (name, vcpus, ram, disk))

    image = admin.get('image', '/v2/images?name=fake-img')['images'][0]['id']
    hosts = seed_hosts(admin.get('compute', '/os-services?binary=nova-compute', mv=MV)['services'])
    if not hosts:
        sys.exit('no enabled nova-compute hosts')

    demo = Cloud(project=DEMO_PROJECT) if DEMO > 0 else None
    projects = [admin_project]
    if demo:
        projects.append(ensure_demo_project(admin))
        demo.issue_token()
    for project_id in projects:  # Nova's default quotas (10 servers, 20 cores) are below the seed's size
        admin.req('PUT', 'compute', '/os-quota-sets/' + project_id, mv=MV,
                  json={'quota_set': {'instances': -1, 'cores': -1, 'ram': -1, 'server_groups': -1,
                                      'server_group_members': -1}})

    group_ids = {}
    if ANTI > 0:
        group_ids[ANTI_GROUP] = ensure_group(admin, ANTI_GROUP, 'anti-affinity', admin)
    if SOFT_ANTI:
        group_ids[SOFT_ANTI_GROUP] = ensure_group(admin, SOFT_ANTI_GROUP, 'soft-anti-affinity', admin)

    have = {s['name']: s for s in admin.get('compute', '/servers/detail?all_tenants=1', mv=MV)['servers']}
    for name, server in list(have.items()):  # re-create servers left in ERROR by an earlier run
        if name.startswith('vm-') and server['status'] == 'ERROR':
            admin.req('DELETE', 'compute', '/servers/' + server['id'])
            wait(lambda: admin.req('GET', 'compute', '/servers/' + server['id'], ok=None).status_code == 404, 60,
                 what='delete ' + name)
            del have[name]
            log('deleted %s (was ERROR)' % name)

    for seeded in layout(hosts):
        name = seeded['name']
        if name in have:
            continue
        body = {'server': {'name': name, 'imageRef': image, 'flavorRef': flavor_ids[seeded['flavor']],
                           'networks': 'none', 'host': seeded['host'], 'metadata': seeded['metadata']}}
        if seeded['tags']:
            body['server']['tags'] = seeded['tags']
        if seeded['group']:
            body['os:scheduler_hints'] = {'group': group_ids[seeded['group']]}
        cloud = demo if seeded['project'] == DEMO_PROJECT else admin
        cloud.post('compute', '/servers', body, mv=MV)
        log('boot %s (%s) on %s in project %s' % (name, body['server']['flavorRef'], body['server']['host'], cloud.project))

    def all_done():
        servers = admin.get('compute', '/servers/detail?all_tenants=1', mv=MV)['servers']
        mine = [s for s in servers if s['name'].startswith('vm-')]
        pending = [s for s in mine if s['status'] not in ('ACTIVE', 'ERROR')]
        return (not pending) and mine

    t0 = time.time()
    servers = wait(all_done, 300, 2, 'servers ACTIVE')
    log('all servers settled in %.1fs' % (time.time() - t0))
    bad = 0
    for s in sorted(servers, key=lambda s: s['name']):
        print('  %-6s %-7s %-8s %-7s %s' % (s['name'], s['status'], s['flavor'].get('original_name'),
                                          s.get('OS-EXT-SRV-ATTR:host'), s['id']))
        bad += s['status'] != 'ACTIVE'
    if bad:
        sys.exit(1)
    if os.environ.get('SEED_METRICS', '1') != '0':
        sys.exit(subprocess.call(['/usr/bin/python3', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'metrics.py')]))


if __name__ == '__main__':
    main()
