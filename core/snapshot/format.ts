// The `ulm-cluster/1` snapshot format (../shared/bench/FORMAT.md) as a schema and its types.
// Optional fields ulm adds within the version: server `tags` and `migrated_at`, host `state`,
// snapshot `collected_at` and `metrics` (the collector's preflight report).
import { Type, type Static } from '@sinclair/typebox';

export const SNAPSHOT_FORMAT = 'ulm-cluster/1';

const Amount = (minimum: number, description: string) => Type.Number({ minimum, description });
/** Placement amounts (inventory totals, reserved amounts, flavors) are integers. */
const Whole = (minimum: number, description: string) => Type.Integer({ minimum, description });
const Optional = Type.Optional;
const NullableString = (description: string) => Type.Union([Type.String(), Type.Null()], { description, expected: 'a string or null' });

export const HostSchema = Type.Object({
  name: Type.String({ minLength: 1, description: "Nova's hypervisor / compute service host name" }),
  vcpus: Whole(1, 'VCPU inventory total (host CPUs)'),
  memory_mb: Whole(1, 'MEMORY_MB inventory total'),
  disk_gb: Whole(0, 'DISK_GB inventory total'),
  reserved_vcpus: Optional(Whole(0, 'VCPU reserved')),
  reserved_memory_mb: Optional(Whole(0, 'MEMORY_MB reserved')),
  reserved_disk_gb: Optional(Whole(0, 'DISK_GB reserved')),
  vcpu_allocation_ratio: Optional(Amount(0, 'VCPU allocation_ratio')),
  memory_allocation_ratio: Optional(Amount(0, 'MEMORY_MB allocation_ratio')),
  disk_allocation_ratio: Optional(Amount(0, 'DISK_GB allocation_ratio')),
  aggregates: Optional(Type.Array(Type.String())),
  availability_zone: Optional(NullableString('availability zone')),
  enabled: Type.Boolean({ description: 'nova-compute service enabled' }),
  disabled_reason: Optional(NullableString("Nova's disabled reason")),
  state: Optional(Type.Union([Type.Literal('up'), Type.Literal('down')], { description: 'nova-compute service state (default up)' })),
  power: Optional(Type.Object({
    idle_watts: Optional(Amount(0, 'watts drawn with no load')),
    max_watts: Optional(Amount(0, 'watts drawn at full CPU load')),
  })),
});

const FlavorSchema = Type.Object({
  name: Optional(Type.String()),
  vcpus: Whole(0, 'VCPU allocation'),
  memory_mb: Whole(0, 'MEMORY_MB allocation'),
  disk_gb: Whole(0, 'DISK_GB allocation'),
});

export const ServerSchema = Type.Object({
  id: Type.String({ minLength: 1, description: 'Nova server UUID' }),
  name: Optional(Type.String()),
  host: Type.String({ minLength: 1, description: 'current host name' }),
  flavor: FlavorSchema,
  usage: Type.Object({
    cpu_cores: Amount(0, 'observed CPU use in host CPUs'),
    memory_mb: Amount(0, 'observed resident memory'),
  }),
  series: Optional(Type.Object({
    step_s: Amount(1, 'seconds between samples'),
    cpu_cores: Type.Array(Type.Number({ minimum: 0 })),
    memory_mb: Type.Array(Type.Number({ minimum: 0 })),
  })),
  server_group: Optional(NullableString('server group id')),
  migratable: Type.Boolean({ description: 'false: the server never moves' }),
  availability_zone: Optional(NullableString('requested availability zone')),
  project_id: Optional(NullableString('Keystone project (tenant) id of the server; a policy scope may exclude projects')),
  metadata: Optional(Type.Record(Type.String(), Type.String())),
  tags: Optional(Type.Array(Type.String(), { description: 'Nova server tags' })),
  migrated_at: Optional(NullableString('when the server was last live-migrated (ISO 8601), for the cooldown')),
});

export const GROUP_POLICIES = ['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity'] as const;

export const ServerGroupSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  name: Optional(Type.String()),
  policy: Type.Union(GROUP_POLICIES.map((policy) => Type.Literal(policy))),
  rules: Optional(Type.Object({
    max_server_per_host: Optional(Type.Integer({ minimum: 1, description: 'anti-affinity: members allowed on one host (Nova 2.64, default 1)' })),
  })),
});

export const SnapshotSchema = Type.Object({
  format: Type.Literal(SNAPSHOT_FORMAT),
  name: Optional(Type.Union([Type.String(), Type.Null()])),
  collected_at: Optional(Type.String({ description: 'when the snapshot was taken (ISO 8601)' })),
  generator: Optional(Type.Unknown()),
  policy: Type.Unknown({ expected: 'a policy object (see the policy schema)' }),
  replay: Optional(Type.Unknown()),
  hosts: Type.Array(HostSchema, { minItems: 1 }),
  server_groups: Optional(Type.Array(ServerGroupSchema)),
  servers: Type.Array(ServerSchema),
  target: Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()], { expected: 'an object mapping server id to host name' })),
  metrics: Optional(Type.Unknown()),
});

export type Host = Static<typeof HostSchema>;
export type Server = Static<typeof ServerSchema>;
export type ServerGroup = Static<typeof ServerGroupSchema>;
export type GroupPolicy = (typeof GROUP_POLICIES)[number];
export type Snapshot = Static<typeof SnapshotSchema>;
