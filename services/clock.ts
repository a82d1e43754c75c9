// The system clock every service is given unless a test or a replay gives its own (core/clock.ts).
import type { Clock } from '../core/clock.js';

export type { Clock } from '../core/clock.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/** The clock as the database and the bus stamp records with it: the current instant as a Date. */
export function datesOf(clock: Clock): () => Date {
  return () => new Date(clock.now());
}
