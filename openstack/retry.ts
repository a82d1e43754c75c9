// When and how long to wait before trying an OpenStack request again: exponential backoff with
// jitter, the service's Retry-After when it gives one, and which failures are worth a retry.

export interface RetryPolicy {
  /** Retries after the first attempt (0: never retry). */
  retries: number;
  /** Backoff of the first retry; each next one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the request fails instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

/**
 * A Retry-After header in milliseconds: either delta-seconds or an HTTP date
 * (RFC 9110 10.2.3); undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (!Number.isFinite(date)) return undefined;
  return Math.max(0, date - now);
}

/** Backoff before retry number `retry` (1-based): base x 2^(retry-1), capped, with jitter in [50 %, 100 %]. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * Statuses that mean "not now" rather than "no": 5xx except those that will never change
 * (501 Not Implemented, 505), and 429 Too Many Requests.
 */
export function isRetryableStatus(status: number): boolean {
  if (status === 429) return true;
  return status >= 500 && status !== 501 && status !== 505;
}

/** Statuses after which the request certainly was not processed, so even a POST may be sent again. */
export function isNotProcessedStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/** Connection failures worth another try; `notDelivered` ones are safe to repeat for any method. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const NOT_DELIVERED_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function isTransientConnectionError(code: string | undefined): boolean {
  return code !== undefined && TRANSIENT_CODES.has(code);
}

export function isNotDelivered(code: string | undefined): boolean {
  return code !== undefined && NOT_DELIVERED_CODES.has(code);
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}
