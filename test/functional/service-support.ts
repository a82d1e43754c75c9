// What the service's functional tests share: a ulm runtime on a temporary SQLite database and
// the real dev cloud, the seeded layout of servers, waiting for a plan to finish, and putting the
// cloud back as it was seeded (hosts enabled, servers on their seeded hosts).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PowerDriver } from '../../core/power.js';
import { createLogger } from '../../openstack/logger.js';
import { loadConfig } from '../../services/config/index.js';
import type { ActionPlanView } from '../../core/api/records.js';
import { FINAL_PLAN_STATES } from '../../core/plan/states.js';
import { startFeatures, stopFeatures, type FeatureName, type RunningFeature } from '../../services/features.js';
import { openRuntime, type Runtime } from '../../services/runtime.js';
import { recordPlanTimes } from '../support/plan-times.js';
import { createConnection } from 'mysql2/promise';
import { devCloudConfig, devCloudOptionsIni, liveMigrationsPerHost, novaGet, openstack, openstackAction, schedulerSyncSeconds, serverList, sleep, STATE } from './dev-cloud.js';

export interface TestRuntime {
  runtime: Runtime;
  features: RunningFeature[];
  directory: string;
  configFile: string;
  close(): Promise<void>;
}

/** A runtime on a fresh SQLite file in a temp dir; `extra` is appended to its ulm.conf. */
export async function openTestRuntime(options: { extra?: string; power?: PowerDriver; directory?: string; features?: FeatureName[] } = {}): Promise<TestRuntime> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'ulm-functional-'));
  const configFile = join(directory, 'ulm.conf');
  writeFileSync(configFile, `[DEFAULT]\nstate_path = ${directory}\n[applier]\npoll_interval_seconds = 2\nlease_seconds = 10\n${devCloudOptionsIni()}${options.extra ?? ''}`);
  const config = loadConfig([configFile]);
  const runtime = await openRuntime(config, {
    cloudConfig: devCloudConfig(), migrate: true, power: options.power, configFiles: [configFile],
    logger: createLogger({ level: (process.env.ULM_TEST_LOG ?? 'warn') as 'warn' }),
  });
  const features = await startFeatures(runtime, options.features ?? ['applier']);
  return {
    runtime, directory, configFile, features,
    async close() {
      await stopFeatures(features);
      // The applier's speed report (test/bench/applier-times.ts) reads what this database ran.
      await recordPlanTimes(runtime).catch((error: unknown) => console.warn(`plan times not recorded: ${String(error)}`));
      await runtime.close();
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Server id -> host, as Nova's API reports it (read apart from ulm's clients). */
export function currentLayout(): Map<string, string> {
  const servers = serverList();
  return new Map(servers.filter((server) => server.Host).map((server) => [server.ID, server.Host!]));
}

/** The nova-compute services as `openstack compute service list --long` names their fields (read from Nova's API). */
export function computeServices(): { Host: string; Status: string; State: string; 'Disabled Reason': string | null }[] {
  const { services } = novaGet<{ services: { host: string; status: string; state: string; disabled_reason: string | null }[] }>('/os-services?binary=nova-compute');
  return services.map((service) => ({ Host: service.host, Status: service.status, State: service.state, 'Disabled Reason': service.disabled_reason }));
}

/** What a host holds in Placement (all resource classes), from python-openstackclient. */
export function placementUsage(host: string): Record<string, number> {
  const [provider] = openstack<{ uuid: string }[]>(['resource', 'provider', 'list', '--name', host]);
  const usages = openstack<{ resource_class: string; usage: number }[]>(['resource', 'provider', 'usage', 'show', provider.uuid]);
  return Object.fromEntries(usages.map((usage) => [usage.resource_class, usage.usage]));
}

/** Polls the plan until it is final; returns it. */
export async function waitForPlan(runtime: Runtime, planId: string, timeoutMs = 600_000): Promise<ActionPlanView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const plan = await runtime.engine.getActionPlan(planId);
    if (FINAL_PLAN_STATES.includes(plan.state)) return plan;
    if (Date.now() > deadline) throw new Error(`action plan ${planId} still ${plan.state} after ${timeoutMs / 1000} s`);
    // A read of ulm's own database: cheap, and every second a test waits on its plan adds up.
    await sleep(500);
  }
}

/**
 * Puts the cloud back as seeded: every host enabled (hosts ulm disabled through ulm, any other
 * through Nova) and every server on its seeded host (a reach-target plan through ulm).
 */
export async function restoreLayout(runtime: Runtime, seeded: Map<string, string>): Promise<void> {
  const held = (await runtime.repositories.hostStates.list()).filter((record) => record.disabled).map((record) => record.host);
  if (held.length) await runtime.engine.undrainHosts(held);
  for (const service of computeServices()) {
    if (service.Status === 'disabled') openstackAction(['compute', 'service', 'set', '--enable', service.Host, 'nova-compute']);
  }
  const now = currentLayout();
  const target = Object.fromEntries([...seeded].filter(([server, host]) => now.get(server) !== undefined && now.get(server) !== host));
  if (!Object.keys(target).length) return;
  const outcome = await runtime.engine.createAudit({
    document: { goal: 'reach_target', max_host_cpu: 1, max_host_memory: 1, max_parallel_per_host: liveMigrationsPerHost(), metrics: { missing: 'use_allocations' } },
    target, start: true,
  });
  if (!outcome.action_plan) throw new Error(`cannot restore the seeded layout: ${outcome.audit.failure_reason}`);
  const plan = await waitForPlan(runtime, outcome.action_plan.id);
  if (plan.state !== 'SUCCEEDED') throw new Error(`restoring the seeded layout ended ${plan.state}: ${plan.failure_reason}`);
  // Until the computes' next instance sync, Nova's scheduler still counts a migrated server on
  // its source and refuses anti-affinity members there: the next test starts on a settled cloud.
  await sleep((schedulerSyncSeconds() + 1) * 1000);
}

/**
 * A new, empty database on the dev cloud's MariaDB (its services' account may create databases),
 * as a `[database] connection` URL; `drop` removes it.
 */
export async function freshMariaDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const novaConf = readFileSync(join(STATE, 'etc', 'nova', 'nova.conf'), 'utf8');
  const connection = /^connection\s*=\s*(mysql\S*)$/m.exec(novaConf)?.[1];
  if (!connection) throw new Error(`no [database] connection in ${STATE}/etc/nova/nova.conf`);
  const parsed = new URL(connection.replace(/^mysql\+pymysql:/, 'mysql:'));
  const name = `ulm_functional_${randomBytes(4).toString('hex')}`;
  const server = { host: parsed.hostname, port: Number(parsed.port || 3306), user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  const admin = await createConnection(server);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  parsed.pathname = `/${name}`;
  return {
    url: parsed.toString().replace(/^mysql:/, 'mysql+pymysql:'),
    async drop() {
      const dropper = await createConnection(server);
      await dropper.query(`DROP DATABASE IF EXISTS ${name}`);
      await dropper.end();
    },
  };
}
