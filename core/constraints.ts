// The constraints a move can violate, by name: what `ulm plan --explain` reports for a server
// the plan wanted to move but could not.

export const Constraint = {
  none: 0,
  notMigratable: 1,
  affinityGroup: 2,
  exemption: 3,
  sourceHostDown: 4,
  hostNotReceiving: 5,
  availabilityZone: 6,
  maxUnit: 7,
  vcpuCapacity: 8,
  memoryCapacity: 9,
  diskCapacity: 10,
  cpuUsageLimit: 11,
  memoryUsageLimit: 12,
  antiAffinity: 13,
  antiAffinityTag: 14,
  forecastOverload: 15,
  spareCapacity: 16,
  migrationBudget: 17,
  sameHost: 18,
  noSafePath: 19,
  outOfScope: 20,
} as const;

export type ConstraintCode = (typeof Constraint)[keyof typeof Constraint];

/** Stable names used in plans and the API (`constraint` field). */
export const CONSTRAINT_NAMES: Record<ConstraintCode, string> = {
  0: 'none',
  1: 'not_migratable',
  2: 'affinity_group',
  3: 'exemption',
  4: 'source_host_down',
  5: 'no_receiving_host',
  6: 'availability_zone',
  7: 'max_unit',
  8: 'placement_vcpu_capacity',
  9: 'placement_memory_capacity',
  10: 'placement_disk_capacity',
  11: 'max_host_cpu',
  12: 'max_host_memory',
  13: 'anti_affinity',
  14: 'anti_affinity_tag',
  15: 'forecast_overload',
  16: 'spare_capacity',
  17: 'migration_budget',
  18: 'same_host',
  19: 'no_capacity_safe_path',
  20: 'out_of_scope',
};

/** One line an operator reads: why the server could not go anywhere. */
export const CONSTRAINT_TEXT: Record<ConstraintCode, string> = {
  0: 'no constraint',
  1: 'the server is not migratable (migratable: false)',
  2: "member of a hard affinity group: Nova's ServerGroupAffinityFilter only accepts the group's current hosts",
  3: 'exempted from moving by the policy',
  4: 'its host\'s nova-compute service is down: Nova cannot live-migrate from it',
  5: 'no enabled host is left to receive it',
  6: 'no host with room in its requested availability zone',
  7: 'its flavor exceeds every candidate host\'s total (Placement max_unit)',
  8: 'no candidate host has VCPU capacity left ((total - reserved) x allocation_ratio)',
  9: 'no candidate host has MEMORY_MB capacity left ((total - reserved) x allocation_ratio)',
  10: 'no candidate host has DISK_GB capacity left ((total - reserved) x allocation_ratio)',
  11: 'every candidate host would exceed max_host_cpu',
  12: 'every candidate host would exceed max_host_memory',
  13: 'every candidate host already holds a member of its anti-affinity server group',
  14: 'every candidate host already holds a server with the same anti-affinity tag',
  15: 'every candidate host would be overloaded in the usage forecast',
  16: 'emptying its host would break the N+k spare capacity the policy asks for',
  17: 'the plan reached its migration budget (max_migrations)',
  18: 'already on that host',
  19: 'no order of moves keeps every step within Placement capacity and the server groups',
  20: 'outside the policy\'s scope: it never moves, and its host never receives or is emptied',
};

export function constraintName(code: ConstraintCode): string {
  return CONSTRAINT_NAMES[code];
}
