// The interface every ulm service uses for its internal messages: fan-out events (plan progress,
// cloud changes) and work queues (jobs such as "start action plan X", each taken by one applier).

/** What travels on the bus, whatever the transport: JSON, with an id and the time it was sent. */
export interface BusMessage<Payload = unknown> {
  /** Always `ulm-message/1`; a receiver rejects anything else instead of guessing. */
  format: typeof MESSAGE_FORMAT;
  /** Unique per message (a UUID); a receiver may see a message twice after a reconnection, and can use this to notice. */
  id: string;
  /** The event topic (`plan.progress`) or the work queue name (`applier.start-plan`). */
  topic: string;
  /** When the sender created it, ISO 8601 in UTC. */
  timestamp: string;
  /** Which process sent it (`host:pid` unless the service names itself). */
  sender: string;
  payload: Payload;
}

export const MESSAGE_FORMAT = 'ulm-message/1';

/** Called once per event; an error it throws is logged and the event is not delivered again. */
export type EventHandler<Payload = unknown> = (event: BusMessage<Payload>) => void | Promise<void>;

/**
 * How a consumer settles a job. If the handler returns without settling, the job is acknowledged;
 * if it throws without settling, the job is retried once and dead-lettered on the second failure.
 */
export interface JobDelivery {
  /** True when the job was handed out before and not acknowledged (a failure, or a consumer that went away). */
  readonly redelivered: boolean;
  /** Done: remove the job from the queue. */
  ack(): void;
  /** Not done, try again: the job goes back to the queue, possibly to another consumer. */
  retry(): void;
  /** Never going to work: move the job to the queue's dead-letter queue (`<queue>.dead`), with the reason logged. */
  reject(reason: string): void;
}

export type JobHandler<Payload = unknown> = (job: BusMessage<Payload>, delivery: JobDelivery) => void | Promise<void>;

export interface ConsumeOptions {
  /** Jobs this consumer holds at once without having settled them. Default 1: an applier takes one plan at a time. */
  prefetch?: number;
}

export interface SubscribeOptions {
  /** Events this subscriber holds at once before RabbitMQ waits; they are handled one at a time, in order. Default 100. */
  prefetch?: number;
}

export interface Subscription {
  /** Stops the deliveries; waits for the handler that is running, if any. */
  close(): Promise<void>;
}

export type BusTransport = 'in-process' | 'rabbit';

export interface ConsumerStatus {
  queue: string;
  /** False while disconnected, or when the queue could not be declared (see the logs). */
  consuming: boolean;
  /** Jobs handed to this consumer and not settled yet. */
  inFlight: number;
}

export interface BusStatus {
  transport: BusTransport;
  /** The broker, password masked, or `in-process`. */
  target: string;
  connected: boolean;
  /** Publishes waiting for a connection; each is reported to its caller when sent or when it fails. */
  bufferedPublishes: number;
  /** Publishes sent and not yet confirmed by the broker. */
  unconfirmedPublishes: number;
  subscriptions: number;
  consumers: ConsumerStatus[];
  /** Connections lost since the bus started. */
  disconnections: number;
  /** The last connection problem, masked; absent once connected again. */
  lastError?: string;
}

export type ConnectionState = 'connected' | 'disconnected';

/**
 * A connection change. Subscribers miss the events published while disconnected, so a subscriber
 * that keeps state can re-read it when `state` is `connected` and `reconnected` is true.
 */
export interface ConnectionChange {
  state: ConnectionState;
  reconnected: boolean;
}

export interface Bus {
  readonly transport: BusTransport;
  /**
   * Sends an event to every subscriber of a matching pattern. Resolves once the broker has it
   * (publisher confirm); rejects with a BusError when it could not be sent: never dropped silently.
   * An event nobody subscribes to is discarded by design.
   */
  publish<Payload>(topic: string, payload: Payload): Promise<BusMessage<Payload>>;
  /** Receives the events whose topic matches `pattern`: words separated by dots, `*` one word, `#` zero or more. */
  subscribe<Payload>(pattern: string, handler: EventHandler<Payload>, options?: SubscribeOptions): Promise<Subscription>;
  /** Adds a job to a durable work queue; resolves once the broker has stored it. One consumer will get it. */
  enqueue<Payload>(queue: string, job: Payload): Promise<BusMessage<Payload>>;
  /** Takes jobs from a work queue; several consumers of one queue share its jobs. */
  consume<Payload>(queue: string, handler: JobHandler<Payload>, options?: ConsumeOptions): Promise<Subscription>;
  /**
   * How many consumers take jobs from a work queue right now, in any process on this bus (0 when
   * the queue does not exist): whether a job enqueued now has anyone to run it.
   */
  consumerCount(queue: string): Promise<number>;
  /** Calls the listener on every connection change; returns a function that stops it. */
  onConnectionChange(listener: (change: ConnectionChange) => void): () => void;
  status(): BusStatus;
  /** Stops consumers (waiting for running handlers), reports unsent publishes as failed, closes the connection. */
  close(): Promise<void>;
}

/** A publish or a subscription that did not happen; the message says why and what to do. */
export class BusError extends Error {
  override name = 'BusError';
}

/** The broker could not be reached (or did not confirm) in time: the message was not sent, or may not have been. */
export class BusUnavailableError extends BusError {
  override name = 'BusUnavailableError';
}

/** The bus was closed before the operation could complete. */
export class BusClosedError extends BusError {
  override name = 'BusClosedError';
}
