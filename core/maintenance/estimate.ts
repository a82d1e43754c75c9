// When the drain of a scheduled maintenance must start to be done by its time: the measured
// duration of ulm's live migrations (their median, or a default when none was measured) times
// the rounds of migrations the drain needs, plus a safety margin of
// at least a few minutes.

export interface DrainEstimateInput {
  /** The maintenance's time (epoch milliseconds): the hosts must be empty by then. */
  at: number;
  /** Live migrations of a dry-run drain plan of the hosts. */
  migrations: number;
  /** Migrations that run at once (at least 1). */
  parallelism: number;
  /** Durations in seconds of live migrations ulm finished, any order. */
  measuredSeconds: readonly number[];
  /** Seconds per migration when none was measured. */
  defaultMigrationSeconds: number;
  /** Fraction added for safety, e.g. 0.5 for 50%. */
  margin: number;
  /** The least margin in seconds (covers planning and disabling the hosts, and a drain of nothing). */
  minimumMarginSeconds: number;
}

export interface DrainEstimate {
  /** When to start the drain (epoch milliseconds). */
  startAt: number;
  /** Seconds allowed for the drain, margin included. */
  drainSeconds: number;
  secondsPerMigration: number;
  /** Where secondsPerMigration comes from. */
  basis: 'measured' | 'default';
  rounds: number;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function estimateDrainStart(input: DrainEstimateInput): DrainEstimate {
  const measured = input.measuredSeconds.filter((seconds) => Number.isFinite(seconds) && seconds >= 0);
  const basis = measured.length ? 'measured' : 'default';
  const secondsPerMigration = measured.length ? median(measured) : input.defaultMigrationSeconds;
  const rounds = Math.ceil(Math.max(0, input.migrations) / Math.max(1, Math.floor(input.parallelism)));
  const migrating = rounds * secondsPerMigration;
  const drainSeconds = Math.ceil(migrating + Math.max(migrating * input.margin, input.minimumMarginSeconds));
  return { startAt: input.at - drainSeconds * 1000, drainSeconds, secondsPerMigration, basis, rounds };
}
