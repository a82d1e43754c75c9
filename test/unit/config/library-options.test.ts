// What deployment tools write for the OpenStack libraries is accepted: honoured where ulm
// implements it (auth_uri, token_cache_time = -1, [oslo_policy] policy_file), otherwise warned
// about once as unused with file and line; unknown options in ulm's sections are warnings with
// "did you mean", errors with --strict-config.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { CachingTokenValidator, type Caller, type TokenValidator } from '../../../services/api/auth/tokens.js';
import { ConfigError, loadConfig, loadConfigFromOptions, warningsOf, type ConfigCommandOptions, type Environment } from '../../../services/config/index.js';
import { withProcessOptions } from '../../../services/process.js';

const operator: Environment = { env: {}, homedir: '/home/operator', hostname: 'controller-1' };

describe('options of the OpenStack libraries in ulm.conf', () => {
  let directory: string;
  let count = 0;
  const file = (text: string) => {
    const path = join(directory, `ulm-${(count += 1)}.conf`);
    writeFileSync(path, text);
    return path;
  };
  const load = (files: string[], strict = false) => loadConfig(files, {}, { environment: operator, strict });
  const warnings = (files: string[]) => warningsOf(load(files)).map((warning) => `${warning.path} ${warning.message}`);

  beforeEach(() => { directory = mkdtempSync(join(tmpdir(), 'ulm-library-options-')); });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('warns once, with file and line, about a library option ulm does not use, and starts', () => {
    const first = file('[keystone_authtoken]\nmemcached_servers = 10.0.0.1:11211\n\n[oslo_concurrency]\nlock_path = /var/lib/ulm/tmp\n');
    const second = file('[keystone_authtoken]\nmemcached_servers = 10.0.0.2:11211\n');
    assert.deepEqual(warnings([first, second]), [
      `${first}:2: [keystone_authtoken] memcached_servers is an option of keystonemiddleware that ulm does not use; it is ignored`,
      `${first}:5: [oslo_concurrency] lock_path is an option of oslo.concurrency that ulm does not use; it is ignored`,
    ]);
  });

  it('accepts every section kolla-ansible and OpenStack-Ansible write, even under --strict-config', () => {
    const path = file([
      '[DEFAULT]', 'log_config_append = /etc/ulm/logging.conf', 'control_exchange = ulm',
      '[database]', 'connection_recycle_time = 10', 'max_overflow = 50',
      '[oslo_messaging_rabbit]', 'amqp_durable_queues = true', 'rabbit_quorum_queue = true',
      '[oslo_messaging_notifications]', 'driver = messagingv2',
      '[oslo_policy]', 'enforce_scope = true', 'enforce_new_defaults = true',
      '[oslo_middleware]', 'enable_proxy_headers_parsing = true',
      '[keystone_authtoken]', 'service_token_roles = service', 'service_token_roles_required = true', 'interface = internal', '',
    ].join('\n'));
    const config = load([path], true);
    assert.equal(warningsOf(config).length, 13);
    assert.ok(warningsOf(config).every((warning) => warning.message.endsWith('that ulm does not use; it is ignored')));
  });

  it('reads auth_uri as the deprecated name of www_authenticate_uri, and says so', () => {
    const path = file('[keystone_authtoken]\nauth_uri = https://keystone.example.org:5000\n');
    const config = load([path]);
    assert.equal(config.keystone_authtoken.www_authenticate_uri, 'https://keystone.example.org:5000');
    assert.deepEqual(warnings([path]), [`${path}:2: [keystone_authtoken] auth_uri is deprecated: write www_authenticate_uri (as keystonemiddleware and oslo.config do)`]);
  });

  it('turns the token cache off with token_cache_time = -1, as keystonemiddleware does', async () => {
    const config = load([file('[keystone_authtoken]\ntoken_cache_time = -1\n')]);
    assert.equal(config.keystone_authtoken.token_cache_time, -1);
    let asked = 0;
    const keystone: TokenValidator = {
      validate: async () => {
        asked += 1;
        return { user_id: 'u', user_name: 'u', user_domain_id: 'default', project_id: 'p', project_name: 'p', domain_id: null, system_scope: null, roles: ['reader'], expires_at: Date.now() + 3_600_000 } as Caller;
      },
    };
    const cache = new CachingTokenValidator(keystone, { ttlSeconds: config.keystone_authtoken.token_cache_time });
    await cache.validate('token-1');
    await cache.validate('token-1');
    assert.equal(asked, 2);
    assert.equal(cache.size, 0);
  });

  it('reads [oslo_policy] policy_file, where deployment tools write it', () => {
    assert.equal(load([file('[oslo_policy]\npolicy_file = /etc/ulm/policy.yaml\n')]).api.policy_file, '/etc/ulm/policy.yaml');
    assert.equal(load([file('[api]\npolicy_file = a.yaml\n[oslo_policy]\npolicy_file = b.yaml\n')]).api.policy_file, 'b.yaml');
  });

  it('reads the service user\'s domains by id, as kolla-ansible writes them', () => {
    const config = load([file('[keystone_authtoken]\nuser_domain_id = default\nproject_domain_id = default\n')]);
    assert.equal(config.keystone_authtoken.user_domain_id, 'default');
    assert.equal(config.keystone_authtoken.project_domain_id, 'default');
  });

  it('accepts [database] max_retries = -1, oslo.db\'s "retry forever"', () => {
    assert.equal(load([file('[database]\nmax_retries = -1\n')]).database.max_retries, -1);
  });

  it('warns about a misspelt option of ulm\'s own with "did you mean", and an unknown section', () => {
    const path = file('[api]\nbind_prot = 9000\nport = 9001\n[schedular]\ntick_seconds = 5\n');
    assert.deepEqual(warnings([path]), [
      `${path}:2: [api] bind_prot unknown option; did you mean bind_port? (ignored; --strict-config makes this an error)`,
      `${path}:3: [api] port unknown option; did you mean bind_port? (ignored; --strict-config makes this an error)`,
      `${path}:4: [schedular] unknown section; did you mean scheduler? (ignored; --strict-config makes this an error)`,
    ]);
  });

  it('refuses them with --strict-config on every process\'s command line', () => {
    const path = file('[api]\nbind_prot = 9000\n[keystone_authtoken]\nmemcached_servers = 10.0.0.1:11211\n');
    const command = withProcessOptions(new Command('ulm-applier')).exitOverride();
    command.parse(['node', 'ulm-applier', '--config-file', path, '--strict-config']);
    const options = command.opts<ConfigCommandOptions>();
    assert.equal(options.strictConfig, true);
    let error: unknown;
    try {
      loadConfigFromOptions(options);
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof ConfigError);
    // The library option stays a warning: only what ulm cannot place is an error.
    assert.deepEqual(error.issues.map((issue) => `${issue.path}: ${issue.message}`), [`${path}:2: [api] bind_prot: unknown option; did you mean bind_port?`]);
  });
});
