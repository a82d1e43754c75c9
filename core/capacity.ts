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
