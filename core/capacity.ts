// Placement's capacity formula, the one place ulm computes it:
// capacity = (total - reserved) * allocation_ratio per resource class, and a single allocation
// may not exceed max_unit (which Nova sets to the inventory total).

/** Relative tolerance of capacity comparisons: allocations are integers, ratios may not be. */
export const CAPACITY_TOLERANCE = 1e-9;

export function placementCapacity(total: number, reserved = 0, allocationRatio = 1): number {
  return (total - reserved) * allocationRatio;
}

/** True when `used + incoming` fits in `capacity`, as Placement checks it. */
export function fitsCapacity(used: number, incoming: number, capacity: number): boolean {
  return used + incoming <= capacity + CAPACITY_TOLERANCE * Math.max(1, Math.abs(capacity));
}

/** True when a single allocation of `amount` is within Placement's max_unit (`total`). */
export function withinMaxUnit(amount: number, total: number): boolean {
  return amount <= total;
}
