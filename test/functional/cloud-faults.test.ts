// A drain of one host on the real loopback cloud while the cloud misbehaves under it: Nova
// answering 500 and 503 and not answering at all (through a fault-injecting proxy), the token
// ulm holds revoked, RabbitMQ and MariaDB restarted. The plan must complete or stop cleanly with
// a reason, and what it says must be true in Nova: no live migration sent twice, a succeeded
// migration's server on its destination, a failed one's on its source, no disabled host still
// holding servers. Every test puts the cloud back as seeded and every stopped service up again.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudConfig } from '../../openstack/config.js';
import { HttpClient } from '../../openstack/http.js';
import { KeystoneSession } from '../../openstack/keystone.js';
import { createLogger } from '../../openstack/logger.js';
import { loadConfig } from '../../services/config/index.js';
import type { ActionPlanView, ActionView } from '../../core/api/records.js';
import { startFeatures, stopFeatures, type RunningFeature } from '../../services/features.js';
import { openRuntime, type Runtime } from '../../services/runtime.js';
import { devCloudConfig, devCloudOptionsIni, openstack, REPO, requireDevCloud, serverList, sleep } from './dev-cloud.js';
import { FaultProxy, type FaultRule } from './fault-proxy.js';
import { PrivateMariadb, PrivateRabbitmq } from './private-services.js';
import { restoreLayout, waitForPlan } from './service-support.js';

interface FaultRuntime {
  runtime: Runtime;
  close(): Promise<void>;
}

/** ulm with its applier in this process, on `cloud`, with `extra` appended to its ulm.conf. */
async function openFaultRuntime(cloud: CloudConfig, extra = ''): Promise<FaultRuntime> {
  const directory = mkdtempSync(join(tmpdir(), 'ulm-functional-faults-'));
  const configFile = join(directory, 'ulm.conf');
  writeFileSync(configFile, `[DEFAULT]\nstate_path = ${directory}\n[applier]\npoll_interval_seconds = 2\nlease_seconds = 10\n${devCloudOptionsIni()}${extra}`);
  const runtime = await openRuntime(loadConfig([configFile]), {
    cloudConfig: cloud, migrate: true, configFiles: [configFile],
    logger: createLogger({ level: (process.env.ULM_TEST_LOG ?? 'error') as 'error' }),
  });
  const features: RunningFeature[] = await startFeatures(runtime, ['applier']);
  return {
    runtime,
    async close() {
      await stopFeatures(features);
      await runtime.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

interface NovaServer { id: string; name: string; host: string | null; pinned: boolean }

/** Every server as python-openstackclient reads it (one call: it is slow on a busy machine). */
function novaServers(): Map<string, NovaServer> {
  const listed = serverList();
  return new Map(listed.map((server) => [server.ID, { id: server.ID, name: server.Name, host: server.Host, pinned: JSON.stringify(server.Properties ?? '').includes('ulm:migratable') }]));
}

interface NovaMigration { id: number; server: string; status: string; source: string; destination: string }

/** Every live migration Nova has recorded, from python-openstackclient. */
function liveMigrations(): NovaMigration[] {
  const listed = openstack<Record<string, unknown>[]>(['--os-compute-api-version', '2.80', 'server', 'migration', 'list', '--type', 'live-migration']);
  return listed.map((migration) => ({
    id: Number(migration.Id), server: String(migration['Server UUID']), status: String(migration.Status),
    source: String(migration['Source Compute']), destination: String(migration['Dest Compute']),
  }));
}

/** The ids of Nova's migration records so far: what a test's plan did is what is not among them. */
function migrationIdsNow(): Set<number> {
  return new Set(liveMigrations().map((migration) => migration.id));
}

interface ComputeService { Host: string; Status: string; State: string; 'Disabled Reason': string | null }

function computeServices(): ComputeService[] {
  return openstack<ComputeService[]>(['compute', 'service', 'list', '--service', 'nova-compute', '--long']);
}

/** The host with the fewest servers and none that must not move: a drain of one or two migrations. */
function hostToDrain(servers: Map<string, NovaServer>): string {
  const weight = new Map<string, number>();
  for (const server of servers.values()) if (server.host) weight.set(server.host, (weight.get(server.host) ?? 0) + (server.pinned ? 100 : 1));
  return [...weight].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0][0];
}

/**
 * A drain of the lightest host, started (or only approved, for a test that injects faults from
 * the start on), with Nova's migration records from before it.
 */
async function drainOfOneHost(runtime: Runtime, servers: Map<string, NovaServer>, options: { approveOnly?: boolean } = {}): Promise<{ host: string; earlier: Set<number>; plan: ActionPlanView }> {
  const host = hostToDrain(servers);
  const earlier = migrationIdsNow();
  const { audit, action_plan: plan } = await runtime.engine.drainHosts([host], { dryRun: options.approveOnly === true });
  assert.ok(plan, `the drain of ${host} made no plan: audit ${audit.state}${audit.failure_reason ? ` (${audit.failure_reason})` : ''}`);
  if (options.approveOnly) await runtime.engine.approveActionPlan(plan.id);
  return { host, earlier, plan };
}

/** Waits until `ready` holds for one of the plan's actions (polling ulm's journal). */
async function waitForAction(runtime: Runtime, planId: string, ready: (action: ActionView) => boolean, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const actions = await runtime.engine.listActions(planId);
    if (actions.some(ready)) return;
    const plan = await runtime.engine.getActionPlan(planId);
    assert.ok(plan.state === 'ONGOING' || plan.state === 'APPROVED', `the plan ended ${plan.state} before the fault could be injected`);
    assert.ok(Date.now() < deadline, 'no action of the plan started in time');
    await sleep(250);
  }
}

const migrating = (action: ActionView) => action.type === 'live_migrate' && action.state === 'ONGOING';

/**
 * What the plan and its actions say, checked against Nova through python-openstackclient: the
 * plan is final (and says why when it did not succeed), every action is final, no server was
 * live-migrated twice, a succeeded migration's server is on its destination and a failed one's on
 * its source, and the drained host is disabled only when empty. Returns a summary for messages.
 */
async function assertStatesTrue(runtime: Runtime, plan: ActionPlanView, host: string, earlier: Set<number>): Promise<string> {
  const actions = await runtime.engine.listActions(plan.id);
  const summary = `plan ${plan.state}${plan.failure_reason ? ` (${plan.failure_reason})` : ''}:\n${actions.map((action) => `  ${action.wave} ${action.type} ${action.server_name ?? action.host} ${action.state} ${action.error ?? ''}`).join('\n')}`;
  assert.ok(['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(plan.state), `the plan ended ${plan.state}; ${summary}`);
  if (plan.state !== 'SUCCEEDED') assert.ok(plan.failure_reason, `a plan that did not succeed says why; ${summary}`);
  for (const action of actions) assert.ok(!['PENDING', 'ONGOING'].includes(action.state), `every action is final; ${summary}`);

  const servers = novaServers();
  const migrations = liveMigrations().filter((migration) => !earlier.has(migration.id));
  for (const action of actions.filter((candidate) => candidate.type === 'live_migrate')) {
    const records = migrations.filter((migration) => migration.server === action.server);
    const shown = `${action.server_name}: Nova's live migrations since the plan started: ${JSON.stringify(records)}; ${summary}`;
    // A refusal by Nova's scheduler leaves an `error` record; any other record is a migration that ran.
    assert.ok(records.filter((migration) => migration.status !== 'error').length <= 1, `never a repeated live migration: ${shown}`);
    const completed = records.filter((migration) => migration.status === 'completed');
    const where = servers.get(action.server!)?.host;
    if (action.state === 'SUCCEEDED') {
      assert.equal(where, action.destination, `a succeeded migration's server is on its destination: ${shown}`);
      assert.deepEqual(completed.map((migration) => migration.destination), [action.destination], shown);
    } else {
      assert.equal(where, action.source, `a migration that did not succeed leaves its server on its source: ${shown}`);
      assert.deepEqual(completed, [], shown);
    }
  }
  const service = computeServices().find((candidate) => candidate.Host === host)!;
  const left = [...servers.values()].filter((server) => server.host === host).map((server) => server.name);
  if (service.Status === 'disabled') assert.deepEqual(left, [], `a disabled host holds no servers; ${summary}`);
  if (plan.state === 'SUCCEEDED') {
    assert.equal(service.Status, 'disabled', summary);
    assert.equal(service['Disabled Reason'], 'ulm: drained for maintenance');
  }
  return summary;
}

/** The seeded layout back through ulm; through scripts/dev-cloud/reset when ulm cannot. */
async function putBack(runtime: Runtime, seeded: Map<string, string>): Promise<void> {
  try {
    await restoreLayout(runtime, seeded);
  } catch (error) {
    const reset = join(REPO, 'scripts/dev-cloud/reset');
    if (!existsSync(reset)) throw error;
    console.warn(`restoring through ulm failed (${(error as Error).message}); running scripts/dev-cloud/reset`);
    const result = spawnSync('bash', [reset], { encoding: 'utf8', timeout: 900_000 });
    if (result.status !== 0) throw new Error(`scripts/dev-cloud/reset failed: ${result.stdout}\n${result.stderr}`, { cause: error });
  }
}

describe('a plan through cloud faults', function () {
  this.timeout(900_000);
  let seeded: Map<string, string>;
  let servers: Map<string, NovaServer>;

  before(() => {
    requireDevCloud();
    servers = novaServers();
    seeded = new Map([...servers.values()].filter((server) => server.host).map((server) => [server.id, server.host!]));
  });

  describe('Nova answering errors, timing out, and the token revoked (through a fault proxy)', () => {
    let proxy: FaultProxy;
    let test: FaultRuntime;
    let admin: KeystoneSession;

    before(async () => {
      const cloud = devCloudConfig();
      admin = new KeystoneSession(cloud, new HttpClient());
      proxy = new FaultProxy(new URL(await admin.endpoint('compute')));
      await proxy.start();
      // An operator's compute_endpoint_override and api_timeout: ulm reaches Nova through the
      // proxy, and gives up on an answer after 10 s (a loaded two-core machine answers within a
      // few seconds; each held request costs the test this long).
      test = await openFaultRuntime({ ...cloud, endpoint_override: { ...cloud.endpoint_override, compute: proxy.url }, api_timeout_ms: 10_000 });
    });
    afterEach(async () => {
      proxy.rule = () => 'pass';
      await putBack(test.runtime, seeded);
    });
    after(async () => {
      await test?.close();
      await proxy?.stop();
    });

    it('Nova answering 500 and 503 and not answering: the drain completes or stops cleanly, never a migration sent twice', async () => {
      const { engine } = test.runtime;
      const { host, earlier, plan: recommended } = await drainOfOneHost(test.runtime, servers, { approveOnly: true });

      const isLiveMigrationCall = (method: string, path: string) => method === 'POST' && /\/servers\/[^/]+\/action$/.test(path);
      // Live migration calls: the first answered 503 unseen (ulm may send it again), the next one
      // reaches Nova but ulm hears 500, the one after reaches Nova and ulm hears nothing.
      const callFaults = [{ status: 503 }, { forwardThen: 500 }, { forwardThen: 'hold' as const }];
      // Every other request, three times over: 500, 503, no answer, then one through.
      const otherFaults = [{ status: 500 }, { status: 503 }, 'hold' as const, 'pass' as const];
      let calls = 0;
      let others = 0;
      const rule: FaultRule = ({ method, path }) => {
        if (isLiveMigrationCall(method, path)) return callFaults[calls++] ?? 'pass';
        return others < 3 * otherFaults.length ? otherFaults[others++ % otherFaults.length] : 'pass';
      };
      // From the start on: the start's own checks read Nova, in parallel, before the applier does.
      await engine.startActionPlan(recommended.id);
      proxy.rule = rule;
      const finished = await waitForPlan(test.runtime, recommended.id, 400_000);
      proxy.rule = () => 'pass';

      const injected = proxy.seen.filter((request) => request.fault !== 'pass');
      assert.ok(injected.some((request) => request.status === 500) && injected.some((request) => request.status === 503) && injected.some((request) => request.fault === 'hold'),
        `500, 503 and time-outs were injected: ${JSON.stringify(injected.map((request) => `${request.method} ${request.path} ${request.fault}`))}`);
      assert.ok(calls >= 2, `a live migration call reached Nova with a false answer (${calls} calls seen)`);
      const summary = await assertStatesTrue(test.runtime, finished, host, earlier);
      console.log(`    faults injected: ${injected.length}; ${summary.replace(/\n/g, '\n    ')}`);
    });

    it('the token revoked in the middle of the plan: ulm authenticates again on the 401 and the drain completes', async () => {
      const { engine } = test.runtime;
      const { host, earlier, plan: recommended } = await drainOfOneHost(test.runtime, servers, { approveOnly: true });

      const revoked = new Set<string>();
      let revocation: Promise<number> | undefined;
      let afterCall = false;
      // Once the first live migration call went through, the token of the next request is revoked
      // in Keystone. Nova's keystonemiddleware keeps a token it validated in its cache for
      // token_cache_time (300 s by default) and accepts it until then: the proxy answers 401 to
      // the revoked token from the revocation on, as Nova does once its cache lets go of it.
      proxy.rule = ({ method, path, token }) => {
        if (token && revoked.has(token)) return { status: 401 };
        if (afterCall && token && !revocation) {
          revoked.add(token);
          revocation = revokeToken(admin, token);
          return { status: 401 };
        }
        if (method === 'POST' && /\/action$/.test(path)) afterCall = true;
        return 'pass';
      };
      await engine.startActionPlan(recommended.id);
      const finished = await waitForPlan(test.runtime, recommended.id, 400_000);
      proxy.rule = () => 'pass';

      assert.ok(revocation, 'the token was revoked in the middle of the plan');
      assert.equal(await revocation, 204, 'Keystone revoked the token');
      const [old] = [...revoked];
      assert.equal(await tokenStatus(admin, old), 404, 'Keystone no longer knows the revoked token');
      const refused = proxy.seen.filter((request) => request.token === old && request.status === 401);
      assert.ok(refused.length >= 1, 'a request with the revoked token was refused');
      const renewed = proxy.seen.slice(proxy.seen.indexOf(refused[0])).filter((request) => request.token !== old);
      assert.ok(renewed.length >= 1 && renewed.every((request) => request.status !== 401), 'ulm went on with a new token that Nova accepted');
      assert.equal(await tokenStatus(admin, renewed[0].token!), 200, 'the new token is valid in Keystone');
      const summary = await assertStatesTrue(test.runtime, finished, host, earlier);
      assert.equal(finished.state, 'SUCCEEDED', summary);
    });
  });

  describe('RabbitMQ and MariaDB restarted (ulm\'s own broker and database)', () => {
    let test: FaultRuntime;
    let broker: PrivateRabbitmq;
    let database: PrivateMariadb;

    before(async () => {
      [broker, database] = await Promise.all([PrivateRabbitmq.create(), PrivateMariadb.create()]);
      test = await openFaultRuntime(devCloudConfig(), `[DEFAULT]\ntransport_url = ${broker.transportUrl}\n[database]\nconnection = ${database.url}\n`);
    });
    afterEach(async () => {
      await putBack(test.runtime, seeded);
    });
    after(async () => {
      await test?.close();
      await Promise.allSettled([broker?.close(), database?.close()]);
    });

    it('RabbitMQ restarted in the middle of the plan: the drain completes or stops cleanly', async () => {
      const { engine } = test.runtime;
      const { host, earlier, plan } = await drainOfOneHost(test.runtime, servers);
      await waitForAction(test.runtime, plan.id, migrating);
      await broker.restart(5000);
      const finished = await waitForPlan(test.runtime, plan.id, 400_000);
      const summary = await assertStatesTrue(test.runtime, finished, host, earlier);
      console.log(`    ${summary.replace(/\n/g, '\n    ')}`);
      // The bus is back: a plan started after the restart reaches the applier again.
      const { action_plan: next } = await engine.undrainHosts([host]);
      assert.ok(next, 'the undrain made a plan');
      assert.equal((await waitForPlan(test.runtime, next.id, 400_000)).state, 'SUCCEEDED');
    });

    it('MariaDB restarted in the middle of the plan: the applier resumes once it is back, the drain completes or stops cleanly', async () => {
      const { host, earlier, plan } = await drainOfOneHost(test.runtime, servers);
      await waitForAction(test.runtime, plan.id, migrating);
      try {
        await database.stop();
        await sleep(5000);
      } finally {
        await database.start();
      }
      const finished = await waitForPlan(test.runtime, plan.id, 400_000);
      const summary = await assertStatesTrue(test.runtime, finished, host, earlier);
      console.log(`    ${summary.replace(/\n/g, '\n    ')}`);
    });
  });
});

/** Revokes a token in Keystone (DELETE /v3/auth/tokens, what `openstack token revoke` calls); the status. */
async function revokeToken(admin: KeystoneSession, token: string): Promise<number> {
  const response = await admin.http.request({
    method: 'DELETE', url: `${admin.identityUrl}/auth/tokens`, service: 'identity', acceptStatus: [404],
    headers: { 'X-Auth-Token': await admin.authToken(), 'X-Subject-Token': token },
  });
  return response.status;
}

/** What Keystone says of a token: 200 valid, 404 unknown (revoked or expired). */
async function tokenStatus(admin: KeystoneSession, token: string): Promise<number> {
  const response = await admin.http.request({
    method: 'GET', url: `${admin.identityUrl}/auth/tokens`, service: 'identity', acceptStatus: [404],
    headers: { 'X-Auth-Token': await admin.authToken(), 'X-Subject-Token': token },
  });
  return response.status;
}
