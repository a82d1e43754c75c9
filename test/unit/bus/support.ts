// Test helpers for the bus and listener tiers: a pino logger whose lines land in an array, and waiting for a condition.
import { pino, type Logger } from 'pino';

export interface CapturedLog {
  logger: Logger;
  /** Every line written, parsed. */
  lines: Array<Record<string, unknown> & { level: number; msg?: string }>;
  /** Every line as written, to search for things that must never appear (passwords). */
  text(): string;
}

export function captureLog(level: pino.LevelWithSilent = 'debug'): CapturedLog {
  const raw: string[] = [];
  const lines: CapturedLog['lines'] = [];
  const logger = pino({ level, base: undefined }, {
    write(line: string) {
      raw.push(line);
      lines.push(JSON.parse(line));
    },
  });
  return { logger, lines, text: () => raw.join('') };
}

/** Polls until the condition holds; fails with `what` after the timeout. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** A promise with its resolve function, for handlers that must wait for the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => { resolve = settle; });
  return { promise, resolve };
}
