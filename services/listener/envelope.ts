// Reads one Nova versioned notification out of its oslo.messaging envelope: the AMQP body is JSON
// with `oslo.version` and `oslo.message`, a JSON string holding event_type, payload, publisher_id
// and timestamp. Keeps only what ulm uses; the request context (`_context_*`, which can hold an
// auth token on some clouds) is dropped here and never logged.

export interface NovaNotification {
  /** `instance.live_migration_post.end`, `service.update`, … */
  eventType: string;
  /** `INFO` or `ERROR` (oslo priority). */
  priority: string;
  /** oslo's message id; a notification redelivered after a reconnection has the same one. */
  messageId: string;
  /** When Nova emitted it, ISO 8601 UTC (oslo writes `2026-11-22 11:38:27.568437`, in UTC, without a zone). */
  timestamp: string;
  /** The emitting service and host, from `publisher_id` (`nova-compute:cmp-06`). */
  emittedBy: { service: string; host: string | null };
  /** The versioned object's name and version (`InstanceActionPayload` 1.8). */
  payloadName: string;
  payloadVersion: string;
  /** `nova_object.data` of the payload; nested objects keep their own `nova_object.*` wrappers. */
  payload: Record<string, unknown>;
  /** The request that caused it (`req-…`), to match with Nova's logs and instance actions. */
  requestId: string | null;
}

export class NotificationFormatError extends Error {
  override name = 'NotificationFormatError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `2026-11-22 11:38:27.568437` (oslo's UTC time without a zone) or ISO 8601, to ISO 8601 UTC. */
export function normaliseTimestamp(value: string): string | undefined {
  const oslo = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!oslo) return undefined;
  const fraction = (oslo[3] ?? '.0').slice(0, 4).padEnd(4, '0');
  const date = new Date(`${oslo[1]}T${oslo[2]}${fraction}${oslo[4] ?? 'Z'}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The `nova_object.data` inside a versioned object, or undefined when it is not one. */
export function novaObjectData(value: unknown): Record<string, unknown> | undefined {
  if (!isObject(value)) return undefined;
  const data = value['nova_object.data'];
  return isObject(data) ? data : undefined;
}

/**
 * Parses an AMQP message body. Throws NotificationFormatError saying what is wrong, never quoting
 * the body. Also accepts a message without the envelope (oslo's 1.0 format, or a test that sends one).
 */
export function parseNotification(body: Buffer | string): NovaNotification {
  let outer: unknown;
  try {
    outer = JSON.parse(body.toString());
  } catch {
    throw new NotificationFormatError(`body is not JSON (${body.length} bytes)`);
  }
  if (!isObject(outer)) throw new NotificationFormatError('body is not a JSON object');

  let message: unknown = outer;
  if ('oslo.message' in outer) {
    const version = outer['oslo.version'];
    if (typeof version !== 'string' || !version.startsWith('2.')) {
      throw new NotificationFormatError(`oslo.version is ${JSON.stringify(version)}; ulm reads envelope version 2.x`);
    }
    if (typeof outer['oslo.message'] !== 'string') throw new NotificationFormatError('oslo.message is not a string');
    try {
      message = JSON.parse(outer['oslo.message']);
    } catch {
      throw new NotificationFormatError('oslo.message is not JSON');
    }
  }
  if (!isObject(message)) throw new NotificationFormatError('the message is not a JSON object');

  const eventType = message.event_type;
  if (typeof eventType !== 'string' || !eventType) throw new NotificationFormatError('event_type is missing');
  const publisherId = message.publisher_id;
  if (typeof publisherId !== 'string') throw new NotificationFormatError(`${eventType}: publisher_id is missing`);
  const rawTimestamp = message.timestamp;
  const timestamp = typeof rawTimestamp === 'string' ? normaliseTimestamp(rawTimestamp) : undefined;
  if (!timestamp) throw new NotificationFormatError(`${eventType}: timestamp ${JSON.stringify(rawTimestamp)} is not a time`);
  const payload = message.payload;
  const data = novaObjectData(payload);
  if (!isObject(payload) || !data) {
    throw new NotificationFormatError(`${eventType}: payload is not a versioned Nova object (no nova_object.data); is Nova's [notifications] notification_format "versioned" or "both"?`);
  }

  const separator = publisherId.indexOf(':');
  const requestId = typeof data.request_id === 'string' ? data.request_id
    : typeof message._context_request_id === 'string' ? message._context_request_id : null;
  return {
    eventType,
    priority: typeof message.priority === 'string' ? message.priority.toUpperCase() : 'INFO',
    messageId: typeof message.message_id === 'string' ? message.message_id : '',
    timestamp,
    emittedBy: separator >= 0
      ? { service: publisherId.slice(0, separator), host: publisherId.slice(separator + 1) || null }
      : { service: publisherId, host: null },
    payloadName: String(payload['nova_object.name'] ?? ''),
    payloadVersion: String(payload['nova_object.version'] ?? ''),
    payload: data,
    requestId,
  };
}
