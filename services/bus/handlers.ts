// Running event and job handlers the same way on both transports: errors are logged, jobs are
// always settled (ack, retry once, then dead-letter), and a job is never settled twice.
import type { BusMessage, EventHandler, JobDelivery, JobHandler } from './bus.js';
import { describeError, type Logger } from './logging.js';

/** What the transport does to settle one job. */
export interface JobSettlement {
  redelivered: boolean;
  ack(): void;
  requeue(): void;
  deadLetter(reason: string): void;
}

export async function runEventHandler<Payload>(handler: EventHandler<Payload>, event: BusMessage<Payload>, logger: Logger): Promise<void> {
  try {
    await handler(event);
  } catch (error) {
    // Events are facts already past; retrying a failing handler would only repeat the failure.
    logger.error({ topic: event.topic, messageId: event.id, error: describeError(error) }, 'event handler failed; the event is not delivered again');
  }
}

export async function runJobHandler<Payload>(handler: JobHandler<Payload>, job: BusMessage<Payload>, settlement: JobSettlement, queue: string, logger: Logger): Promise<void> {
  let settled = false;
  const once = (outcome: string, action: () => void) => {
    if (settled) {
      logger.warn({ queue, messageId: job.id, outcome }, 'job already settled; ignoring the second settlement');
      return;
    }
    settled = true;
    action();
  };
  const delivery: JobDelivery = {
    redelivered: settlement.redelivered,
    ack: () => once('ack', () => settlement.ack()),
    retry: () => once('retry', () => {
      logger.info({ queue, messageId: job.id }, 'job handed back for another try');
      settlement.requeue();
    }),
    reject: (reason: string) => once('reject', () => deadLetter(reason)),
  };
  const deadLetter = (reason: string) => {
    logger.error({ queue, messageId: job.id, reason, deadLetterQueue: `${queue}.dead` }, 'job rejected; moved to the dead-letter queue');
    settlement.deadLetter(reason);
  };
  try {
    await handler(job, delivery);
    if (!settled) delivery.ack();
  } catch (error) {
    const failure = describeError(error);
    if (settled) {
      logger.error({ queue, messageId: job.id, error: failure }, 'job handler failed after settling the job');
      return;
    }
    settled = true;
    // One retry covers a passing problem (a database restart); a second failure is likely to repeat forever.
    if (!settlement.redelivered) {
      logger.warn({ queue, messageId: job.id, error: failure }, 'job handler failed; the job goes back to the queue for one more try');
      settlement.requeue();
    } else {
      deadLetter(`handler failed twice, last with: ${failure.message}`);
    }
  }
}
