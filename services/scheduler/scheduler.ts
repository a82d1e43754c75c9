// ulm-scheduler: power-saving windows, and scheduled maintenances of hosts (maintenances.ts).
// One active leader (a database lock, never a home-made election) opens windows when they open:
// audit, plan, and apply when the window says so, with no wave starting after the window's stop
// time; before the close it restores the hosts through a restore plan the applier runs (power
// on, nova-compute up, enable, optionally spread back) and records the savings. Each opening is claimed once in the database, so a
// restart or a second scheduler never runs it twice.
import { occurrenceAt, type WindowOccurrence } from '../../core/policy/power-saving-window.js';
import { AlreadyExists, createLeaderLock, keepLeading, type LeaderLock, type Leadership, type SavingsRecord, type WindowRecord } from '../db/index.js';
import { isFinalPlanState, RUNNING_PLAN_STATES } from '../../core/plan/states.js';
import { datesOf } from '../clock.js';
import type { Runtime } from '../runtime.js';
import { MaintenanceRunner } from './maintenances.js';
import { RetentionPurge } from './purge.js';

export interface SchedulerOptions {
  tickSeconds?: number;
}

export class WindowScheduler {
  private lock: LeaderLock | null = null;
  private leadership: Leadership | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking: Promise<void> | null = null;
  private readonly restoring = new Set<string>();
  /** Scheduled maintenances of hosts (services/scheduler/maintenances.ts). */
  readonly maintenances: MaintenanceRunner;
  /** Once a day, rows older than [database] retention_days go (services/scheduler/purge.ts). */
  readonly retention: RetentionPurge;

  constructor(private readonly runtime: Runtime, private readonly options: SchedulerOptions = {}) {
    this.maintenances = new MaintenanceRunner(runtime);
    this.retention = new RetentionPurge(runtime);
  }

  private get tickSeconds(): number {
    return this.options.tickSeconds ?? this.runtime.config.scheduler.tick_seconds;
  }

  async start(): Promise<void> {
    const { config, database, logger } = this.runtime;
    this.lock = createLeaderLock(database, { name: config.scheduler.leader_lock_name, holder: this.runtime.holder, leaseSeconds: config.scheduler.leader_lease_seconds, clock: datesOf(this.runtime.clock) });
    this.leadership = keepLeading(this.lock, {
      intervalSeconds: this.tickSeconds,
      onChange: (leading) => {
        this.runtime.schedulerLeader.leading = leading;
        logger.info({ holder: this.runtime.holder }, leading ? 'this scheduler leads' : 'this scheduler stands by');
        if (leading) this.tickSoon();
      },
      onError: (error) => logger.error({ error: (error as Error).message }, 'leader lock'),
    });
    this.timer = setInterval(() => this.tickSoon(), this.tickSeconds * 1000);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await this.maintenances.settled();
    await this.leadership?.stop();
    await this.lock?.close();
    this.runtime.schedulerLeader.leading = false;
  }

  private tickSoon(): void {
    if (this.ticking || !this.runtime.schedulerLeader.leading) return;
    this.ticking = this.tick(this.runtime.clock.now())
      .catch((error) => this.runtime.logger.error({ error: (error as Error).message }, 'scheduler tick failed'))
      .finally(() => { this.ticking = null; });
  }

  /** One look at every enabled window at `now` (exposed for tests with an injected clock). */
  async tick(now: number): Promise<void> {
    const { repositories } = this.runtime;
    await this.maintenances.tick(now);
    // A failed purge is logged and tried again a day later; it never holds up the windows.
    await this.retention.tick(now).catch((error) => this.runtime.logger.error({ error: (error as Error).message }, 'retention purge failed'));
    for (const window of await repositories.windows.list({ enabled: true })) {
      const open = occurrenceAt(window.window, now);
      const runs = await repositories.savings.list({ windowId: window.id });
      // Runs whose window closed without a restore (the scheduler was down): restore now.
      for (const run of runs) {
        if (run.periodEnd === null && (!open || run.periodStart !== new Date(open.opensAt).toISOString())) this.restoreSoon(window, run, now);
      }
      if (!open) continue;
      const run = runs.find((candidate) => candidate.periodStart === new Date(open.opensAt).toISOString());
      if (!run) await this.openWindow(window, open, now);
      else if (run.periodEnd === null && now >= open.restoreAt) this.restoreSoon(window, run, now);
    }
  }

  private async openWindow(window: WindowRecord, occurrence: WindowOccurrence, now: number): Promise<void> {
    const { repositories, engine, logger, config } = this.runtime;
    const missedBy = now - occurrence.opensAt;
    const catchUp = window.window.missed ?? (config.scheduler.misfire_policy === 'skip' ? 'skip' : 'catch_up');
    // Missed while no scheduler ran: caught up (if the window still has time for waves) or skipped.
    const late = missedBy > config.scheduler.misfire_grace_seconds * 1000 && catchUp === 'skip';
    let run: SavingsRecord;
    try {
      // The claim: one row per opening, unique in the database.
      run = await repositories.savings.create({ windowId: window.id, periodStart: new Date(occurrence.opensAt).toISOString() });
    } catch (error) {
      if (error instanceof AlreadyExists) return;
      throw error;
    }
    if (late || now >= occurrence.stopNewWavesAt) {
      await repositories.savings.update(run.id, { periodEnd: new Date(now).toISOString() });
      logger.warn({ window: window.name, opened: new Date(occurrence.opensAt).toISOString() }, late ? 'window opening missed while no scheduler ran; skipped' : 'window opened too late to start waves; skipped');
      return;
    }
    logger.info({ window: window.name, key: occurrence.key }, 'power-saving window opens');
    const autoApply = window.window.auto_apply === true;
    const outcome = await engine.createAudit({ policy: window.policyId, triggered_by: 'window', window_id: window.id, approve: autoApply });
    if (!outcome.action_plan) {
      logger.warn({ window: window.name, reason: outcome.audit.failure_reason }, 'window audit made no plan');
      return;
    }
    await repositories.savings.setActionPlan(run.id, outcome.action_plan.id);
    if (autoApply && outcome.action_plan.progress.counts.PENDING > 0) {
      await engine.startActionPlan(outcome.action_plan.id, { stop_new_waves_at: new Date(occurrence.stopNewWavesAt).toISOString() });
    }
  }

  private restoreSoon(window: WindowRecord, run: SavingsRecord, now: number): void {
    if (this.restoring.has(run.id)) return;
    this.restoring.add(run.id);
    void this.restore(window, run, now)
      .catch((error) => this.runtime.logger.error({ window: window.name, error: (error as Error).message }, 'restore failed; it is tried again'))
      .finally(() => this.restoring.delete(run.id));
  }

  /**
   * Before the close: stop the window's plan, bring its hosts back through a restore plan the
   * applier runs, and once that has ended record what the night saved. Each tick takes the next
   * step from what the database says, so a restarted scheduler follows the same restore plan
   * instead of starting another, and the applier goes on with it while no scheduler runs.
   */
  private async restore(window: WindowRecord, run: SavingsRecord, now: number): Promise<void> {
    const { repositories, engine, logger } = this.runtime;
    if (run.actionPlanId) {
      const plan = await repositories.actionPlans.get(run.actionPlanId).catch(() => null);
      if (plan && ['RECOMMENDED', 'APPROVED', 'ONGOING'].includes(plan.state)) {
        logger.info({ window: window.name, plan: plan.id }, 'power-saving window closing: stopping its plan');
        await engine.cancelActionPlan(plan.id);
      }
      // A running plan starts nothing more; its migrations in flight end before its hosts come back.
      if (plan && RUNNING_PLAN_STATES.includes((await repositories.actionPlans.get(plan.id)).state)) return;
    }
    const restorePlan = run.restorePlanId ? await repositories.actionPlans.get(run.restorePlanId).catch(() => null) : null;
    if (!restorePlan) {
      const held = (await repositories.hostStates.list()).filter((record) => record.disabled && run.actionPlanId && record.actionPlanId === run.actionPlanId);
      if (held.length) {
        logger.info({ window: window.name, hosts: held.map((record) => record.host) }, 'power-saving window closing: restoring its hosts');
        const outcome = await engine.undrainHosts(held.map((record) => record.host), { rebalance: window.window.rebalance_on_restore === true });
        if (outcome.action_plan) {
          await repositories.savings.setRestorePlan(run.id, outcome.action_plan.id);
          return;
        }
        const left = outcome.results.filter((result) => !result.restored);
        if (left.length) logger.error({ window: window.name, hosts: left.map((result) => `${result.host}: ${result.detail}`) }, 'hosts not restored');
      }
    } else if (!isFinalPlanState(restorePlan.state)) {
      return;
    } else if (restorePlan.state !== 'SUCCEEDED') {
      logger.error({ window: window.name, plan: restorePlan.id, state: restorePlan.state, reason: restorePlan.failureReason }, 'the window\'s restore plan did not succeed: hosts may still be in maintenance (ulm host list)');
    }
    const figures = await this.savedBy(run, restorePlan?.id ?? null);
    await repositories.savings.update(run.id, { periodEnd: new Date(Math.max(this.runtime.clock.now(), now)).toISOString(), ...figures });
    logger.info({ window: window.name, hosts_off: figures.hostsOff, host_hours_off: figures.hostHoursOff, energy_kwh: figures.energyKwh }, 'power-saving window restored');
  }

  /**
   * What the night saved, from real transitions only: a host counts from its verified power-off
   * to its verified power-on (or now); a host left on (driver none, a skipped power-off) saved nothing.
   */
  private async savedBy(run: SavingsRecord, restorePlanId: string | null): Promise<{ hostsOff: number; hostHoursOff: number; energyKwh: number }> {
    const { repositories, config, clock } = this.runtime;
    if (!run.actionPlanId) return { hostsOff: 0, hostHoursOff: 0, energyKwh: 0 };
    const offs = (await repositories.actions.list({ actionPlanId: run.actionPlanId, states: ['SUCCEEDED'] })).filter((action) => action.type === 'power_off' && action.finishedAt);
    const ons = restorePlanId ? (await repositories.actions.list({ actionPlanId: restorePlanId, states: ['SUCCEEDED'] })).filter((action) => action.type === 'power_on' && action.finishedAt) : [];
    const snapshot = await repositories.snapshots.latest();
    const wattsOf = (host: string) => snapshot?.document.hosts.find((candidate) => candidate.name === host)?.power?.idle_watts ?? config.power.idle_watts;
    let hostHours = 0;
    let energy = 0;
    for (const off of offs) {
      const on = ons.find((candidate) => candidate.host === off.host);
      const hours = Math.max(0, ((on ? Date.parse(on.finishedAt!) : clock.now()) - Date.parse(off.finishedAt!)) / 3_600_000);
      hostHours += hours;
      energy += hours * wattsOf(off.host!) / 1000;
    }
    return { hostsOff: offs.length, hostHoursOff: Math.round(hostHours * 1000) / 1000, energyKwh: Math.round(energy * 1000) / 1000 };
  }
}
