// A RabbitMQ node and a MariaDB server of ulm's own, for the tests that restart ulm's broker or
// database in the middle of a plan. The dev cloud's broker and database carry Nova too: restarting
// them tests Nova's recovery (its migrations fail with MessagingTimeout), not ulm's. These run
// from the same Debian packages, on free loopback ports, with their data in a temporary folder.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeTcpPort } from '../support/ports.js';

const run = promisify(execFile);

async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Ends a process group started with `detached: true`, TERM first, KILL after `graceMs`. */
async function endGroup(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try { process.kill(-child.pid!, 'SIGTERM'); } catch { return; }
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** A MariaDB server of ulm's own: `stop()` and `start()` are a real shutdown and start of mariadbd. */
export class PrivateMariadb {
  private process: ChildProcess | null = null;
  private constructor(private readonly directory: string, readonly port: number, private readonly password: string) {}

  /** The connection for ulm.conf's `[database] connection`. */
  get url(): string {
    return `mysql+pymysql://ulm:${this.password}@127.0.0.1:${this.port}/ulm`;
  }

  static async create(): Promise<PrivateMariadb> {
    const directory = mkdtempSync(join(tmpdir(), 'ulm-functional-mariadb-'));
    const server = new PrivateMariadb(directory, await freeTcpPort(), randomBytes(8).toString('hex'));
    await run('mariadb-install-db', ['--no-defaults', `--datadir=${join(directory, 'data')}`, '--user=root', '--auth-root-authentication-method=socket', '--skip-test-db'], { timeout: 120_000 });
    await server.start();
    await run('mysql', ['--protocol=socket', '-S', join(directory, 'mysqld.sock'), '-uroot', '-e',
      `CREATE DATABASE ulm CHARACTER SET utf8mb4 COLLATE utf8mb4_bin; CREATE USER 'ulm'@'127.0.0.1' IDENTIFIED BY '${server.password}'; GRANT ALL ON ulm.* TO 'ulm'@'127.0.0.1';`]);
    return server;
  }

  async start(): Promise<void> {
    this.process = spawn('/usr/sbin/mariadbd', [
      '--no-defaults', `--datadir=${join(this.directory, 'data')}`, '--user=root', `--socket=${join(this.directory, 'mysqld.sock')}`,
      `--port=${this.port}`, '--bind-address=127.0.0.1', `--pid-file=${join(this.directory, 'mariadbd.pid')}`,
      `--log-error=${join(this.directory, 'mariadb.err')}`, '--skip-name-resolve',
    ], { detached: true, stdio: 'ignore' });
    await waitForPort(this.port, 60_000, 'the private MariaDB');
  }

  /** A clean shutdown (TERM), as `systemctl stop mariadb` does. */
  async stop(): Promise<void> {
    if (this.process) await endGroup(this.process, 60_000);
    this.process = null;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** A RabbitMQ node of ulm's own: `restart()` stops and starts the broker application on it. */
export class PrivateRabbitmq {
  private process: ChildProcess | null = null;
  private constructor(private readonly directory: string, readonly port: number, private readonly node: string, private readonly environment: NodeJS.ProcessEnv) {}

  /** The transport for ulm.conf's `[DEFAULT] transport_url` (the guest user works on loopback). */
  get transportUrl(): string {
    return `rabbit://guest:guest@127.0.0.1:${this.port}/`;
  }

  static async create(): Promise<PrivateRabbitmq> {
    const directory = mkdtempSync(join(tmpdir(), 'ulm-functional-rabbitmq-'));
    for (const folder of ['mnesia', 'log']) mkdirSync(join(directory, folder));
    const port = await freeTcpPort();
    const distributionPort = await freeTcpPort();
    const node = `ulm_test_${randomBytes(3).toString('hex')}@localhost`;
    writeFileSync(join(directory, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\n`);
    writeFileSync(join(directory, 'enabled_plugins'), '[].\n');
    writeFileSync(join(directory, 'rabbitmq-env.conf'), '');
    const environment: NodeJS.ProcessEnv = {
      ...process.env,
      RABBITMQ_NODENAME: node,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(distributionPort),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      RABBITMQ_MNESIA_BASE: join(directory, 'mnesia'),
      RABBITMQ_LOG_BASE: join(directory, 'log'),
      RABBITMQ_CONFIG_FILE: join(directory, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(directory, 'enabled_plugins'),
      RABBITMQ_PID_FILE: join(directory, 'rabbit.pid'),
      RABBITMQ_CONF_ENV_FILE: join(directory, 'rabbitmq-env.conf'),
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      RABBITMQ_CTL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      // The Erlang cookie lives in HOME: a fresh one for this node.
      HOME: directory,
    };
    const broker = new PrivateRabbitmq(directory, port, node, environment);
    broker.process = spawn('/usr/lib/rabbitmq/bin/rabbitmq-server', [], { detached: true, stdio: 'ignore', env: environment });
    await waitForPort(port, 120_000, 'the private RabbitMQ');
    return broker;
  }

  private async control(...command: string[]): Promise<void> {
    await run('/usr/lib/rabbitmq/bin/rabbitmqctl', ['-n', this.node, ...command], { env: this.environment, timeout: 120_000 });
  }

  /** The broker goes away for `downMs` (every connection closed, new ones refused) and comes back. */
  async restart(downMs: number): Promise<void> {
    await this.control('stop_app');
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.control('start_app');
    await waitForPort(this.port, 60_000, 'the private RabbitMQ');
  }

  async close(): Promise<void> {
    await this.control('stop').catch(() => undefined);
    if (this.process) await endGroup(this.process);
    rmSync(this.directory, { recursive: true, force: true });
  }
}
