// The applier process's loop: takes "start plan" jobs from the bus work queue, claims the plan
// with a lease renewed while it runs, executes it; and resumes running plans whose applier
// stopped (their lease expired) — a restart resumes a plan, it never cancels it.
import type { Bus, Subscription } from '../bus/index.js';
import { executePlan, PlanNotStartable, type ApplierContext } from './executor.js';

export const START_PLAN_QUEUE = 'applier.start-plan';
export const PLAN_PROGRESS_TOPIC = 'plan.progress';
export const PLAN_FINISHED_TOPIC = 'plan.finished';

export interface StartPlanJob {
  plan_id: string;
  /** No wave starts at or after this instant (ISO 8601): the window closes. */
  stop_new_waves_at?: string | null;
}

export interface WorkerOptions {
  /** Who holds a claimed plan: host and process. */
  holder: string;
  leaseMs?: number;
  /** How often plans whose applier stopped are looked for. */
  sweepMs?: number;
  /** Called when a plan finished (refresh the snapshot, record savings...). */
  onFinished?: (planId: string) => Promise<void> | void;
}

export class ApplierWorker {
  private subscription: Subscription | null = null;
  private sweeper: ReturnType<typeof setInterval> | null = null;
  private readonly running = new Map<string, Promise<void>>();
  private readonly leaseMs: number;
  private stopping = false;

  constructor(private readonly context: ApplierContext, private readonly bus: Bus, private readonly options: WorkerOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
    // Progress goes to everyone listening: the API, the panel, a CLI waiting for the plan.
    const report = context.onProgress;
    context.onProgress = (progress) => {
      report?.(progress);
      void bus.publish(PLAN_PROGRESS_TOPIC, progress).catch(() => undefined);
    };
  }

  async start(): Promise<void> {
    this.subscription = await this.bus.consume<StartPlanJob>(START_PLAN_QUEUE, async (job, delivery) => {
      const planId = job.payload?.plan_id;
      if (typeof planId !== 'string') {
        delivery.reject('the job has no plan_id');
        return;
      }
      const stopAt = job.payload.stop_new_waves_at ? Date.parse(job.payload.stop_new_waves_at) : undefined;
      // Acknowledged once claimed: the lease, not the broker, keeps the plan from being lost.
      const claimed = await this.claim(planId);
      delivery.ack();
      if (claimed) await this.run(planId, stopAt);
    }, { prefetch: 1 });
    await this.sweep();
    this.sweeper = setInterval(() => { void this.sweep(); }, this.options.sweepMs ?? Math.max(5_000, this.leaseMs / 2));
    this.sweeper.unref?.();
  }

  /** Stops taking work; waits for running plans to reach a safe point (their current wave). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await this.subscription?.close();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Plans ONGOING without a live applier: resume them. */
  async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      for (const plan of await this.context.repositories.actionPlans.unclaimedRunning()) {
        if (this.running.has(plan.id)) continue;
        if (await this.claim(plan.id)) {
          this.context.logger.info({ plan: plan.id }, 'resuming an action plan whose applier stopped');
          void this.run(plan.id);
        }
      }
    } catch (error) {
      this.context.logger.error({ error: (error as Error).message }, 'sweep for unclaimed plans failed');
    }
  }

  private claim(planId: string): Promise<boolean> {
    return this.context.repositories.actionPlans.claim(planId, this.options.holder, new Date(this.context.clock.now() + this.leaseMs));
  }

  private run(planId: string, stopNewWavesAt?: number): Promise<void> {
    const renew = setInterval(() => { void this.claim(planId); }, Math.max(1_000, this.leaseMs / 3));
    renew.unref?.();
    const work = (async () => {
      try {
        await executePlan(this.context, planId, { stopNewWavesAt });
      } catch (error) {
        if (error instanceof PlanNotStartable) this.context.logger.warn({ plan: planId }, error.message);
        else this.context.logger.error({ plan: planId, error: (error as Error).message }, 'action plan execution stopped by an error; it will be resumed');
      } finally {
        clearInterval(renew);
        this.running.delete(planId);
      }
      const plan = await this.context.repositories.actionPlans.get(planId).catch(() => null);
      if (plan && (plan.state === 'ONGOING' || plan.state === 'CANCELLING')) {
        // Interrupted (database or cloud unreachable): leave the lease to expire, the sweep resumes it.
        return;
      }
      await this.context.repositories.actionPlans.release(planId, this.options.holder).catch(() => undefined);
      await this.bus.publish(PLAN_FINISHED_TOPIC, { plan_id: planId, state: plan?.state ?? 'unknown' }).catch(() => undefined);
      await this.options.onFinished?.(planId);
    })();
    this.running.set(planId, work);
    return work;
  }
}
