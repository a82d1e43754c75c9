// The in-process bus: events fan out to matching subscribers, jobs go to exactly one consumer,
// with the same retry, dead-letter and closing rules as the RabbitMQ bus.
import assert from 'node:assert/strict';
import { BusClosedError, BusError, InProcessBus, createBus, type BusMessage, type JobDelivery } from '../../../services/bus/index.js';
import { captureLog, deferred, sleep, waitFor } from './support.js';

function newBus() {
  const log = captureLog();
  const bus = new InProcessBus({ logger: log.logger, sender: 'test:1', now: () => new Date('2026-11-22T03:00:00.000Z') });
  return { bus, log };
}

describe('in-process bus: events', () => {
  it('is what createBus returns when transport_url is empty', async () => {
    const bus = await createBus('');
    assert.equal(bus.transport, 'in-process');
    assert.equal((await createBus(undefined)).transport, 'in-process');
    assert.equal((await createBus('   ')).transport, 'in-process');
    await bus.close();
  });

  it('delivers an event to every subscriber whose pattern matches, as JSON messages with id and timestamp', async () => {
    const { bus } = newBus();
    const byPlan: BusMessage[] = [];
    const everything: BusMessage[] = [];
    const hosts: BusMessage[] = [];
    await bus.subscribe('plan.*', (event) => { byPlan.push(event); });
    await bus.subscribe('#', (event) => { everything.push(event); });
    await bus.subscribe('cloud.host.*', (event) => { hosts.push(event); });

    const sent = await bus.publish('plan.progress', { plan: 'p-1', done: 3, total: 8 });
    await bus.publish('cloud.server.moved', { server: 'vm-01' });
    await waitFor('both events', () => everything.length === 2);

    assert.deepEqual(byPlan.map((event) => event.topic), ['plan.progress']);
    assert.deepEqual(hosts, []);
    assert.deepEqual(byPlan[0], {
      format: 'ulm-message/1', id: sent.id, topic: 'plan.progress', timestamp: '2026-11-22T03:00:00.000Z', sender: 'test:1',
      payload: { plan: 'p-1', done: 3, total: 8 },
    });
    assert.match(sent.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await bus.close();
  });

  it('delivers later, never on the publisher\'s stack, and gives each subscriber its own copy', async () => {
    const { bus } = newBus();
    const seen: Array<{ moved: string[] }> = [];
    await bus.subscribe('cloud.#', (event: BusMessage<{ moved: string[] }>) => {
      event.payload.moved.push('changed by the first subscriber');
      seen.push(event.payload);
    });
    await bus.subscribe('cloud.#', (event: BusMessage<{ moved: string[] }>) => { seen.push(event.payload); });
    const payload = { moved: ['vm-01'] };
    const publishing = bus.publish('cloud.servers', payload);
    assert.equal(seen.length, 0, 'no handler ran inside publish()');
    await publishing;
    await waitFor('two deliveries', () => seen.length === 2);
    assert.deepEqual(payload, { moved: ['vm-01'] });
    assert.deepEqual(seen[1], { moved: ['vm-01'] });
    await bus.close();
  });

  it('hands one subscriber its events one at a time, in order, while a slow subscriber holds up no other', async () => {
    const { bus } = newBus();
    const slowOrder: number[] = [];
    const fastOrder: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    await bus.subscribe('tick', async (event: BusMessage<number>) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await sleep(5);
      slowOrder.push(event.payload);
      running -= 1;
    });
    await bus.subscribe('tick', (event: BusMessage<number>) => { fastOrder.push(event.payload); });
    for (let tick = 1; tick <= 5; tick += 1) await bus.publish('tick', tick);
    await waitFor('the fast subscriber', () => fastOrder.length === 5);
    assert.ok(slowOrder.length < 5, 'the fast subscriber did not wait for the slow one');
    await waitFor('the slow subscriber', () => slowOrder.length === 5);
    assert.deepEqual(slowOrder, [1, 2, 3, 4, 5]);
    assert.deepEqual(fastOrder, [1, 2, 3, 4, 5]);
    assert.equal(mostAtOnce, 1);
    await bus.close();
  });

  it('logs a failing event handler and goes on with the next event', async () => {
    const { bus, log } = newBus();
    const handled: number[] = [];
    await bus.subscribe('tick', (event: BusMessage<number>) => {
      if (event.payload === 1) throw new Error('database is locked');
      handled.push(event.payload);
    });
    await bus.publish('tick', 1);
    await bus.publish('tick', 2);
    await waitFor('the second event', () => handled.length === 1);
    const failure = log.lines.find((line) => line.msg === 'event handler failed; the event is not delivered again');
    assert.ok(failure);
    assert.deepEqual(failure.error, { type: 'Error', message: 'database is locked' });
    await bus.close();
  });

  it('stops delivering to a closed subscription', async () => {
    const { bus } = newBus();
    const seen: unknown[] = [];
    const subscription = await bus.subscribe('tick', (event) => { seen.push(event.payload); });
    await bus.publish('tick', 1);
    await waitFor('the first event', () => seen.length === 1);
    await subscription.close();
    await bus.publish('tick', 2);
    await sleep(20);
    assert.deepEqual(seen, [1]);
    assert.equal(bus.status().subscriptions, 0);
    await bus.close();
  });

  it('refuses bad topics, patterns and payloads with a message naming the value and the fix', async () => {
    const { bus } = newBus();
    await assert.rejects(bus.publish('plan.*', {}), (error: Error) => error instanceof BusError && /topic: "plan\.\*" is not a topic; use dot-separated words/.test(error.message));
    await assert.rejects(bus.publish('', {}), /topic: "" is not a topic/);
    await assert.rejects(bus.subscribe('plan..x', () => undefined), /pattern: "plan\.\.x" is not a topic pattern/);
    await assert.rejects(bus.publish('plan.progress', { size: 10n }), /payload of "plan.progress" is not JSON-serialisable/);
    await assert.rejects(bus.enqueue('amq.jobs', {}), /queue: "amq\.jobs" is not a work queue name/);
    await assert.rejects(bus.enqueue('jobs.dead', {}), /not starting with amq\. nor ending with \.dead/);
    await assert.rejects(bus.consume('jobs', () => undefined, { prefetch: 0 }), /prefetch: 0 is not a whole number of messages between 1 and 65535/);
    await bus.close();
  });
});

describe('in-process bus: work queues', () => {
  it('gives each job to exactly one of the consumers, sharing the jobs between them', async () => {
    const { bus } = newBus();
    const taken: Array<{ consumer: string; job: number }> = [];
    for (const consumer of ['applier-a', 'applier-b']) {
      await bus.consume('ulm.applier', (job: BusMessage<number>) => { taken.push({ consumer, job: job.payload }); });
    }
    for (let job = 1; job <= 10; job += 1) await bus.enqueue('ulm.applier', job);
    await waitFor('ten jobs', () => taken.length === 10);
    await sleep(20);
    assert.equal(taken.length, 10);
    assert.deepEqual(taken.map((entry) => entry.job).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(taken.some((entry) => entry.consumer === 'applier-a') && taken.some((entry) => entry.consumer === 'applier-b'), 'both consumers got jobs');
    await bus.close();
  });

  it('keeps jobs until a consumer comes, like a durable queue', async () => {
    const { bus } = newBus();
    await bus.enqueue('ulm.applier', { start: 'plan-1' });
    await sleep(10);
    const taken: unknown[] = [];
    await bus.consume('ulm.applier', (job) => { taken.push(job.payload); });
    await waitFor('the waiting job', () => taken.length === 1);
    assert.deepEqual(taken, [{ start: 'plan-1' }]);
    await bus.close();
  });

  it('holds at most `prefetch` unsettled jobs per consumer', async () => {
    const { bus } = newBus();
    const release = deferred();
    let running = 0;
    let mostAtOnce = 0;
    await bus.consume('ulm.applier', async () => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await release.promise;
      running -= 1;
    }, { prefetch: 2 });
    for (let job = 0; job < 5; job += 1) await bus.enqueue('ulm.applier', job);
    await waitFor('two running jobs', () => running === 2);
    await sleep(20);
    assert.equal(running, 2);
    assert.equal(bus.status().consumers[0].inFlight, 2);
    release.resolve();
    await waitFor('all jobs', () => running === 0 && bus.status().consumers[0].inFlight === 0);
    assert.equal(mostAtOnce, 2);
    await bus.close();
  });

  it('redelivers a job handed back with retry(), marked redelivered', async () => {
    const { bus } = newBus();
    const deliveries: boolean[] = [];
    await bus.consume('ulm.applier', (_job, delivery: JobDelivery) => {
      deliveries.push(delivery.redelivered);
      if (!delivery.redelivered) delivery.retry();
    });
    await bus.enqueue('ulm.applier', { start: 'plan-1' });
    await waitFor('the redelivery', () => deliveries.length === 2);
    assert.deepEqual(deliveries, [false, true]);
    await bus.close();
  });

  it('retries a job whose handler throws once, then dead-letters it', async () => {
    const { bus, log } = newBus();
    let attempts = 0;
    await bus.consume('ulm.applier', () => {
      attempts += 1;
      throw new Error('Nova answered 503');
    });
    const sent = await bus.enqueue('ulm.applier', { start: 'plan-1' });
    await waitFor('the dead letter', () => bus.deadLetters('ulm.applier').length === 1);
    assert.equal(attempts, 2);
    assert.equal(bus.deadLetters('ulm.applier')[0].id, sent.id);
    const rejected = log.lines.find((line) => line.msg === 'job rejected; moved to the dead-letter queue');
    assert.ok(rejected);
    assert.equal(rejected.reason, 'handler failed twice, last with: Nova answered 503');
    assert.equal(rejected.deadLetterQueue, 'ulm.applier.dead');
    await bus.close();
  });

  it('dead-letters at once on reject(), and ignores a second settlement', async () => {
    const { bus, log } = newBus();
    let attempts = 0;
    await bus.consume('ulm.applier', (_job, delivery) => {
      attempts += 1;
      delivery.reject('plan p-1 no longer exists');
      delivery.ack();
    });
    await bus.enqueue('ulm.applier', { start: 'p-1' });
    await waitFor('the dead letter', () => bus.deadLetters('ulm.applier').length === 1);
    await sleep(10);
    assert.equal(attempts, 1);
    assert.ok(log.lines.some((line) => line.msg === 'job already settled; ignoring the second settlement' && line.outcome === 'ack'));
    await bus.close();
  });

  it('closes by waiting for running jobs, then refuses new work, and says which jobs are lost', async () => {
    const { bus, log } = newBus();
    const release = deferred();
    let finished = false;
    await bus.consume('ulm.applier', async () => {
      await release.promise;
      finished = true;
    });
    await bus.enqueue('ulm.applier', 1);
    await bus.enqueue('ulm.other', 2);
    await waitFor('the running job', () => bus.status().consumers[0].inFlight === 1);
    const closing = bus.close();
    await sleep(10);
    assert.equal(finished, false, 'close() waits for the running job');
    release.resolve();
    await closing;
    assert.equal(finished, true);
    await assert.rejects(bus.publish('plan.progress', {}), BusClosedError);
    await assert.rejects(bus.enqueue('ulm.applier', {}), /cannot enqueue: the bus is closed/);
    assert.ok(log.lines.some((line) => line.queue === 'ulm.other' && line.jobs === 1 && /they are lost/.test(String(line.msg))));
  });
});
