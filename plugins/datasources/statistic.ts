// The policy's statistic of a server's samples over the window: mean, a percentile, or max.
import type { Statistic } from '../../core/datasource.js';

/** Percentile by linear interpolation between closest ranks (what numpy and Prometheus do). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (!sorted.length) throw new RangeError('percentile of no samples');
  const rank = fraction * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** The statistic of the finite values, or undefined when there are none. */
export function statisticOf(values: readonly number[], statistic: Statistic): number | undefined {
  const finite = values.filter((value) => Number.isFinite(value));
  if (!finite.length) return undefined;
  switch (statistic) {
    case 'mean': return finite.reduce((sum, value) => sum + value, 0) / finite.length;
    case 'max': return Math.max(...finite);
    default: {
      const sorted = [...finite].sort((left, right) => left - right);
      return percentile(sorted, Number(statistic.slice(1)) / 100);
    }
  }
}
