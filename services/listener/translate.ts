// Turns Nova notifications into ulm's typed cloud events. Pure apart from a small bounded memory
// (the previous status of each service, the destination of each migration in progress), which lets
// it say "disabled" rather than "updated" and name the destination of a finished migration.
import { NotificationFormatError, novaObjectData, type NovaNotification } from './envelope.js';
import type {
  CloudEvent, FlavorFacts, MigrationHosts, NotificationOrigin, ServerFacts, ServerEvent, ServiceEvent, ServiceFacts,
} from './events.js';

export interface TranslateOptions {
  /** Nova's service_down_time: a heartbeat older than this at notification time means the service is down. Default 60 s. */
  serviceDownTimeSeconds?: number;
}

interface RememberedMigration extends MigrationHosts {
  rememberedAt: number;
}

/**
 * What the translation remembers between notifications, bounded so a long-running listener does
 * not grow: the oldest entries go first. With several listener replicas each remembers only what it saw.
 */
export class NotificationMemory {
  private readonly services = new Map<string, { status: ServiceFacts['status']; state: ServiceFacts['state'] }>();
  private readonly migrations = new Map<string, RememberedMigration>();

  constructor(private readonly maxEntries = 10_000, private readonly migrationTtlMs = 6 * 3600_000) {}

  previousService(key: string) {
    return this.services.get(key) ?? null;
  }

  rememberService(key: string, value: { status: ServiceFacts['status']; state: ServiceFacts['state'] }): void {
    this.services.delete(key);
    this.services.set(key, value);
    this.trim(this.services);
  }

  migrationOf(serverId: string, now: number): MigrationHosts | null {
    const remembered = this.migrations.get(serverId);
    if (!remembered) return null;
    // A migration still unfinished after hours is no longer a fact worth repeating.
    if (now - remembered.rememberedAt > this.migrationTtlMs) {
      this.migrations.delete(serverId);
      return null;
    }
    return { sourceHost: remembered.sourceHost, destinationHost: remembered.destinationHost };
  }

  rememberMigration(serverId: string, hosts: MigrationHosts, now: number): void {
    this.migrations.delete(serverId);
    this.migrations.set(serverId, { ...hosts, rememberedAt: now });
    this.trim(this.migrations);
  }

  forgetMigration(serverId: string): void {
    this.migrations.delete(serverId);
  }

  private trim(map: Map<string, unknown>): void {
    while (map.size > this.maxEntries) {
      const oldest = map.keys().next().value as string;
      map.delete(oldest);
    }
  }
}

const HANDLED = [
  /^instance\.create\.end$/,
  /^instance\.delete\.end$/,
  /^instance\.live_migration_pre\.(start|end)$/,
  /^instance\.live_migration_post\.end$/,
  /^instance\.live_migration_rollback\.(start|end)$/,
  /^instance\.live_migration_abort\.(start|end)$/,
  /^compute_task\.migrate_server\.error$/,
  /^instance\.update$/,
  /^service\.update$/,
];

/** Whether ulm turns this Nova event type into cloud events; others are ignored. */
export function isHandledEventType(eventType: string): boolean {
  return HANDLED.some((pattern) => pattern.test(eventType));
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function number(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function originOf(notification: NovaNotification): NotificationOrigin {
  return {
    eventType: notification.eventType,
    messageId: notification.messageId,
    timestamp: notification.timestamp,
    emittedBy: notification.emittedBy,
    requestId: notification.requestId,
  };
}

function flavorOf(value: unknown): FlavorFacts | undefined {
  const data = novaObjectData(value);
  if (!data) return undefined;
  return {
    id: text(data.flavorid),
    name: text(data.name),
    vcpus: number(data.vcpus),
    memoryMb: number(data.memory_mb),
    rootDiskGb: number(data.root_gb),
    ephemeralDiskGb: number(data.ephemeral_gb),
    swapMb: number(data.swap),
  };
}

function serverOf(notification: NovaNotification): ServerFacts {
  const data = notification.payload;
  const id = text(data.uuid) ?? text(data.instance_uuid);
  if (!id) throw new NotificationFormatError(`${notification.eventType}: the payload names no server (no uuid)`);
  const server: ServerFacts = {
    id,
    name: text(data.display_name),
    projectId: text(data.tenant_id),
    state: text(data.state),
    taskState: text(data.task_state),
    powerState: text(data.power_state),
  };
  const flavor = flavorOf(data.flavor);
  if (flavor) server.flavor = flavor;
  return server;
}

/** The first line of Nova's exception message: enough to tell the operator why, without a traceback. */
function faultOf(value: unknown): string | null {
  const data = novaObjectData(value);
  const message = text(data?.exception_message);
  if (!message) return text(data?.exception);
  const firstLine = message.split('\n')[0].trim();
  return firstLine.length > 500 ? `${firstLine.slice(0, 500)}…` : firstLine;
}

/** The host part of publisher_id when a nova-compute emitted the notification. */
function computeHostOf(notification: NovaNotification): string | null {
  return notification.emittedBy.service === 'nova-compute' ? notification.emittedBy.host : null;
}

function stageOf(eventType: string): 'start' | 'end' {
  return eventType.endsWith('.start') ? 'start' : 'end';
}

function translateServer(notification: NovaNotification, memory: NotificationMemory): ServerEvent[] {
  const { eventType } = notification;
  const data = notification.payload;
  const now = Date.parse(notification.timestamp);

  if (eventType === 'compute_task.migrate_server.error') {
    // The conductor refused the migration before any compute took part: no host in the payload.
    const server = serverOf(notification);
    const requestSpec = novaObjectData(data.request_spec);
    const requested = novaObjectData(requestSpec?.requested_destination);
    const remembered = memory.migrationOf(server.id, now);
    memory.forgetMigration(server.id);
    return [{
      kind: 'server.migration-failed', reason: 'not-started', stage: 'error',
      server, reportedHost: null, reportedNode: null, reReadServer: true,
      migration: { sourceHost: remembered?.sourceHost ?? null, destinationHost: text(requested?.host) ?? remembered?.destinationHost ?? null },
      fault: faultOf(data.reason), notification: originOf(notification),
    }];
  }

  const server = serverOf(notification);
  const base = { server, reportedHost: text(data.host), reportedNode: text(data.node), notification: originOf(notification) };

  if (eventType === 'instance.create.end') return [{ kind: 'server.created', ...base, reReadServer: false }];
  if (eventType === 'instance.delete.end') {
    memory.forgetMigration(server.id);
    return [{ kind: 'server.deleted', ...base, reReadServer: false }];
  }
  if (eventType.startsWith('instance.live_migration_pre.')) {
    // pre_live_migration runs on the destination; the server's host is still the source then.
    const migration: MigrationHosts = { sourceHost: base.reportedHost, destinationHost: computeHostOf(notification) };
    memory.rememberMigration(server.id, migration, now);
    return [{ kind: 'server.migration-started', ...base, reReadServer: true, stage: stageOf(eventType), migration }];
  }
  if (eventType === 'instance.live_migration_post.end') {
    // Emitted by the source compute, whose copy of the server still names itself as host.
    const remembered = memory.migrationOf(server.id, now);
    memory.forgetMigration(server.id);
    const migration: MigrationHosts = { sourceHost: computeHostOf(notification) ?? remembered?.sourceHost ?? null, destinationHost: remembered?.destinationHost ?? null };
    return [{ kind: 'server.moved', ...base, reReadServer: true, migration }];
  }
  const failure = /^instance\.live_migration_(rollback|abort)\.(start|end)$/.exec(eventType);
  if (failure) {
    // Rollback and abort run on the source compute.
    const remembered = memory.migrationOf(server.id, now);
    const stage = stageOf(eventType);
    if (stage === 'end') memory.forgetMigration(server.id);
    return [{
      kind: 'server.migration-failed', ...base, reReadServer: true,
      reason: failure[1] === 'rollback' ? 'rolled-back' : 'aborted', stage,
      migration: { sourceHost: computeHostOf(notification) ?? remembered?.sourceHost ?? base.reportedHost, destinationHost: remembered?.destinationHost ?? null },
      fault: faultOf(data.fault),
    }];
  }
  if (eventType === 'instance.update') {
    const change = novaObjectData(data.state_update);
    if (change) {
      server.state = text(change.state) ?? server.state;
      server.taskState = change.new_task_state === undefined ? server.taskState : text(change.new_task_state);
    }
    return [{
      kind: 'server.updated', ...base, reReadServer: true,
      previousState: text(change?.old_state), previousTaskState: text(change?.old_task_state),
    }];
  }
  return [];
}

function translateService(notification: NovaNotification, memory: NotificationMemory, options: TranslateOptions): ServiceEvent[] {
  const data = notification.payload;
  const host = text(data.host);
  const binary = text(data.binary);
  if (!host || !binary) throw new NotificationFormatError('service.update: the payload has no host or binary');
  const forcedDown = data.forced_down === true;
  const lastSeenUp = text(data.last_seen_up);
  const downAfterMs = (options.serviceDownTimeSeconds ?? 60) * 1000;
  const heartbeatAge = lastSeenUp ? Date.parse(notification.timestamp) - Date.parse(lastSeenUp) : Number.NaN;
  const service: ServiceFacts = {
    id: text(data.uuid),
    host,
    binary,
    status: data.disabled === true ? 'disabled' : 'enabled',
    disabledReason: text(data.disabled_reason),
    forcedDown,
    lastSeenUp,
    state: forcedDown || heartbeatAge > downAfterMs ? 'down' : 'up',
  };
  const key = service.id ?? `${binary}@${host}`;
  const previous = memory.previousService(key);
  memory.rememberService(key, { status: service.status, state: service.state });
  const origin = originOf(notification);
  const events: ServiceEvent[] = [];
  // Nova sends service.update only when disabled, disabled_reason or forced_down changed; report
  // what changed, or the status when nothing we track did (a new reason) or nothing was known.
  const statusEvent = (): ServiceEvent => ({ kind: service.status === 'enabled' ? 'service.enabled' : 'service.disabled', service, previous, notification: origin });
  const stateEvent = (): ServiceEvent => ({ kind: service.state === 'up' ? 'service.up' : 'service.down', service, previous, notification: origin });
  if (!previous || previous.status !== service.status) events.push(statusEvent());
  if (!previous || previous.state !== service.state) events.push(stateEvent());
  if (!events.length) events.push(statusEvent());
  return events;
}

/**
 * The cloud events of one notification: none for event types ulm does not handle, one or two otherwise.
 * Throws (NotificationFormatError) when a handled notification lacks what it needs, e.g. the server's uuid.
 */
export function translateNotification(notification: NovaNotification, memory: NotificationMemory, options: TranslateOptions = {}): CloudEvent[] {
  if (!isHandledEventType(notification.eventType)) return [];
  if (notification.eventType === 'service.update') return translateService(notification, memory, options);
  return translateServer(notification, memory);
}
