// Placement's capacity formula, the one place ulm computes it:
// capacity = (total - reserved) * allocation_ratio per resource class, and a single allocation
// may not exceed max_unit (which Nova sets to the inventory total).

export function placementCapacity(total: number, reserved = 0, allocationRatio = 1): number {
  return (total - reserved) * allocationRatio;
}

/**
 * True when `used + incoming` fits in `capacity`, compared exactly as Placement does (no
 * tolerance: (100 - 0) x 1.15 is 114.99999999999999 there too, and 115 does not fit).
 */
export function fitsCapacity(used: number, incoming: number, capacity: number): boolean {
  return used + incoming <= capacity;
}

/** True when a single allocation of `amount` is within Placement's max_unit (`total`). */
export function withinMaxUnit(amount: number, total: number): boolean {
  return amount <= total;
}

/**
 * The tolerance on a usage limit (max_host_cpu, max_host_memory, a host's size for the usage
 * forecast): relative 1e-9, as FORMAT.md and the scorer allow, so that a host brought exactly to
 * its limit by sums of fractional usages still counts as within it.
 */
export function usageTolerance(limit: number): number {
  return 1e-9 * Math.max(1, Math.abs(limit));
}

/** True when observed usage `used + incoming` stays within `limit`: the one usage-limit rule. */
export function withinUsageLimit(used: number, incoming: number, limit: number): boolean {
  return used + incoming <= limit + usageTolerance(limit);
}

/** How far `used + incoming` is over `limit` beyond the tolerance: above 0 exactly when not within. */
export function usageOverLimit(used: number, incoming: number, limit: number): number {
  return used + incoming - (limit + usageTolerance(limit));
}
