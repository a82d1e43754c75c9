// The cloud changes ulm-listener reports, typed: what Nova's notifications say happened to servers
// and compute services, named in the operator's words. They are hints to act on, not the truth
// about locations: a server event says which host the payload reported and whether to re-read the server.

/** Where a cloud event came from. */
export interface NotificationOrigin {
  /** Nova's event type, e.g. `instance.live_migration_post.end`. */
  eventType: string;
  /** oslo's message id: the same notification seen twice has the same one. */
  messageId: string;
  /** When Nova emitted it (ISO 8601 UTC). */
  timestamp: string;
  /** The emitting service and its host (`nova-compute` on `cmp-06`). */
  emittedBy: { service: string; host: string | null };
  /** Nova's request id (`req-…`), to find the request in Nova's logs and instance actions. */
  requestId: string | null;
}

export interface FlavorFacts {
  id: string | null;
  name: string | null;
  vcpus: number | null;
  memoryMb: number | null;
  rootDiskGb: number | null;
  ephemeralDiskGb: number | null;
  swapMb: number | null;
}

/** What the payload says about the server itself. */
export interface ServerFacts {
  /** The server's UUID. */
  id: string;
  name: string | null;
  projectId: string | null;
  /** Nova's vm_state (`active`, `building`, `deleted`, …). */
  state: string | null;
  /** Nova's task_state (`migrating`, `deleting`, …), null when no task runs. */
  taskState: string | null;
  powerState: string | null;
  /** Absent from payloads that do not carry the flavor (compute task errors). */
  flavor?: FlavorFacts;
}

interface ServerEventBase {
  server: ServerFacts;
  /**
   * The server's host as written in the payload: Nova's instance.host as the emitting service saw
   * it. During and right after a live migration this may still be the source host (the source
   * compute emits `live_migration_post.end` with its own, stale copy), so it is never called the
   * server's location.
   */
  reportedHost: string | null;
  /** The hypervisor node as written in the payload; same caveat as reportedHost. */
  reportedNode: string | null;
  /**
   * True when reportedHost may not be where the server is: read the server
   * (`OS-EXT-SRV-ATTR:host`) or its migration record before relying on a location.
   */
  reReadServer: boolean;
  notification: NotificationOrigin;
}

/**
 * The two ends of a migration, as far as the notification tells them. Nova 26's payloads carry no
 * migration record, so they come from which compute emitted the notification (Nova runs
 * pre_live_migration on the destination, post-migration and rollback on the source) and, for the
 * destination of a finished or failed migration, from the `live_migration_pre` notification this
 * listener saw for the same server. Null when unknown.
 */
export interface MigrationHosts {
  sourceHost: string | null;
  destinationHost: string | null;
}

/** instance.create.end: the server was built; reportedHost is the compute that built it. */
export interface ServerCreated extends ServerEventBase {
  kind: 'server.created';
}

/** instance.delete.end: the server is gone; its resources on reportedHost are freed. */
export interface ServerDeleted extends ServerEventBase {
  kind: 'server.deleted';
}

/**
 * instance.live_migration_pre.start/.end: the destination compute is preparing to receive the
 * server. The earliest sign that `migration.destinationHost` is about to get a server, e.g. to
 * cancel powering that host off.
 */
export interface ServerMigrationStarted extends ServerEventBase {
  kind: 'server.migration-started';
  stage: 'start' | 'end';
  migration: MigrationHosts;
}

/** instance.live_migration_post.end: Nova finished the live migration. reportedHost is usually the source: re-read the server. */
export interface ServerMoved extends ServerEventBase {
  kind: 'server.moved';
  migration: MigrationHosts;
}

/**
 * A live migration that did not happen: rolled back (instance.live_migration_rollback.*), aborted
 * (instance.live_migration_abort.*), or refused by the conductor before any compute was involved
 * (compute_task.migrate_server.error, e.g. "No valid host was found"; this one also covers cold
 * migrations, which use the same conductor task).
 */
export interface ServerMigrationFailed extends ServerEventBase {
  kind: 'server.migration-failed';
  reason: 'rolled-back' | 'aborted' | 'not-started';
  stage: 'start' | 'end' | 'error';
  migration: MigrationHosts;
  /** Nova's exception message (first line, no traceback), when the payload has one. */
  fault: string | null;
}

/** instance.update: the server's state or task state changed (Nova sends many of these). */
export interface ServerUpdated extends ServerEventBase {
  kind: 'server.updated';
  previousState: string | null;
  previousTaskState: string | null;
}

export type ServerEvent = ServerCreated | ServerDeleted | ServerMigrationStarted | ServerMoved | ServerMigrationFailed | ServerUpdated;

/** What a service.update payload says about a compute (or other Nova) service. */
export interface ServiceFacts {
  /** The service's UUID (the id of `PUT /os-services/{id}` from microversion 2.53). */
  id: string | null;
  host: string;
  binary: string;
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  /** Set by an operator or a fencing tool (`openstack compute service set --down`). */
  forcedDown: boolean;
  /** Last heartbeat Nova recorded (ISO 8601), if any. */
  lastSeenUp: string | null;
  /**
   * `down` when forced down, or when the last heartbeat is older than the service down time
   * (Nova's service_down_time, 60 s by default) at the moment of the notification; `up` otherwise.
   * Nova sends no notification when a service merely stops heartbeating: the monitor's periodic
   * collection catches that.
   */
  state: 'up' | 'down';
}

interface ServiceEventBase {
  service: ServiceFacts;
  /** Status and state from the previous service.update this listener saw for the service; null if none. */
  previous: { status: ServiceFacts['status']; state: ServiceFacts['state'] } | null;
  notification: NotificationOrigin;
}

/** service.update: the service is enabled (again): the scheduler may place servers on its host. */
export interface ServiceEnabled extends ServiceEventBase { kind: 'service.enabled' }
/** service.update: the service is disabled, with `service.disabledReason`. */
export interface ServiceDisabled extends ServiceEventBase { kind: 'service.disabled' }
/** service.update: the service is up (no longer forced down). */
export interface ServiceUp extends ServiceEventBase { kind: 'service.up' }
/** service.update: the service is down (forced down, or no recent heartbeat). */
export interface ServiceDown extends ServiceEventBase { kind: 'service.down' }

export type ServiceEvent = ServiceEnabled | ServiceDisabled | ServiceUp | ServiceDown;

export type CloudEvent = ServerEvent | ServiceEvent;
export type CloudEventKind = CloudEvent['kind'];

/** Receives the events of one notification, in order. Written by the service that keeps ulm's state fresh. */
export type CloudEventHandler = (event: CloudEvent) => void | Promise<void>;
