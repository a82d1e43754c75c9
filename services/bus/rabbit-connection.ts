// One AMQP connection that comes back by itself: it tries the transport's nodes round-robin with
// exponential backoff, and after every (re)connection runs the registered steps that declare
// topology and restart consumers. Shared by the RabbitMQ bus and the Nova notification listener.
import * as amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { backoffDelay, backoffOptions, type BackoffOptions } from './backoff.js';
import { BusClosedError, BusUnavailableError, type ConnectionChange } from './bus.js';
import { describeError, type Logger } from './logging.js';
import { describeNode, describeTransport, secretsOf, type TransportUrl } from './transport-url.js';

export interface RabbitConnectionOptions {
  transport: TransportUrl;
  /** Shown by `rabbitmqctl list_connections client_properties` and the management UI: which ulm process this is. */
  connectionName: string;
  logger: Logger;
  reconnect?: Partial<BackoffOptions>;
  /** AMQP heartbeat; a dead broker or network is noticed after about two of these. Default 30 s. */
  heartbeatSeconds?: number;
  /** How long one connection attempt may take (TCP and AMQP handshake). Default 10 s. */
  connectTimeoutMs?: number;
}

/** Run on every new connection, in registration order: declare what is needed, start consuming. */
export interface RestoreStep {
  name: string;
  run(connection: ChannelModel): Promise<void>;
}

/**
 * Closes an amqplib channel or connection without waiting forever: amqplib's close() waits for the
 * broker's CloseOk, which never comes when the connection has just died.
 */
export async function closeQuietly(target: { close(): Promise<void> } | undefined, timeoutMs = 2000): Promise<void> {
  if (!target) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      target.close().catch(() => undefined),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Cancels a consumer, giving up after `timeoutMs` for the same reason as closeQuietly. */
export function cancelQuietly(channel: Channel | undefined, consumerTag: string | undefined, timeoutMs = 2000): Promise<void> {
  if (!channel || !consumerTag) return Promise.resolve();
  return closeQuietly({ close: async () => { await channel.cancel(consumerTag); } }, timeoutMs);
}

/**
 * RabbitMQ's AMQP reply 403 (ACCESS_REFUSED): wrong user, password or virtual host. Matched by
 * name: a bare "403" also turns up in ports and addresses ("connect ECONNREFUSED 127.0.0.1:40312").
 */
export function isLoginRefused(message: string): boolean {
  return /ACCESS[-_]REFUSED/.test(message);
}

export class RabbitConnection {
  readonly secrets: string[];
  readonly target: string;
  readonly backoff: BackoffOptions;
  disconnections = 0;
  lastError: string | undefined;
  private readonly logger: Logger;
  private readonly steps: RestoreStep[] = [];
  private readonly listeners = new Set<(change: ConnectionChange) => void>();
  private readonly connectedWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  private model: ChannelModel | undefined;
  private restoring: Promise<void> | undefined;
  private connectedOnce = false;
  private closed = false;
  private loop: Promise<void> | undefined;
  private nodeIndex = 0;
  private cancelSleep: (() => void) | undefined;

  constructor(private readonly options: RabbitConnectionOptions) {
    this.secrets = secretsOf(options.transport);
    this.target = describeTransport(options.transport);
    this.backoff = backoffOptions(options.reconnect);
    this.logger = options.logger;
  }

  /** Starts connecting in the background; failures are logged and retried until close(). */
  start(): void {
    this.loop ??= this.run();
  }

  get connected(): boolean {
    return this.model !== undefined && this.restoring === undefined;
  }

  /** The live connection, if any. */
  current(): ChannelModel | undefined {
    return this.model;
  }

  isCurrent(model: ChannelModel): boolean {
    return this.model === model && !this.closed;
  }

  /** Resolves when connected (topology restored); rejects after `timeoutMs`, if given, or when closed first. */
  waitUntilConnected(timeoutMs?: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.closed) return Promise.reject(new BusClosedError('the RabbitMQ connection is closed'));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (error: Error) => { clearTimeout(timer); reject(error); },
      };
      this.connectedWaiters.add(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.connectedWaiters.delete(waiter);
          reject(new BusUnavailableError(`no connection to RabbitMQ at ${this.target} within ${Math.round(timeoutMs / 100) / 10} s${this.lastError ? ` (last error: ${this.lastError})` : ''}`));
        }, timeoutMs);
      }
    });
  }

  /**
   * Registers a step for every future connection and, when connected now, runs it at once.
   * Resolves when the step has run on the current connection (or right away while disconnected).
   */
  async addStep(step: RestoreStep): Promise<void> {
    this.steps.push(step);
    if (this.restoring) {
      // The restoring loop reads the list as it goes, so it runs this step too.
      await this.restoring;
      return;
    }
    if (this.model) await this.runStep(step, this.model);
  }

  removeStep(step: RestoreStep): void {
    const index = this.steps.indexOf(step);
    if (index >= 0) this.steps.splice(index, 1);
  }

  onChange(listener: (change: ConnectionChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A channel whose errors are logged: amqplib throws an unhandled 'error' event otherwise. */
  async openChannel(model: ChannelModel, purpose: string): Promise<Channel> {
    const channel = await model.createChannel();
    channel.on('error', (error: unknown) => this.logger.warn({ purpose, error: describeError(error, this.secrets) }, 'RabbitMQ closed a channel'));
    return channel;
  }

  async openConfirmChannel(model: ChannelModel, purpose: string): Promise<ConfirmChannel> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: unknown) => this.logger.warn({ purpose, error: describeError(error, this.secrets) }, 'RabbitMQ closed a channel'));
    return channel;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelSleep?.();
    for (const waiter of this.connectedWaiters) waiter.reject(new BusClosedError('the RabbitMQ connection was closed before it was established'));
    this.connectedWaiters.clear();
    const model = this.model;
    this.model = undefined;
    await closeQuietly(model);
    await this.loop;
    this.logger.info({ target: this.target }, 'RabbitMQ connection closed');
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      const node = this.options.transport.nodes[this.nodeIndex % this.options.transport.nodes.length];
      const nodeName = describeNode(node);
      let model: ChannelModel;
      try {
        model = await amqp.connect({
          protocol: this.options.transport.tls ? 'amqps' : 'amqp',
          hostname: node.hostname,
          port: node.port,
          username: node.username,
          password: node.password,
          // amqplib percent-decodes the virtual host once more.
          vhost: encodeURIComponent(this.options.transport.virtualHost),
          heartbeat: this.options.heartbeatSeconds ?? 30,
        }, {
          timeout: this.options.connectTimeoutMs ?? 10_000,
          clientProperties: { connection_name: this.options.connectionName },
        });
      } catch (error) {
        attempt += 1;
        const fields = describeError(error, this.secrets);
        this.lastError = `${nodeName}: ${fields.message}`;
        // Round-robin, as oslo.messaging's default failover: the next attempt goes to the next node.
        this.nodeIndex += 1;
        const delay = backoffDelay(attempt, this.backoff);
        const refused = isLoginRefused(fields.message);
        this.logger[refused ? 'error' : 'warn']({ node: nodeName, attempt, retryInMs: delay, error: fields },
          refused ? 'RabbitMQ refused the login; check the user, password and virtual host of transport_url. Retrying' : 'cannot reach RabbitMQ; retrying');
        await this.sleep(delay);
        continue;
      }
      if (this.closed) {
        await closeQuietly(model);
        return;
      }
      attempt = 0;
      const lost = this.watch(model, nodeName);
      this.model = model;
      await this.restore(model);
      if (this.model === model) {
        this.lastError = undefined;
        this.logger.info({ node: nodeName, virtualHost: this.options.transport.virtualHost, reconnected: this.connectedOnce }, 'connected to RabbitMQ');
        const change: ConnectionChange = { state: 'connected', reconnected: this.connectedOnce };
        this.connectedOnce = true;
        for (const waiter of this.connectedWaiters) waiter.resolve();
        this.connectedWaiters.clear();
        this.notify(change);
      }
      const reason = await lost;
      if (this.closed) return;
      this.disconnections += 1;
      this.lastError = `${nodeName}: ${reason}`;
      this.notify({ state: 'disconnected', reconnected: false });
      attempt += 1;
      const delay = backoffDelay(attempt, this.backoff);
      this.logger.warn({ node: nodeName, retryInMs: delay, reason }, 'lost the connection to RabbitMQ; reconnecting');
      await this.sleep(delay);
    }
  }

  /** Resolves with the reason once the connection is gone. */
  private watch(model: ChannelModel, nodeName: string): Promise<string> {
    let lastError: string | undefined;
    model.on('error', (error: unknown) => {
      lastError = describeError(error, this.secrets).message;
    });
    model.on('blocked', (reason: string) => this.logger.warn({ node: nodeName, reason }, 'RabbitMQ blocked publishing (a resource alarm); publishes wait and may time out'));
    model.on('unblocked', () => this.logger.info({ node: nodeName }, 'RabbitMQ accepts publishes again'));
    return new Promise((resolve) => {
      model.once('close', (error?: unknown) => {
        // At once, so that no step or publisher takes this connection for a live one.
        if (this.model === model) this.model = undefined;
        resolve(error ? describeError(error, this.secrets).message : (lastError ?? 'connection closed'));
      });
    });
  }

  private async restore(model: ChannelModel): Promise<void> {
    let done: () => void = () => undefined;
    this.restoring = new Promise((resolve) => { done = resolve; });
    try {
      // By index, not a copy: a step added while restoring runs too.
      for (let index = 0; index < this.steps.length && this.model === model; index += 1) {
        await this.runStep(this.steps[index], model);
      }
    } finally {
      this.restoring = undefined;
      done();
    }
  }

  private async runStep(step: RestoreStep, model: ChannelModel): Promise<void> {
    try {
      await step.run(model);
    } catch (error) {
      // One step's failure (a queue declared elsewhere with other arguments) must not keep the others down.
      this.logger.error({ step: step.name, error: describeError(error, this.secrets) }, 'could not restore after connecting to RabbitMQ; will try again on the next connection');
    }
  }

  private notify(change: ConnectionChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error({ error: describeError(error, this.secrets) }, 'a connection change listener failed');
      }
    }
  }

  private sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.cancelSleep = undefined;
        resolve();
      }, milliseconds);
      this.cancelSleep = () => {
        clearTimeout(timer);
        this.cancelSleep = undefined;
        resolve();
      };
    });
  }
}

/**
 * Re-opens one component's channel after it closed while the connection stayed up (a channel
 * error, a consumer cancelled because its queue was deleted), with the connection's backoff.
 */
export class ChannelKeeper {
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly connection: RabbitConnection,
    private readonly name: string,
    private readonly open: (model: ChannelModel) => Promise<void>,
    private readonly logger: Logger,
  ) {
    this.step = { name, run: (model) => this.start(model) };
  }

  /** Register this with the connection: it opens the channel on every new connection. */
  readonly step: RestoreStep;

  async start(model: ChannelModel): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    await this.open(model);
    this.attempt = 0;
  }

  /** Call when the component's channel closed; re-opens it if the connection is still the same. */
  channelLost(model: ChannelModel): void {
    // amqplib closes the channels before it reports the connection closed; look once that is done.
    setImmediate(() => this.reopenLater(model));
  }

  private reopenLater(model: ChannelModel): void {
    if (this.stopped || this.timer || !this.connection.isCurrent(model)) return;
    this.attempt += 1;
    const delay = backoffDelay(this.attempt, this.connection.backoff);
    this.logger.warn({ component: this.name, retryInMs: delay }, 'channel closed while the connection is up; reopening');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A new connection restores the component through its step; only an old one that is still up needs this.
      if (this.stopped || !this.connection.isCurrent(model)) return;
      this.start(model).catch((error: unknown) => {
        this.logger.error({ component: this.name, error: describeError(error, this.connection.secrets) }, 'reopening the channel failed');
        this.channelLost(model);
      });
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
