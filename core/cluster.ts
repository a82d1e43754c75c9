// The cluster as the planner sees it: a snapshot and a resolved policy compiled into flat arrays
// indexed by host and server number, with each server's reason (if any) for never moving.
import { placementCapacity } from './capacity.js';
import { Constraint, type ConstraintCode } from './constraints.js';
import type { ResolvedPolicy } from './policy/schema.js';
import { hostOutsideScope, serverExcludedByScope } from './policy/scope.js';
import { describeWindow, isInsideWindow } from './policy/windows.js';
import type { GroupPolicy, Snapshot } from './snapshot/format.js';

/** A constraint group: a Nova server group, or the servers sharing an anti-affinity tag. */
export interface Group {
  id: string;
  name: string;
  policy: GroupPolicy;
  /** Members allowed on one host (anti-affinity; Nova's max_server_per_host). */
  maxPerHost: number;
  members: number[];
  /** True for groups made from operator tags rather than Nova server groups. */
  fromTag: boolean;
}

/** Extra cost factor of moving a server that was live-migrated within the cooldown. */
export const COOLDOWN_COST = 10;

export class Cluster {
  readonly name: string | null;
  readonly policy: ResolvedPolicy;
  readonly now: number;
  readonly hostCount: number;
  readonly serverCount: number;

  readonly hostNames: string[];
  readonly hostIndex = new Map<string, number>();
  /** Placement inventory totals (also max_unit). */
  readonly vcpuTotal: Float64Array;
  readonly memoryTotal: Float64Array;
  readonly diskTotal: Float64Array;
  /** Placement capacity: (total - reserved) x allocation_ratio. */
  readonly vcpuCapacity: Float64Array;
  readonly memoryCapacity: Float64Array;
  readonly diskCapacity: Float64Array;
  /** Usage limits of the policy, in cores and MiB. */
  readonly cpuLimit: Float64Array;
  readonly memoryLimit: Float64Array;
  /**
   * The host may receive servers: nova-compute enabled and up, and inside the policy's scope. A
   * host that may not is never a destination, and never put into maintenance by a plan.
   */
  readonly enabled: Uint8Array;
  /** Inside the policy's scope (all hosts when it has none); why not, for the others. */
  readonly inScopeHost: Uint8Array;
  readonly outOfScopeDetail = new Map<number, string>();
  /** nova-compute service down: its servers cannot be live-migrated. */
  readonly serviceDown: Uint8Array;
  readonly zone: (string | null)[];
  readonly idleWatts: Float64Array;
  readonly maxWatts: Float64Array;
  readonly drainHost: Uint8Array;

  readonly serverIds: string[];
  readonly serverNames: string[];
  readonly serverIndex = new Map<string, number>();
  readonly initialHost: Int32Array;
  readonly flavorVcpus: Float64Array;
  readonly flavorMemory: Float64Array;
  readonly flavorDisk: Float64Array;
  readonly cpuUsage: Float64Array;
  readonly memoryUsage: Float64Array;
  readonly requestedZone: (string | null)[];
  /** Why the server never moves in this plan (Constraint code), or 0. */
  readonly pinned: Uint8Array;
  readonly pinDetail = new Map<number, string>();
  /** Relative cost of moving the server: 1, or more within the cooldown. */
  readonly moveCost: Float64Array;

  readonly groups: Group[] = [];
  /** Groups of server s: groupList[groupStart[s] .. groupStart[s + 1]). */
  readonly groupStart: Int32Array;
  readonly groupList: Int32Array;

  /** Usage forecast (the snapshot's series): servers x steps, row-major. */
  readonly forecastSteps: number;
  readonly forecastCpu: Float64Array | null = null;
  readonly forecastMemory: Float64Array | null = null;

  /** reach_target: host each server should end on, or -1. */
  readonly target: Int32Array | null = null;

  constructor(snapshot: Snapshot, policy: ResolvedPolicy, now: number) {
    this.name = snapshot.name ?? null;
    this.policy = policy;
    this.now = now;
    const hosts = snapshot.hosts;
    const servers = snapshot.servers;
    const hostCount = (this.hostCount = hosts.length);
    const serverCount = (this.serverCount = servers.length);

    this.hostNames = hosts.map((host) => host.name);
    this.hostNames.forEach((name, index) => this.hostIndex.set(name, index));
    this.vcpuTotal = Float64Array.from(hosts, (host) => host.vcpus);
    this.memoryTotal = Float64Array.from(hosts, (host) => host.memory_mb);
    this.diskTotal = Float64Array.from(hosts, (host) => host.disk_gb);
    this.vcpuCapacity = Float64Array.from(hosts, (host) => placementCapacity(host.vcpus, host.reserved_vcpus, host.vcpu_allocation_ratio));
    this.memoryCapacity = Float64Array.from(hosts, (host) => placementCapacity(host.memory_mb, host.reserved_memory_mb, host.memory_allocation_ratio));
    this.diskCapacity = Float64Array.from(hosts, (host) => placementCapacity(host.disk_gb, host.reserved_disk_gb, host.disk_allocation_ratio));
    this.cpuLimit = Float64Array.from(hosts, (host) => policy.maxHostCpu * host.vcpus);
    this.memoryLimit = Float64Array.from(hosts, (host) => policy.maxHostMemory * host.memory_mb);
    this.serviceDown = Uint8Array.from(hosts, (host) => (host.state === 'down' ? 1 : 0));
    this.inScopeHost = new Uint8Array(hostCount);
    hosts.forEach((host, index) => {
      const outside = hostOutsideScope(policy.scope, host);
      if (outside === null) this.inScopeHost[index] = 1;
      else this.outOfScopeDetail.set(index, outside);
    });
    this.enabled = Uint8Array.from(hosts, (host, index) => (host.enabled && host.state !== 'down' && this.inScopeHost[index] ? 1 : 0));
    this.zone = hosts.map((host) => host.availability_zone ?? null);
    this.idleWatts = Float64Array.from(hosts, (host) => host.power?.idle_watts ?? 0);
    this.maxWatts = Float64Array.from(hosts, (host) => host.power?.max_watts ?? 0);
    this.drainHost = new Uint8Array(hostCount);
    for (const name of policy.drainHosts) {
      const host = this.hostIndex.get(name);
      if (host !== undefined) this.drainHost[host] = 1;
    }

    this.serverIds = servers.map((server) => server.id);
    this.serverNames = servers.map((server) => server.name ?? server.id);
    this.serverIds.forEach((id, index) => this.serverIndex.set(id, index));
    this.initialHost = Int32Array.from(servers, (server) => this.hostIndex.get(server.host) ?? -1);
    this.flavorVcpus = Float64Array.from(servers, (server) => server.flavor.vcpus);
    this.flavorMemory = Float64Array.from(servers, (server) => server.flavor.memory_mb);
    this.flavorDisk = Float64Array.from(servers, (server) => server.flavor.disk_gb);
    this.cpuUsage = Float64Array.from(servers, (server) => server.usage.cpu_cores);
    this.memoryUsage = Float64Array.from(servers, (server) => server.usage.memory_mb);
    this.requestedZone = servers.map((server) => server.availability_zone ?? null);
    this.pinned = new Uint8Array(serverCount);
    this.moveCost = new Float64Array(serverCount).fill(1);

    const memberships = this.buildGroups(snapshot);
    this.groupStart = new Int32Array(serverCount + 1);
    for (let server = 0; server < serverCount; server++) this.groupStart[server + 1] = this.groupStart[server] + (memberships[server]?.length ?? 0);
    this.groupList = new Int32Array(this.groupStart[serverCount]);
    for (let server = 0; server < serverCount; server++) {
      const list = memberships[server];
      if (list) this.groupList.set(list, this.groupStart[server]);
    }

    this.pinServers(snapshot);

    const steps = servers[0]?.series?.cpu_cores.length ?? 0;
    this.forecastSteps = steps;
    if (steps > 0) {
      this.forecastCpu = new Float64Array(serverCount * steps);
      this.forecastMemory = new Float64Array(serverCount * steps);
      servers.forEach((server, index) => {
        this.forecastCpu!.set(server.series!.cpu_cores, index * steps);
        this.forecastMemory!.set(server.series!.memory_mb, index * steps);
      });
    }

    if (snapshot.target) {
      this.target = new Int32Array(serverCount).fill(-1);
      for (const [serverId, hostName] of Object.entries(snapshot.target)) {
        const server = this.serverIndex.get(serverId);
        const host = this.hostIndex.get(hostName);
        if (server !== undefined && host !== undefined) this.target[server] = host;
      }
    }
  }

  /** Nova server groups, then one hard anti-affinity group per operator tag. */
  private buildGroups(snapshot: Snapshot): (number[] | undefined)[] {
    const memberships: (number[] | undefined)[] = new Array(this.serverCount);
    const join = (server: number, group: number) => {
      (memberships[server] ??= []).push(group);
      this.groups[group].members.push(server);
    };
    const groupIndex = new Map<string, number>();
    for (const group of snapshot.server_groups ?? []) {
      groupIndex.set(group.id, this.groups.length);
      this.groups.push({
        id: group.id, name: group.name ?? group.id, policy: group.policy,
        maxPerHost: group.rules?.max_server_per_host ?? 1, members: [], fromTag: false,
      });
    }
    const prefix = this.policy.antiAffinityTagPrefix;
    const tagGroups = new Map<string, number>();
    snapshot.servers.forEach((server, index) => {
      if (server.server_group != null) join(index, groupIndex.get(server.server_group)!);
      for (const tag of server.tags ?? []) {
        if (!tag.startsWith(prefix) || tag.length === prefix.length) continue;
        let group = tagGroups.get(tag);
        if (group === undefined) {
          group = this.groups.length;
          tagGroups.set(tag, group);
          this.groups.push({ id: `tag:${tag}`, name: tag, policy: 'anti-affinity', maxPerHost: 1, members: [], fromTag: true });
        }
        join(index, group);
      }
    });
    return memberships;
  }

  /** Decides, once for the plan's `now`, which servers never move and why. */
  private pinServers(snapshot: Snapshot): void {
    const cooldownMs = this.policy.cooldownMinutes * 60_000;
    const activeExemptions = this.policy.exemptions
      .map((exemption, index) => {
        const windows = exemption.not_during;
        const open = windows ? windows.find((window) => isInsideWindow(window, this.now)) : undefined;
        const active = !windows || open !== undefined;
        const label = exemption.name ?? `exemptions[${index}]`;
        return { exemption, active, detail: open ? `${label}: not during ${describeWindow(open)}` : `${label}: never moves` };
      })
      .filter((entry) => entry.active);

    snapshot.servers.forEach((server, index) => {
      const pin = (code: ConstraintCode, detail?: string) => {
        if (this.pinned[index]) return;
        this.pinned[index] = code;
        if (detail) this.pinDetail.set(index, detail);
      };
      if (!server.migratable) pin(Constraint.notMigratable, server.metadata?.['ulm.pinned_reason']);
      for (let cursor = this.groupStart[index]; cursor < this.groupStart[index + 1]; cursor++) {
        const group = this.groups[this.groupList[cursor]];
        if (group.policy === 'affinity') pin(Constraint.affinityGroup, `server group ${group.name}`);
      }
      const host = this.initialHost[index];
      if (this.serviceDown[host]) pin(Constraint.sourceHostDown, `host ${this.hostNames[host]}`);
      for (const { exemption, detail } of activeExemptions) {
        if (matchesExemption(server, exemption)) pin(Constraint.exemption, detail);
      }
      // Last: a server that may not move for another reason is explained by that reason.
      const outside = this.inScopeHost[host] ? serverExcludedByScope(this.policy.scope, server) : this.outOfScopeDetail.get(host) ?? null;
      if (outside !== null) pin(Constraint.outOfScope, outside);
      if (server.migrated_at && cooldownMs > 0) {
        const migratedAt = Date.parse(server.migrated_at);
        if (Number.isFinite(migratedAt) && this.now - migratedAt < cooldownMs) this.moveCost[index] = COOLDOWN_COST;
      }
    });
  }

  /** Groups of server s (Nova groups and tag groups), as group numbers. */
  groupsOf(server: number): Int32Array {
    return this.groupList.subarray(this.groupStart[server], this.groupStart[server + 1]);
  }

  hasGroups(server: number): boolean {
    return this.groupStart[server + 1] > this.groupStart[server];
  }
}

function matchesExemption(server: Snapshot['servers'][number], exemption: ResolvedPolicy['exemptions'][number]): boolean {
  if (exemption.servers && (exemption.servers.includes(server.id) || (server.name !== undefined && exemption.servers.includes(server.name)))) return true;
  if (exemption.metadata) {
    const entries = Object.entries(exemption.metadata);
    if (entries.length && entries.every(([key, value]) => server.metadata?.[key] === value)) return true;
  }
  if (exemption.tags && server.tags?.some((tag) => exemption.tags!.includes(tag))) return true;
  return false;
}
