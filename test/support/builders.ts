// Readable builders of `ulm-cluster/1` snapshots for tests, with ordinary defaults.
import { hostOutsideScope, serverExcludedByScope } from '../../core/policy/scope.js';
import type { Policy, Scope } from '../../core/policy/schema.js';
import type { GroupPolicy, Host, Server, ServerGroup, Snapshot } from '../../core/snapshot/format.js';
import { readSnapshot } from '../../core/snapshot/read.js';

/** A host as a test describes it: any host field, all optional. */
export type HostSpec = Partial<Omit<Host, 'name'>>;

export interface FlavorSpec {
  name?: string;
  vcpus?: number;
  memory_mb?: number;
  disk_gb?: number;
}

/** A server as a test describes it: where it runs (`on`), its flavor and usage, the rest optional. */
export interface ServerSpec {
  on: string;
  name?: string;
  flavor?: FlavorSpec;
  /** Observed use; defaults to a quarter of the flavor's vCPUs and half of its memory. */
  usage?: { cpu_cores?: number; memory_mb?: number };
  migratable?: boolean;
  availability_zone?: string | null;
  metadata?: Record<string, string>;
  /** Keystone project id (a scope may exclude projects). */
  project_id?: string;
  tags?: string[];
  migrated_at?: string | null;
  series?: Server['series'];
}

export const DEFAULT_HOST = {
  vcpus: 32, memory_mb: 65536, disk_gb: 2000,
  reserved_vcpus: 0, reserved_memory_mb: 0, reserved_disk_gb: 0,
  vcpu_allocation_ratio: 1, memory_allocation_ratio: 1, disk_allocation_ratio: 1,
  availability_zone: 'nova', enabled: true, disabled_reason: null,
  power: { idle_watts: 150, max_watts: 400 },
} as const;

export const DEFAULT_FLAVOR = { name: 'm1.medium', vcpus: 2, memory_mb: 4096, disk_gb: 40 } as const;

export class SnapshotBuilder {
  private readonly hostList: Host[] = [];
  private readonly serverList: Server[] = [];
  private readonly groupList: ServerGroup[] = [];
  private readonly groupMembers = new Map<string, string[]>();
  private policyValue: Record<string, unknown> = { goal: 'consolidate' };
  private targetValue: Record<string, string> | undefined;
  private nameValue = 'test';

  /** Snapshot name, echoed in the plan's `instance`. */
  named(name: string): this {
    this.nameValue = name;
    return this;
  }

  /** Merges policy fields into the snapshot's policy (goal consolidate by default). */
  policy(fields: Partial<Policy> & Record<string, unknown>): this {
    this.policyValue = { ...this.policyValue, ...fields };
    return this;
  }

  host(name: string, spec: HostSpec = {}): this {
    this.hostList.push({ name, ...structuredClone(DEFAULT_HOST), ...spec } as Host);
    return this;
  }

  /** Several hosts of the same kind. */
  hosts(names: string[], spec: HostSpec = {}): this {
    for (const name of names) this.host(name, spec);
    return this;
  }

  server(id: string, spec: ServerSpec): this {
    const flavor = { ...DEFAULT_FLAVOR, ...spec.flavor };
    const server: Server = {
      id,
      name: spec.name ?? id,
      host: spec.on,
      flavor,
      usage: {
        cpu_cores: spec.usage?.cpu_cores ?? flavor.vcpus / 4,
        memory_mb: spec.usage?.memory_mb ?? flavor.memory_mb / 2,
      },
      server_group: null,
      migratable: spec.migratable ?? true,
      availability_zone: spec.availability_zone ?? null,
      metadata: spec.metadata ?? {},
    };
    if (spec.project_id !== undefined) server.project_id = spec.project_id;
    if (spec.tags) server.tags = spec.tags;
    if (spec.migrated_at !== undefined) server.migrated_at = spec.migrated_at;
    if (spec.series) server.series = spec.series;
    this.serverList.push(server);
    return this;
  }

  /** Several servers of the same kind. */
  servers(ids: string[], spec: ServerSpec): this {
    for (const id of ids) this.server(id, spec);
    return this;
  }

  /** A Nova server group and its members (servers added before or after). */
  group(id: string, policy: GroupPolicy, members: string[], rules?: ServerGroup['rules']): this {
    this.groupList.push({ id, name: id, policy, ...(rules ? { rules } : {}) });
    this.groupMembers.set(id, [...members]);
    return this;
  }

  /** The placement to reach (goal reach_target): server id -> host name. */
  target(placement: Record<string, string>): this {
    this.targetValue = { ...placement };
    return this;
  }

  /** The snapshot as plain JSON, not checked (for tests of bad input). */
  raw(): Snapshot {
    const servers = structuredClone(this.serverList);
    for (const [group, members] of this.groupMembers) {
      for (const member of members) {
        const server = servers.find((candidate) => candidate.id === member);
        if (!server) throw new Error(`builder: server group ${group} names ${member}, which is not a server`);
        if (server.server_group != null && server.server_group !== group) throw new Error(`builder: ${member} is already in server group ${server.server_group}; Nova allows one`);
        server.server_group = group;
      }
    }
    const value: Snapshot = {
      format: 'ulm-cluster/1',
      name: this.nameValue,
      policy: structuredClone(this.policyValue),
      hosts: structuredClone(this.hostList),
      server_groups: structuredClone(this.groupList),
      servers,
    };
    if (this.targetValue) value.target = { ...this.targetValue };
    return value;
  }

  /** The snapshot, checked by ulm's own reader: a builder mistake fails here, not in the test. */
  build(): Snapshot {
    return readSnapshot(this.raw());
  }
}

export function snapshot(): SnapshotBuilder {
  return new SnapshotBuilder();
}

/** `['cmp-1', 'cmp-2', ...]`: numbered names, from 1. */
export function numbered(prefix: string, count: number, from = 1): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index + from}`);
}

/**
 * The snapshot as score.mjs must see a plan made under its policy's scope (the scorer knows no
 * scope): servers outside the scope are not migratable and hosts outside it are disabled, so the
 * scorer itself rejects a plan that moves one or sends a server to one.
 */
export function scopedForScorer(value: Snapshot): Snapshot {
  const scope = ((value.policy ?? {}) as { scope?: Scope }).scope ?? {};
  const copy = structuredClone(value);
  const outside = new Set<string>();
  for (const host of copy.hosts) {
    if (hostOutsideScope(scope, host) === null) continue;
    outside.add(host.name);
    if (host.enabled) Object.assign(host, { enabled: false, disabled_reason: 'outside the policy scope' });
  }
  for (const server of copy.servers) {
    if (outside.has(server.host) || serverExcludedByScope(scope, server) !== null) server.migratable = false;
  }
  return copy;
}

/** Two small servers on two roomy hosts: consolidating empties one host. */
export function twoHostsOneServerEach(): Snapshot {
  return snapshot()
    .hosts(['cmp-1', 'cmp-2'], { vcpus: 16, memory_mb: 32768 })
    .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
    .server('vm-2', { on: 'cmp-2', flavor: { vcpus: 2, memory_mb: 4096 } })
    .build();
}
