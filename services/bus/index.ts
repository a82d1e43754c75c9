// ulm's internal message bus: createBus() picks the in-process bus (transport_url empty) or RabbitMQ.
import type { Bus } from './bus.js';
import { InProcessBus, type InProcessBusOptions } from './in-process.js';
import { RabbitBus, type RabbitBusOptions } from './rabbit.js';

export * from './bus.js';
export { InProcessBus, type InProcessBusOptions } from './in-process.js';
export { RabbitBus, declareWorkQueue, type RabbitBusOptions } from './rabbit.js';
export { RabbitConnection, ChannelKeeper, isLoginRefused, type RabbitConnectionOptions, type RestoreStep } from './rabbit-connection.js';
export { parseTransportUrl, maskTransportUrl, describeTransport, TransportUrlError, type TransportUrl, type RabbitNode } from './transport-url.js';
export { topicMatches, deadLetterQueueOf, MessageFormatError } from './message.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { defaultLogger, describeError, redact, type Logger } from './logging.js';

export interface CreateBusOptions extends InProcessBusOptions, RabbitBusOptions {
  /**
   * RabbitMQ only: wait for the first connection before resolving (default true), as an OpenStack
   * service waits for its broker. With false, the bus is returned at once and publishes wait in its buffer.
   */
  waitForConnection?: boolean;
  /** RabbitMQ only: give up waiting after this long, close the bus and reject. Default: wait as long as it takes, retrying with backoff. */
  firstConnectionTimeoutMs?: number;
}

/** The bus for a transport_url: in-process when it is empty, RabbitMQ for rabbit:// URLs. */
export async function createBus(transportUrl: string | undefined, options: CreateBusOptions = {}): Promise<Bus> {
  if (!transportUrl || !transportUrl.trim()) return new InProcessBus(options);
  const bus = new RabbitBus(transportUrl, options);
  bus.start();
  if (options.waitForConnection !== false) {
    try {
      await bus.waitUntilConnected(options.firstConnectionTimeoutMs);
    } catch (error) {
      await bus.close();
      throw error;
    }
  }
  return bus;
}
