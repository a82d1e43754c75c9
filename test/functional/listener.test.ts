// ulm-listener against the real loopback cloud: boot a server, live-migrate it, delete it, and see
// the typed cloud events arrive from Nova's own notifications, through a pool queue of the test's
// own on the `nova` exchange. The server, and the queue, are deleted afterwards.
//
// Needs the dev cloud (scripts/dev-cloud/up): its state directory is ULM_OS_STATE (default
// /var/tmp/ulm-dev-cloud), where clouds.yaml (cloud ULM_TEST_OS_CLOUD, default ulm-admin) and
// etc/nova/nova.conf (Nova's transport_url) are read.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseIni } from 'ini';
import { parse as parseYaml } from 'yaml';
import { parseTransportUrl } from '../../services/bus/index.js';
import { NotificationListener, type CloudEvent, type ServerEvent } from '../../services/listener/index.js';
import { deleteTopology, uniqueName } from '../integration/bus/support.js';
import { captureLog, waitFor, type CapturedLog } from '../unit/bus/support.js';

const STATE = process.env.ULM_OS_STATE ?? '/var/tmp/ulm-dev-cloud';
const CLOUD = process.env.ULM_TEST_OS_CLOUD ?? 'ulm-admin';

interface CloudAuth {
  auth_url: string;
  username: string;
  password: string;
  project_name: string;
  user_domain_name?: string;
  project_domain_name?: string;
}

/** A minimal Nova client: enough to boot, live-migrate and delete one server. */
class Nova {
  private constructor(private readonly token: string, readonly computeUrl: string, readonly imageUrl: string) {}

  static async login(): Promise<Nova> {
    const clouds = parseYaml(readFileSync(join(STATE, 'clouds.yaml'), 'utf8')) as { clouds: Record<string, { auth: CloudAuth; interface?: string }> };
    const cloud = clouds.clouds[CLOUD];
    if (!cloud) throw new Error(`${STATE}/clouds.yaml has no cloud "${CLOUD}"`);
    const auth = cloud.auth;
    const response = await fetch(`${auth.auth_url.replace(/\/$/, '')}/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: { name: auth.username, password: auth.password, domain: { name: auth.user_domain_name ?? 'Default' } } } },
        scope: { project: { name: auth.project_name, domain: { name: auth.project_domain_name ?? 'Default' } } },
      } }),
    });
    if (response.status !== 201) throw new Error(`Keystone answered ${response.status} to the login of ${auth.username}`);
    const token = response.headers.get('x-subject-token') as string;
    const catalog = (await response.json() as { token: { catalog: Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }> } }).token.catalog;
    const endpoint = (type: string) => {
      const found = catalog.find((service) => service.type === type)?.endpoints.find((candidate) => candidate.interface === (cloud.interface ?? 'public'));
      if (!found) throw new Error(`no ${type} endpoint in the catalog`);
      return found.url.replace(/\/$/, '');
    };
    return new Nova(token, endpoint('compute'), endpoint('image'));
  }

  async call<T = unknown>(method: string, path: string, body?: unknown, microversion = '2.80'): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.computeUrl}${path}`, {
      method,
      headers: { 'x-auth-token': this.token, 'content-type': 'application/json', 'openstack-api-version': `compute ${microversion}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async imageId(name: string): Promise<string> {
    const response = await fetch(`${this.imageUrl}/v2/images?name=${encodeURIComponent(name)}`, { headers: { 'x-auth-token': this.token } });
    const images = (await response.json() as { images: Array<{ id: string }> }).images;
    if (!images.length) throw new Error(`no image named ${name}`);
    return images[0].id;
  }

  async server(id: string): Promise<{ status: string; host: string | null; taskState: string | null } | null> {
    const { status, body } = await this.call<{ server: Record<string, unknown> }>('GET', `/servers/${id}`);
    if (status === 404) return null;
    return { status: String(body.server.status), host: (body.server['OS-EXT-SRV-ATTR:host'] as string | null) ?? null, taskState: (body.server['OS-EXT-STS:task_state'] as string | null) ?? null };
  }

  async waitForServer(id: string, what: string, done: (server: Awaited<ReturnType<Nova['server']>>) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const server = await this.server(id);
      if (done(server)) return;
      if (server?.status === 'ERROR') throw new Error(`server ${id} went to ERROR while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`server ${id}: no ${what} after ${timeoutMs / 1000} s (now ${JSON.stringify(server)})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Nova's own transport_url, as an operator would give it to ulm-listener. */
function novaTransportUrl(): string {
  const novaConf = join(STATE, 'etc', 'nova', 'nova.conf');
  const config = parseIni(readFileSync(novaConf, 'utf8')) as { DEFAULT?: { transport_url?: string }; oslo_messaging_notifications?: { transport_url?: string } };
  const url = config.oslo_messaging_notifications?.transport_url ?? config.DEFAULT?.transport_url;
  if (!url) throw new Error(`${novaConf} has no transport_url`);
  return url;
}

describe('ulm-listener on the loopback cloud: typed events from Nova\'s notifications', function () {
  this.timeout(300_000);
  const pool = uniqueName('ulm-functional-pool');
  const serverName = uniqueName('ulm-functional-listener');
  let nova: Nova;
  let listener: NotificationListener | undefined;
  let serverId: string | undefined;
  let log: CapturedLog;
  const events: CloudEvent[] = [];
  const timings: Record<string, string> = {};

  before(async function () {
    if (!existsSync(join(STATE, 'clouds.yaml'))) {
      if (process.env.ULM_TEST_REQUIRE_CLOUD) throw new Error(`the dev cloud is not up (no ${STATE}/clouds.yaml): run bash scripts/dev-cloud/up`);
      console.warn(`      skipped: no dev cloud at ${STATE} (run bash scripts/dev-cloud/up, or set ULM_OS_STATE)`);
      this.skip();
    }
    nova = await Nova.login();
    log = captureLog('info');
    listener = new NotificationListener({
      transportUrl: novaTransportUrl(),
      pool,
      logger: log.logger,
      handler: (event) => { events.push(event); },
    });
    listener.start();
    await listener.waitUntilConsuming(30_000);
  });

  after(async () => {
    if (serverId && nova && await nova.server(serverId)) {
      await nova.call('DELETE', `/servers/${serverId}`);
      await nova.waitForServer(serverId, 'deletion', (server) => server === null, 120_000).catch((error: Error) => console.warn(`      could not delete server ${serverId}: ${error.message}`));
    }
    await listener?.close();
    await deleteTopology({ queues: [pool] }, novaTransportUrl());
    if (Object.keys(timings).length) console.log(`      timings: ${Object.entries(timings).map(([step, time]) => `${step} ${time}`).join(', ')}`);
  });

  /** The events about our server, in arrival order. */
  function ours(): ServerEvent[] {
    return events.filter((event): event is ServerEvent => 'server' in event && event.server.id === serverId);
  }

  async function waitForEvent(kind: ServerEvent['kind'], timeoutMs: number, matches: (event: ServerEvent) => boolean = () => true): Promise<ServerEvent> {
    await waitFor(`a ${kind} event for server ${serverId}`, () => ours().some((event) => event.kind === kind && matches(event)), timeoutMs, 100);
    return ours().find((event) => event.kind === kind && matches(event)) as ServerEvent;
  }

  it('boots, live-migrates and deletes a server, and reports each step as typed events', async () => {
    // Two enabled, up compute hosts; the last ones by name, which the seeded servers use least.
    const services = (await nova.call<{ services: Array<{ host: string; status: string; state: string; forced_down: boolean }> }>('GET', '/os-services?binary=nova-compute', undefined, '2.53')).body.services;
    const hosts = services.filter((service) => service.status === 'enabled' && service.state === 'up' && !service.forced_down).map((service) => service.host).sort();
    assert.ok(hosts.length >= 2, `need two enabled compute hosts, found ${hosts.join(', ') || 'none'}`);
    const [source, destination] = hosts.slice(-2);
    const flavors = (await nova.call<{ flavors: Array<{ id: string; name: string }> }>('GET', '/flavors')).body.flavors;
    const flavor = flavors.find((candidate) => candidate.name === 'small') ?? flavors[0];

    let started = Date.now();
    const created = await nova.call<{ server: { id: string } }>('POST', '/servers', {
      server: { name: serverName, flavorRef: flavor.id, imageRef: await nova.imageId('fake-img'), networks: 'none', host: source },
    }, '2.74');
    assert.equal(created.status, 202, JSON.stringify(created.body));
    serverId = created.body.server.id;
    const createdEvent = await waitForEvent('server.created', 120_000);
    timings['boot → server.created'] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    assert.equal(createdEvent.reportedHost, source);
    assert.equal(createdEvent.reReadServer, false);
    assert.equal(createdEvent.server.name, serverName);
    assert.equal(createdEvent.server.flavor?.name, flavor.name);
    await nova.waitForServer(serverId, 'ACTIVE', (server) => server?.status === 'ACTIVE' && server.taskState === null, 60_000);

    started = Date.now();
    // Microversion 2.30: a bad destination fails at once (HTTP 400) instead of in a migration record.
    const migration = await nova.call('POST', `/servers/${serverId}/action`, { 'os-migrateLive': { host: destination, block_migration: 'auto' } }, '2.30');
    assert.equal(migration.status, 202, JSON.stringify(migration.body));
    const startedEvent = await waitForEvent('server.migration-started', 120_000);
    assert.ok(startedEvent.kind === 'server.migration-started');
    assert.deepEqual(startedEvent.migration, { sourceHost: source, destinationHost: destination });
    const moved = await waitForEvent('server.moved', 120_000);
    timings['live-migrate → server.moved'] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    assert.ok(moved.kind === 'server.moved');
    assert.equal(moved.reReadServer, true);
    assert.deepEqual(moved.migration, { sourceHost: source, destinationHost: destination });
    // What the payload says may be the source (Nova's post-migration notification comes from the
    // source compute); re-reading the server, as the event asks, gives the real location.
    assert.ok(moved.reportedHost === source || moved.reportedHost === destination, `reportedHost ${moved.reportedHost}`);
    await nova.waitForServer(serverId, `host ${destination}`, (server) => server?.host === destination && server.taskState === null, 60_000);
    await waitForEvent('server.updated', 30_000, (event) => event.reportedHost === destination);

    started = Date.now();
    assert.equal((await nova.call('DELETE', `/servers/${serverId}`)).status, 204);
    const deleted = await waitForEvent('server.deleted', 120_000);
    timings['delete → server.deleted'] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    assert.equal(deleted.reportedHost, destination);
    await nova.waitForServer(serverId, 'deletion', (server) => server === null, 60_000);

    const kinds = ours().map((event) => event.kind).filter((kind) => kind !== 'server.updated');
    assert.deepEqual(kinds, ['server.created', 'server.migration-started', 'server.migration-started', 'server.moved', 'server.deleted']);
    const status = listener?.status();
    assert.equal(status?.malformed, 0, 'Nova sent nothing the listener could not read');
    const password = parseTransportUrl(novaTransportUrl()).nodes[0].password;
    assert.ok(!log.text().includes(`:${password}@`), 'no credentials in the log');
  });
});
