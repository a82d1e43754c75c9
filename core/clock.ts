// The one clock ulm's services read, as an interface: core only declares it (core reads no time);
// services/clock.ts has the system's, tests and replays give their own.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}
