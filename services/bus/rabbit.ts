// The RabbitMQ bus (amqplib): events through a durable topic exchange to one exclusive queue per
// subscriber, jobs through durable work queues with manual acknowledgement, publisher confirms,
// prefetch, and recovery of all of it after a reconnection.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import {
  BusClosedError, BusUnavailableError, type Bus, type BusMessage, type BusStatus, type ConnectionChange, type ConsumeOptions,
  type ConsumerStatus, type EventHandler, type JobHandler, type SubscribeOptions, type Subscription,
} from './bus.js';
import type { BackoffOptions } from './backoff.js';
import { runEventHandler, runJobHandler } from './handlers.js';
import { checkPrefetch } from './in-process.js';
import { defaultLogger, describeError, type Logger } from './logging.js';
import {
  checkPattern, checkQueueName, checkTopic, deadLetterQueueOf, decodeMessage, defaultSender, encodeMessage,
  messageFactory, type MessageFactory,
} from './message.js';
import { ChannelKeeper, RabbitConnection, cancelQuietly, closeQuietly } from './rabbit-connection.js';
import { ConfirmPublisher } from './rabbit-publisher.js';
import { parseTransportUrl } from './transport-url.js';

export interface RabbitBusOptions {
  logger?: Logger;
  /** Name of this process in the messages it sends; default `host:pid`. */
  sender?: string;
  now?: () => Date;
  /** The topic exchange of ulm's events. Default `ulm`. */
  exchange?: string;
  /** How this connection is named in RabbitMQ (`rabbitmqctl list_connections client_properties`). Default `ulm:<sender>`. */
  connectionName?: string;
  reconnect?: Partial<BackoffOptions>;
  heartbeatSeconds?: number;
  connectTimeoutMs?: number;
  /** A publish not confirmed by RabbitMQ within this time fails with BusUnavailableError. Default 30 s. */
  publishTimeoutMs?: number;
  /** Publishes held while disconnected before further ones fail at once. Default 10 000. */
  maxBufferedPublishes?: number;
  /** How long close() waits for running handlers and unconfirmed publishes. Default 10 s. */
  closeTimeoutMs?: number;
}

/** How long a question to the broker (who consumes a queue) may take before it counts as unanswered. */
const CHECK_TIMEOUT_MS = 10_000;

/** Work queues survive a broker restart, and their rejected jobs are kept in `<queue>.dead`. */
export async function declareWorkQueue(channel: Channel, queue: string): Promise<void> {
  await channel.assertQueue(deadLetterQueueOf(queue), { durable: true });
  await channel.assertQueue(queue, { durable: true, deadLetterExchange: '', deadLetterRoutingKey: deadLetterQueueOf(queue) });
}

/** Acknowledges on the channel the message came from; if that channel is gone, RabbitMQ redelivers the message anyway. */
function settle(logger: Logger, action: () => void, what: string): void {
  try {
    action();
  } catch (error) {
    logger.info({ error: describeError(error) }, `could not ${what}: the channel closed; RabbitMQ hands the message out again`);
  }
}

/**
 * A consumer on a channel of its own, opened again after every reconnection and whenever
 * RabbitMQ cancels it: what event subscriptions and job consumers share.
 */
abstract class RabbitConsumer implements Subscription {
  protected channel: Channel | undefined;
  protected consumerTag: string | undefined;
  private closed = false;
  readonly keeper: ChannelKeeper;

  constructor(
    protected readonly connection: RabbitConnection,
    private readonly label: string,
    protected readonly prefetch: number,
    protected readonly logger: Logger,
    private readonly onClose: () => void,
  ) {
    this.keeper = new ChannelKeeper(connection, label, (model) => this.open(model), logger);
  }

  /** Declares what this consumer reads on a new channel; returns the queue to consume. */
  protected abstract declare(channel: Channel): Promise<string>;
  /** Takes one delivery; settles it on `channel`. */
  protected abstract deliver(channel: Channel, message: ConsumeMessage): void;
  /** On close, once deliveries stopped: waits for the work in hand, at most `timeoutMs`. */
  protected abstract finishWork(timeoutMs: number): Promise<void>;

  private async open(model: ChannelModel): Promise<void> {
    const channel = await this.connection.openChannel(model, this.label);
    channel.once('close', () => {
      if (this.channel === channel) {
        this.channel = undefined;
        this.consumerTag = undefined;
      }
      this.keeper.channelLost(model);
    });
    // Per consumer (not global): RabbitMQ hands this consumer at most `prefetch` unsettled messages.
    await channel.prefetch(this.prefetch);
    const queue = await this.declare(channel);
    const { consumerTag } = await channel.consume(queue, (message) => this.receive(channel, model, message), { noAck: false });
    this.channel = channel;
    this.consumerTag = consumerTag;
    this.logger.debug({ consumer: this.label, queue, prefetch: this.prefetch }, 'consuming');
  }

  private receive(channel: Channel, model: ChannelModel, message: ConsumeMessage | null): void {
    if (!message) {
      // RabbitMQ cancelled the consumer (its queue was deleted): start over on a new channel.
      this.consumerTag = undefined;
      void closeQuietly(channel);
      this.keeper.channelLost(model);
      return;
    }
    this.deliver(channel, message);
  }

  async close(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.keeper.stop();
    this.connection.removeStep(this.keeper.step);
    this.onClose();
    const channel = this.channel;
    // Stop new deliveries first, then let the work in hand finish so it is acknowledged, not redelivered.
    await cancelQuietly(channel, this.consumerTag);
    await this.finishWork(timeoutMs);
    this.channel = undefined;
    this.consumerTag = undefined;
    await closeQuietly(channel);
  }
}

class RabbitSubscription extends RabbitConsumer {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    connection: RabbitConnection,
    private readonly exchange: string,
    readonly pattern: string,
    private readonly handler: EventHandler<unknown>,
    prefetch: number,
    logger: Logger,
    onClose: () => void,
  ) {
    super(connection, `subscription ${pattern}`, prefetch, logger, onClose);
  }

  get consuming(): boolean {
    return this.consumerTag !== undefined;
  }

  protected async declare(channel: Channel): Promise<string> {
    await channel.assertExchange(this.exchange, 'topic', { durable: true });
    // Exclusive and server-named: one queue per subscriber, gone with its connection, so nothing piles up for a dead process.
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, this.exchange, this.pattern);
    return queue;
  }

  protected deliver(channel: Channel, message: ConsumeMessage): void {
    // One at a time, in order: subscribers may keep state that depends on the order of events.
    this.chain = this.chain.then(async () => {
      let event: BusMessage;
      try {
        event = decodeMessage(message.content);
      } catch (error) {
        this.logger.warn({ pattern: this.pattern, routingKey: message.fields.routingKey, error: describeError(error) }, 'ignored a malformed event');
        settle(this.logger, () => channel.ack(message), 'acknowledge');
        return;
      }
      await runEventHandler(this.handler, event, this.logger);
      settle(this.logger, () => channel.ack(message), 'acknowledge');
    });
  }

  protected async finishWork(): Promise<void> {
    await this.chain;
  }
}

class RabbitJobConsumer extends RabbitConsumer {
  private readonly running = new Set<Promise<void>>();
  /** Jobs received and not yet acknowledged, retried or dead-lettered: what RabbitMQ would hand out again. */
  private unsettled = 0;

  constructor(
    connection: RabbitConnection,
    readonly queue: string,
    private readonly handler: JobHandler<unknown>,
    prefetch: number,
    logger: Logger,
    onClose: () => void,
  ) {
    super(connection, `consumer ${queue}`, prefetch, logger, onClose);
  }

  status(): ConsumerStatus {
    return { queue: this.queue, consuming: this.consumerTag !== undefined, inFlight: this.unsettled };
  }

  protected async declare(channel: Channel): Promise<string> {
    await declareWorkQueue(channel, this.queue);
    return this.queue;
  }

  protected deliver(channel: Channel, message: ConsumeMessage): void {
    const work = this.handle(channel, message);
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  private async handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    this.unsettled += 1;
    let settled = false;
    const settleOnce = (action: () => void, what: string) => {
      if (!settled) {
        settled = true;
        this.unsettled -= 1;
      }
      settle(this.logger, action, what);
    };
    let job: BusMessage;
    try {
      job = decodeMessage(message.content);
    } catch (error) {
      // Not retried: it would fail the same way. Kept in the dead-letter queue for a person to look at.
      this.logger.error({ queue: this.queue, deadLetterQueue: deadLetterQueueOf(this.queue), error: describeError(error) }, 'malformed job moved to the dead-letter queue');
      settleOnce(() => channel.nack(message, false, false), 'dead-letter a malformed job');
      return;
    }
    await runJobHandler(this.handler, job, {
      redelivered: message.fields.redelivered,
      ack: () => settleOnce(() => channel.ack(message), 'acknowledge a job'),
      requeue: () => settleOnce(() => channel.nack(message, false, true), 'hand a job back'),
      deadLetter: () => settleOnce(() => channel.nack(message, false, false), 'dead-letter a job'),
    }, this.queue, this.logger);
  }

  protected async finishWork(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.all([...this.running]), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    if (this.unsettled) this.logger.warn({ queue: this.queue, jobs: this.unsettled }, 'closing with jobs not yet acknowledged; RabbitMQ will hand them out again');
    else if (this.running.size) this.logger.info({ queue: this.queue, jobs: this.running.size }, 'closing while acknowledged jobs still run; they continue without the bus');
  }
}

export class RabbitBus implements Bus {
  readonly transport = 'rabbit' as const;
  private readonly connection: RabbitConnection;
  private readonly publisher: ConfirmPublisher;
  private readonly subscriptions = new Set<RabbitSubscription>();
  private readonly consumers = new Set<RabbitJobConsumer>();
  private readonly messages: MessageFactory;
  private readonly logger: Logger;
  private readonly exchange: string;
  private readonly closeTimeoutMs: number;
  private closed = false;

  constructor(transportUrl: string, options: RabbitBusOptions = {}) {
    const transport = parseTransportUrl(transportUrl);
    const sender = options.sender ?? defaultSender();
    this.exchange = options.exchange ?? 'ulm';
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.messages = messageFactory(sender, options.now);
    const base = options.logger ?? defaultLogger('ulm-bus');
    this.connection = new RabbitConnection({
      transport,
      connectionName: options.connectionName ?? `ulm:${sender}`,
      logger: base.child({ transport: 'rabbit' }),
      reconnect: options.reconnect,
      heartbeatSeconds: options.heartbeatSeconds,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    this.logger = base.child({ transport: 'rabbit', target: this.connection.target });
    this.publisher = new ConfirmPublisher(this.connection, {
      exchange: this.exchange,
      timeoutMs: options.publishTimeoutMs ?? 30_000,
      maxBuffered: options.maxBufferedPublishes ?? 10_000,
    }, this.logger);
    void this.connection.addStep({
      name: `exchange ${this.exchange}`,
      run: async (model) => {
        const channel = await this.connection.openChannel(model, 'topology');
        await channel.assertExchange(this.exchange, 'topic', { durable: true });
        await closeQuietly(channel);
      },
    });
    void this.connection.addStep(this.publisher.keeper.step);
  }

  /** Starts connecting; see createBus for waiting until connected. */
  start(): void {
    this.connection.start();
  }

  waitUntilConnected(timeoutMs?: number): Promise<void> {
    return this.connection.waitUntilConnected(timeoutMs);
  }

  async publish<Payload>(topic: string, payload: Payload): Promise<BusMessage<Payload>> {
    this.ensureOpen('publish');
    checkTopic(topic);
    const message = this.messages.create(topic, payload);
    await this.publisher.publish({
      exchange: this.exchange,
      routingKey: topic,
      content: Buffer.from(encodeMessage(message)),
      // Transient: events matter to the subscribers connected now, whose queues end with their connection anyway.
      properties: { messageId: message.id, timestamp: Math.floor(Date.parse(message.timestamp) / 1000), contentType: 'application/json', type: topic, appId: 'ulm', persistent: false },
      description: `event ${topic}`,
    });
    return message;
  }

  async subscribe<Payload>(pattern: string, handler: EventHandler<Payload>, options: SubscribeOptions = {}): Promise<Subscription> {
    this.ensureOpen('subscribe');
    checkPattern(pattern);
    const subscription = new RabbitSubscription(this.connection, this.exchange, pattern, handler as EventHandler<unknown>, checkPrefetch(options.prefetch ?? 100), this.logger,
      () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    await this.connection.addStep(subscription.keeper.step);
    return subscription;
  }

  async enqueue<Payload>(queue: string, job: Payload): Promise<BusMessage<Payload>> {
    this.ensureOpen('enqueue');
    checkQueueName(queue);
    const message = this.messages.create(queue, job);
    await this.publisher.publish({
      exchange: '',
      routingKey: queue,
      content: Buffer.from(encodeMessage(message)),
      // Persistent and mandatory: the job survives a broker restart, and a missing queue is an error, not a silent drop.
      properties: { messageId: message.id, timestamp: Math.floor(Date.parse(message.timestamp) / 1000), contentType: 'application/json', type: queue, appId: 'ulm', persistent: true, mandatory: true },
      description: `queue ${queue}`,
      prepare: async (model) => {
        const channel = await this.connection.openChannel(model, `declare ${queue}`);
        await declareWorkQueue(channel, queue);
        await closeQuietly(channel);
      },
    });
    return message;
  }

  async consume<Payload>(queue: string, handler: JobHandler<Payload>, options: ConsumeOptions = {}): Promise<Subscription> {
    this.ensureOpen('consume');
    checkQueueName(queue);
    const consumer = new RabbitJobConsumer(this.connection, queue, handler as JobHandler<unknown>, checkPrefetch(options.prefetch ?? 1), this.logger,
      () => this.consumers.delete(consumer));
    this.consumers.add(consumer);
    await this.connection.addStep(consumer.keeper.step);
    return consumer;
  }

  async consumerCount(queue: string): Promise<number> {
    this.ensureOpen('count the consumers of a queue');
    checkQueueName(queue);
    const model = this.connection.current();
    if (!model || !this.connection.connected) {
      throw new BusUnavailableError(`cannot ask RabbitMQ at ${this.connection.target} who consumes queue ${queue}: not connected${this.connection.lastError ? ` (last error: ${this.connection.lastError})` : ''}`);
    }
    // A channel of its own, without the logging one: a missing queue closes it with 404, which is an answer here.
    const unanswered = (error: unknown) => new BusUnavailableError(`cannot ask RabbitMQ at ${this.connection.target} who consumes queue ${queue}: ${describeError(error, this.connection.secrets).message}`);
    const channel = await model.createChannel().catch((error: unknown) => { throw unanswered(error); });
    channel.on('error', () => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = channel.checkQueue(queue);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BusUnavailableError(`RabbitMQ at ${this.connection.target} did not say who consumes queue ${queue} within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
      });
      return (await Promise.race([answer, timeout])).consumerCount;
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return 0;
      if (error instanceof BusUnavailableError) throw error;
      throw unanswered(error);
    } finally {
      clearTimeout(timer);
      await closeQuietly(channel);
    }
  }

  onConnectionChange(listener: (change: ConnectionChange) => void): () => void {
    return this.connection.onChange(listener);
  }

  status(): BusStatus {
    const status: BusStatus = {
      transport: 'rabbit',
      target: this.connection.target,
      connected: this.connection.connected,
      bufferedPublishes: this.publisher.buffered,
      unconfirmedPublishes: this.publisher.unconfirmedCount,
      subscriptions: this.subscriptions.size,
      consumers: [...this.consumers].map((consumer) => consumer.status()),
      disconnections: this.connection.disconnections,
    };
    if (this.connection.lastError) status.lastError = this.connection.lastError;
    return status;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await Promise.all([...this.consumers].map((consumer) => consumer.close(this.closeTimeoutMs)));
    await this.publisher.close(this.closeTimeoutMs);
    await this.connection.close();
  }

  private ensureOpen(operation: string): void {
    if (this.closed) throw new BusClosedError(`cannot ${operation}: the bus is closed`);
  }
}
