"""Tiny REST helper shared by post_up.py, seed.py, metrics.py and smoke.py (runs under /usr/bin/python3).

Reads credentials from $ULM_OS_STATE/admin-openrc (or the OS_* environment) and talks to
the endpoints in the Keystone catalog (all on 127.0.0.1).
"""
import os
import time

import requests

STATE = os.environ.get('ULM_OS_STATE', '/var/tmp/ulm-dev-cloud')


def load_openrc(state=STATE):
    env = {}
    path = os.path.join(state, 'admin-openrc')
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if line.startswith('export ') and '=' in line:
                k, v = line[7:].split('=', 1)
                env[k] = v.strip('"\'')
    for k in list(env):
        env[k] = os.environ.get(k, env[k])
    return env


class Cloud:
    def __init__(self, state=STATE, project='admin'):
        e = load_openrc(state)
        self.auth_url = e['OS_AUTH_URL'].rstrip('/')
        self.region = e.get('OS_REGION_NAME', 'RegionOne')
        self.username, self.password = e['OS_USERNAME'], e['OS_PASSWORD']
        self.project = project
        self.s = requests.Session()
        self.token = None
        self.token_exp = 0
        self.catalog = {}

    def issue_token(self):
        r = self.s.post(self.auth_url + '/auth/tokens', timeout=30, json={'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': self.username, 'domain': {'name': 'Default'}, 'password': self.password}}},
            'scope': {'project': {'name': self.project, 'domain': {'name': 'Default'}}}}})
        r.raise_for_status()
        self.token = r.headers['X-Subject-Token']
        self.token_exp = time.time() + 3000
        body = r.json()['token']
        self.catalog = {}
        for svc in body.get('catalog', []):
            for ep in svc['endpoints']:
                if ep['interface'] == 'public' and ep.get('region_id', ep.get('region')) == self.region:
                    self.catalog[svc['type']] = ep['url'].rstrip('/')
        return body

    def url(self, stype, path):
        if not self.token or time.time() > self.token_exp:
            self.issue_token()
        return self.catalog[stype] + path

    def req(self, method, stype, path, mv=None, ok=(200, 201, 202, 204), **kw):
        url = self.url(stype, path)
        h = kw.pop('headers', {})
        h['X-Auth-Token'] = self.token
        if mv:
            if stype == 'compute':
                h['OpenStack-API-Version'] = 'compute %s' % mv
                h['X-OpenStack-Nova-API-Version'] = mv
            elif stype == 'placement':
                h['OpenStack-API-Version'] = 'placement %s' % mv
        kw.setdefault('timeout', 60)
        r = self.s.request(method, url, headers=h, **kw)
        if ok and r.status_code not in ok:
            raise RuntimeError('%s %s -> %s %s' % (method, url, r.status_code, r.text[:500]))
        return r

    def get(self, stype, path, mv=None, **kw):
        return self.req('GET', stype, path, mv, **kw).json()

    def post(self, stype, path, body, mv=None, **kw):
        r = self.req('POST', stype, path, mv, json=body, **kw)
        return r.json() if r.content else None


def wait(pred, timeout, interval=1.0, what='condition'):
    t0 = time.time()
    last = None
    while time.time() - t0 < timeout:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # noqa
            last = e
        time.sleep(interval)
    raise TimeoutError('timeout waiting for %s (last=%r)' % (what, last))
