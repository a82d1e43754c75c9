// A ulm.conf as kolla-ansible and as OpenStack-Ansible write one starts every ulm daemon: the
// options of the OpenStack libraries are warned about once each with file and line, none stops
// the start, the log goes to log_dir/PROGRAM.log as oslo.log's text lines, and no password from
// the files or of the cloud appears anywhere, at debug level either. With --strict-config, a misspelt option of ulm's own stops it (exit 2).
// The deployment tools' addresses are replaced, as an operator layers a second --config-file, by
// SQLite, the in-process bus and the loopback cloud (clouds.yaml, --os-cloud): nothing leaves
// loopback, and nothing changes in the cloud (no policy, no window, no plan).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CLOUD, cloudEnvironment, STATE } from './dev-cloud.js';

const HERE = join(dirname(fileURLToPath(import.meta.url)), 'config');
const DAEMON = join(HERE, 'daemon.ts');
const FEATURES = ['api', 'applier', 'scheduler', 'monitor', 'listener'] as const;
const PASSWORDS = ['rabbitpassword', 'keystonepassword', 'dbpassword', 'memcachesecret'];

/** The loopback cloud's own password, which the processes send to Keystone at debug level. */
function cloudPassword(): string {
  const clouds = parse(readFileSync(`${STATE}/clouds.yaml`, 'utf8')) as { clouds: Record<string, { auth: { password: string } }> };
  return clouds.clouds[CLOUD].auth.password;
}

interface Run { code: number | null; stderr: string }

/** Starts the daemon, waits for its "running" lines, stops it with SIGTERM; or returns its early exit. */
function startAndStop(feature: string, configFiles: string[], extra: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', DAEMON, feature, ...configFiles.flatMap((file) => ['--config-file', file]), '--os-cloud', CLOUD, ...extra];
    // The deployment's API address is not on this machine.
    if (feature === 'api') args.push('--bind-host', '127.0.0.1', '--bind-port', '0');
    const child = spawn(process.execPath, args, { env: cloudEnvironment(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let stopping = false;
    const deadline = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`ulm-${feature} did not start in 90 s:\n${stderr}`)); }, 90_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // The warnings are written with the "running" line; a moment more lets a first log line out.
      if (!stopping && /running \(/.test(stderr)) {
        stopping = true;
        setTimeout(() => child.kill('SIGTERM'), 1500);
      }
    });
    child.on('exit', (code) => { clearTimeout(deadline); resolve({ code, stderr }); });
  });
}

const FIXTURES = [
  {
    tool: 'kolla-ansible',
    file: join(HERE, 'kolla-ansible.conf'),
    // Each `[section] option` warned about, with the line kolla's file has it on.
    warnings: [
      ['18: [database] connection_recycle_time', 'is an option of oslo.db that ulm does not use'],
      ['23: [keystone_authtoken] service_type', 'is an option of keystonemiddleware that ulm does not use'],
      ['34: [keystone_authtoken] memcache_security_strategy', 'keystonemiddleware'],
      ['35: [keystone_authtoken] memcache_secret_key', 'keystonemiddleware'],
      ['36: [keystone_authtoken] memcached_servers', 'keystonemiddleware'],
      ['37: [keystone_authtoken] service_token_roles', 'keystonemiddleware'],
      ['38: [keystone_authtoken] service_token_roles_required', 'keystonemiddleware'],
      ['46: [oslo_messaging_notifications] transport_url', 'oslo.messaging'],
      ['47: [oslo_messaging_notifications] driver', 'oslo.messaging'],
      ['50: [oslo_messaging_rabbit] heartbeat_in_pthread', 'oslo.messaging'],
      ['51: [oslo_messaging_rabbit] amqp_durable_queues', 'oslo.messaging'],
      ['52: [oslo_messaging_rabbit] rabbit_quorum_queue', 'oslo.messaging'],
      ['55: [oslo_concurrency] lock_path', 'oslo.concurrency'],
      ['58: [oslo_middleware] enable_proxy_headers_parsing', 'oslo.middleware'],
    ],
    strictError: undefined,
  },
  {
    tool: 'OpenStack-Ansible',
    file: join(HERE, 'openstack-ansible.conf'),
    warnings: [
      ['11: [api] host', 'unknown option; did you mean bind_host?'],
      ['12: [api] port', 'unknown option; did you mean bind_port?'],
      ['16: [database] max_overflow', 'oslo.db'],
      ['24: [keystone_authtoken] auth_uri', 'is deprecated: write www_authenticate_uri'],
      ['32: [keystone_authtoken] service_token_roles_required', 'keystonemiddleware'],
      ['33: [keystone_authtoken] service_token_roles', 'keystonemiddleware'],
      ['34: [keystone_authtoken] memcached_servers', 'keystonemiddleware'],
      ['36: [keystone_authtoken] interface', 'keystonemiddleware'],
      ['39: [oslo_messaging_rabbit] ssl', 'oslo.messaging'],
      ['40: [oslo_messaging_rabbit] rabbit_quorum_queue', 'oslo.messaging'],
      ['41: [oslo_messaging_rabbit] rabbit_transient_quorum_queue', 'oslo.messaging'],
      ['44: [oslo_messaging_notifications] driver', 'oslo.messaging'],
      ['45: [oslo_messaging_notifications] transport_url', 'oslo.messaging'],
      ['48: [oslo_concurrency] lock_path', 'oslo.concurrency'],
    ],
    strictError: '11: [api] host: unknown option; did you mean bind_host?',
  },
];

for (const fixture of FIXTURES) {
  describe(`a ${fixture.tool} ulm.conf`, function () {
    this.timeout(300_000);
    let directory: string;
    let local: string;

    before(function () {
      // The daemons connect to a cloud at start: the loopback one (see ./dev-cloud.ts).
      if (!existsSync(`${STATE}/clouds.yaml`)) throw new Error(`the dev cloud is not up (no ${STATE}/clouds.yaml): run bash scripts/dev-cloud/up && bash scripts/dev-cloud/seed`);
      directory = mkdtempSync(join(tmpdir(), 'ulm-deployment-config-'));
      local = join(directory, 'local.conf');
      // The journal is not running on test machines: use_journal would fall back to standard error.
      writeFileSync(local, [
        // At debug level: requests to Keystone and Nova, with their tokens, are logged (masked).
        '[DEFAULT]', 'debug = true', 'transport_url =', `state_path = ${directory}/state`, `log_dir = ${directory}/log`, 'use_journal = false',
        '[database]', `connection = sqlite:///${directory}/state/ulm.sqlite`, 'max_retries = 0',
        // No service user of the deployment's Keystone: the processes act as clouds.yaml's entry.
        '[keystone_authtoken]', 'username =', 'password =', 'www_authenticate_uri = http://127.0.0.1:5000/v3', 'cafile =', '',
      ].join('\n'));
    });
    after(() => rmSync(directory, { recursive: true, force: true }));

    for (const feature of FEATURES) {
      it(`starts ulm-${feature}, warns once about each option it does not use, and logs to log_dir/ulm-${feature}.log`, async () => {
        const run = await startAndStop(feature, [fixture.file, local]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /^ulm \S+ running \(SQLite database, in-process bus\):/m);
        for (const [where, message] of fixture.warnings) {
          const lines = run.stderr.split('\n').filter((line) => line.startsWith(`warning: ${fixture.file}:${where} `));
          assert.equal(lines.length, 1, `one warning for ${where}, got ${lines.length}:\n${run.stderr}`);
          assert.ok(lines[0].includes(message), lines[0]);
        }
        const configWarnings = run.stderr.split('\n').filter((line) => line.startsWith(`warning: ${fixture.file}:`));
        assert.equal(configWarnings.length, fixture.warnings.length, run.stderr);
        const logFile = join(directory, 'log', `ulm-${feature}.log`);
        assert.ok(existsSync(logFile), `no ${logFile}`);
        const log = readFileSync(logFile, 'utf8');
        for (const line of log.split('\n').filter(Boolean)) {
          assert.match(line, new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${'\\d+'} (DEBUG|INFO|WARNING|ERROR|CRITICAL) ulm\\.${feature}\\S* \\[[^\\]]+\\] `), line);
        }
        for (const password of [...PASSWORDS, cloudPassword()]) assert.ok(!run.stderr.includes(password) && !log.includes(password), `${password} was shown`);
        // Keystone's Fernet tokens start so; a token in a line would be one of them.
        assert.doesNotMatch(`${run.stderr}${log}`, /gAAAAA[\w-]{20,}/, 'a token was logged');
      });
    }

    if (fixture.strictError) {
      it('with --strict-config, stops at start (exit 2) naming the option ulm does not know', async () => {
        const run = await startAndStop('scheduler', [fixture.file, local], ['--strict-config']);
        assert.equal(run.code, 2, run.stderr);
        assert.ok(run.stderr.includes(`${fixture.file}:${fixture.strictError}`), run.stderr);
      });
    }
  });
}
