// ulm-listener's consumer of Nova's versioned notifications (amqplib): ulm's own pool queue bound
// to the `nova` exchange, so it never takes messages meant for others (Watcher, Ceilometer), and a
// reconnecting connection. Each notification becomes typed cloud events for the handler; a
// malformed or unknown one is logged and acknowledged, never allowed to stop the process.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { BackoffOptions } from '../bus/backoff.js';
import type { ConnectionChange } from '../bus/bus.js';
import { defaultLogger, describeError, type Logger } from '../bus/logging.js';
import { defaultSender } from '../bus/message.js';
import { ChannelKeeper, RabbitConnection, cancelQuietly, closeQuietly } from '../bus/rabbit-connection.js';
import { parseTransportUrl } from '../bus/transport-url.js';
import { NotificationFormatError, parseNotification } from './envelope.js';
import type { CloudEventHandler } from './events.js';
import { NotificationMemory, translateNotification, type TranslateOptions } from './translate.js';

export interface NotificationListenerOptions extends TranslateOptions {
  /** Nova's transport_url ([oslo_messaging_notifications] transport_url, else [DEFAULT] transport_url of nova.conf). */
  transportUrl: string;
  handler: CloudEventHandler;
  logger?: Logger;
  /** Nova's control exchange. Default `nova`. */
  exchange?: string;
  /** Nova's [notifications] versioned_notifications_topics entry. Default `versioned_notifications`. */
  topic?: string;
  /** Priorities to receive, each bound as `<topic>.<priority>`. Default info and error. */
  priorities?: string[];
  /**
   * Name of ulm's queue, shared by every ulm-listener replica (they split the notifications), as
   * an oslo.messaging listener pool. Default `ulm_notifications`.
   */
  pool?: string;
  /** Notifications RabbitMQ hands this listener ahead; they are handled one at a time, in order. Default 50. */
  prefetch?: number;
  /** Keep the queue across broker restarts. Default false, like oslo.messaging's amqp_durable_queues. */
  durableQueue?: boolean;
  /** RabbitMQ deletes the queue after no listener used it for this long, so an uninstalled ulm leaves nothing growing. Default 24 h. */
  queueExpiresMs?: number;
  /** The queue keeps at most this many notifications (the oldest go first) while no listener reads it. Default 10 000. */
  queueMaxLength?: number;
  connectionName?: string;
  reconnect?: Partial<BackoffOptions>;
  heartbeatSeconds?: number;
  connectTimeoutMs?: number;
}

export interface ListenerStatus {
  target: string;
  queue: string;
  connected: boolean;
  consuming: boolean;
  /** Counters since start: notifications received, turned into events, ignored (other event types), malformed, handler failures. */
  received: number;
  translated: number;
  ignored: number;
  malformed: number;
  handlerFailures: number;
  lastNotificationAt: string | null;
  disconnections: number;
  lastError?: string;
}

export class NotificationListener {
  private readonly connection: RabbitConnection;
  private readonly keeper: ChannelKeeper;
  private readonly logger: Logger;
  private readonly memory = new NotificationMemory();
  private readonly exchange: string;
  private readonly queue: string;
  private readonly routingKeys: string[];
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly consumingWaiters = new Set<() => void>();
  private readonly counters = { received: 0, translated: 0, ignored: 0, malformed: 0, handlerFailures: 0 };
  private lastNotificationAt: string | null = null;

  constructor(private readonly options: NotificationListenerOptions) {
    const transport = parseTransportUrl(options.transportUrl);
    this.exchange = options.exchange ?? 'nova';
    this.queue = options.pool ?? 'ulm_notifications';
    const topic = options.topic ?? 'versioned_notifications';
    this.routingKeys = (options.priorities ?? ['info', 'error']).map((priority) => `${topic}.${priority}`);
    const base = options.logger ?? defaultLogger('ulm-listener');
    this.connection = new RabbitConnection({
      transport,
      connectionName: options.connectionName ?? `ulm-listener:${defaultSender()}`,
      logger: base.child({ component: 'nova-notifications' }),
      reconnect: options.reconnect,
      heartbeatSeconds: options.heartbeatSeconds,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    this.logger = base.child({ component: 'nova-notifications', target: this.connection.target, queue: this.queue });
    this.keeper = new ChannelKeeper(this.connection, `notification queue ${this.queue}`, (model) => this.open(model), this.logger);
    void this.connection.addStep(this.keeper.step);
  }

  /** Connects and consumes in the background, reconnecting as needed, until close(). */
  start(): void {
    this.connection.start();
  }

  /** Resolves once the queue is bound and consumed; rejects after `timeoutMs`, if given. */
  waitUntilConsuming(timeoutMs?: number): Promise<void> {
    if (this.consumerTag) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = () => { clearTimeout(timer); resolve(); };
      this.consumingWaiters.add(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.consumingWaiters.delete(waiter);
          reject(new Error(`not consuming Nova's notifications after ${Math.round(timeoutMs / 100) / 10} s (${this.connection.lastError ?? 'see the log'})`));
        }, timeoutMs);
      }
    });
  }

  /** The notifications received while disconnected wait in the queue; the listener reads them after reconnecting. */
  onConnectionChange(listener: (change: ConnectionChange) => void): () => void {
    return this.connection.onChange(listener);
  }

  status(): ListenerStatus {
    const status: ListenerStatus = {
      target: this.connection.target,
      queue: this.queue,
      connected: this.connection.connected,
      consuming: this.consumerTag !== undefined,
      ...this.counters,
      lastNotificationAt: this.lastNotificationAt,
      disconnections: this.connection.disconnections,
    };
    if (this.connection.lastError) status.lastError = this.connection.lastError;
    return status;
  }

  /** Stops consuming, lets the notification being handled finish, closes the connection. The queue stays for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.keeper.stop();
    this.connection.removeStep(this.keeper.step);
    const channel = this.channel;
    await cancelQuietly(channel, this.consumerTag);
    await this.chain;
    this.channel = undefined;
    this.consumerTag = undefined;
    await closeQuietly(channel);
    await this.connection.close();
  }

  private async open(model: ChannelModel): Promise<void> {
    const channel = await this.connection.openChannel(model, `notification queue ${this.queue}`);
    channel.once('close', () => {
      if (this.channel === channel) {
        this.channel = undefined;
        this.consumerTag = undefined;
      }
      this.keeper.channelLost(model);
    });
    try {
      await channel.checkExchange(this.exchange);
    } catch {
      // Nova declares its exchange when it first sends; declaring it ourselves could clash with
      // Nova's settings (durability), so wait for Nova instead. The channel is closed; the keeper retries.
      throw new Error(`exchange "${this.exchange}" does not exist yet: Nova has not sent a notification since RabbitMQ started, or [oslo_messaging_notifications] uses another exchange or transport_url`);
    }
    await channel.assertQueue(this.queue, {
      durable: this.options.durableQueue ?? false,
      autoDelete: false,
      expires: this.options.queueExpiresMs ?? 24 * 3600_000,
      maxLength: this.options.queueMaxLength ?? 10_000,
      overflow: 'drop-head',
    });
    for (const routingKey of this.routingKeys) await channel.bindQueue(this.queue, this.exchange, routingKey);
    await channel.prefetch(this.options.prefetch ?? 50);
    const { consumerTag } = await channel.consume(this.queue, (message) => this.receive(channel, model, message), { noAck: false });
    this.channel = channel;
    this.consumerTag = consumerTag;
    this.logger.info({ exchange: this.exchange, routingKeys: this.routingKeys }, 'consuming Nova notifications');
    for (const waiter of this.consumingWaiters) waiter();
    this.consumingWaiters.clear();
  }

  private receive(channel: Channel, model: ChannelModel, message: ConsumeMessage | null): void {
    if (!message) {
      // RabbitMQ cancelled the consumer (the queue was deleted): declare it again on a new channel.
      this.logger.warn('RabbitMQ cancelled the notification consumer (queue deleted?); declaring the queue again');
      this.consumerTag = undefined;
      void closeQuietly(channel);
      this.keeper.channelLost(model);
      return;
    }
    // In arrival order, one at a time: a server's events must reach the handler in the order Nova sent them.
    this.chain = this.chain.then(() => this.handle(channel, message)).catch((error: unknown) => {
      this.logger.error({ error: describeError(error, this.connection.secrets) }, 'unexpected error while handling a notification');
    });
  }

  private async handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    this.counters.received += 1;
    const settle = (action: () => void) => {
      try {
        action();
      } catch {
        // The channel closed: RabbitMQ hands the notification out again after the reconnection.
      }
    };
    let events;
    try {
      const notification = parseNotification(message.content);
      this.lastNotificationAt = notification.timestamp;
      events = translateNotification(notification, this.memory, this.options);
      if (!events.length) {
        this.counters.ignored += 1;
        this.logger.debug({ eventType: notification.eventType }, 'ignored a notification ulm does not use');
        settle(() => channel.ack(message));
        return;
      }
    } catch (error) {
      this.counters.malformed += 1;
      const expected = error instanceof NotificationFormatError;
      // Never the body: a notification's context can carry an auth token on some clouds.
      this.logger[expected ? 'warn' : 'error']({ routingKey: message.fields.routingKey, bytes: message.content.length, error: describeError(error, this.connection.secrets) },
        expected ? 'malformed notification acknowledged and dropped' : 'could not read a notification (a bug in ulm?); acknowledged and dropped');
      settle(() => channel.ack(message));
      return;
    }
    try {
      for (const event of events) await this.options.handler(event);
      this.counters.translated += 1;
      settle(() => channel.ack(message));
    } catch (error) {
      this.counters.handlerFailures += 1;
      const eventType = events[0].notification.eventType;
      if (!message.fields.redelivered) {
        // Once more, in case the problem passes (a database restart); events already handled are repeated.
        this.logger.warn({ eventType, error: describeError(error, this.connection.secrets) }, 'cloud event handler failed; the notification goes back to the queue for one more try');
        settle(() => channel.nack(message, false, true));
      } else {
        this.logger.error({ eventType, error: describeError(error, this.connection.secrets) }, 'cloud event handler failed twice; notification dropped (the monitor\'s next collection catches up)');
        settle(() => channel.ack(message));
      }
    }
  }
}
