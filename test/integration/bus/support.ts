// Reaching the dev cloud's real RabbitMQ from the bus and listener tests: its URL, rabbitmqctl with
// the dev cloud's environment, a TCP proxy that plays a broker going away, and cleanup of what a test declared.
//
// Settings (environment):
//   ULM_TEST_TRANSPORT_URL  the broker to use; default: Nova's transport_url in the dev cloud's
//                           etc/nova/nova.conf, else RabbitMQ's built-in loopback-only user on the
//                           port of the dev cloud's rabbitmq.conf
//   ULM_OS_STATE            the dev cloud's state directory; default /var/tmp/ulm-dev-cloud (scripts/dev-cloud/lib)
//   ULM_TEST_RABBITMQCTL    rabbitmqctl to run against that broker; default /usr/lib/rabbitmq/bin/rabbitmqctl
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as amqp from 'amqplib';
import { parse as parseIni } from 'ini';
import { parseTransportUrl } from '../../../services/bus/index.js';

const run = promisify(execFile);

export const DEV_CLOUD_STATE = process.env.ULM_OS_STATE ?? '/var/tmp/ulm-dev-cloud';

/** The broker port of the dev cloud's rabbitmq.conf (`listeners.tcp.default = 127.0.0.1:5672`). */
function configuredRabbitPort(): number {
  const file = join(DEV_CLOUD_STATE, 'rabbitmq', 'rabbitmq.conf');
  if (existsSync(file)) {
    const match = /^listeners\.tcp\.default\s*=\s*(?:[\d.]+:)?(\d+)\s*$/m.exec(readFileSync(file, 'utf8'));
    if (match) return Number(match[1]);
  }
  return Number(process.env.ULM_OS_RABBIT_PORT ?? 5672);
}

export function testTransportUrl(): string {
  if (process.env.ULM_TEST_TRANSPORT_URL) return process.env.ULM_TEST_TRANSPORT_URL;
  const novaConf = join(DEV_CLOUD_STATE, 'etc', 'nova', 'nova.conf');
  if (existsSync(novaConf)) {
    const url = (parseIni(readFileSync(novaConf, 'utf8')) as { DEFAULT?: { transport_url?: string } }).DEFAULT?.transport_url;
    if (url) return url;
  }
  return `rabbit://guest:guest@127.0.0.1:${configuredRabbitPort()}/`;
}

/** The port of the test broker's first node. */
export function rabbitPort(): number {
  return parseTransportUrl(testTransportUrl()).nodes[0].port;
}

/** How the test broker's password would look inside a URL in a log line (`:password@`). */
export function passwordInUrl(): string {
  return `:${parseTransportUrl(testTransportUrl()).nodes[0].password}@`;
}

/** Whether the broker answers; the suites skip (saying why) when it does not and no URL was given explicitly. */
export async function brokerReachable(url = testTransportUrl()): Promise<string | undefined> {
  try {
    const connection = await amqp.connect(url.replace(/^rabbit:/, 'amqp:'), { timeout: 3000 });
    await connection.close();
    return undefined;
  } catch (error) {
    return `RabbitMQ at ${url.replace(/:[^:@/]*@/, ':***@')} does not answer (${(error as Error).message}); start the dev cloud (scripts/dev-cloud/up) or set ULM_TEST_TRANSPORT_URL`;
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Deletes queues and exchanges a test declared, on a connection of its own. Missing ones are fine. */
export async function deleteTopology(names: { queues?: string[]; exchanges?: string[] }, url = testTransportUrl()): Promise<void> {
  const connection = await amqp.connect(url.replace(/^rabbit:/, 'amqp:'));
  try {
    for (const queue of names.queues ?? []) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(queue).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
    for (const exchange of names.exchanges ?? []) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteExchange(exchange).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close();
  }
}

/** Messages waiting in a queue (0 when it does not exist). */
export async function queueDepth(queue: string, url = testTransportUrl()): Promise<number> {
  const connection = await amqp.connect(url.replace(/^rabbit:/, 'amqp:'));
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const { messageCount } = await channel.checkQueue(queue);
    return messageCount;
  } catch {
    return 0;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** rabbitmqctl with the dev cloud's environment (node name, Erlang cookie in its state dir, loopback distribution). */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const command = process.env.ULM_TEST_RABBITMQCTL ?? '/usr/lib/rabbitmq/bin/rabbitmqctl';
  const { stdout } = await run(command, ['-q', ...args], {
    timeout: 60_000,
    env: {
      ...process.env,
      PATH: `/usr/lib/rabbitmq/bin:/usr/bin:/bin:${process.env.PATH ?? ''}`,
      RABBITMQ_NODENAME: 'rabbit@localhost',
      ERL_EPMD_ADDRESS: '127.0.0.1',
      RABBITMQ_CTL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      HOME: join(DEV_CLOUD_STATE, 'rabbitmq'),
    },
  });
  return stdout;
}

/** Has the broker close the connection whose client-provided name is `connectionName`, as a broker shutdown does. */
export async function closeConnectionNamed(connectionName: string, reason: string): Promise<number> {
  // rabbitmqctl 3.10's close_connection wants the <node.N.N.N> pid of the tab-separated listing (not the JSON one).
  const listing = await rabbitmqctl('list_connections', 'pid', 'client_properties');
  const pids = listing.split('\n')
    .filter((line) => line.includes(`{"connection_name","${connectionName}"}`))
    .map((line) => line.split('\t')[0]);
  for (const pid of pids) await rabbitmqctl('close_connection', pid, reason);
  return pids.length;
}

/**
 * Best effort: deletes queues and exchanges that earlier, interrupted runs of these tests left
 * (names `ulm-test-…-<pid>-<hex>` whose process is gone). Quietly does nothing without rabbitmqctl.
 */
export async function sweepLeftovers(): Promise<void> {
  const leftover = (name: string) => {
    const match = /^ulm-(?:test|functional)-.*-(\d+)-[0-9a-f]{8}(?:\.dead)?$/.exec(name);
    if (!match || Number(match[1]) === process.pid) return false;
    try {
      process.kill(Number(match[1]), 0);
      return false;
    } catch {
      return true;
    }
  };
  try {
    const queues = (await rabbitmqctl('list_queues', 'name')).split('\n').map((line) => line.trim()).filter(leftover);
    const exchanges = (await rabbitmqctl('list_exchanges', 'name')).split('\n').map((line) => line.trim()).filter(leftover);
    if (queues.length || exchanges.length) await deleteTopology({ queues, exchanges });
  } catch {
    // Only housekeeping: the tests use unique names either way.
  }
}

/**
 * The start of a suite that needs the broker (call it in `before` with the suite's `this`): skips
 * the suite when no broker answers, or fails it when ULM_TEST_TRANSPORT_URL names one that does
 * not; then sweeps what earlier runs left.
 */
export async function requireBroker(suite: Mocha.Context): Promise<void> {
  const problem = await brokerReachable();
  if (problem) {
    if (process.env.ULM_TEST_TRANSPORT_URL) throw new Error(problem);
    console.warn(`      skipped: ${problem}`);
    suite.skip();
  }
  await sweepLeftovers();
}

/**
 * A TCP proxy in front of the broker: dropping its sockets is a network failure, stopping it is a
 * broker that went away, starting it again on the same port is the broker coming back.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {}

  async start(): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Cuts every connection through the proxy without a word to either side. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Stops accepting connections and cuts the open ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The test broker's URL with the proxy as its only node. */
  url(): string {
    const node = parseTransportUrl(testTransportUrl()).nodes[0];
    return `rabbit://${encodeURIComponent(node.username)}:${encodeURIComponent(node.password)}@127.0.0.1:${this.port}/`;
  }
}

/** A loopback port where nothing listens (taken from the OS, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
