// An in-memory compute cloud for the applier's own logic (the real-cloud behaviour is in the
// functional tier): servers on hosts, nova-compute services, live migrations that complete after
// a few polls, refusals on demand, and a record of every call.
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
  /** Nova's conductor writes the migration record after the API's 202: polls that miss it. */
  recordDelayPolls = 0;
  private nextId = 1;

  constructor(layout: Record<string, string>, hosts: string[], private readonly pollsPerMigration = 2) {
    for (const [server, host] of Object.entries(layout)) this.hostOf.set(server, host);
    for (const host of hosts) this.services.set(host, { host, enabled: true, up: true, disabledReason: null });
  }

  async serverLocation(serverId: string): Promise<ServerLocation | null> {
    const host = this.hostOf.get(serverId);
    if (host === undefined) return null;
    const busy = this.migrations.some((migration) => migration.server === serverId && !['completed', 'error'].includes(migration.status));
    return { host, status: busy ? 'MIGRATING' : 'ACTIVE', taskState: busy ? 'migrating' : null, flavor: { vcpus: 1, memoryMb: 1024, diskGb: 10 } };
  }

  async startLiveMigration(serverId: string, destination: string): Promise<{ requestId: string | undefined }> {
    this.calls.push(`migrate ${serverId} -> ${destination}`);
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
    this.migrations.push({ id: this.nextId++, server: serverId, status: 'running', source, destination, createdAt: new Date().toISOString(), pollsLeft: this.pollsPerMigration, hiddenFor: this.recordDelayPolls });
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
    this.calls.push(`disable ${host}`);
    this.services.set(host, { ...this.services.get(host)!, enabled: false, disabledReason: reason });
  }

  async enableCompute(host: string): Promise<void> {
    this.calls.push(`enable ${host}`);
    this.services.set(host, { ...this.services.get(host)!, enabled: true, disabledReason: null });
  }

  async serversOnHost(host: string): Promise<string[]> {
    return [...this.hostOf].filter(([, on]) => on === host).map(([server]) => server);
  }

  async roomOn(): Promise<HostRoom | null> {
    return { vcpus: 1000, memoryMb: 1_000_000, diskGb: 100_000 };
  }

  /** Live migrations started for a server (a repeated one shows twice). */
  startsOf(server: string): number {
    return this.calls.filter((call) => call.startsWith(`migrate ${server} `)).length;
  }
}
