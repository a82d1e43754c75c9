// Structured logging for the bus and the notification listener: a default logger (the one factory, openstack/logger.ts), and errors
// turned into log fields with every RabbitMQ password cut out.
import type { Logger } from 'pino';
import { createLogger } from '../../openstack/logger.js';

export type { Logger } from 'pino';

/** The logger used when the caller passes none: ulm's one logger factory (secrets masked), on standard error. */
export function defaultLogger(name: string): Logger {
  return createLogger({ name });
}

export const MASK = '***';

/** Replaces every occurrence of each secret in the text. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret) result = result.split(secret).join(MASK);
  }
  return result;
}

export interface ErrorFields {
  type: string;
  message: string;
  code?: string | number;
}

/**
 * What a log line says about an error: its type, AMQP or system code, and message, with secrets
 * removed. No stack: the message is what an operator acts on, and a stack repeats the message.
 */
export function describeError(error: unknown, secrets: readonly string[] = []): ErrorFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const fields: ErrorFields = { type: error.name || error.constructor.name, message: redact(error.message, secrets) };
    if (typeof code === 'string' || typeof code === 'number') fields.code = code;
    return fields;
  }
  return { type: typeof error, message: redact(String(error), secrets) };
}
