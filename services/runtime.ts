// What every ulm process is built from: the configuration, the database, the bus, the cloud
// (connected on first use), the datasource, the power driver and the engine. `ulm serve`, each
// daemon and the CLI's direct mode open the same runtime and start different features on it.
import { hostname } from 'node:os';
import type { Datasource } from '../core/datasource.js';
import type { Policy } from '../core/policy/schema.js';
import type { Snapshot } from '../core/snapshot/format.js';
import { collectSnapshot } from './collect/collect.js';
import type { PowerDriver } from '../core/power.js';
import { connectCloud, type Cloud } from '../openstack/cloud.js';
import { resolveCloudConfig, type CloudConfig } from '../openstack/config.js';
import type { Logger } from '../openstack/logger.js';
import { closeServiceLogger, createServiceLogger } from './logging.js';
import { createDatasource } from '../plugins/datasources/index.js';
import { createPowerDriver } from '../plugins/power/index.js';
import { DEFAULT_APPLIER_SETTINGS, type ApplierContext, type ApplierSettings } from './applier/executor.js';
import { datesOf, systemClock, type Clock } from './clock.js';
import { NovaCompute } from './applier/nova-compute.js';
import type { ComputeOperations } from './applier/compute.js';
import { createBus, type Bus } from './bus/index.js';
import { pluginOptions, type Config } from './config/index.js';
import { withServiceClients } from './service-clients.js';
import { createRepositories, migrateToLatest, openDatabaseFromConfig, type Database, type Repositories } from './db/index.js';
import { createEngine, type ServiceEngine } from './engine/engine.js';
import { PLANNER_NAME, VERSION } from './version.js';

export interface RuntimeOptions {
  /** clouds.yaml entry (--os-cloud) when the configuration names no service credentials. */
  cloudName?: string;
  /** The cloud, already resolved (a CLI's --os-* options): wins over everything else. */
  cloudConfig?: CloudConfig;
  /** Environment for OS_* variables and clouds.yaml lookup. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** The program's name for its log (ulm-applier, ...; oslo.log's log_dir/PROGRAM.log). */
  program?: string;
  /** Upgrade the database schema at start (the default SQLite set-up needs no `ulm-manage db sync`). */
  migrate?: boolean;
  clock?: Clock;
  /** A compute implementation to use instead of Nova (tests of the service logic). */
  compute?: ComputeOperations;
  /** The configuration files read (relative paths such as [api] policy_file resolve next to them). */
  configFiles?: string[];
  /** A power driver built by the caller (per-host BMC settings the configuration file cannot hold). */
  power?: PowerDriver;
}

export interface Runtime {
  config: Config;
  logger: Logger;
  database: Database;
  repositories: Repositories;
  bus: Bus;
  power: PowerDriver;
  engine: ServiceEngine;
  clock: Clock;
  /** `host:pid`: how this process names itself to other processes. */
  holder: string;
  configFiles: string[];
  /** The clouds.yaml entry the process was started with (--os-cloud), if any. */
  cloudName: string | undefined;
  cloud(): Promise<Cloud>;
  /** Reads the cloud into a snapshot with the policy's metrics settings, and stores it. */
  collectAndStore(policy: Policy): Promise<Snapshot>;
  /** Reads the cloud into a snapshot with the policy's metrics settings, without storing it. */
  collect(policy: Policy): Promise<Snapshot>;
  compute(): Promise<ComputeOperations>;
  applierContext(): Promise<ApplierContext>;
  /** Set by the scheduler feature when it runs in this process. */
  schedulerLeader: { leading: boolean };
  close(): Promise<void>;
}

/**
 * The cloud ulm's services act on: [keystone_authtoken] credentials, else clouds.yaml / OS_*;
 * with what [nova], [placement] and [gnocchi] set for their service.
 */
export function serviceCloudConfig(config: Config, options: RuntimeOptions = {}): CloudConfig {
  return withServiceClients(options.cloudConfig ?? credentialsCloudConfig(config, options), config);
}

function credentialsCloudConfig(config: Config, options: RuntimeOptions): CloudConfig {
  const keystone = config.keystone_authtoken;
  const env = options.env ?? process.env;
  const named = keystone.username || keystone.application_credential_id;
  if (named && keystone.auth_url) {
    return resolveCloudConfig({
      env: {},
      overrides: {
        auth_type: keystone.auth_type === 'v3applicationcredential' ? 'v3applicationcredential' : 'password',
        auth: {
          auth_url: keystone.auth_url, username: keystone.username || undefined, password: keystone.password || undefined,
          project_name: keystone.project_name || undefined,
          // kolla-ansible and OpenStack-Ansible name the domains by id; an id wins over a name.
          ...(keystone.user_domain_id ? { user_domain_id: keystone.user_domain_id } : { user_domain_name: keystone.user_domain_name }),
          ...(keystone.project_domain_id ? { project_domain_id: keystone.project_domain_id } : { project_domain_name: keystone.project_domain_name }),
          application_credential_id: keystone.application_credential_id || undefined, application_credential_secret: keystone.application_credential_secret || undefined,
        },
        region_name: keystone.region_name || undefined,
        interface: config.nova.interface,
        ...(keystone.cafile ? { cacert: keystone.cafile } : {}),
        ...(keystone.insecure ? { insecure: true } : {}),
      },
    });
  }
  return resolveCloudConfig({ cloud: options.cloudName, env });
}

function applierSettingsOf(config: Config): ApplierSettings {
  return {
    ...DEFAULT_APPLIER_SETTINGS,
    maxParallelMigrations: config.applier.max_parallel_migrations,
    maxPerSourceHost: config.nova.max_concurrent_live_migrations,
    migrationTimeoutMs: config.applier.migration_timeout_seconds * 1000,
    pollIntervalMs: config.applier.poll_interval_seconds * 1000,
    noValidHostRetryMs: config.applier.no_valid_host_retry_seconds * 1000,
  };
}

export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createServiceLogger(config, { program: options.program ?? 'ulm', terminal: process.stderr.isTTY === true });
  const clock = options.clock ?? systemClock;
  const database = await openDatabaseFromConfig(config);
  if (options.migrate) await migrateToLatest(database);
  // One clock: rows, bus messages, the applier, the power driver and the engine all read it.
  const repositories = createRepositories(database, { clock: datesOf(clock) });
  const bus = await createBus(config.DEFAULT.transport_url || undefined, { logger, now: datesOf(clock) });
  const holder = `${config.DEFAULT.host || hostname()}:${process.pid}`;

  let cloudPromise: Promise<Cloud> | null = null;
  const cloud = () => {
    cloudPromise ??= connectCloud(serviceCloudConfig(config, options), { logger, userAgent: `ulm/${VERSION}` }).catch((error) => {
      cloudPromise = null; // try again next time: the cloud may come back
      throw error;
    });
    return cloudPromise;
  };
  const compute = async () => options.compute ?? new NovaCompute(await cloud());
  let datasource: Datasource | null = null;
  const datasourceOf = async () => {
    datasource ??= createDatasource(config.DEFAULT.datasource, pluginOptions(config, config.DEFAULT.datasource), { session: (await cloud()).session, logger });
    return datasource;
  };
  const power = options.power ?? createPowerDriver(config.power.driver, pluginOptions(config, `power_${config.power.driver}`), { logger, clock });
  const schedulerLeader = { leading: false };
  const applierSettings = applierSettingsOf(config);
  const collect = async (policy: Policy, generator: Record<string, unknown> = {}) => {
    const connected = await cloud();
    const result = await collectSnapshot({ cloud: connected, datasource: await datasourceOf(), policy, now: clock.now(), logger, generator, concurrency: config.DEFAULT.collect_concurrency });
    // Nova knows no power figures: hosts get the operator's estimate, for power-saved estimates.
    const estimate = { idle_watts: config.power.idle_watts, max_watts: config.power.max_watts };
    return { ...result.snapshot, hosts: result.snapshot.hosts.map((host) => (host.power ? host : { ...host, power: estimate })) };
  };
  const engine = createEngine({
    repositories, cloud, collect, compute, power, bus, clock, logger, applierSettings,
    planner: PLANNER_NAME, version: VERSION, runner: holder, isSchedulerLeader: () => schedulerLeader.leading, monitorIntervalSeconds: config.monitor.interval_seconds,
    maintenanceSettings: { defaultMigrationSeconds: config.scheduler.maintenance_default_migration_seconds, margin: config.scheduler.maintenance_margin, minimumMarginSeconds: config.scheduler.maintenance_minimum_margin_seconds },
  });
  return {
    config, logger, database, repositories, bus, power, engine, clock, holder, cloud, compute, schedulerLeader,
    configFiles: options.configFiles ?? [],
    cloudName: options.cloudName ?? options.cloudConfig?.cloud,
    collect: (policy) => collect(policy, { tool: PLANNER_NAME }),
    async collectAndStore(policy) {
      const snapshot = await collect(policy, { tool: PLANNER_NAME });
      await repositories.snapshots.create(snapshot);
      return snapshot;
    },
    async applierContext() {
      return { repositories, compute: await compute(), power, logger, clock, settings: applierSettings };
    },
    async close() {
      await bus.close().catch(() => undefined);
      await database.close().catch(() => undefined);
      await closeServiceLogger(logger);
    },
  };
}
