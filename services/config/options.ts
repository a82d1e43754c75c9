// Every configuration option of ulm, by section: the one table that loading, validation,
// `config show` and the generated etc/ulm/ulm.conf.sample all read.
import { join } from 'node:path';
import { isKnownTimeZone } from '../../core/policy/windows.js';
import { DATASOURCES } from '../../plugins/datasources/index.js';
import { POWER_DRIVERS } from '../../plugins/power/index.js';
import { ConnectionUrlError, parseConnectionUrl } from '../db/connection-url.js';
import { boolean, enumeration, float, integer, list, string, type Environment, type ValueOf } from './definitions.js';

/** `$XDG_STATE_HOME/ulm`, else `~/.local/state/ulm` (the XDG base directory rule). */
export function defaultStatePath(environment: Environment): string {
  const stateHome = environment.env.XDG_STATE_HOME;
  // The XDG specification ignores relative values.
  return stateHome && stateHome.startsWith('/') ? join(stateHome, 'ulm') : join(environment.homedir, '.local', 'state', 'ulm');
}

function connectionUrl(value: string): string | undefined {
  try {
    parseConnectionUrl(value);
    return undefined;
  } catch (error) {
    if (error instanceof ConnectionUrlError) return `a database URL: the value ${error.message}`;
    throw error;
  }
}

function httpUrlOrEmpty(value: string): string | undefined {
  return value === '' || /^https?:\/\/[^/\s]+/.test(value) ? undefined : 'an http:// or https:// URL, or nothing';
}

const FACILITIES = ['LOG_USER', 'LOG_DAEMON', 'LOG_AUTH', 'LOG_SYSLOG', ...Array.from({ length: 8 }, (_, index) => `LOG_LOCAL${index}`)];

function syslogFacility(value: string): string | undefined {
  return FACILITIES.includes(value.toUpperCase()) ? undefined : `a syslog facility: ${FACILITIES.join(', ')}`;
}

function logLevelPairs(pairs: readonly string[]): string | undefined {
  const bad = pairs.find((pair) => !/^[^=\s]+=(DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL)$/i.test(pair));
  return bad === undefined ? undefined : `LOGGER=LEVEL pairs such as amqplib=WARN,knex=INFO ("${bad}" is not one)`;
}

const INTERFACES = ['public', 'internal', 'admin'] as const;
const INTERFACE_HELP = { public: 'the public endpoint', internal: 'the internal endpoint (traffic stays inside the cloud)', admin: 'the admin endpoint' };

/** The options ulm uses to reach one OpenStack service through the Keystone catalog. */
function serviceClientOptions(service: string, timeoutSeconds: number) {
  return {
    interface: enumeration(INTERFACES, {
      default: 'public', choiceHelp: INTERFACE_HELP, deprecatedNames: ['endpoint_type'],
      help: `Which ${service} endpoint of the Keystone catalog ulm calls.`,
    }),
    region_name: string({ default: '', help: `Region of the ${service} endpoint in the Keystone catalog. Empty: the only region, or [keystone_authtoken] region_name.` }),
    endpoint_override: string({ default: '', check: httpUrlOrEmpty, help: `Call ${service} at this URL instead of the one in the Keystone catalog.` }),
    timeout: float({ default: timeoutSeconds, min: 1, help: `Seconds to wait for an answer from ${service} before the request fails.` }),
    cafile: string({ default: '', help: `PEM file of the CA that signed ${service}'s certificate. Empty: the system's CAs.` }),
    insecure: boolean({ default: false, help: `Do not verify ${service}'s TLS certificate. For test clouds only.` }),
  };
}

export const SECTION_HELP = {
  DEFAULT: 'Settings every ulm service reads.',
  database: 'The database of policies, windows, audits, action plans and the applier\'s journal.',
  keystone_authtoken: 'Keystone: validating the tokens of API callers (keystonemiddleware style), and the service user ulm calls Nova, Placement and Gnocchi as.',
  nova: 'Calls to the Nova compute API (live migrations, services, hypervisors).',
  placement: 'Calls to the Placement API (inventories, allocations, allocation ratios).',
  gnocchi: 'Calls to Gnocchi, the default datasource of observed usage.',
  api: 'ulm-api, the REST API.',
  scheduler: 'ulm-scheduler: power-saving windows, audits and overload relief. One scheduler leads at a time.',
  applier: 'ulm-applier: executes action plans through Nova.',
  monitor: 'ulm-monitor: periodic collection and sustained-overload detection.',
  listener: 'ulm-listener: Nova\'s versioned notifications, to mark plans stale when the cloud changes under them.',
  power: 'Powering emptied hosts off and back on. Hosts are always disabled in Nova first.',
} as const;

export const OPTIONS = {
  DEFAULT: {
    transport_url: string({
      default: '', secret: true,
      help: 'Message bus URL, oslo.messaging style: rabbit://USER:PASSWORD@HOST:5672/VHOST. Empty: an in-process bus, which only works when every service runs in one process (`ulm serve`).',
    }),
    debug: boolean({ default: false, help: 'Log at debug level (overrides log_level): requests, request ids and decisions. Never logs secrets (oslo.log).' }),
    log_level: enumeration(['debug', 'info', 'warning', 'error'], { default: 'info', help: 'The least severe messages that are logged.' }),
    log_file: string({ default: '', help: 'Write the log to this file (oslo.log). A relative path is taken in log_dir. Empty: log_dir/PROGRAM.log when log_dir is set, else standard error.' }),
    log_dir: string({ default: '', help: 'Directory of the log file (oslo.log): PROGRAM.log there (ulm-api.log, ulm-applier.log, ...) unless log_file names one. Empty: no file.' }),
    use_json: boolean({ default: false, help: 'Write log records as JSON objects, one a line (oslo.log\'s JSON formatter), instead of text lines.' }),
    use_journal: boolean({ default: false, help: 'Send the log to the systemd journal (through systemd-cat), with each record\'s priority (oslo.log). Without a journal, the lines go to standard error.' }),
    use_syslog: boolean({ default: false, help: 'Send the log to syslog (through logger(1) to /dev/log), with syslog_log_facility (oslo.log). Without a syslog daemon, the lines go to standard error.' }),
    syslog_log_facility: string({
      default: 'LOG_USER', check: syslogFacility,
      help: 'Syslog facility of the records with use_syslog, as oslo.log names it: LOG_USER, LOG_DAEMON, LOG_LOCAL0 ... LOG_LOCAL7.',
    }),
    default_log_levels: list({
      default: ['amqp=WARN', 'amqplib=WARN', 'knex=WARN', 'keystonemiddleware=WARN'],
      check: logLevelPairs,
      help: 'Levels of named loggers as LOGGER=LEVEL pairs (oslo.log): a record of ulm.openstack.http is kept when at least the level of the longest name that prefixes it, e.g. ulm.openstack=WARN. LEVEL: DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL.',
    }),
    state_path: string({
      default: defaultStatePath, sampleDefault: '$XDG_STATE_HOME/ulm, or ~/.local/state/ulm',
      check: (value) => (value ? undefined : 'a directory'),
      help: 'Directory where ulm keeps its state (the default SQLite database, among others). Packages usually set /var/lib/ulm.',
    }),
    datasource: string({
      default: 'gnocchi', check: (value) => (DATASOURCES.some((plugin) => plugin.name === value) ? undefined : `a datasource: ${DATASOURCES.map((plugin) => plugin.name).join(', ')}`),
      help: 'Where observed usage of servers and hosts is read; its options are in the section named after it, e.g. [gnocchi].',
    }),
    collect_concurrency: integer({
      default: 8, min: 1, max: 64,
      help: 'Requests in flight at once for the per-host reads of a collection (a compute host\'s Placement inventories and allocations) by the monitor, ulm snapshot create and audits. More collects a large cloud faster; fewer spares a loaded Placement.',
    }),
    host: string({
      default: (environment) => environment.hostname, sampleDefault: 'this machine\'s host name',
      check: (value) => (value ? undefined : 'a non-empty name'),
      help: 'Name of this node, as other services and the logs see it (e.g. the scheduler leader).',
    }),
  },
  database: {
    connection: string({
      default: 'sqlite:///$state_path/ulm.sqlite', secret: true, check: connectionUrl,
      help: 'SQLAlchemy-style database URL. SQLite (one host): sqlite:////var/lib/ulm/ulm.sqlite. MariaDB or MySQL (several hosts, replicas): mysql+pymysql://ulm:PASSWORD@db.example.org/ulm?charset=utf8mb4.',
    }),
    max_pool_size: integer({ default: 5, min: 1, help: 'Most connections each process keeps open to MariaDB/MySQL. SQLite always uses one.' }),
    pool_timeout: integer({ default: 30, min: 1, help: 'Seconds to wait for a free connection from the pool before the operation fails.' }),
    mysql_sql_mode: string({ default: 'TRADITIONAL', help: 'SQL mode set on every MariaDB/MySQL connection. TRADITIONAL turns silent truncation into errors.' }),
    max_retries: integer({ default: 10, min: -1, help: 'Attempts to reach the database when a service starts, before it gives up. 0: try once; -1: try until it answers (oslo.db).' }),
    retry_interval: integer({ default: 10, min: 1, help: 'Seconds between those attempts.' }),
    retention_days: integer({
      default: 30, min: 0,
      help: 'Days snapshots, audits, finished action plans and their journal are kept; the scheduler\'s leader purges older rows once a day (as ulm-manage db purge --before). Always kept: the newest snapshot, unfinished plans, and what a held host, a window run or a maintenance in progress refers to. 0: keep everything.',
    }),
  },
  keystone_authtoken: {
    www_authenticate_uri: string({ default: '', check: httpUrlOrEmpty, deprecatedNames: ['auth_uri'], help: 'Public Keystone URL returned to unauthenticated API callers in WWW-Authenticate, e.g. https://keystone.example.org/v3.' }),
    auth_url: string({ default: '', check: httpUrlOrEmpty, help: 'Keystone URL ulm authenticates its service user against, e.g. https://keystone.example.org/v3.' }),
    auth_type: enumeration(['password', 'v3password', 'v3applicationcredential'], { default: 'password', help: 'How the service user authenticates.' }),
    username: string({ default: '', help: 'Service user name (auth_type password).' }),
    password: string({ default: '', secret: true, help: 'Service user password (auth_type password).' }),
    project_name: string({ default: '', help: 'Project the service user is scoped to, usually "service".' }),
    user_domain_name: string({ default: 'Default', help: 'Domain of the service user.' }),
    project_domain_name: string({ default: 'Default', help: 'Domain of project_name.' }),
    user_domain_id: string({ default: '', help: 'Id of the service user\'s domain, instead of user_domain_name (kolla-ansible and OpenStack-Ansible write this one).' }),
    project_domain_id: string({ default: '', help: 'Id of project_name\'s domain, instead of project_domain_name.' }),
    application_credential_id: string({ default: '', help: 'Application credential id (auth_type v3applicationcredential).' }),
    application_credential_secret: string({ default: '', secret: true, help: 'Application credential secret (auth_type v3applicationcredential).' }),
    region_name: string({ default: '', help: 'Region used when the Keystone catalog lists several.' }),
    cafile: string({ default: '', help: 'PEM file of the CA that signed Keystone\'s certificate. Empty: the system\'s CAs.' }),
    insecure: boolean({ default: false, help: 'Do not verify Keystone\'s TLS certificate. For test clouds only.' }),
    token_cache_time: integer({ default: 300, min: -1, help: 'Seconds a validated token is cached before Keystone is asked again. -1 (keystonemiddleware\'s "no cache") or 0: no cache.' }),
  },
  nova: {
    ...serviceClientOptions('Nova', 60),
    max_concurrent_live_migrations: integer({
      default: 1, min: 1,
      help: 'Live migrations Nova runs at once out of one compute host: set it like nova.conf [DEFAULT] max_concurrent_live_migrations on the computes (Nova\'s default is 1). ulm never sends a host more, so Nova queues nothing and migration timeouts measure migrations, not waiting.',
    }),
  },
  placement: serviceClientOptions('Placement', 30),
  gnocchi: serviceClientOptions('Gnocchi', 60),
  api: {
    bind_host: string({ default: '127.0.0.1', check: (value) => (value ? undefined : 'an address, e.g. 0.0.0.0 for every interface'), help: 'Address ulm-api listens on. 0.0.0.0 or :: for every interface.' }),
    bind_port: integer({ default: 9328, min: 1, max: 65535, help: 'TCP port ulm-api listens on.' }),
    auth_strategy: enumeration(['keystone', 'noauth'], {
      default: 'keystone',
      choiceHelp: { keystone: 'X-Auth-Token validated against Keystone, roles from the policy file', noauth: 'no token asked, every caller is admin: local development on 127.0.0.1 only, never a cloud' },
      help: 'How API callers are authenticated.',
    }),
    policy_file: string({ default: 'policy.yaml', help: 'oslo.policy-style rules file; a relative path is looked up next to the configuration files. Missing: the built-in rules. Also read from [oslo_policy] policy_file, where deployment tools write it (the later in the files wins).' }),
    workers: integer({ default: 1, min: 1, help: 'ulm-api worker processes.' }),
  },
  scheduler: {
    leader_lock_name: string({ default: 'ulm-scheduler', check: (value) => (value && value.length <= 48 ? undefined : 'a name of 1 to 48 characters'), help: 'Name of the database lock the schedulers contend for; the holder is the one active scheduler.' }),
    tick_seconds: integer({ default: 30, min: 1, max: 3600, help: 'Seconds between two looks at the windows, and between two renewals of the leader lock.' }),
    leader_lease_seconds: integer({ default: 90, min: 2, help: 'SQLite only: a leader that has not renewed its lease for this long is replaced. Keep it a few times tick_seconds. MariaDB/MySQL locks end with the leader\'s connection instead.' }),
    misfire_policy: enumeration(['run_once', 'skip'], {
      default: 'run_once',
      choiceHelp: { run_once: 'run it once when the scheduler is back (several missed starts run once)', skip: 'wait for the next start' },
      help: 'What to do with a window start missed while no scheduler was running, for windows that do not set their own catch-up policy.',
    }),
    misfire_grace_seconds: integer({ default: 900, min: 0, help: 'A start missed by more than this is skipped whatever the misfire policy.' }),
    default_timezone: string({ default: 'UTC', check: (value) => (isKnownTimeZone(value) ? undefined : 'an IANA time zone, e.g. Europe/Berlin or UTC'), help: 'Time zone of windows that do not name one.' }),
    maintenance_default_migration_seconds: integer({ default: 60, min: 1, help: 'Scheduled maintenances: seconds one live migration is expected to take while ulm has measured none. Once ulm has run migrations, the median of the measured ones is used.' }),
    maintenance_margin: float({ default: 0.5, min: 0, max: 10, help: 'Scheduled maintenances: the fraction added to the estimated drain time, so that the hosts are empty by the maintenance\'s time. 0.5: half the estimate again.' }),
    maintenance_minimum_margin_seconds: integer({ default: 300, min: 0, help: 'Scheduled maintenances: the least time added to the estimated drain (planning, disabling the hosts, a slow migration).' }),
  },
  applier: {
    max_parallel_migrations: integer({ default: 2, min: 1, help: 'Most live migrations the applier runs at once across the cloud; a policy may ask for fewer. Plans are cut into waves of at most this many migrations.' }),
    migration_timeout_seconds: integer({ default: 1800, min: 60, help: 'A live migration still running after this long is aborted and its action fails; the plan stops safely.' }),
    poll_interval_seconds: integer({ default: 5, min: 1, help: 'Seconds between two looks at a running migration in Nova once it has run 15 s (every quarter second before: most end within seconds, and a wave waits for its last).' }),
    no_valid_host_retry_seconds: integer({ default: 150, min: 0, help: 'Nova\'s scheduler learns late that a server left a host (scheduler_instance_sync_interval, 120 s by default), so it may refuse a server group member onto a host another member has just left with "No valid host". Such a refusal is tried again after 2, 4, 8, then every 15 s for this long before the action fails; 0 fails at once. Lowering scheduler_instance_sync_interval in nova.conf shortens the wait.' }),
    lease_seconds: integer({ default: 60, min: 5, help: 'An applier renews its claim on a running plan within this time; a plan whose applier stopped renewing (crash, lost host) is resumed by another applier after it.' }),
  },
  monitor: {
    interval_seconds: integer({ default: 60, min: 10, help: 'Seconds between two collections of the cloud.' }),
    policy: string({ default: '', help: 'Stored policy whose usage limits and overload section (thresholds, K of N samples) the monitor applies, and whose settings relief plans use. Empty: the built-in defaults (max_host_cpu 0.75, overload above 0.9 for 3 of the last 5 samples).' }),
    auto_apply: boolean({ default: false, help: 'Start overload relief plans at once. False: they wait as RECOMMENDED for an operator.' }),
    keep_every_minutes: integer({
      default: 60, min: 1,
      help: 'The monitor stores a collection as a snapshot when the cloud changed (hosts, their state and capacity, servers and where they run; not the usage figures) or when the newest stored snapshot is this many minutes old.',
    }),
  },
  listener: {
    transport_url: string({
      default: '', secret: true,
      help: 'Where Nova publishes its versioned notifications (nova.conf [oslo_messaging_notifications] transport_url, else its [DEFAULT] transport_url), oslo.messaging style: rabbit://USER:PASSWORD@HOST:5672/VHOST. Empty: [DEFAULT] transport_url; both empty: the listener is off.',
    }),
    pool: string({ default: 'ulm_notifications', help: 'Name of ulm\'s own queue on Nova\'s exchange, shared by every ulm-listener replica; it never takes messages meant for others.' }),
  },
  power: {
    driver: enumeration(POWER_DRIVERS.map((plugin) => plugin.name), {
      default: 'none',
      choiceHelp: Object.fromEntries(POWER_DRIVERS.map((plugin) => [plugin.name, plugin.description])),
      help: 'How emptied hosts are powered off and back on; each driver\'s options are in its own section, [power_DRIVER].',
    }),
    idle_watts: integer({ default: 200, min: 0, help: 'Estimated draw of an idle host, for power-saved estimates and the savings reports, on hosts the cloud gives no power figures for.' }),
    max_watts: integer({ default: 450, min: 0, help: 'Estimated draw of a host at full CPU load (same use as idle_watts); must be at least idle_watts.' }),
  },
} as const;

export type SectionName = keyof typeof OPTIONS;
export type OptionName<Section extends SectionName> = keyof (typeof OPTIONS)[Section] & string;

/** The loaded configuration: every option of every section, typed. */
export type Config = {
  readonly [Section in SectionName]: {
    readonly [Option in keyof (typeof OPTIONS)[Section]]: ValueOf<(typeof OPTIONS)[Section][Option]>;
  };
};
