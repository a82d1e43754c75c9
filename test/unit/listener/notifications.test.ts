// Nova's versioned notifications, as captured from the dev cloud, read out of their oslo.messaging
// envelope and turned into ulm's cloud events, including the stale host of live_migration_post.end.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  NotificationFormatError, NotificationMemory, isHandledEventType, normaliseTimestamp, parseNotification, translateNotification,
  type CloudEvent, type ServerMigrationFailed, type ServerMoved, type ServerUpdated, type ServiceEvent,
} from '../../../services/listener/index.js';

const FIXTURES = new URL('../../fixtures/notifications/', import.meta.url);
const SERVER = 'fb45f8b3-e1ea-4c18-bba3-17f51fefa5e5';

/** The AMQP body of a captured notification, exactly as RabbitMQ delivered it. */
function body(name: string): Buffer {
  return Buffer.from(JSON.stringify(JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'))));
}

function eventsOf(name: string, memory = new NotificationMemory()): CloudEvent[] {
  return translateNotification(parseNotification(body(name)), memory);
}

/** Rewrites fields of the inner oslo message, to make malformed or unusual variants of a real one. */
function variant(name: string, change: (message: Record<string, unknown>) => void): Buffer {
  const envelope = JSON.parse(body(name).toString());
  const message = JSON.parse(envelope['oslo.message']);
  change(message);
  return Buffer.from(JSON.stringify({ ...envelope, 'oslo.message': JSON.stringify(message) }));
}

describe('oslo.messaging envelope of Nova notifications', () => {
  it('reads event type, emitter, time, payload and request id out of a real notification', () => {
    const notification = parseNotification(body('instance.live_migration_post.end'));
    assert.equal(notification.eventType, 'instance.live_migration_post.end');
    assert.equal(notification.priority, 'INFO');
    assert.equal(notification.messageId, '29a7551c-c8cc-43ce-aaad-f1103f4f41c7');
    assert.equal(notification.timestamp, '2026-11-22T11:38:49.333Z');
    assert.deepEqual(notification.emittedBy, { service: 'nova-compute', host: 'cmp-05' });
    assert.equal(notification.payloadName, 'InstanceActionPayload');
    assert.equal(notification.payloadVersion, '1.8');
    assert.equal(notification.payload.uuid, SERVER);
    assert.equal(notification.requestId, 'req-1c786303-3d85-4470-abd4-eedf6dca5aae');
    assert.equal(parseNotification(body('compute_task.migrate_server.error')).priority, 'ERROR');
  });

  it('keeps no request context (which may hold an auth token on other clouds)', () => {
    const notification = parseNotification(variant('instance.create.end', (message) => { message._context_auth_token = 'gAAAAAB-token'; }));
    assert.doesNotMatch(JSON.stringify(notification), /gAAAAAB-token|_context/);
  });

  it('accepts a message without the envelope', () => {
    const inner = JSON.parse(body('service.update.disabled').toString())['oslo.message'];
    assert.equal(parseNotification(inner).eventType, 'service.update');
  });

  it('reads oslo\'s zone-less UTC timestamps and ISO ones', () => {
    assert.equal(normaliseTimestamp('2026-11-22 11:38:27.568437'), '2026-11-22T11:38:27.568Z');
    assert.equal(normaliseTimestamp('2026-11-22 11:38:27'), '2026-11-22T11:38:27.000Z');
    assert.equal(normaliseTimestamp('2026-11-22T12:38:27.5+01:00'), '2026-11-22T11:38:27.500Z');
    assert.equal(normaliseTimestamp('yesterday'), undefined);
  });

  it('says what is wrong with a malformed message, without quoting it', () => {
    const secret = 'gAAAAAB-secret-token';
    const cases: Array<[Buffer | string, RegExp]> = [
      [`not json ${secret}`, /^body is not JSON \(\d+ bytes\)$/],
      ['[1, 2]', /^body is not a JSON object$/],
      [JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': `{${secret}` }), /^oslo\.message is not JSON$/],
      [JSON.stringify({ 'oslo.version': '1.0', 'oslo.message': '{}' }), /oslo\.version is "1\.0"; ulm reads envelope version 2\.x/],
      [JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': 42 }), /oslo\.message is not a string/],
      [variant('instance.create.end', (message) => { delete message.event_type; }), /^event_type is missing$/],
      [variant('instance.create.end', (message) => { message.timestamp = secret; }), /instance\.create\.end: timestamp "gAAAAAB-secret-token" is not a time/],
      [variant('instance.create.end', (message) => { message.payload = { instance_id: 'x' }; }), /payload is not a versioned Nova object .*notification_format "versioned"/],
    ];
    for (const [input, expected] of cases) {
      assert.throws(() => parseNotification(input), (error: Error) => {
        assert.ok(error instanceof NotificationFormatError, error.name);
        assert.match(error.message, expected);
        if (!/timestamp/.test(error.message)) assert.doesNotMatch(error.message, /secret/);
        return true;
      });
    }
  });
});

describe('cloud events from Nova notifications', () => {
  it('server.created: where the server was built, with its flavor; no need to re-read', () => {
    const [event] = eventsOf('instance.create.end');
    assert.equal(event.kind, 'server.created');
    if (event.kind !== 'server.created') return;
    assert.deepEqual(event.server, {
      id: SERVER, name: 'ulm-capture-28607', projectId: '73f48a1bdfd444d7a5d60de7f37ed6ff', state: 'active', taskState: null, powerState: 'running',
      flavor: { id: 'small', name: 'small', vcpus: 1, memoryMb: 1024, rootDiskGb: 10, ephemeralDiskGb: 0, swapMb: 0 },
    });
    assert.equal(event.reportedHost, 'cmp-05');
    assert.equal(event.reportedNode, 'cmp-05');
    assert.equal(event.reReadServer, false);
    assert.deepEqual(event.notification, {
      eventType: 'instance.create.end', messageId: '9054d8d9-d3ca-46d3-8392-f3e9b6678075', timestamp: '2026-11-22T11:38:27.568Z',
      emittedBy: { service: 'nova-compute', host: 'cmp-05' }, requestId: 'req-0e524425-2de1-4450-a2ef-a36451d19354',
    });
  });

  it('server.migration-started: the destination is the compute that emitted pre_live_migration; the server is still on the source', () => {
    for (const [name, stage] of [['instance.live_migration_pre.start', 'start'], ['instance.live_migration_pre.end', 'end']] as const) {
      const [event] = eventsOf(name);
      assert.equal(event.kind, 'server.migration-started');
      if (event.kind !== 'server.migration-started') return;
      assert.equal(event.stage, stage);
      assert.deepEqual(event.migration, { sourceHost: 'cmp-05', destinationHost: 'cmp-06' });
      assert.equal(event.reportedHost, 'cmp-05');
      assert.equal(event.reReadServer, true);
    }
  });

  it('server.moved: reports the stale host the payload carries, asks to re-read, and names the destination seen at pre-migration', () => {
    const memory = new NotificationMemory();
    eventsOf('instance.live_migration_pre.start', memory);
    const [event] = eventsOf('instance.live_migration_post.end', memory) as ServerMoved[];
    assert.equal(event.kind, 'server.moved');
    // The pitfall, as Nova really sends it: the source compute's copy of the server still says cmp-05.
    assert.equal(event.reportedHost, 'cmp-05');
    assert.equal(event.reReadServer, true);
    assert.deepEqual(event.migration, { sourceHost: 'cmp-05', destinationHost: 'cmp-06' });
    assert.equal(event.server.taskState, 'migrating');
  });

  it('server.moved without the pre-migration notification: the destination is unknown, not guessed', () => {
    const [event] = eventsOf('instance.live_migration_post.end') as ServerMoved[];
    assert.deepEqual(event.migration, { sourceHost: 'cmp-05', destinationHost: null });
  });

  it('server.updated: state changes with the previous state; the host is the payload\'s', () => {
    const [event] = eventsOf('instance.update.migration-finished') as ServerUpdated[];
    assert.equal(event.kind, 'server.updated');
    assert.equal(event.reportedHost, 'cmp-06');
    assert.equal(event.reReadServer, true);
    assert.equal(event.server.state, 'active');
    assert.equal(event.server.taskState, null);
    assert.equal(event.previousState, 'active');
    assert.equal(event.previousTaskState, 'migrating');
    assert.equal(event.server.flavor?.name, 'small');
  });

  it('server.deleted', () => {
    const [event] = eventsOf('instance.delete.end');
    assert.equal(event.kind, 'server.deleted');
    assert.equal(event.reportedHost, 'cmp-06');
    assert.equal(event.reReadServer, false);
  });

  it('server.migration-failed when the conductor refuses a migration (error priority), with the reason but no traceback', () => {
    const [event] = eventsOf('compute_task.migrate_server.error') as ServerMigrationFailed[];
    assert.equal(event.kind, 'server.migration-failed');
    assert.equal(event.reason, 'not-started');
    assert.equal(event.stage, 'error');
    assert.equal(event.server.id, '2293f02c-4be2-4a0b-95ed-2ab1ac3ca0b5');
    assert.equal(event.server.state, 'active');
    assert.equal(event.reportedHost, null);
    assert.equal(event.fault, 'No valid host was found. There are not enough hosts available.');
    assert.deepEqual(event.notification.emittedBy, { service: 'nova-conductor', host: 'vm' });
  });

  it('server.migration-failed on rollback and abort (synthetic samples), emitted by the source', () => {
    const memory = new NotificationMemory();
    eventsOf('instance.live_migration_pre.start', memory);
    const [aborted] = eventsOf('synthetic.instance.live_migration_abort.start', memory) as ServerMigrationFailed[];
    assert.equal(aborted.reason, 'aborted');
    assert.equal(aborted.stage, 'start');
    const [rolledBack] = eventsOf('synthetic.instance.live_migration_rollback.end', memory) as ServerMigrationFailed[];
    assert.equal(rolledBack.kind, 'server.migration-failed');
    assert.equal(rolledBack.reason, 'rolled-back');
    assert.equal(rolledBack.stage, 'end');
    assert.deepEqual(rolledBack.migration, { sourceHost: 'cmp-05', destinationHost: 'cmp-06' });
    assert.equal(rolledBack.fault, 'Migration error: synthetic failure for ulm tests');
    // The migration is over: a later post.end (which would be odd) does not inherit its destination.
    assert.equal((eventsOf('instance.live_migration_post.end', memory)[0] as ServerMoved).migration.destinationHost, null);
  });

  it('service events: disabled, down, up, enabled, from the four real service.update notifications in a row', () => {
    const memory = new NotificationMemory();
    const kinds = ['disabled', 'forced-down', 'forced-up', 'enabled'].map((name) => (eventsOf(`service.update.${name}`, memory) as ServiceEvent[]).map((event) => event.kind));
    // The first one seen says both facts, as nothing was known before.
    assert.deepEqual(kinds, [['service.disabled', 'service.up'], ['service.down'], ['service.up'], ['service.enabled']]);
    const [disabled] = eventsOf('service.update.disabled') as ServiceEvent[];
    assert.deepEqual(disabled.service, {
      id: '2166c585-5289-4927-ae03-bdbcab577e0d', host: 'cmp-06', binary: 'nova-compute', status: 'disabled',
      disabledReason: 'ulm listener fixture capture', forcedDown: false, lastSeenUp: '2026-11-22T11:40:16Z', state: 'up',
    });
    assert.equal(disabled.previous, null);
    const [down] = eventsOf('service.update.forced-down', memory) as ServiceEvent[];
    assert.deepEqual(down.previous, { status: 'enabled', state: 'up' });
  });

  it('service.down when the last heartbeat is older than the service down time', () => {
    const stale = variant('service.update.enabled', (message) => {
      ((message.payload as Record<string, Record<string, unknown>>)['nova_object.data']).last_seen_up = '2026-11-22T11:38:00Z';
    });
    const kinds = translateNotification(parseNotification(stale), new NotificationMemory()).map((event) => event.kind);
    assert.deepEqual(kinds, ['service.enabled', 'service.down']);
    const lenient = translateNotification(parseNotification(stale), new NotificationMemory(), { serviceDownTimeSeconds: 600 }).map((event) => event.kind);
    assert.deepEqual(lenient, ['service.enabled', 'service.up']);
  });

  it('ignores event types ulm does not use', () => {
    assert.deepEqual(eventsOf('scheduler.select_destinations.end'), []);
    assert.deepEqual(eventsOf('instance.live_migration_post_dest.end'), []);
    assert.equal(isHandledEventType('instance.live_migration_rollback_dest.end'), false);
    assert.equal(isHandledEventType('instance.live_migration_abort.end'), true);
  });

  it('refuses a handled notification that names no server', () => {
    const broken = variant('instance.create.end', (message) => {
      delete ((message.payload as Record<string, Record<string, unknown>>)['nova_object.data']).uuid;
    });
    assert.throws(() => translateNotification(parseNotification(broken), new NotificationMemory()), (error: Error) => error instanceof NotificationFormatError && /instance\.create\.end: the payload names no server/.test(error.message));
  });

  it('turns a whole real boot, live migration and delete into the expected events, in order', () => {
    const sequence = JSON.parse(readFileSync(new URL('sequence.boot-live-migrate-delete.json', FIXTURES), 'utf8')) as Array<{ routingKey: string; body: string }>;
    const memory = new NotificationMemory();
    const events = sequence.flatMap((message) => translateNotification(parseNotification(message.body), memory));
    const summary = events.filter((event) => event.kind !== 'server.updated').map((event) => event.kind);
    assert.deepEqual(summary, ['server.created', 'server.migration-started', 'server.migration-started', 'server.moved', 'server.deleted']);
    const updates = events.filter((event): event is ServerUpdated => event.kind === 'server.updated');
    assert.equal(updates.length, 12);
    // The instance.update after post_dest is the first to carry the destination as host.
    const firstOnDestination = events.findIndex((event) => event.kind === 'server.updated' && event.reportedHost === 'cmp-06');
    const moved = events.findIndex((event) => event.kind === 'server.moved');
    assert.ok(firstOnDestination >= 0 && firstOnDestination < moved);
    assert.equal((events[moved] as ServerMoved).reportedHost, 'cmp-05');
  });
});

describe('notification memory', () => {
  it('stays bounded, forgetting the oldest entries first', () => {
    const memory = new NotificationMemory(2);
    for (const host of ['cmp-01', 'cmp-02', 'cmp-03']) memory.rememberService(host, { status: 'enabled', state: 'up' });
    assert.equal(memory.previousService('cmp-01'), null);
    assert.deepEqual(memory.previousService('cmp-03'), { status: 'enabled', state: 'up' });
  });

  it('forgets a migration that never finished after a few hours', () => {
    const memory = new NotificationMemory(10, 1000);
    memory.rememberMigration('vm', { sourceHost: 'a', destinationHost: 'b' }, 0);
    assert.deepEqual(memory.migrationOf('vm', 500), { sourceHost: 'a', destinationHost: 'b' });
    assert.equal(memory.migrationOf('vm', 2000), null);
  });
});
