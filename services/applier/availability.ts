// Whether an applier can take a "start plan" job now: a start that no applier would ever run is
// refused before anything changes, instead of leaving the plan APPROVED and a `--wait` waiting forever.
import { BusUnavailableError, type Bus } from '../bus/index.js';
import { START_PLAN_QUEUE } from './worker.js';

/** No ulm-applier takes action plans from this process's bus; the message says how to deploy one. */
export class NoApplierAvailable extends Error {
  override name = 'NoApplierAvailable';
}

/** The broker as the message names it: the masked target without its user name (`rabbit://host:5672/vhost`). */
function brokerOf(bus: Bus): string {
  return bus.status().target.replace(/[^/,@]*:\*\*\*@/g, '');
}

function noApplier(bus: Bus): NoApplierAvailable {
  if (bus.transport === 'in-process') {
    return new NoApplierAvailable('no ulm-applier takes action plans: this ulm-api uses the in-process bus (transport_url is empty), so only an applier in the same process could run the plan; '
      + 'run "ulm serve", or set [DEFAULT] transport_url to the RabbitMQ that ulm-applier uses');
  }
  return new NoApplierAvailable(`no ulm-applier consumes queue ${START_PLAN_QUEUE} on ${brokerOf(bus)}; start ulm-applier with the same transport_url`);
}

/** How long a start waits for a broker connection being recovered to answer again. */
const RECONNECT_GRACE_MS = 15_000;

/**
 * Resolves when at least one applier consumes the start queue; throws NoApplierAvailable when none
 * does, and the bus's BusUnavailableError when the broker cannot say within `graceMs` (a connection
 * that dropped a moment ago is being recovered: that is a delay, not an answer).
 */
export async function ensureApplierAvailable(bus: Bus, graceMs = RECONNECT_GRACE_MS, intervalMs = 500): Promise<void> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    let count: number;
    try {
      count = await bus.consumerCount(START_PLAN_QUEUE);
    } catch (error) {
      if (!(error instanceof BusUnavailableError) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      continue;
    }
    if (count > 0) return;
    throw noApplier(bus);
  }
}

/**
 * Waits up to `timeoutMs` for an applier to consume the start queue (one just started is still
 * connecting); throws NoApplierAvailable when none came.
 */
export async function waitForApplier(bus: Bus, timeoutMs: number, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await bus.consumerCount(START_PLAN_QUEUE) > 0) return;
      if (Date.now() >= deadline) throw noApplier(bus);
    } catch (error) {
      // A broker connection being recovered answers again shortly; only the deadline ends the wait.
      if (!(error instanceof BusUnavailableError) || Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
