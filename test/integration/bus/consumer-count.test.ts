// Who consumes a work queue, asked of the dev cloud's real RabbitMQ: none for a queue nobody
// declared, one while a consumer (in another connection, as ulm-applier is) takes jobs, none
// again once it closes; and a start refused with the queue and the broker named, no credentials.
import assert from 'node:assert/strict';
import { NoApplierAvailable, ensureApplierAvailable } from '../../../services/applier/availability.js';
import { BusUnavailableError, createBus, parseTransportUrl, type Bus, type CreateBusOptions } from '../../../services/bus/index.js';
import { captureLog, waitFor } from '../../unit/bus/support.js';
import { TcpProxy, deleteTopology, requireBroker, testTransportUrl, uniqueName } from './support.js';

const FAST_RECONNECT = { initialDelayMs: 50, factor: 2, maxDelayMs: 500, jitter: 0 };

describe('bus on RabbitMQ: consumers of a queue (dev cloud broker)', function () {
  this.timeout(60_000);
  const exchange = uniqueName('ulm-test-events');
  const queues: string[] = [];
  const buses: Bus[] = [];
  const log = captureLog();

  async function bus(options: CreateBusOptions & { url?: string } = {}): Promise<Bus> {
    const created = await createBus(options.url ?? testTransportUrl(), {
      logger: log.logger, exchange, reconnect: FAST_RECONNECT, firstConnectionTimeoutMs: 10_000, ...options,
    });
    buses.push(created);
    return created;
  }

  function workQueue(purpose: string): string {
    const name = uniqueName(`ulm-test-${purpose}`);
    queues.push(name, `${name}.dead`);
    return name;
  }

  before(async function () {
    await requireBroker(this);
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((each) => each.close()));
  });

  after(async () => {
    await deleteTopology({ queues, exchanges: [exchange] });
  });

  it('goes from 0 to 1 when a consumer in another connection subscribes, and back to 0 when it closes', async () => {
    const queue = workQueue('count');
    const asking = await bus();
    const applier = await bus();
    assert.equal(await asking.consumerCount(queue), 0, 'a queue that does not exist has no consumer');
    const consumer = await applier.consume(queue, () => undefined);
    // The count is the broker's: another connection's consumer counts as well as this one's.
    assert.equal(await asking.consumerCount(queue), 1);
    await consumer.close();
    assert.equal(await asking.consumerCount(queue), 0, 'a declared queue whose consumer left');
    // The bus still answers after a 404 for a missing queue (the failed check closed only its own channel).
    assert.equal(await asking.consumerCount(workQueue('never-declared')), 0);
    await asking.enqueue(queue, { still: 'works' });
  });

  it('counts the consumers of every process: two appliers are two', async () => {
    const queue = workQueue('two');
    const asking = await bus();
    await (await bus()).consume(queue, () => undefined);
    await (await bus()).consume(queue, () => undefined);
    assert.equal(await asking.consumerCount(queue), 2);
  });

  it('refuses a start when no ulm-applier consumes applier.start-plan, naming the queue and the broker without credentials', async function () {
    const asking = await bus();
    // The broker is shared with the dev cloud and other runs: only meaningful when no applier listens now.
    if (await asking.consumerCount('applier.start-plan') > 0) {
      console.warn('      skipped: an applier consumes applier.start-plan on this broker now');
      this.skip();
    }
    const node = parseTransportUrl(testTransportUrl()).nodes[0];
    await assert.rejects(ensureApplierAvailable(asking), (error: Error) => {
      assert.ok(error instanceof NoApplierAvailable);
      const vhost = parseTransportUrl(testTransportUrl()).virtualHost;
      assert.equal(error.message, `no ulm-applier consumes queue applier.start-plan on rabbit://${node.hostname}:${node.port}/${vhost === '/' ? '' : encodeURIComponent(vhost)}; start ulm-applier with the same transport_url`);
      assert.ok(!error.message.includes('@'), 'no credentials in the message');
      return true;
    });
  });

  it('says the broker cannot answer while it is disconnected, rather than guessing', async () => {
    const proxy = new TcpProxy(parseTransportUrl(testTransportUrl()).nodes[0].port);
    await proxy.start();
    try {
      const asking = await bus({ url: proxy.url(), reconnect: { initialDelayMs: 60_000, factor: 1, maxDelayMs: 60_000, jitter: 0 } });
      await proxy.stop();
      await waitFor('the bus to notice', () => !asking.status().connected, 10_000);
      await assert.rejects(asking.consumerCount(workQueue('offline')), (error: Error) => {
        assert.ok(error instanceof BusUnavailableError);
        assert.match(error.message, /who consumes queue ulm-test-offline-.*: not connected/);
        return true;
      });
    } finally {
      await proxy.stop();
    }
  });
});
