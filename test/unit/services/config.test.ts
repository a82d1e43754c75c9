// Configuration loading: defaults, layering of files and overrides, oslo's ini rules, and
// errors that name the file, line, [section] option, the value and what is expected.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError, addConfigOptions, configFilesFrom, formatConfig, loadConfig, type ConfigCommandOptions, type Environment } from '../../../services/config/index.js';

const operator: Environment = { env: {}, homedir: '/home/operator', hostname: 'controller-1' };
const load = (files: string[], overrides = {}, environment = operator) => loadConfig(files, overrides, { environment });
const loadStrict = (files: string[]) => loadConfig(files, {}, { environment: operator, strict: true });

describe('configuration', () => {
  let directory: string;
  let count = 0;
  const file = (text: string) => {
    const path = join(directory, `ulm-${(count += 1)}.conf`);
    writeFileSync(path, text);
    return path;
  };
  const errorOf = (action: () => unknown): ConfigError => {
    try {
      action();
    } catch (error) {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      return error;
    }
    assert.fail('expected a ConfigError');
  };

  beforeEach(() => { directory = mkdtempSync(join(tmpdir(), 'ulm-config-')); });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  describe('defaults', () => {
    it('gives every option a default without any file', () => {
      const config = load([]);
      assert.equal(config.DEFAULT.transport_url, '');
      assert.equal(config.DEFAULT.debug, false);
      assert.equal(config.DEFAULT.log_level, 'info');
      assert.equal(config.DEFAULT.host, 'controller-1');
      assert.equal(config.api.bind_host, '127.0.0.1');
      assert.equal(config.api.bind_port, 9328);
      assert.equal(config.power.driver, 'none');
      assert.equal(config.nova.max_concurrent_live_migrations, 1);
      assert.equal(config.keystone_authtoken.token_cache_time, 300);
      assert.equal(config.scheduler.misfire_policy, 'run_once');
    });

    it('keeps state in the user\'s state directory, and the SQLite database under state_path', () => {
      const config = load([]);
      assert.equal(config.DEFAULT.state_path, '/home/operator/.local/state/ulm');
      assert.equal(config.database.connection, 'sqlite:////home/operator/.local/state/ulm/ulm.sqlite');
    });

    it('follows XDG_STATE_HOME when it is absolute, and ignores it when relative (the XDG rule)', () => {
      assert.equal(load([], {}, { ...operator, env: { XDG_STATE_HOME: '/srv/state' } }).DEFAULT.state_path, '/srv/state/ulm');
      assert.equal(load([], {}, { ...operator, env: { XDG_STATE_HOME: 'relative' } }).DEFAULT.state_path, '/home/operator/.local/state/ulm');
    });

    it('is frozen', () => {
      const config = load([]);
      assert.throws(() => { (config.api as { bind_port: number }).bind_port = 1; }, TypeError);
      assert.throws(() => { (config.DEFAULT.default_log_levels as string[]).push('knex=DEBUG'); }, TypeError);
    });
  });

  describe('layering', () => {
    it('lets later files override earlier ones, and overrides win over files', () => {
      const first = file('[api]\nbind_port = 9000\nworkers = 4\n');
      const second = file('[api]\nbind_port = 9001\n');
      assert.equal(load([first, second]).api.bind_port, 9001);
      assert.equal(load([first, second]).api.workers, 4);
      assert.equal(load([first, second], { api: { bind_port: 9002 } }).api.bind_port, 9002);
      assert.equal(load([first], { api: { bind_port: '9003' } }).api.bind_port, 9003);
    });

    it('derives the default database from a configured state_path', () => {
      const config = load([file('[DEFAULT]\nstate_path = /var/lib/ulm\n')]);
      assert.equal(config.database.connection, 'sqlite:////var/lib/ulm/ulm.sqlite');
    });

    it('takes the files named by --config-file in order, then --config-dir files by name', () => {
      const first = file('[api]\nworkers = 2\n');
      const second = file('[api]\nworkers = 3\n');
      const dir = mkdtempSync(join(directory, 'conf.d-'));
      writeFileSync(join(dir, '20-late.conf'), '[api]\nworkers = 6\n');
      writeFileSync(join(dir, '10-early.conf'), '[api]\nworkers = 5\n');
      writeFileSync(join(dir, 'notes.txt'), 'not a config file');
      const command = addConfigOptions(new Command('test')).exitOverride();
      command.parse(['--config-file', first, '--config-file', second, '--config-dir', dir], { from: 'user' });
      const files = configFilesFrom(command.opts<ConfigCommandOptions>(), operator);
      assert.deepEqual(files, [first, second, join(dir, '10-early.conf'), join(dir, '20-late.conf')]);
      assert.equal(load(files).api.workers, 6);
    });
  });

  describe('oslo ini rules', () => {
    it('keeps "#" and ";" inside values, strips matching quotes and reads yes/no booleans', () => {
      const config = load([file([
        '# a comment',
        '; another comment',
        '[keystone_authtoken]',
        'password = se#cret;42',
        'username = "ulm"',
        'insecure = yes',
        '[DEFAULT]',
        'default_log_levels = amqp=WARN, knex=INFO ,',
      ].join('\n'))]);
      assert.equal(config.keystone_authtoken.password, 'se#cret;42');
      assert.equal(config.keystone_authtoken.username, 'ulm');
      assert.equal(config.keystone_authtoken.insecure, true);
      assert.deepEqual(config.DEFAULT.default_log_levels, ['amqp=WARN', 'knex=INFO']);
    });

    it('reads section names in any case, "name: value", and continuation lines', () => {
      const config = load([file('[Database]\nmysql_sql_mode: TRADITIONAL,\n  NO_ENGINE_SUBSTITUTION\n[default]\ndebug = On\n')]);
      assert.equal(config.database.mysql_sql_mode, 'TRADITIONAL,\nNO_ENGINE_SUBSTITUTION');
      assert.equal(config.DEFAULT.debug, true);
    });

    it('accepts the deprecated endpoint_type for interface', () => {
      assert.equal(load([file('[nova]\nendpoint_type = internal\n')]).nova.interface, 'internal');
    });

    it('interpolates $option and ${section.option}, and reads $$ as a literal $', () => {
      const config = load([file('[DEFAULT]\nstate_path = /srv/ulm\n[keystone_authtoken]\npassword = pa$$word\nusername = ${api.bind_host}\n')]);
      assert.equal(config.keystone_authtoken.password, 'pa$word');
      assert.equal(config.keystone_authtoken.username, '127.0.0.1');
    });
  });

  describe('errors', () => {
    it('names the file, line, [section] option, the value and what is expected', () => {
      const path = file('[api]\nbind_host = 0.0.0.0\nbind_port = http\n');
      const error = errorOf(() => load([path]));
      assert.equal(error.issues.length, 1);
      assert.equal(error.issues[0].path, `${path}:3: [api] bind_port`);
      assert.equal(error.issues[0].message, '"http" is not an integer from 1 to 65535');
      assert.match(error.message, /^invalid configuration:\n {2}.*ulm-\d+\.conf:3: \[api\] bind_port: "http" is not an integer from 1 to 65535$/);
    });

    it('says when a number is out of range', () => {
      const error = errorOf(() => load([file('[api]\nbind_port = 70000\n')]));
      assert.match(error.issues[0].message, /"70000" is not an integer from 1 to 65535 \(too large\)/);
    });

    it('lists the choices of an enum and the words of a boolean', () => {
      const error = errorOf(() => load([file('[power]\ndriver = wol\n[DEFAULT]\ndebug = maybe\n')]));
      assert.deepEqual(error.issues.map((issue) => issue.message), [
        '"wol" is not one of none, ipmi, redfish, ironic',
        '"maybe" is not true or false (also yes/no, on/off, 1/0)',
      ]);
    });

    it('with --strict-config, suggests the option meant by a misspelt one', () => {
      const path = file('[api]\nbind_prot = 9000\n');
      const error = errorOf(() => loadStrict([path]));
      assert.equal(error.issues[0].path, `${path}:2: [api] bind_prot`);
      assert.equal(error.issues[0].message, 'unknown option; did you mean bind_port?');
    });

    it('with --strict-config, names an unknown section once, at its header, with the known sections', () => {
      const path = file('[DEFAULT]\ndebug = true\n\n[wibble]\na = 1\nb = 2\n[databse]\nconnection = sqlite://\n');
      const error = errorOf(() => loadStrict([path]));
      assert.deepEqual(error.issues.map((issue) => `${issue.path} ${issue.message}`), [
        `${path}:4: [wibble] unknown section; remove it or check its spelling (known: DEFAULT, database, keystone_authtoken, nova, placement, gnocchi, api, scheduler, applier, monitor, listener, power, prometheus, power_ipmi, power_redfish, power_ironic)`,
        `${path}:7: [databse] unknown section; did you mean database?`,
      ]);
    });

    it('reports every mistake of every file at once', () => {
      const first = file('[api]\nworkers = 0\n');
      const second = file('debug = true\n[monitor]\ninterval_seconds = often\n');
      const error = errorOf(() => load([first, second]));
      assert.deepEqual(error.issues.map((issue) => issue.path), [
        `${first}:2: [api] workers`,
        `${second}:1`,
        `${second}:3: [monitor] interval_seconds`,
      ]);
      assert.match(error.issues[1].message, /outside any section; put it under a section header such as \[DEFAULT\]/);
    });

    it('names a configuration file that cannot be read', () => {
      const error = errorOf(() => load([join(directory, 'missing.conf')]));
      assert.equal(error.issues[0].path, join(directory, 'missing.conf'));
      assert.match(error.issues[0].message, /no such file; check the --config-file path/);
    });

    it('never echoes a secret, even in an error', () => {
      const error = errorOf(() => load([file('[database]\nconnection = postgresql://ulm:topsecret@db/ulm\n')]));
      assert.doesNotMatch(error.message, /topsecret/);
      assert.match(error.issues[0].message, /"postgresql:\/\/ulm:\*\*\*\*@db\/ulm": expected a database URL: the value has the unsupported scheme "postgresql"; expected sqlite:/);
    });

    it('checks options against each other, naming both and a value that works', () => {
      const error = errorOf(() => load([file('[scheduler]\ntick_seconds = 60\nleader_lease_seconds = 60\n[power]\ndriver = ipmi\n')]));
      assert.deepEqual(error.issues.map((issue) => issue.message), [
        '60 is not more than [scheduler] tick_seconds (60); the lease would expire between two renewals: set it to about three ticks, e.g. 180',
        'is required with [power] driver = ipmi: give the BMC address of a host, e.g. {host}-bmc.example.org',
      ]);
    });

    it('checks templates, time zones and URLs', () => {
      const error = errorOf(() => load([file('[power_ipmi]\naddress_template = bmc.example.org\n[scheduler]\ndefault_timezone = Europe/Atlantis\n[keystone_authtoken]\nauth_url = keystone:5000\n')]));
      assert.deepEqual(error.issues.map((issue) => issue.message), [
        '"bmc.example.org": expected a template containing {host}, e.g. "{host}-bmc.example.org"',
        '"Europe/Atlantis": expected an IANA time zone, e.g. Europe/Berlin or UTC',
        '"keystone:5000": expected an http:// or https:// URL, or nothing',
      ]);
    });

    it('rejects a reference to an unknown option, and says how to write a literal $', () => {
      const error = errorOf(() => load([file('[keystone_authtoken]\npassword = pa$word\n')]));
      assert.match(error.issues[0].message, /refers to \$word, which is not an option of \[DEFAULT\]; write \$\$ for a literal "\$"/);
    });

    it('rejects unknown overrides', () => {
      const error = errorOf(() => load([], { api: { bind_prot: 1 } as never }));
      assert.equal(error.issues[0].path, 'overrides: [api] bind_prot');
    });
  });

  describe('config show', () => {
    it('masks secrets, keeping what is not secret in URLs', () => {
      const config = load([file('[DEFAULT]\ntransport_url = rabbit://ulm:rabbitpass@127.0.0.1:5672/\n[keystone_authtoken]\npassword = kspass\n[database]\nconnection = mysql+pymysql://ulm:dbpass@db.example.org/ulm\n')]);
      const shown = formatConfig(config);
      assert.doesNotMatch(shown, /rabbitpass|kspass|dbpass/);
      assert.match(shown, /^transport_url = rabbit:\/\/ulm:\*\*\*\*@127\.0\.0\.1:5672\/$/m);
      assert.match(shown, /^connection = mysql\+pymysql:\/\/ulm:\*\*\*\*@db\.example\.org\/ulm$/m);
      assert.match(shown, /^password = \*\*\*\*$/m);
      assert.match(formatConfig(config, { showSecrets: true }), /^password = kspass$/m);
    });

    it('names the file and line each value came from', () => {
      const path = file('[api]\n\nworkers = 3\n');
      assert.match(formatConfig(load([path])), new RegExp(`^# from ${path}:3\nworkers = 3$`, 'm'));
    });

    it('prints a configuration that loads back to the same values', () => {
      const config = load([file('[keystone_authtoken]\npassword = pa$$word;#x\nservice_token_roles = service,admin\n[api]\nworkers = 3\n')]);
      const again = load([file(formatConfig(config, { showSecrets: true }))]);
      assert.deepEqual(again, config);
    });
  });
});
