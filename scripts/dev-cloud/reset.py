#!/usr/bin/python3
"""reset.py - puts the dev cloud back to the layout seed.py made, so that every test tier starts from it
after `npm start` applied a plan or an operator moved things.  Idempotent; a few seconds when nothing changed.

In this order:
  1. every nova-compute service enabled (disabled reason cleared) and not forced down, and up;
  2. every server the seed did not create deleted (all projects; the seed's servers are known by name
     and project, as seed.py finds them), waiting until they are gone;
  3. the seed's servers ACTIVE with no task in progress: a task still running after a grace period and
     ERROR are reset (os-resetState to active), stopped, paused and suspended servers started again;
     their metadata and tags as seeded;
  4. every seed server live-migrated back to its seeded host (seed.layout, the seed's own definition),
     one at a time through Nova's scheduler (microversion 2.30: a named host, checked synchronously),
     in an order Placement's capacity and the anti-affinity groups allow: a move that fits goes first;
     when none fits, a misplaced server standing on a host that must receive moves out of the way;
  5. once per start of Nova's processes, one seeded server outside the server groups live-migrated
     around every enabled host and home again: a nova-compute's first live migration, as source and as
     destination, takes seconds longer than the later ones (loading code, opening RPC connections), and
     the tests' plans should meet the steady state a long-running cloud has.
The dev cloud has no power notion for its hosts (the fake driver's hosts are always on; the IPMI
simulator of scripts/ipmi-sim belongs to one test and stops with it), so there is nothing to power on.
ulm's own state is not here: each test keeps it in its own temporary database.

Prints one line per change and a final `RESET: ...` line; exits 1 when the layout cannot be reached.
env: RESET_TASK_GRACE (60) seconds a task in progress may take to finish before it is reset;
     RESET_TIMEOUT (900) seconds for the whole run; the SEED_* knobs of seed.py.
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # importing seed must leave no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oslib import STATE, Cloud, wait  # noqa: E402
import seed  # noqa: E402  (constants and functions only; seeding runs in seed.main())

LIST_MV = '2.74'      # flavor details in server bodies, tags
SERVICE_MV = '2.53'   # services by id, forced_down
MIGRATE_MV = '2.30'   # a named host is still checked by the scheduler, and a refusal comes back as 400
PLACEMENT_MV = '1.14'
TASK_GRACE = float(os.environ.get('RESET_TASK_GRACE', '60'))
DEADLINE = time.time() + float(os.environ.get('RESET_TIMEOUT', '900'))
STARTED = time.time()

changes = {}


def log(msg):
    print('[%s] %s' % (time.strftime('%H:%M:%S'), msg), flush=True)


def change(kind, msg):
    changes[kind] = changes.get(kind, 0) + 1
    log(msg)


def fail(msg):
    print('RESET: FAILED: %s (%s)' % (msg, summary()), flush=True)
    sys.exit(1)


def summary():
    made = ', '.join('%s: %d' % (kind, n) for kind, n in changes.items())
    return '%s in %.1f s' % (made or 'no changes', time.time() - STARTED)


def remaining():
    return max(1.0, DEADLINE - time.time())


def compute_services(cloud):
    return cloud.get('compute', '/os-services?binary=nova-compute', mv=SERVICE_MV)['services']


def enable_hosts(cloud):
    """Step 1: enabled, not forced down, up; waits for Placement to drop the disabled trait."""
    enabled = []
    for service in sorted(compute_services(cloud), key=lambda s: s['host']):
        if service.get('forced_down'):
            cloud.req('PUT', 'compute', '/os-services/' + service['id'], mv=SERVICE_MV, json={'forced_down': False})
            change('hosts no longer forced down', 'host %s: nova-compute no longer forced down' % service['host'])
        if service['status'] != 'enabled':
            cloud.req('PUT', 'compute', '/os-services/' + service['id'], mv=SERVICE_MV, json={'status': 'enabled'})
            change('hosts enabled', 'host %s: nova-compute enabled (was disabled: %s)' % (
                service['host'], service.get('disabled_reason') or 'no reason'))
            enabled.append(service['host'])

    def all_up():
        services = compute_services(cloud)
        return all(s['state'] == 'up' for s in services) and services

    try:
        services = wait(all_up, min(90, remaining()), 2, 'every nova-compute up')
    except TimeoutError:
        down = [s['host'] for s in compute_services(cloud) if s['state'] != 'up']
        fail('nova-compute down on %s: bash scripts/dev-cloud/up restarts it' % ', '.join(down))
    # Nova's scheduler asks Placement for hosts without COMPUTE_STATUS_DISABLED, which the compute
    # removes a little after the enable: moves to those hosts would be refused until then.
    for host in enabled:
        provider = cloud.get('placement', '/resource_providers?name=' + host, mv=PLACEMENT_MV)['resource_providers'][0]
        wait(lambda: 'COMPUTE_STATUS_DISABLED' not in cloud.get(
            'placement', '/resource_providers/%s/traits' % provider['uuid'], mv=PLACEMENT_MV)['traits'],
            min(60, remaining()), 1, 'trait COMPUTE_STATUS_DISABLED removed from ' + host)
    return services


def project_ids(cloud, admin_project):
    ids = {'admin': admin_project}
    found = cloud.req('GET', 'identity', '/projects?name=' + seed.DEMO_PROJECT).json()['projects']
    if found:
        ids[seed.DEMO_PROJECT] = found[0]['id']
    return ids


def list_servers(cloud):
    return cloud.get('compute', '/servers/detail?all_tenants=1', mv=LIST_MV)['servers']


def get_server(cloud, server_id):
    return cloud.get('compute', '/servers/' + server_id, mv=LIST_MV)['server']


def current(cloud, mine):
    """The seed's servers as Nova reports them now, by name (one listing)."""
    by_id = {s['id']: s for s in list_servers(cloud)}
    return {name: by_id[server['id']] for name, server in mine.items() if server['id'] in by_id}


def match_seeded(servers, layout, projects):
    """name -> the seed's server (the oldest of that name in the seeded project); the others are not the seed's."""
    mine = {}
    for seeded in layout:
        candidates = sorted((s for s in servers if s['name'] == seeded['name']
                             and s['tenant_id'] == projects.get(seeded['project'])), key=lambda s: s['created'])
        if candidates:
            mine[seeded['name']] = candidates[0]
    kept = {s['id'] for s in mine.values()}
    return mine, [s for s in servers if s['id'] not in kept]


def delete_others(cloud, others):
    """Step 2."""
    for server in sorted(others, key=lambda s: s['name']):
        cloud.req('DELETE', 'compute', '/servers/' + server['id'], ok=(204, 404))
        change('servers deleted', 'server %s (%s, project %s, on %s): deleted, the seed did not create it' % (
            server['name'], server['id'], server['tenant_id'], server.get('OS-EXT-SRV-ATTR:host')))
    pending = {s['id'] for s in others}

    def gone():
        for server_id in list(pending):
            if cloud.req('GET', 'compute', '/servers/' + server_id, ok=None).status_code == 404:
                pending.discard(server_id)
        return not pending
    if pending:
        try:
            wait(gone, min(180, remaining()), 2, 'deleted servers gone')
        except TimeoutError:
            fail('servers still there after their deletion: %s' % ', '.join(sorted(pending)))


def settle(cloud, mine):
    """Step 3: no task in progress, ACTIVE, metadata and tags as seeded."""
    busy = [s for s in mine.values() if s.get('OS-EXT-STS:task_state')]
    if busy:
        log('waiting up to %d s for tasks in progress: %s' % (TASK_GRACE, ', '.join(
            '%s %s' % (s['name'], s['OS-EXT-STS:task_state']) for s in sorted(busy, key=lambda s: s['name']))))
        try:
            wait(lambda: not any(get_server(cloud, s['id']).get('OS-EXT-STS:task_state') for s in busy),
                 min(TASK_GRACE, remaining()), 2, 'tasks finished')
        except TimeoutError:
            pass
    if busy:
        mine.update(current(cloud, mine))
    for name in sorted(mine):
        server = mine[name]
        if server['status'] == 'ERROR' or server.get('OS-EXT-STS:task_state'):
            cloud.post('compute', '/servers/%s/action' % server['id'], {'os-resetState': {'state': 'active'}})
            change('servers reset', 'server %s: reset to active (was %s, task %s)' % (
                name, server['status'], server.get('OS-EXT-STS:task_state')))
        elif server['status'] in RESUME:
            cloud.post('compute', '/servers/%s/action' % server['id'], {RESUME[server['status']]: None})
            change('servers started', 'server %s: %s (was %s)' % (name, RESUME[server['status']], server['status']))
            try:
                wait(lambda: get_server(cloud, server['id'])['status'] == 'ACTIVE', min(120, remaining()), 1,
                     name + ' ACTIVE')
            except TimeoutError:
                fail('server %s did not become ACTIVE after %s' % (name, RESUME[server['status']]))
        elif server['status'] != 'ACTIVE':
            fail('server %s is %s: only bash scripts/dev-cloud/seed after deleting it brings it back' % (
                name, server['status']))
        else:
            continue
        mine[name] = get_server(cloud, server['id'])


RESUME = {'SHUTOFF': 'os-start', 'PAUSED': 'unpause', 'SUSPENDED': 'resume'}


def restore_details(cloud, mine, layout):
    for seeded in layout:
        server = mine.get(seeded['name'])
        if not server:
            continue
        if server.get('metadata', {}) != seeded['metadata']:
            cloud.req('PUT', 'compute', '/servers/%s/metadata' % server['id'], json={'metadata': seeded['metadata']})
            change('servers with seeded metadata', 'server %s: metadata %s (was %s)' % (
                seeded['name'], seeded['metadata'], server.get('metadata')))
        if sorted(server.get('tags') or []) != sorted(seeded['tags']):
            cloud.req('PUT', 'compute', '/servers/%s/tags' % server['id'], mv=LIST_MV, json={'tags': seeded['tags']})
            change('servers with seeded tags', 'server %s: tags %s (was %s)' % (seeded['name'], seeded['tags'], server.get('tags')))


class Room:
    """Free capacity per host as Placement counts it ((total - reserved) x ratio - used), and the hard
    anti-affinity groups: what decides whether Nova's scheduler will take a server on a host."""

    def __init__(self, cloud, servers):
        self.cloud = cloud
        self.providers = {p['name']: p['uuid'] for p in
                          cloud.get('placement', '/resource_providers', mv=PLACEMENT_MV)['resource_providers']}
        self.free = {host: self.free_on(uuid) for host, uuid in self.providers.items()}
        groups = cloud.get('compute', '/os-server-groups?all_projects=True', mv='2.64')['server_groups']
        self.anti = [set(g['members']) for g in groups if g['policy'] == 'anti-affinity']
        self.host_of = {s['id']: s.get('OS-EXT-SRV-ATTR:host') for s in servers}

    def free_on(self, uuid):
        inventories = self.cloud.get('placement', '/resource_providers/%s/inventories' % uuid, mv=PLACEMENT_MV)['inventories']
        usages = self.cloud.get('placement', '/resource_providers/%s/usages' % uuid, mv=PLACEMENT_MV)['usages']
        return {rc: (inv['total'] - inv['reserved']) * inv['allocation_ratio'] - usages.get(rc, 0)
                for rc, inv in inventories.items()}

    def needs(self, server):
        allocations = self.cloud.get('placement', '/allocations/' + server['id'], mv=PLACEMENT_MV)['allocations']
        return next(iter(allocations.values()))['resources'] if allocations else {}

    def why_not(self, server, host):
        """None when the server fits on the host, or what stops it."""
        if host not in self.free:
            return 'no resource provider ' + host
        for rc, amount in self.needs(server).items():
            if self.free[host].get(rc, 0) < amount:
                return '%s: %s free, %s needed' % (rc, self.free[host].get(rc, 0), amount)
        for members in self.anti:
            if server['id'] in members:
                neighbours = [m for m in members if m != server['id'] and self.host_of.get(m) == host]
                if neighbours:
                    return 'anti-affinity with %s' % ', '.join(neighbours)
        return None


def live_migrate(cloud, server, source, destination, why, kind='live migrations'):
    """One live migration, waited for; True when the server ended on the destination."""
    t0 = time.time()
    response = cloud.req('POST', 'compute', '/servers/%s/action' % server['id'], mv=MIGRATE_MV, ok=None,
                         json={'os-migrateLive': {'host': destination, 'block_migration': 'auto'}})
    if response.status_code != 202:
        log('server %s: Nova refused the move %s -> %s (%s): %s' % (
            server['name'], source, destination, response.status_code, response.text[:200]))
        return False

    def finished():
        current = get_server(cloud, server['id'])
        return not current.get('OS-EXT-STS:task_state') and current['status'] != 'MIGRATING' and current
    try:
        current = wait(finished, min(300, remaining()), 1, 'live migration of ' + server['name'])
    except TimeoutError:
        fail('live migration of %s %s -> %s still running after 300 s' % (server['name'], source, destination))
    if current.get('OS-EXT-SRV-ATTR:host') != destination:
        log('server %s: live migration %s -> %s did not happen (status %s, on %s)' % (
            server['name'], source, destination, current['status'], current.get('OS-EXT-SRV-ATTR:host')))
        if current['status'] == 'ERROR':
            cloud.post('compute', '/servers/%s/action' % server['id'], {'os-resetState': {'state': 'active'}})
            change('servers reset', 'server %s: reset to active (ERROR after a failed live migration)' % server['name'])
        return False
    change(kind, 'server %s: live-migrated %s -> %s, %s (%.1f s)' % (
        server['name'], source, destination, why, time.time() - t0))
    return True


def bring_home(cloud, mine, layout):
    """Step 4: moves that fit first; when none does, a misplaced server leaves a host that must receive."""
    home = {seeded['name']: seeded['host'] for seeded in layout if seeded['name'] in mine}
    stalled = 0
    for _ in range(4 * len(layout) + 10):
        servers = current(cloud, mine)
        misplaced = sorted(name for name in home if servers[name].get('OS-EXT-SRV-ATTR:host') != home[name])
        if not misplaced:
            return
        if time.time() > DEADLINE:
            break
        room = Room(cloud, servers.values())
        moved = False
        for name in misplaced:
            source = servers[name]['OS-EXT-SRV-ATTR:host']
            if room.why_not(servers[name], home[name]) is None and live_migrate(
                    cloud, servers[name], source, home[name], 'its seeded host'):
                moved = True
                room = Room(cloud, current(cloud, mine).values())
        if not moved:
            moved = make_room(cloud, servers, home, misplaced, room)
        if moved:
            stalled = 0
            continue
        stalled += 1
        if stalled >= 3:
            break
        # Nova's scheduler may learn late that a group member left a host: try again shortly.
        time.sleep(5)
    servers = current(cloud, mine)
    room = Room(cloud, servers.values())
    stuck = ['%s on %s, seeded on %s (%s)' % (name, servers[name].get('OS-EXT-SRV-ATTR:host'), home[name],
                                              room.why_not(servers[name], home[name]) or 'Nova refused')
             for name in sorted(home) if servers[name].get('OS-EXT-SRV-ATTR:host') != home[name]]
    if stuck:
        fail('no move left that brings a server home: ' + '; '.join(stuck))


def make_room(cloud, servers, home, misplaced, room):
    """Moves one misplaced server out of a host that a blocked server must go to, to the host with most memory free."""
    blocked_homes = [home[name] for name in misplaced if room.why_not(servers[name], home[name])]
    for host in blocked_homes:
        guests = [name for name in misplaced if servers[name]['OS-EXT-SRV-ATTR:host'] == host]
        for name in guests:
            options = [h for h in sorted(room.free) if h != host and room.why_not(servers[name], h) is None]
            options.sort(key=lambda h: -room.free[h].get('MEMORY_MB', 0))
            for destination in options:
                if live_migrate(cloud, servers[name], host, destination, 'out of the way of a server seeded on ' + host):
                    return True
    return False


def nova_processes():
    """The pids of Nova's processes as `up` recorded them: a restart of any of them changes this."""
    run = os.path.join(STATE, 'run')
    pids = []
    for name in sorted(os.listdir(run)):
        if name.startswith('nova-') and name.endswith('.pid'):
            with open(os.path.join(run, name)) as handle:
                pids.append('%s=%s' % (name[:-4], handle.read().strip()))
    return ' '.join(pids)


def warm_up(cloud, mine, layout, hosts):
    """Step 5: a ring of live migrations through every enabled host, once per start of Nova's processes."""
    marker = os.path.join(STATE, 'run', 'warmed-up')
    processes = nova_processes()
    if os.path.exists(marker) and open(marker).read() == processes:
        return
    candidates = [seeded for seeded in layout if seeded['name'] in mine and not seeded['group'] and seeded['project'] == 'admin']
    if len(hosts) < 2 or not candidates:
        return
    # The smallest flavor fits wherever the seed put servers.
    seeded = min(candidates, key=lambda s: (seed.FLAVORS[s['flavor']][1], s['name']))
    home = seeded['host']
    ring = hosts[hosts.index(home) + 1:] + hosts[:hosts.index(home) + 1]
    server, source, t0 = mine[seeded['name']], home, time.time()
    for destination in ring:
        if not live_migrate(cloud, server, source, destination, 'warming up Nova', kind='warm-up migrations'):
            fail('warm-up: %s did not move %s -> %s' % (seeded['name'], source, destination))
        source = destination
    with open(marker, 'w') as handle:
        handle.write(processes)
    log('warm-up: %s went around %d hosts in %.1f s' % (seeded['name'], len(ring), time.time() - t0))


def settle_scheduler():
    """After live migrations, waits for one instance sync of the computes (up sets its interval).

    Until then Nova's scheduler still counts a migrated server on its source and refuses an
    anti-affinity member there ("No valid host"); a plan that follows a reset should find the
    cloud settled, as it is at night.
    """
    if not changes.get('live migrations'):
        return
    seconds = float(os.environ.get('ULM_OS_SCHEDULER_SYNC_SECONDS', '0') or 0) + 1
    log("waiting %.0f s for Nova's scheduler to see where the servers are now" % seconds)
    time.sleep(seconds)


def main():
    cloud = Cloud()
    admin_project = cloud.issue_token()['project']['id']
    services = enable_hosts(cloud)
    hosts = seed.seed_hosts(services)
    layout = seed.layout(hosts)
    mine, others = match_seeded(list_servers(cloud), layout, project_ids(cloud, admin_project))
    delete_others(cloud, others)
    settle(cloud, mine)
    restore_details(cloud, mine, layout)
    bring_home(cloud, mine, layout)
    warm_up(cloud, mine, layout, hosts)
    settle_scheduler()
    missing = [seeded['name'] for seeded in layout if seeded['name'] not in mine]
    if missing:
        fail('seeded servers missing: %s: bash scripts/dev-cloud/seed boots them, then run reset again' % ', '.join(missing))
    print('RESET: seeded layout: %d servers on their seeded hosts, %d nova-compute hosts enabled and up; %s' % (
        len(mine), len(hosts), summary()), flush=True)


if __name__ == '__main__':
    main()
