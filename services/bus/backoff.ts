// Reconnection delays: exponential backoff with jitter, shaped like oslo.messaging's rabbit_retry_interval,
// rabbit_retry_backoff and rabbit_interval_max (1 s, then longer, never more than 30 s).

export interface BackoffOptions {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Each further retry waits this many times longer. */
  factor: number;
  /** The longest wait between two attempts. */
  maxDelayMs: number;
  /** Spread of each delay, ±this fraction, so that many ulm processes do not reconnect in lockstep. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 1000, factor: 2, maxDelayMs: 30_000, jitter: 0.2 };

/**
 * Milliseconds to wait before retry number `attempt` (1 for the first retry). `random` is injected
 * so tests can pin the jitter; it returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** exponent);
  const spread = base * options.jitter;
  const delay = base - spread + random() * 2 * spread;
  return Math.round(Math.min(options.maxDelayMs, Math.max(0, delay)));
}

export function backoffOptions(overrides: Partial<BackoffOptions> = {}): BackoffOptions {
  const options = { ...DEFAULT_BACKOFF, ...overrides };
  if (!(options.initialDelayMs >= 0)) throw new RangeError(`reconnect.initialDelayMs: ${options.initialDelayMs} is not a number of milliseconds ≥ 0`);
  if (!(options.factor >= 1)) throw new RangeError(`reconnect.factor: ${options.factor} is below 1; delays would shrink`);
  if (!(options.maxDelayMs >= options.initialDelayMs)) throw new RangeError(`reconnect.maxDelayMs: ${options.maxDelayMs} is below initialDelayMs ${options.initialDelayMs}`);
  if (!(options.jitter >= 0 && options.jitter <= 1)) throw new RangeError(`reconnect.jitter: ${options.jitter} is not a fraction between 0 and 1`);
  return options;
}
