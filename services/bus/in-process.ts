// The in-process bus (EventEmitter-based): the default when transport_url is empty, for `ulm serve`
// and tests. It behaves like the RabbitMQ bus (asynchronous delivery, JSON copies, topic patterns,
// prefetch, retry and dead-letter), but everything lives in this process's memory.
import { EventEmitter } from 'node:events';
import {
  BusClosedError, type Bus, type BusMessage, type BusStatus, type ConnectionChange, type ConsumeOptions,
  type EventHandler, type JobHandler, type SubscribeOptions, type Subscription,
} from './bus.js';
import { runEventHandler, runJobHandler } from './handlers.js';
import { defaultLogger, type Logger } from './logging.js';
import { checkPattern, checkQueueName, checkTopic, decodeMessage, defaultSender, encodeMessage, messageFactory, topicMatches, type MessageFactory } from './message.js';

export interface InProcessBusOptions {
  logger?: Logger;
  /** Name of this process in the messages it sends; default `host:pid`. */
  sender?: string;
  now?: () => Date;
}

interface QueuedJob {
  text: string;
  redelivered: boolean;
}

class JobConsumer {
  inFlight = 0;
  closed = false;
  private readonly running = new Set<Promise<void>>();

  constructor(readonly prefetch: number, readonly handler: JobHandler<unknown>) {}

  track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }
}

/** One named work queue: jobs wait here until a consumer with room in its prefetch takes them. */
class WorkQueue {
  private readonly ready: QueuedJob[] = [];
  private readonly consumers: JobConsumer[] = [];
  private nextConsumer = 0;
  private dispatchScheduled = false;
  readonly deadLetters: Array<{ text: string; reason: string }> = [];

  constructor(readonly name: string, private readonly logger: Logger) {}

  get waiting(): number {
    return this.ready.length;
  }

  get consumerList(): readonly JobConsumer[] {
    return this.consumers;
  }

  add(job: QueuedJob, atFront = false): void {
    // A job handed back goes to the front, as RabbitMQ requeues it at its original position.
    if (atFront) this.ready.unshift(job);
    else this.ready.push(job);
    this.scheduleDispatch();
  }

  addConsumer(consumer: JobConsumer): void {
    this.consumers.push(consumer);
    this.scheduleDispatch();
  }

  removeConsumer(consumer: JobConsumer): void {
    consumer.closed = true;
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) this.consumers.splice(index, 1);
  }

  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    // Later, never inside enqueue(): a sender must not run a consumer's code on its own stack.
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.ready.length) {
      const consumer = this.pickConsumer();
      if (!consumer) return;
      const job = this.ready.shift() as QueuedJob;
      consumer.inFlight += 1;
      consumer.track(this.deliver(consumer, job));
    }
  }

  /** Round-robin over the consumers that have room, like RabbitMQ's competing consumers. */
  private pickConsumer(): JobConsumer | undefined {
    for (let tried = 0; tried < this.consumers.length; tried += 1) {
      const index = (this.nextConsumer + tried) % this.consumers.length;
      const consumer = this.consumers[index];
      if (!consumer.closed && consumer.inFlight < consumer.prefetch) {
        this.nextConsumer = (index + 1) % this.consumers.length;
        return consumer;
      }
    }
    return undefined;
  }

  private async deliver(consumer: JobConsumer, job: QueuedJob): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    let finished = false;
    const finish = () => {
      finished = true;
      consumer.inFlight -= 1;
      this.scheduleDispatch();
    };
    const message = decodeMessage(job.text);
    await runJobHandler(consumer.handler, message, {
      redelivered: job.redelivered,
      ack: () => finish(),
      requeue: () => {
        finish();
        this.add({ text: job.text, redelivered: true }, true);
      },
      deadLetter: (reason) => {
        finish();
        this.deadLetters.push({ text: job.text, reason });
      },
    }, this.name, this.logger);
    if (!finished) finish();
  }
}

export class InProcessBus implements Bus {
  readonly transport = 'in-process' as const;
  private readonly emitter = new EventEmitter();
  private readonly queues = new Map<string, WorkQueue>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly consumers = new Set<Subscription>();
  private readonly logger: Logger;
  private readonly messages: MessageFactory;
  private closed = false;

  constructor(options: InProcessBusOptions = {}) {
    this.logger = (options.logger ?? defaultLogger('ulm-bus')).child({ transport: 'in-process' });
    this.messages = messageFactory(options.sender ?? defaultSender(), options.now);
    this.emitter.setMaxListeners(0);
  }

  async publish<Payload>(topic: string, payload: Payload): Promise<BusMessage<Payload>> {
    this.ensureOpen('publish');
    checkTopic(topic);
    const message = this.messages.create(topic, payload);
    // Through JSON, as on RabbitMQ: every subscriber gets its own copy, and a non-JSON payload fails here too.
    this.emitter.emit('event', topic, encodeMessage(message));
    return message;
  }

  async subscribe<Payload>(pattern: string, handler: EventHandler<Payload>, _options: SubscribeOptions = {}): Promise<Subscription> {
    this.ensureOpen('subscribe');
    checkPattern(pattern);
    // One chain per subscriber: its events are handled one at a time in order, and a slow subscriber delays no other.
    let chain = Promise.resolve();
    const listener = (topic: string, text: string) => {
      if (!topicMatches(pattern, topic)) return;
      chain = chain.then(() => runEventHandler(handler as EventHandler<unknown>, decodeMessage(text), this.logger));
    };
    this.emitter.on('event', listener);
    const subscription: Subscription = {
      close: async () => {
        this.emitter.off('event', listener);
        this.subscriptions.delete(subscription);
        await chain;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async enqueue<Payload>(queue: string, job: Payload): Promise<BusMessage<Payload>> {
    this.ensureOpen('enqueue');
    checkQueueName(queue);
    const message = this.messages.create(queue, job);
    this.queueNamed(queue).add({ text: encodeMessage(message), redelivered: false });
    return message;
  }

  async consume<Payload>(queue: string, handler: JobHandler<Payload>, options: ConsumeOptions = {}): Promise<Subscription> {
    this.ensureOpen('consume');
    checkQueueName(queue);
    const prefetch = checkPrefetch(options.prefetch ?? 1);
    const workQueue = this.queueNamed(queue);
    const consumer = new JobConsumer(prefetch, handler as JobHandler<unknown>);
    workQueue.addConsumer(consumer);
    const subscription: Subscription = {
      close: async () => {
        workQueue.removeConsumer(consumer);
        this.consumers.delete(subscription);
        await consumer.drain();
      },
    };
    this.consumers.add(subscription);
    return subscription;
  }

  async consumerCount(queue: string): Promise<number> {
    this.ensureOpen('count the consumers of a queue');
    checkQueueName(queue);
    // Only this process's memory: a consumer in another process shares nothing with this bus.
    return this.queues.get(queue)?.consumerList.filter((consumer) => !consumer.closed).length ?? 0;
  }

  onConnectionChange(_listener: (change: ConnectionChange) => void): () => void {
    // Nothing to lose or regain in one process.
    return () => undefined;
  }

  /** Jobs rejected from a queue, kept in memory for inspection (RabbitMQ keeps them in `<queue>.dead`). */
  deadLetters(queue: string): BusMessage[] {
    return (this.queues.get(queue)?.deadLetters ?? []).map((entry) => decodeMessage(entry.text));
  }

  status(): BusStatus {
    return {
      transport: 'in-process',
      target: 'in-process',
      connected: !this.closed,
      bufferedPublishes: 0,
      unconfirmedPublishes: 0,
      subscriptions: this.subscriptions.size,
      consumers: [...this.queues.values()].flatMap((queue) => queue.consumerList.map((consumer) => ({ queue: queue.name, consuming: !consumer.closed, inFlight: consumer.inFlight }))),
      disconnections: 0,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions, ...this.consumers].map((subscription) => subscription.close()));
    for (const queue of this.queues.values()) {
      // Said out loud: an in-process queue is memory, and these jobs end with the process.
      if (queue.waiting) this.logger.warn({ queue: queue.name, jobs: queue.waiting }, 'in-process bus closed with jobs nobody consumed; they are lost (use RabbitMQ, transport_url, to keep jobs across restarts)');
    }
  }

  private queueNamed(name: string): WorkQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new WorkQueue(name, this.logger);
      this.queues.set(name, queue);
    }
    return queue;
  }

  private ensureOpen(operation: string): void {
    if (this.closed) throw new BusClosedError(`cannot ${operation}: the bus is closed`);
  }
}

export function checkPrefetch(prefetch: number): number {
  if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 65535) {
    throw new RangeError(`prefetch: ${prefetch} is not a whole number of messages between 1 and 65535`);
  }
  return prefetch;
}
