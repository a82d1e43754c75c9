// An in-memory compute cloud for the applier's own logic (the real-cloud behaviour is in the
// functional tier): servers on hosts, nova-compute services, live migrations that complete after
// a few polls, refusals on demand, and a record of every call.
import { placementCapacity } from '../../core/capacity.js';
import type { PowerDriver, PowerHost, PowerOffConfirmation, PowerOutcome, PowerState } from '../../core/power.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import { MigrationRefused, type ComputeOperations, type ComputeServiceState, type HostRoom, type MigrationRecord, type ServerLocation } from '../../services/applier/compute.js';

interface SimulatedMigration extends MigrationRecord {
  server: string;
  pollsLeft: number;
  /** Polls for which /os-migrations does not list it yet. */
  hiddenFor: number;
}

export class SimulatedCompute implements ComputeOperations {
  readonly hostOf = new Map<string, string>();
  readonly services = new Map<string, ComputeServiceState>();
  readonly migrations: SimulatedMigration[] = [];
  readonly calls: string[] = [];
  /** Servers whose next live migration Nova refuses, with the reason. */
  readonly refuse = new Map<string, string>();
  /** Live migrations running out of each host right now, and the most seen at once. */
  readonly runningOutOf = new Map<string, number>();
  readonly mostOutOf = new Map<string, number>();
  /** Servers whose next live migrations Nova's scheduler refuses after the 202 ("No valid host"): how many. */
  readonly noValidHost = new Map<string, number>();
  /** Polls a server's live migrations take, when not the cloud's default. */
  readonly pollsOf = new Map<string, number>();
  /** Where every server was at each call, by the call as `calls` lists it (the last of equal ones). */
  readonly layoutAtCall = new Map<string, Map<string, string>>();
  /** Nova's conductor writes the migration record after the API's 202: polls that miss it. */
  recordDelayPolls = 0;
  /** Nova's status and task state of a server, when not simply ACTIVE (default) or migrating. */
  readonly statusOf = new Map<string, { status: string; taskState: string | null }>();
  /** Placement's capacity of a host, (total - reserved) x ratio; a host not listed has plenty of room. */
  readonly capacityOf = new Map<string, HostRoom>();
  /** A server's flavor, its allocation in Placement (default 1 vCPU, 1024 MB, 10 GB). */
  readonly flavorOf = new Map<string, { vcpus: number; memoryMb: number; diskGb: number }>();
  private nextId = 1;

  constructor(layout: Record<string, string>, hosts: string[], private readonly pollsPerMigration = 2) {
    for (const [server, host] of Object.entries(layout)) this.hostOf.set(server, host);
    for (const host of hosts) this.services.set(host, { host, enabled: true, up: true, disabledReason: null });
  }

  async serverLocation(serverId: string): Promise<ServerLocation | null> {
    const host = this.hostOf.get(serverId);
    if (host === undefined) return null;
    const busy = this.migrations.some((migration) => migration.server === serverId && !['completed', 'error'].includes(migration.status));
    const flavor = this.flavorOf.get(serverId) ?? { vcpus: 1, memoryMb: 1024, diskGb: 10 };
    const set = this.statusOf.get(serverId);
    if (set && !busy) return { host, ...set, flavor };
    return { host, status: busy ? 'MIGRATING' : 'ACTIVE', taskState: busy ? 'migrating' : null, flavor };
  }

  async startLiveMigration(serverId: string, destination: string): Promise<{ requestId: string | undefined }> {
    this.record(`migrate ${serverId} -> ${destination}`);
    const requestId = `req-${this.nextId}`;
    const refusal = this.refuse.get(serverId);
    if (refusal) {
      this.refuse.delete(serverId);
      throw new MigrationRefused(refusal, requestId);
    }
    const source = this.hostOf.get(serverId)!;
    const noValidHost = this.noValidHost.get(serverId) ?? 0;
    if (noValidHost > 0) {
      this.noValidHost.set(serverId, noValidHost - 1);
      this.endedMigration(serverId, 'error', source, destination);
      return { requestId };
    }
    this.migrations.push({ id: this.nextId++, server: serverId, status: 'running', source, destination, createdAt: new Date().toISOString(), pollsLeft: this.pollsOf.get(serverId) ?? this.pollsPerMigration, hiddenFor: this.recordDelayPolls });
    const running = (this.runningOutOf.get(source) ?? 0) + 1;
    this.runningOutOf.set(source, running);
    this.mostOutOf.set(source, Math.max(this.mostOutOf.get(source) ?? 0, running));
    return { requestId };
  }

  /** A migration Nova already ended for the server, such as a refusal a minute ago. */
  endedMigration(serverId: string, status: string, source: string | null, destination: string | null): void {
    this.migrations.push({ id: this.nextId++, server: serverId, status, source, destination, createdAt: new Date().toISOString(), pollsLeft: 0, hiddenFor: 0 });
  }

  async migrationsSince(serverId: string): Promise<MigrationRecord[]> {
    const found = this.migrations.filter((migration) => migration.server === serverId && migration.hiddenFor-- <= 0);
    for (const migration of found) {
      if (migration.status !== 'running' || --migration.pollsLeft > 0) continue;
      migration.status = 'completed';
      this.hostOf.set(serverId, migration.destination!);
      this.runningOutOf.set(migration.source!, this.runningOutOf.get(migration.source!)! - 1);
    }
    return found.map(({ id, status, source, destination, createdAt }) => ({ id, status, source, destination, createdAt }));
  }

  async liveMigrationCallsSince(serverId: string): Promise<number> {
    return this.startsOf(serverId);
  }

  async failureReason(): Promise<string | undefined> {
    return 'No valid host was found.';
  }

  async abortMigration(serverId: string, migrationId: number): Promise<void> {
    this.calls.push(`abort ${serverId} ${migrationId}`);
  }

  async computeService(host: string): Promise<ComputeServiceState | null> {
    const service = this.services.get(host);
    return service ? { ...service } : null;
  }

  async disableCompute(host: string, reason: string): Promise<void> {
    this.record(`disable ${host}`);
    this.services.set(host, { ...this.services.get(host)!, enabled: false, disabledReason: reason });
  }

  async enableCompute(host: string): Promise<void> {
    this.calls.push(`enable ${host}`);
    this.services.set(host, { ...this.services.get(host)!, enabled: true, disabledReason: null });
  }

  async serversOnHost(host: string): Promise<string[]> {
    return [...this.hostOf].filter(([, on]) => on === host).map(([server]) => server);
  }

  async roomOn(host: string): Promise<HostRoom | null> {
    const capacity = this.capacityOf.get(host);
    if (!capacity) return { vcpus: 1000, memoryMb: 1_000_000, diskGb: 100_000 };
    const room = { ...capacity };
    for (const [server, on] of this.hostOf) {
      if (on !== host) continue;
      const flavor = this.flavorOf.get(server) ?? { vcpus: 1, memoryMb: 1024, diskGb: 10 };
      room.vcpus -= flavor.vcpus; room.memoryMb -= flavor.memoryMb; room.diskGb -= flavor.diskGb;
    }
    return room;
  }

  private record(call: string): void {
    this.calls.push(call);
    this.layoutAtCall.set(call, new Map(this.hostOf));
  }

  /** Live migrations started for a server (a repeated one shows twice). */
  startsOf(server: string): number {
    return this.calls.filter((call) => call.startsWith(`migrate ${server} `)).length;
  }
}

/** The cloud a snapshot describes, as it was when taken: servers, flavors, Placement capacities, services. */
export function simulatedCloudOf(snapshot: Snapshot): SimulatedCompute {
  const compute = new SimulatedCompute(Object.fromEntries(snapshot.servers.map((server) => [server.id, server.host])), snapshot.hosts.map((host) => host.name));
  for (const host of snapshot.hosts) {
    compute.services.set(host.name, { host: host.name, enabled: host.enabled, up: (host.state ?? 'up') === 'up', disabledReason: host.disabled_reason ?? null });
    compute.capacityOf.set(host.name, {
      vcpus: placementCapacity(host.vcpus, host.reserved_vcpus ?? 0, host.vcpu_allocation_ratio ?? 1),
      memoryMb: placementCapacity(host.memory_mb, host.reserved_memory_mb ?? 0, host.memory_allocation_ratio ?? 1),
      diskGb: placementCapacity(host.disk_gb, host.reserved_disk_gb ?? 0, host.disk_allocation_ratio ?? 1),
    });
  }
  for (const server of snapshot.servers) compute.flavorOf.set(server.id, { vcpus: server.flavor.vcpus, memoryMb: server.flavor.memory_mb, diskGb: server.flavor.disk_gb });
  return compute;
}

/** BMCs for the applier's own logic: every host on until powered off; the calls recorded. */
export class SimulatedPower implements PowerDriver {
  readonly name = 'simulated';
  readonly controlsPower = true;
  readonly off = new Set<string>();
  readonly calls: string[] = [];

  async powerOff(host: PowerHost, confirmation: PowerOffConfirmation): Promise<PowerOutcome> {
    if (confirmation?.verifiedEmptyAndDisabled !== true) throw new Error('refused: no confirmation');
    this.calls.push(`off ${host.name}`);
    this.off.add(host.name);
    return { host: host.name, state: 'off', changed: true };
  }

  async powerOn(host: PowerHost): Promise<PowerOutcome> {
    this.calls.push(`on ${host.name}`);
    this.off.delete(host.name);
    return { host: host.name, state: 'on', changed: true };
  }

  async powerState(host: PowerHost): Promise<PowerState> {
    return this.off.has(host.name) ? 'off' : 'on';
  }
}
