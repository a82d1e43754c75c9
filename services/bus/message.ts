// Building, encoding and checking bus messages, and the topic and queue naming rules shared by both transports.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BusError, MESSAGE_FORMAT, type BusMessage } from './bus.js';
import { datesOf, systemClock } from '../clock.js';

export interface MessageFactory {
  create<Payload>(topic: string, payload: Payload): BusMessage<Payload>;
}

export function defaultSender(): string {
  return `${hostname()}:${process.pid}`;
}

export function messageFactory(sender: string, now: () => Date = datesOf(systemClock)): MessageFactory {
  return {
    create<Payload>(topic: string, payload: Payload): BusMessage<Payload> {
      return { format: MESSAGE_FORMAT, id: randomUUID(), topic, timestamp: now().toISOString(), sender, payload };
    },
  };
}

/** JSON text of a message; fails before anything is sent when the payload is not JSON (a BigInt, a cycle). */
export function encodeMessage(message: BusMessage): string {
  try {
    return JSON.stringify(message);
  } catch (error) {
    throw new BusError(`the payload of "${message.topic}" is not JSON-serialisable (${(error as Error).message}); send plain objects, arrays, strings, numbers, booleans and null`);
  }
}

export class MessageFormatError extends BusError {
  override name = 'MessageFormatError';
}

/** Parses and checks a received message; the error says what is wrong without quoting the content. */
export function decodeMessage(content: string | Buffer): BusMessage {
  let value: unknown;
  try {
    value = JSON.parse(content.toString());
  } catch {
    throw new MessageFormatError(`not JSON (${content.length} bytes)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MessageFormatError('not a JSON object');
  const message = value as Partial<BusMessage>;
  if (message.format !== MESSAGE_FORMAT) throw new MessageFormatError(`format is ${JSON.stringify(message.format)}, expected "${MESSAGE_FORMAT}"`);
  for (const field of ['id', 'topic', 'timestamp', 'sender'] as const) {
    if (typeof message[field] !== 'string') throw new MessageFormatError(`field "${field}" is missing or not a string`);
  }
  if (!('payload' in message)) throw new MessageFormatError('field "payload" is missing');
  return message as BusMessage;
}

const WORD = /^[A-Za-z0-9_-]+$/;

/** A topic to publish on: dot-separated words of letters, digits, '-' and '_' (`plan.progress`, `cloud.server-moved`). */
export function checkTopic(topic: string): void {
  if (typeof topic !== 'string' || !topic.split('.').every((word) => WORD.test(word)) || Buffer.byteLength(topic) > 255) {
    throw new BusError(`topic: ${JSON.stringify(topic)} is not a topic; use dot-separated words of letters, digits, '-' and '_', e.g. plan.progress`);
  }
}

/** A subscription pattern: like a topic, and a word may also be `*` (exactly one word) or `#` (zero or more). */
export function checkPattern(pattern: string): void {
  if (typeof pattern !== 'string' || !pattern.split('.').every((word) => word === '*' || word === '#' || WORD.test(word)) || Buffer.byteLength(pattern) > 255) {
    throw new BusError(`pattern: ${JSON.stringify(pattern)} is not a topic pattern; use dot-separated words, '*' for one word, '#' for any number, e.g. plan.* or cloud.#`);
  }
}

/** A work queue name; `amq.` is RabbitMQ's, and `.dead` is where ulm puts a queue's rejected jobs. */
export function checkQueueName(queue: string): void {
  if (typeof queue !== 'string' || !/^[A-Za-z0-9_.:-]+$/.test(queue) || Buffer.byteLength(queue) > 200 || queue.startsWith('amq.') || queue.endsWith('.dead')) {
    throw new BusError(`queue: ${JSON.stringify(queue)} is not a work queue name; use letters, digits and . _ : -, at most 200 characters, not starting with amq. nor ending with .dead (e.g. ulm.applier)`);
  }
}

export function deadLetterQueueOf(queue: string): string {
  return `${queue}.dead`;
}

/** Whether a topic matches a pattern, with exactly RabbitMQ's topic exchange rules. */
export function topicMatches(pattern: string, topic: string): boolean {
  const patternWords = pattern.split('.');
  const topicWords = topic.split('.');
  const matchFrom = (p: number, t: number): boolean => {
    if (p === patternWords.length) return t === topicWords.length;
    const word = patternWords[p];
    if (word === '#') {
      for (let skip = t; skip <= topicWords.length; skip += 1) if (matchFrom(p + 1, skip)) return true;
      return false;
    }
    if (t === topicWords.length) return false;
    return (word === '*' || word === topicWords[t]) && matchFrom(p + 1, t + 1);
  };
  return matchFrom(0, 0);
}
