// What the applier needs from the compute cloud, as one narrow interface: where a server is,
// starting and following a live migration, and a host's nova-compute service. Nova implements
// it (nova-compute.ts); tests of the applier's own logic may use a simulated cloud.

export interface ServerLocation {
  host: string | null;
  /** Nova's status: ACTIVE, PAUSED, SHUTOFF, ERROR, MIGRATING... */
  status: string;
  /** Nova's task state: null when no task runs on the server. */
  taskState: string | null;
  flavor: { vcpus: number; memoryMb: number; diskGb: number } | null;
}

export interface MigrationRecord {
  id: number;
  status: string;
  source: string | null;
  destination: string | null;
  createdAt: string;
}

export interface ComputeServiceState {
  host: string;
  enabled: boolean;
  up: boolean;
  disabledReason: string | null;
}

/** Room left on a host, as Placement computes it: (total - reserved) x ratio - used. */
export interface HostRoom {
  vcpus: number;
  memoryMb: number;
  diskGb: number;
}

/** Nova refused to start the live migration; `reason` is Nova's own words. */
export class MigrationRefused extends Error {
  readonly reason: string;
  readonly requestId: string | undefined;
  constructor(reason: string, requestId?: string) {
    super(reason);
    this.name = 'MigrationRefused';
    this.reason = reason;
    this.requestId = requestId;
  }
}

export interface ComputeOperations {
  /** Where the server is, or null when it no longer exists. */
  serverLocation(serverId: string): Promise<ServerLocation | null>;
  /** Starts a live migration to a named host (Nova still checks it; never forced). */
  startLiveMigration(serverId: string, destination: string): Promise<{ requestId: string | undefined }>;
  /** The server's live migrations created at or after `since` (ISO 8601), oldest first. */
  migrationsSince(serverId: string, since: string): Promise<MigrationRecord[]>;
  /**
   * Live migration calls Nova recorded for the server (its instance actions) started at or after
   * `since`, or ever without it: Nova writes one as soon as its API accepts the call, before any
   * migration record.
   */
  liveMigrationCallsSince(serverId: string, since?: string): Promise<number>;
  /** Nova's explanation of a failed live migration, from the server's instance actions. */
  failureReason(serverId: string, requestId: string | undefined): Promise<string | undefined>;
  abortMigration(serverId: string, migrationId: number): Promise<void>;
  /** The host's nova-compute service, or null when the host has none. */
  computeService(host: string): Promise<ComputeServiceState | null>;
  disableCompute(host: string, reason: string): Promise<void>;
  enableCompute(host: string): Promise<void>;
  /** Ids of the servers on a host, every project. */
  serversOnHost(host: string): Promise<string[]>;
  /** Room left on the host in Placement, or null when Placement does not know the host. */
  roomOn(host: string): Promise<HostRoom | null>;
}
