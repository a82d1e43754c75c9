// `ulm-api` as a process (the daemonMain that bin/ulm-api runs): --config-file is read, the API
// listens on [api] bind_host:bind_port, tokens are validated with [keystone_authtoken]'s service
// user, policy_file is found next to ulm.conf, and the process stops cleanly. The runtime is a
// stand-in holding the Engine double.
import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { createLogger } from '../../../openstack/logger.js';
import { loadConfig } from '../../../services/config/index.js';
import { configurationFilesOf, policyFileOf } from '../../../services/api/feature.js';
import { daemonMain } from '../../../services/process.js';
import type { Runtime } from '../../../services/runtime.js';
import { EngineDouble } from '../../support/engine-double.js';
import { closedPort, json, startLocalServer, type LocalServer, type ReceivedRequest } from '../openstack/local-server.js';

describe('ulm-api, the process', function () {
  this.timeout(30_000);
  let directory: string;
  let keystone: LocalServer;

  before(async () => {
    keystone = await startLocalServer((request: ReceivedRequest, response: ServerResponse) => {
      if (request.method === 'POST') {
        return json(response, 201, { token: { expires_at: new Date(Date.now() + 3_600_000).toISOString(), user: { id: 'ulm' } } }, { 'X-Subject-Token': 'service-token' });
      }
      const roles = { 'reader-token': ['reader'], 'admin-token': ['admin', 'member', 'reader'] }[String(request.headers['x-subject-token'])];
      if (!roles) return json(response, 404, { error: { code: 404 } });
      // The reader reads on the system scope, as ulm's defaults ask (a project's reader may not).
      const scope = request.headers['x-subject-token'] === 'reader-token' ? { system: { all: true } } : { project: { id: 'p1', name: 'ops' } };
      json(response, 200, { token: { expires_at: new Date(Date.now() + 3_600_000).toISOString(), user: { id: 'u1', name: 'someone' }, ...scope, roles: roles.map((name) => ({ name })) } });
    });
  });
  after(() => keystone.close());
  beforeEach(() => { directory = mkdtempSync(join(tmpdir(), 'ulm-api-process-')); });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  function configFile(port: number): string {
    const file = join(directory, 'ulm.conf');
    writeFileSync(file, [
      '[api]', 'bind_host = 127.0.0.1', `bind_port = ${port}`,
      '[keystone_authtoken]', `auth_url = ${keystone.url}/v3`, 'www_authenticate_uri = https://keystone.example.org/v3',
      'username = ulm', 'password = service-secret', 'project_name = service', 'token_cache_time = 300',
    ].join('\n'));
    // Readers may drain in this deployment: the policy file next to ulm.conf says so.
    writeFileSync(join(directory, 'policy.yaml'), '"ulm:host:drain": "role:reader"\n');
    return file;
  }

  it('serves the API on bind_host:bind_port with Keystone tokens and the policy file, and stops on the signal', async () => {
    const port = await closedPort();
    const file = configFile(port);
    const engine = new EngineDouble();
    let closed = false;
    let stop: (signal: string) => void = () => undefined;
    const stopSignal = new Promise<string>((resolve) => { stop = resolve; });
    const lines: string[] = [];
    const running = daemonMain('api', ['node', 'ulm-api', '--config-file', file], {
      stopSignal,
      say: (line) => { lines.push(line); },
      openRuntime: async (config) => ({
        config, engine, logger: createLogger({ level: 'info', destination: { write: (line: string) => { lines.push(line); } } }),
        bus: { transport: 'in-process' },
        close: async () => { closed = true; },
      }) as unknown as Runtime,
    });
    const base = `http://127.0.0.1:${port}`;
    const http = axios.create({ baseURL: base, validateStatus: () => true });
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await http.get('/').then(() => true, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      const versions = await http.get('/');
      assert.equal(versions.status, 200);
      assert.equal(versions.data.versions[0].links[0].href, `${base}/v1`);
      const anonymous = await http.get('/v1/hosts');
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers['www-authenticate'], 'Keystone uri="https://keystone.example.org/v3"');
      assert.equal((await http.get('/v1/hosts', { headers: { 'X-Auth-Token': 'reader-token' } })).status, 200);
      assert.equal((await http.post('/v1/hosts/drain', { hosts: ['cmp-01'] }, { headers: { 'X-Auth-Token': 'reader-token' } })).status, 202, 'the policy file lets readers drain');
      assert.equal((await http.post('/v1/snapshots', {}, { headers: { 'X-Auth-Token': 'reader-token' } })).status, 403);
      assert.equal((await http.post('/v1/snapshots', {}, { headers: { 'X-Auth-Token': 'admin-token' } })).status, 201);
    } finally {
      stop('SIGTERM');
    }
    assert.equal(await running, 0, lines.join("\n"));
    assert.ok(closed, 'the runtime was closed');
    assert.ok(lines.some((line) => line.includes(`REST API on http://127.0.0.1:${port}/ (Keystone tokens)`)), lines.join('\n'));
    assert.doesNotMatch(lines.join(''), /service-secret|reader-token|admin-token/);
    assert.equal(await axios.get(base).then(() => 'up', () => 'down'), 'down');
  });

  it('exits 2 naming the problem when the configuration is wrong', async () => {
    const file = join(directory, 'ulm.conf');
    writeFileSync(file, '[api]\nbind_port = 99999\n');
    const errors: string[] = [];
    assert.equal(await daemonMain('api', ['node', 'ulm-api', '--config-file', file], { say: (text) => errors.push(text), openRuntime: async () => { throw new Error('not reached'); } }), 2);
    assert.match(errors.join(''), /ulm\.conf:2: \[api\] bind_port/);
  });

  it('finds policy_file next to the configuration files', () => {
    const file = configFile(9328);
    const config = loadConfig([file]);
    assert.deepEqual(configurationFilesOf(config), [file]);
    assert.equal(policyFileOf(config), join(directory, 'policy.yaml'));
  });
});
