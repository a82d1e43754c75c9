// The RabbitMQ bus against the dev cloud's real broker: events, work queues shared by two
// consumers, redelivery and dead-lettering, and recovery when the connection is cut, the broker
// goes away and comes back, or the broker closes the connection itself. Every exchange and queue
// has a unique name and is deleted afterwards.
import assert from 'node:assert/strict';
import {
  BusClosedError, BusUnavailableError, RabbitBus, createBus, describeTransport, parseTransportUrl, type Bus, type BusMessage, type ConnectionChange, type CreateBusOptions,
} from '../../../services/bus/index.js';
import { captureLog, sleep, waitFor, type CapturedLog } from '../../unit/bus/support.js';
import {
  TcpProxy, closeConnectionNamed, closedPort, deleteTopology, passwordInUrl, queueDepth, rabbitPort, rabbitmqctl, requireBroker, testTransportUrl, uniqueName,
} from './support.js';

const FAST_RECONNECT = { initialDelayMs: 50, factor: 2, maxDelayMs: 500, jitter: 0 };

describe('bus on RabbitMQ (dev cloud broker)', function () {
  this.timeout(60_000);
  const exchange = uniqueName('ulm-test-events');
  const queues: string[] = [];
  const buses: Bus[] = [];
  let log: CapturedLog;

  /** A work queue name for this run, deleted (with its dead-letter queue) at the end. */
  function workQueue(purpose: string): string {
    const name = uniqueName(`ulm-test-${purpose}`);
    queues.push(name, `${name}.dead`);
    return name;
  }

  async function bus(options: CreateBusOptions & { url?: string } = {}): Promise<Bus> {
    const created = await createBus(options.url ?? testTransportUrl(), {
      logger: log.logger, exchange, reconnect: FAST_RECONNECT, firstConnectionTimeoutMs: 10_000, ...options,
    });
    buses.push(created);
    return created;
  }

  before(async function () {
    await requireBroker(this);
  });

  beforeEach(() => {
    log = captureLog();
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((each) => each.close()));
    // No line of any test may carry the broker password (checked in its URL form: the user may share its name).
    assert.ok(!log.text().includes(passwordInUrl()), 'the broker password appears in a log line');
  });

  after(async () => {
    await deleteTopology({ queues, exchanges: [exchange] });
  });

  it('publishes events to every subscriber whose pattern matches, confirmed by the broker', async () => {
    const publisher = await bus({ sender: 'api:1' });
    const subscriber = await bus({ sender: 'panel:2' });
    const plans: BusMessage[] = [];
    const everything: BusMessage[] = [];
    await subscriber.subscribe('plan.*', (event) => { plans.push(event); });
    await subscriber.subscribe('#', (event) => { everything.push(event); });

    const sent = await publisher.publish('plan.progress', { plan: 'p-1', done: 2, total: 5 });
    await publisher.publish('cloud.server.moved', { server: 'vm-01' });
    await waitFor('both events at the catch-all subscriber', () => everything.length === 2);
    await sleep(100);
    assert.deepEqual(plans.map((event) => event.topic), ['plan.progress']);
    assert.deepEqual(plans[0].payload, { plan: 'p-1', done: 2, total: 5 });
    assert.equal(plans[0].id, sent.id);
    assert.equal(plans[0].sender, 'api:1');
    assert.equal(plans[0].format, 'ulm-message/1');
    assert.equal(publisher.status().unconfirmedPublishes, 0);
    assert.equal(publisher.status().target, describeTransport(parseTransportUrl(testTransportUrl())));
    assert.match(publisher.status().target, /^rabbit:\/\/[^:]+:\*\*\*@/);
  });

  it('gives each job of a work queue to exactly one of two consumers in different processes', async () => {
    const queue = workQueue('applier');
    const producer = await bus({ sender: 'scheduler:1' });
    const taken = new Map<number, string[]>();
    for (const name of ['applier-a', 'applier-b']) {
      const consumerBus = await bus({ sender: name });
      await consumerBus.consume(queue, async (job: BusMessage<number>) => {
        taken.set(job.payload, [...(taken.get(job.payload) ?? []), name]);
        await sleep(20);
      }, { prefetch: 1 });
    }
    for (let job = 1; job <= 20; job += 1) await producer.enqueue(queue, job);
    await waitFor('twenty jobs', () => taken.size === 20, 20_000);
    await sleep(300);
    for (const [job, consumers] of taken) assert.equal(consumers.length, 1, `job ${job} went to ${consumers.join(' and ')}`);
    const perConsumer = [...taken.values()].flat().reduce((counts, name) => counts.set(name, (counts.get(name) ?? 0) + 1), new Map<string, number>());
    assert.ok((perConsumer.get('applier-a') ?? 0) > 0 && (perConsumer.get('applier-b') ?? 0) > 0, `both consumers worked: ${JSON.stringify([...perConsumer])}`);
    assert.equal(await queueDepth(queue), 0);
  });

  it('keeps jobs in the durable queue until a consumer comes', async () => {
    const queue = workQueue('waiting');
    const producer = await bus();
    await producer.enqueue(queue, { start: 'p-1' });
    await producer.enqueue(queue, { start: 'p-2' });
    assert.equal(await queueDepth(queue), 2);
    const consumerBus = await bus();
    const taken: unknown[] = [];
    await consumerBus.consume(queue, (job) => { taken.push(job.payload); });
    await waitFor('the two waiting jobs', () => taken.length === 2);
    assert.deepEqual(taken, [{ start: 'p-1' }, { start: 'p-2' }]);
  });

  it('redelivers a nacked job, marked redelivered, and dead-letters one that fails twice', async () => {
    const queue = workQueue('retry');
    const worker = await bus();
    const attempts: Array<{ job: string; redelivered: boolean }> = [];
    await worker.consume(queue, (job: BusMessage<string>, delivery) => {
      attempts.push({ job: job.payload, redelivered: delivery.redelivered });
      if (job.payload === 'retry-me' && !delivery.redelivered) delivery.retry();
      if (job.payload === 'always-fails') throw new Error('Nova answered 500');
    });
    await worker.enqueue(queue, 'retry-me');
    await waitFor('the redelivery', () => attempts.filter((attempt) => attempt.job === 'retry-me').length === 2);
    assert.deepEqual(attempts, [{ job: 'retry-me', redelivered: false }, { job: 'retry-me', redelivered: true }]);

    await worker.enqueue(queue, 'always-fails');
    await waitFor('two failed attempts and the dead letter', () => attempts.filter((attempt) => attempt.job === 'always-fails').length === 2);
    let deadLetters = 0;
    for (let tries = 0; tries < 50 && deadLetters === 0; tries += 1) {
      deadLetters = await queueDepth(`${queue}.dead`);
      if (!deadLetters) await sleep(100);
    }
    assert.equal(deadLetters, 1);
    assert.equal(await queueDepth(queue), 0);
    assert.ok(log.lines.some((line) => line.msg === 'job rejected; moved to the dead-letter queue' && line.reason === 'handler failed twice, last with: Nova answered 500'));
  });

  it('reconnects after the connection is cut, resubscribes, and carries on', async () => {
    const proxy = new TcpProxy(rabbitPort());
    await proxy.start();
    try {
      const queue = workQueue('cut');
      const flaky = await bus({ url: proxy.url() });
      const steady = await bus();
      const changes: ConnectionChange[] = [];
      flaky.onConnectionChange((change) => changes.push(change));
      const events: unknown[] = [];
      const jobs: unknown[] = [];
      await flaky.subscribe('cut.*', (event) => { events.push(event.payload); });
      await flaky.consume(queue, (job) => { jobs.push(job.payload); });

      proxy.dropConnections();
      await waitFor('the disconnection', () => changes.some((change) => change.state === 'disconnected'));
      await waitFor('the reconnection', () => changes.some((change) => change.state === 'connected' && change.reconnected), 10_000);
      await waitFor('the consumer to be back', () => flaky.status().consumers.every((consumer) => consumer.consuming));
      await steady.publish('cut.after', 'after');
      await steady.enqueue(queue, 'job after');
      await waitFor('the event and the job after the reconnection', () => events.length === 1 && jobs.length === 1);
      assert.deepEqual(events, ['after']);
      assert.deepEqual(jobs, ['job after']);
      assert.equal(flaky.status().disconnections, 1);
      assert.equal(flaky.status().connected, true);
      assert.ok(log.lines.some((line) => line.msg === 'lost the connection to RabbitMQ; reconnecting'));
    } finally {
      await proxy.stop();
    }
  });

  it('holds publishes while RabbitMQ is away and sends them when it is back; jobs are not lost', async () => {
    const proxy = new TcpProxy(rabbitPort());
    await proxy.start();
    try {
      const queue = workQueue('outage');
      const api = await bus({ url: proxy.url(), publishTimeoutMs: 30_000 });
      const worker = await bus();
      const jobs: unknown[] = [];
      const events: unknown[] = [];
      await worker.subscribe('outage.#', (event) => { events.push(event.payload); });
      await worker.consume(queue, (job) => { jobs.push(job.payload); });

      await proxy.stop();
      await waitFor('the outage to be noticed', () => !api.status().connected);
      const waiting = [api.enqueue(queue, 'during the outage'), api.publish('outage.progress', 'during the outage')];
      let settled = false;
      void Promise.allSettled(waiting).then(() => { settled = true; });
      await sleep(1500);
      assert.equal(settled, false, 'publishes wait for the broker instead of failing or vanishing');
      assert.equal(api.status().bufferedPublishes, 2);
      assert.deepEqual(jobs, []);

      await proxy.start();
      await Promise.all(waiting);
      await waitFor('the job and the event sent during the outage', () => jobs.length === 1 && events.length === 1, 10_000);
      assert.deepEqual(jobs, ['during the outage']);
      assert.equal(api.status().bufferedPublishes, 0);
      assert.ok(log.lines.some((line) => line.msg === 'connected again; sending the publishes that waited'));
    } finally {
      await proxy.stop();
    }
  });

  it('recovers when the broker itself closes the connection (rabbitmqctl close_connection)', async function () {
    const connectionName = uniqueName('ulm-test-closed-by-broker');
    let closed: number;
    const victim = await bus({ connectionName });
    const events: unknown[] = [];
    await victim.subscribe('broker.#', (event) => { events.push(event.payload); });
    try {
      closed = await closeConnectionNamed(connectionName, 'ulm integration test: broker-initiated close');
    } catch (error) {
      console.warn(`      skipped: rabbitmqctl cannot reach the dev cloud's broker (${(error as Error).message.split('\n')[0]})`);
      this.skip();
    }
    assert.equal(closed, 1);
    await waitFor('the reconnection', () => victim.status().disconnections === 1 && victim.status().connected, 15_000);
    const sender = await bus();
    await sender.publish('broker.back', 'hello again');
    await waitFor('the event after the reconnection', () => events.length === 1);
    assert.ok(log.lines.some((line) => line.msg === 'lost the connection to RabbitMQ; reconnecting' && /CONNECTION_FORCED|broker-initiated/.test(String(line.reason))));
  });

  it('fails publishes it cannot send, saying so, instead of dropping them', async () => {
    const port = await closedPort();
    const nowhere = await bus({ url: `rabbit://ulm:unused@127.0.0.1:${port}/`, waitForConnection: false, publishTimeoutMs: 300, maxBufferedPublishes: 2 });
    const first = nowhere.publish('plan.progress', 1);
    const second = nowhere.enqueue('ulm-test-never', 2);
    await assert.rejects(nowhere.publish('plan.progress', 3), (error: Error) => error instanceof BusUnavailableError && /event plan\.progress: not sent, 2 messages are already waiting for RabbitMQ/.test(error.message));
    await assert.rejects(first, (error: Error) => error instanceof BusUnavailableError && /event plan\.progress: not sent, no connection to RabbitMQ for 0\.3 s \(127\.0\.0\.1:\d+: connect ECONNREFUSED/.test(error.message));
    await assert.rejects(second, /queue ulm-test-never: not sent/);
    const status = nowhere.status();
    assert.equal(status.connected, false);
    assert.match(String(status.lastError), /ECONNREFUSED/);

    const third = nowhere.publish('plan.progress', 4);
    await nowhere.close();
    await assert.rejects(third, (error: Error) => error instanceof BusClosedError && /not sent, the bus closed while RabbitMQ was unreachable/.test(error.message));
  });

  it('fails over to the next node of a multi-node transport_url', async () => {
    const port = await closedPort();
    const node = parseTransportUrl(testTransportUrl()).nodes[0];
    const credentials = `${encodeURIComponent(node.username)}:${encodeURIComponent(node.password)}`;
    const url = `rabbit://${credentials}@127.0.0.1:${port},${credentials}@${node.hostname}:${node.port}/`;
    const failover = await bus({ url });
    assert.equal(failover.status().connected, true);
    assert.ok(log.lines.some((line) => line.msg === 'cannot reach RabbitMQ; retrying' && line.node === `127.0.0.1:${port}`));
    assert.ok(log.lines.some((line) => line.msg === 'connected to RabbitMQ' && line.node === `${node.hostname}:${node.port}`));
  });

  it('never writes the password, even when the broker refuses it', async () => {
    const password = `wrong-${uniqueName('password')}`;
    const url = testTransportUrl().replace(/:[^:@/]*@/, `:${password}@`);
    await assert.rejects(createBus(url, { logger: log.logger, reconnect: FAST_RECONNECT, firstConnectionTimeoutMs: 1500 }), (error: Error) => {
      assert.ok(error instanceof BusUnavailableError);
      assert.match(error.message, /no connection to RabbitMQ at rabbit:\/\/[^:]+:\*\*\*@[^/]+\/.* within 1\.5 s \(last error: .*ACCESS.REFUSED/);
      assert.ok(!error.message.includes(password));
      return true;
    });
    assert.ok(log.lines.some((line) => line.level === 50 && /RabbitMQ refused the login/.test(String(line.msg))));
    assert.ok(!log.text().includes(password), 'the password appears in a log line');
  });

  it('runs as RabbitBus with the broker named in status() and in rabbitmqctl', async function () {
    const connectionName = uniqueName('ulm-test-named');
    const named = await bus({ connectionName });
    assert.ok(named instanceof RabbitBus);
    let listing: string;
    try {
      listing = await rabbitmqctl('list_connections', 'client_properties', '--formatter', 'json');
    } catch {
      this.skip();
    }
    assert.ok(listing.includes(connectionName));
  });
});
