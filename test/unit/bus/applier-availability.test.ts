// Whether a start job has an applier to run it: the in-process bus counts the consumers of a
// queue in this process, and a start with nobody consuming the start queue is refused with a
// message that names the fix for the deployment at hand.
import assert from 'node:assert/strict';
import { NoApplierAvailable, ensureApplierAvailable, waitForApplier } from '../../../services/applier/availability.js';
import { START_PLAN_QUEUE } from '../../../services/applier/worker.js';
import { BusClosedError, BusUnavailableError, InProcessBus } from '../../../services/bus/index.js';
import { captureLog } from './support.js';

function newBus(): InProcessBus {
  return new InProcessBus({ logger: captureLog().logger, sender: 'test:1' });
}

describe('in-process bus: consumers of a queue', () => {
  it('counts the consumers that take jobs from a queue, and none once they close', async () => {
    const bus = newBus();
    assert.equal(await bus.consumerCount('applier.start-plan'), 0, 'a queue nobody declared has no consumer');
    const first = await bus.consume('applier.start-plan', () => undefined);
    const second = await bus.consume('applier.start-plan', () => undefined);
    await bus.consume('monitor.other', () => undefined);
    assert.equal(await bus.consumerCount('applier.start-plan'), 2);
    await first.close();
    assert.equal(await bus.consumerCount('applier.start-plan'), 1);
    await second.close();
    assert.equal(await bus.consumerCount('applier.start-plan'), 0);
    assert.equal(await bus.consumerCount('monitor.other'), 1);
    await bus.close();
  });

  it('does not count jobs waiting in a queue as consumers', async () => {
    const bus = newBus();
    await bus.enqueue('applier.start-plan', { plan_id: 'p-1' });
    assert.equal(await bus.consumerCount('applier.start-plan'), 0);
    await bus.close();
  });

  it('refuses a bad queue name, and a closed bus', async () => {
    const bus = newBus();
    await assert.rejects(bus.consumerCount('no spaces'), /queue/);
    await bus.close();
    await assert.rejects(bus.consumerCount('applier.start-plan'), BusClosedError);
  });
});

describe('an applier to run a started plan', () => {
  it('is asked again while the broker connection is being recovered, and the start goes through once it answers', async () => {
    const bus = newBus();
    const applier = await bus.consume(START_PLAN_QUEUE, () => undefined);
    let asked = 0;
    const counting = bus.consumerCount.bind(bus);
    bus.consumerCount = async (queue: string) => {
      if (++asked <= 2) throw new BusUnavailableError('cannot ask RabbitMQ: Channel ended, no reply will be forthcoming');
      return counting(queue);
    };
    await ensureApplierAvailable(bus, 5000, 10);
    assert.equal(asked, 3);
    await applier.close();
    await bus.close();
  });

  it('passes the broker\'s silence on once the grace period is over, never guessing', async () => {
    const bus = newBus();
    bus.consumerCount = async () => { throw new BusUnavailableError('cannot ask RabbitMQ: not connected'); };
    await assert.rejects(ensureApplierAvailable(bus, 50, 10), BusUnavailableError);
    await bus.close();
  });

  it('is there when a consumer takes start jobs on the bus', async () => {
    const bus = newBus();
    const applier = await bus.consume(START_PLAN_QUEUE, () => undefined);
    await ensureApplierAvailable(bus);
    await applier.close();
    await bus.close();
  });

  it('is missing on the in-process bus of a process without an applier: the message names transport_url and ulm serve', async () => {
    const bus = newBus();
    // A consumer of another queue is no applier.
    await bus.consume('applier.other', () => undefined);
    await assert.rejects(ensureApplierAvailable(bus), (error: Error) => {
      assert.ok(error instanceof NoApplierAvailable);
      assert.equal(error.name, 'NoApplierAvailable');
      assert.equal(error.message, 'no ulm-applier takes action plans: this ulm-api uses the in-process bus (transport_url is empty), so only an applier in the same process could run the plan; '
        + 'run "ulm serve", or set [DEFAULT] transport_url to the RabbitMQ that ulm-applier uses');
      return true;
    });
    await bus.close();
  });

  it('can be waited for while an applier starts, and is reported missing when none comes in time', async () => {
    const bus = newBus();
    const started = Date.now();
    await assert.rejects(waitForApplier(bus, 50, 5), NoApplierAvailable);
    assert.ok(Date.now() - started >= 50, 'waited the whole time');
    setTimeout(() => { void bus.consume(START_PLAN_QUEUE, () => undefined); }, 30);
    await waitForApplier(bus, 5_000, 5);
    await bus.close();
  });
});
