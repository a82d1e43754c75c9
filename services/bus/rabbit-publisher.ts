// Publishing with publisher confirms: every publish resolves when RabbitMQ has the message and
// rejects when it could not be sent. While disconnected, publishes wait in a bounded buffer and go
// out after the reconnection; nothing is dropped without its caller being told.
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { BusClosedError, BusError, BusUnavailableError } from './bus.js';
import { describeError, type Logger } from './logging.js';
import { ChannelKeeper, closeQuietly, type RabbitConnection } from './rabbit-connection.js';

export interface PublishRequest {
  exchange: string;
  routingKey: string;
  content: Buffer;
  properties: Options.Publish & { messageId: string };
  /** What the caller publishes to, for log lines and errors (`event plan.progress`, `queue ulm.applier`). */
  description: string;
  /** Runs on the current connection before the first send on it, e.g. declaring the work queue. */
  prepare?: (model: ChannelModel) => Promise<void>;
}

interface PendingPublish extends PublishRequest {
  state: 'buffered' | 'sent' | 'done';
  returned: boolean;
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  sends: number;
}

export interface PublisherOptions {
  exchange: string;
  /** A publish not confirmed within this time fails. */
  timeoutMs: number;
  /** Publishes held while disconnected; one more fails at once. */
  maxBuffered: number;
}

export class ConfirmPublisher {
  private channel: ConfirmChannel | undefined;
  private channelModel: ChannelModel | undefined;
  private readonly buffer: PendingPublish[] = [];
  private readonly unconfirmed = new Map<string, PendingPublish>();
  private pumping = false;
  private closed = false;
  private warnedBuffering = false;
  readonly keeper: ChannelKeeper;

  constructor(private readonly connection: RabbitConnection, private readonly options: PublisherOptions, private readonly logger: Logger) {
    this.keeper = new ChannelKeeper(connection, 'publisher', (model) => this.open(model), logger);
  }

  get buffered(): number {
    return this.buffer.length;
  }

  get unconfirmedCount(): number {
    return this.unconfirmed.size;
  }

  publish(request: PublishRequest): Promise<void> {
    if (this.closed) return Promise.reject(new BusClosedError(`${request.description}: not sent, the bus is closed`));
    if (this.buffer.length >= this.options.maxBuffered) {
      return Promise.reject(new BusUnavailableError(`${request.description}: not sent, ${this.buffer.length} messages are already waiting for RabbitMQ (${this.connection.lastError ?? 'not connected'})`));
    }
    return new Promise<void>((resolve, reject) => {
      const pending: PendingPublish = {
        ...request, state: 'buffered', returned: false, resolve, reject, sends: 0,
        timer: setTimeout(() => this.timeOut(pending), this.options.timeoutMs),
      };
      this.buffer.push(pending);
      if (!this.channel && !this.warnedBuffering) {
        this.warnedBuffering = true;
        this.logger.warn({ target: this.connection.target }, 'not connected to RabbitMQ; publishes wait for the connection');
      }
      this.pump();
    });
  }

  /** Waits (up to `timeoutMs`) for sent messages to be confirmed, then fails whatever is left. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    this.keeper.stop();
    const deadline = Date.now() + timeoutMs;
    while ((this.unconfirmed.size || (this.buffer.length && this.channel)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const pending of [...this.buffer, ...this.unconfirmed.values()]) {
      this.finish(pending, new BusClosedError(pending.state === 'sent'
        ? `${pending.description}: sent but not confirmed when the bus closed; it may or may not have been delivered`
        : `${pending.description}: not sent, the bus closed while RabbitMQ was unreachable`));
    }
    this.buffer.length = 0;
    const channel = this.channel;
    this.channel = undefined;
    await closeQuietly(channel);
  }

  private async open(model: ChannelModel): Promise<void> {
    const channel = await this.connection.openConfirmChannel(model, 'publisher');
    // Declared here as well as at connection time, so a deleted exchange comes back with the channel.
    await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
    channel.on('return', (message: Message) => {
      const pending = this.unconfirmed.get(String(message.properties.messageId));
      if (pending) pending.returned = true;
    });
    channel.on('drain', () => this.pump());
    channel.once('close', () => {
      if (this.channel === channel) this.channel = undefined;
      this.keeper.channelLost(model);
    });
    this.channel = channel;
    this.channelModel = model;
    this.preparedOn = new WeakMap();
    this.warnedBuffering = false;
    if (this.buffer.length) this.logger.info({ messages: this.buffer.length }, 'connected again; sending the publishes that waited');
    this.pump();
  }

  /** Per connection: which prepare functions (work queue declarations) already ran. */
  private preparedOn = new WeakMap<ChannelModel, Set<string>>();

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.sendBuffered().finally(() => {
      this.pumping = false;
    });
  }

  private async sendBuffered(): Promise<void> {
    while (this.buffer.length && this.channel && this.channelModel) {
      const channel = this.channel;
      const model = this.channelModel;
      const pending = this.buffer[0];
      if (pending.prepare) {
        let prepared = this.preparedOn.get(model);
        if (!prepared) this.preparedOn.set(model, (prepared = new Set()));
        if (!prepared.has(pending.description)) {
          try {
            await pending.prepare(model);
            prepared.add(pending.description);
          } catch (error) {
            if (!this.connection.isCurrent(model)) return; // the connection went; the next one retries
            this.buffer.shift();
            this.finish(pending, new BusError(`${pending.description}: not sent, ${describeError(error, this.connection.secrets).message}`));
            continue;
          }
          if (this.channel !== channel) continue;
        }
      }
      if (this.buffer[0] !== pending || pending.state === 'done') continue;
      this.buffer.shift();
      pending.state = 'sent';
      pending.sends += 1;
      this.unconfirmed.set(pending.properties.messageId, pending);
      let writable: boolean;
      try {
        writable = channel.publish(pending.exchange, pending.routingKey, pending.content, pending.properties, (error: unknown) => this.confirmed(pending, error));
      } catch (error) {
        // The channel closed between two sends: keep the message for the next channel.
        this.unconfirmed.delete(pending.properties.messageId);
        pending.state = 'buffered';
        this.buffer.unshift(pending);
        this.logger.debug({ error: describeError(error, this.connection.secrets) }, 'publish channel closed while sending');
        return;
      }
      // Back-pressure: stop writing until the socket drains ('drain' calls pump again).
      if (!writable) return;
    }
  }

  private confirmed(pending: PendingPublish, error: unknown): void {
    this.unconfirmed.delete(pending.properties.messageId);
    if (pending.state === 'done') return;
    if (!error) {
      if (pending.returned) {
        this.finish(pending, new BusError(`${pending.description}: RabbitMQ had no queue to route it to`));
      } else {
        this.finish(pending);
      }
      return;
    }
    if (error instanceof Error && error.message === 'message nacked') {
      this.finish(pending, new BusError(`${pending.description}: RabbitMQ refused the message (negative confirm; see the broker's log)`));
      return;
    }
    // The channel or connection closed before the confirm: the broker may or may not have the
    // message. Send it again on the next channel (at least once; receivers can spot repeats by message id).
    pending.state = 'buffered';
    const index = this.buffer.findIndex((other) => other.sends === 0);
    if (index < 0) this.buffer.push(pending);
    else this.buffer.splice(index, 0, pending);
    this.logger.info({ destination: pending.description, messageId: pending.properties.messageId }, 'publish not confirmed before the connection dropped; sending it again after reconnecting');
    this.pump();
  }

  private timeOut(pending: PendingPublish): void {
    if (pending.state === 'done') return;
    const index = this.buffer.indexOf(pending);
    if (index >= 0) this.buffer.splice(index, 1);
    const seconds = Math.round(this.options.timeoutMs / 100) / 10;
    const error = pending.state === 'sent'
      ? new BusUnavailableError(`${pending.description}: sent, but RabbitMQ did not confirm it within ${seconds} s; it may or may not have been delivered`)
      : new BusUnavailableError(`${pending.description}: not sent, no connection to RabbitMQ for ${seconds} s (${this.connection.lastError ?? 'connecting'})`);
    this.logger.error({ destination: pending.description, messageId: pending.properties.messageId, error: error.message }, 'publish failed');
    this.finish(pending, error);
  }

  private finish(pending: PendingPublish, error?: Error): void {
    if (pending.state === 'done') return;
    pending.state = 'done';
    clearTimeout(pending.timer);
    this.unconfirmed.delete(pending.properties.messageId);
    if (error) pending.reject(error);
    else pending.resolve();
  }
}
