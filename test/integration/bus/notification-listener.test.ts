// The Nova notification listener on the dev cloud's real broker, fed with the captured Nova
// notifications through an exchange of the test's own (Nova's `nova` exchange is left alone):
// typed events in order, malformed and unknown messages acknowledged, handler failures retried
// once, a pool queue that takes nothing from other consumers, and recovery after a cut connection.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as amqp from 'amqplib';
import { NotificationListener, type CloudEvent, type NotificationListenerOptions } from '../../../services/listener/index.js';
import { captureLog, sleep, waitFor, type CapturedLog } from '../../unit/bus/support.js';
import { TcpProxy, deleteTopology, queueDepth, rabbitPort, requireBroker, testTransportUrl, uniqueName } from './support.js';

const FIXTURES = new URL('../../fixtures/notifications/', import.meta.url);
const FAST_RECONNECT = { initialDelayMs: 50, factor: 2, maxDelayMs: 500, jitter: 0 };

function fixture(name: string): Buffer {
  return Buffer.from(JSON.stringify(JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'))));
}

describe('Nova notification listener on RabbitMQ (dev cloud broker)', function () {
  this.timeout(60_000);
  const exchange = uniqueName('ulm-test-nova');
  const queues: string[] = [];
  const listeners: NotificationListener[] = [];
  let connection: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;
  let log: CapturedLog;

  /** Sends a message as Nova does: to the topic exchange, routing key versioned_notifications.<priority>. */
  async function novaSends(body: Buffer | string, priority = 'info'): Promise<void> {
    channel.publish(exchange, `versioned_notifications.${priority}`, Buffer.from(body), { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2 });
    await channel.waitForConfirms();
  }

  async function listen(handler: (event: CloudEvent) => void | Promise<void>, options: Partial<NotificationListenerOptions> = {}): Promise<NotificationListener> {
    const pool = options.pool ?? uniqueName('ulm-test-pool');
    queues.push(pool);
    const listener = new NotificationListener({ transportUrl: testTransportUrl(), exchange, pool, handler, logger: log.logger, reconnect: FAST_RECONNECT, ...options });
    listeners.push(listener);
    listener.start();
    await listener.waitUntilConsuming(10_000);
    return listener;
  }

  before(async function () {
    await requireBroker(this);
    connection = await amqp.connect(testTransportUrl().replace(/^rabbit:/, 'amqp:'));
    channel = await connection.createConfirmChannel();
    // Declared as oslo.messaging declares Nova's exchange by default: topic, not durable.
    await channel.assertExchange(exchange, 'topic', { durable: false });
  });

  beforeEach(() => {
    log = captureLog();
  });

  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((listener) => listener.close()));
  });

  after(async () => {
    await connection?.close();
    await deleteTopology({ queues, exchanges: [exchange] });
  });

  it('turns a real boot, live migration and delete into typed events, in the order Nova sent them', async () => {
    const events: CloudEvent[] = [];
    const listener = await listen((event) => { events.push(event); });
    const sequence = JSON.parse(readFileSync(new URL('sequence.boot-live-migrate-delete.json', FIXTURES), 'utf8')) as Array<{ routingKey: string; body: string }>;
    for (const message of sequence) await novaSends(message.body);
    await novaSends(fixture('compute_task.migrate_server.error'), 'error');
    await waitFor('every notification', () => listener.status().received === sequence.length + 1);
    const kinds = events.filter((event) => event.kind !== 'server.updated').map((event) => event.kind);
    assert.deepEqual(kinds, ['server.created', 'server.migration-started', 'server.migration-started', 'server.moved', 'server.deleted', 'server.migration-failed']);
    const moved = events.find((event) => event.kind === 'server.moved');
    assert.ok(moved && moved.kind === 'server.moved');
    assert.equal(moved.reportedHost, 'cmp-05');
    assert.equal(moved.reReadServer, true);
    assert.deepEqual(moved.migration, { sourceHost: 'cmp-05', destinationHost: 'cmp-06' });
    const status = listener.status();
    assert.equal(status.consuming, true);
    assert.equal(status.ignored, 11, 'scheduler ×4, create.start, post.start, post_dest ×2, delete.start, shutdown ×2');
    assert.equal(status.malformed, 0);
    assert.equal(await queueDepth(status.queue), 0);
  });

  it('acknowledges malformed and unknown notifications, logging them without their content', async () => {
    const events: CloudEvent[] = [];
    const listener = await listen((event) => { events.push(event); });
    const token = `gAAAAAB${uniqueName('token')}`;
    await novaSends(`{"oslo.version": "2.0", "oslo.message": "not json ${token}"}`);
    await novaSends(`plain text ${token}`);
    await novaSends(fixture('scheduler.select_destinations.end'));
    await novaSends(fixture('instance.create.end'));
    await waitFor('four notifications', () => listener.status().received === 4);
    assert.deepEqual(events.map((event) => event.kind), ['server.created']);
    assert.equal(listener.status().malformed, 2);
    assert.equal(listener.status().ignored, 1);
    assert.equal(await queueDepth(listener.status().queue), 0);
    const warnings = log.lines.filter((line) => line.msg === 'malformed notification acknowledged and dropped');
    assert.deepEqual(warnings.map((line) => (line.error as { message: string }).message), ['oslo.message is not JSON', `body is not JSON (${Buffer.byteLength(`plain text ${token}`)} bytes)`]);
    assert.ok(log.lines.some((line) => line.msg === 'ignored a notification ulm does not use' && line.eventType === 'scheduler.select_destinations.end'));
    assert.ok(!log.text().includes(token), 'a notification\'s content reached the log');
  });

  it('retries a notification once when the handler fails, then drops it with an error', async () => {
    let calls = 0;
    const listener = await listen((event) => {
      calls += 1;
      if (event.kind === 'server.created' && calls === 1) throw new Error('database is locked');
      if (event.kind === 'server.deleted') throw new Error('database is gone');
    });
    await novaSends(fixture('instance.create.end'));
    await waitFor('the retry', () => calls === 2);
    await novaSends(fixture('instance.delete.end'));
    await waitFor('two failures of the delete', () => listener.status().handlerFailures === 3);
    await sleep(100);
    assert.equal(calls, 4);
    assert.equal(await queueDepth(listener.status().queue), 0);
    assert.ok(log.lines.some((line) => line.level === 50 && /failed twice; notification dropped/.test(String(line.msg)) && line.eventType === 'instance.delete.end'));
  });

  it('reads from its own pool queue: another consumer of the exchange still gets every notification', async () => {
    const others = uniqueName('ulm-test-other-pool');
    queues.push(others);
    const observer = await connection.createChannel();
    await observer.assertQueue(others, { autoDelete: false, durable: false });
    await observer.bindQueue(others, exchange, 'versioned_notifications.info');
    const events: CloudEvent[] = [];
    const replicaEvents: CloudEvent[] = [];
    const pool = uniqueName('ulm-test-pool');
    // Two replicas of ulm-listener share one pool queue: each notification goes to one of them.
    await listen((event) => { events.push(event); }, { pool });
    await listen((event) => { replicaEvents.push(event); }, { pool });
    for (let index = 0; index < 6; index += 1) await novaSends(fixture('instance.create.end'));
    await waitFor('six events across the replicas', () => events.length + replicaEvents.length === 6);
    await sleep(100);
    assert.equal(events.length + replicaEvents.length, 6);
    assert.equal(await queueDepth(others), 6, 'the other consumer\'s queue still has all six');
    await observer.close();
  });

  it('keeps notifications sent while disconnected and reads them after reconnecting', async () => {
    const proxy = new TcpProxy(rabbitPort());
    await proxy.start();
    try {
      const events: CloudEvent[] = [];
      const listener = await listen((event) => { events.push(event); }, { transportUrl: proxy.url() });
      await proxy.stop();
      await waitFor('the disconnection', () => !listener.status().connected);
      await novaSends(fixture('service.update.disabled'));
      await novaSends(fixture('service.update.enabled'));
      await proxy.start();
      await waitFor('the two service notifications', () => listener.status().received === 2, 15_000);
      assert.deepEqual(events.map((event) => event.kind), ['service.disabled', 'service.up', 'service.enabled']);
      assert.equal(listener.status().disconnections, 1);
    } finally {
      await proxy.stop();
    }
  });

  it('waits for Nova\'s exchange when it does not exist yet, then consumes', async () => {
    const lateExchange = uniqueName('ulm-test-nova-late');
    const pool = uniqueName('ulm-test-pool');
    queues.push(pool);
    const events: CloudEvent[] = [];
    const listener = new NotificationListener({ transportUrl: testTransportUrl(), exchange: lateExchange, pool, handler: (event) => { events.push(event); }, logger: log.logger, reconnect: FAST_RECONNECT });
    listeners.push(listener);
    listener.start();
    await waitFor('the complaint about the missing exchange', () => log.lines.some((line) => /^exchange "ulm-test-nova-late-.*" does not exist yet: Nova has not sent a notification/.test(String((line.error as { message?: string } | undefined)?.message))));
    assert.equal(listener.status().consuming, false);
    const declarer = await connection.createConfirmChannel();
    await declarer.assertExchange(lateExchange, 'topic', { durable: false });
    await listener.waitUntilConsuming(10_000);
    declarer.publish(lateExchange, 'versioned_notifications.info', fixture('instance.create.end'));
    await declarer.waitForConfirms();
    await waitFor('the event', () => events.length === 1);
    await declarer.deleteExchange(lateExchange);
    await declarer.close();
  });
});
