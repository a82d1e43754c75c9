// The scheduler's part for scheduled maintenances: at each tick, every maintenance not ended
// moves on from the state its record holds (never from memory, so a restarted scheduler resumes
// where the last one stopped): start the drain early enough, power off at the time when asked,
// bring the hosts back at the end. A state is written only once what it claims has happened.
import { MAINTENANCE_STATES, type MaintenanceState } from '../../core/maintenance/states.js';
import { StateConflict } from '../../core/plan/states.js';
import type { MaintenanceChanges, MaintenanceRecord } from '../db/index.js';
import type { Runtime } from '../runtime.js';


const PLAN_RUNNING = ['RECOMMENDED', 'APPROVED', 'ONGOING', 'CANCELLING'];

export class MaintenanceRunner {
  /** Maintenances being moved on by this process: a slow step never runs twice at once. */
  private readonly busy = new Map<string, Promise<void>>();
  /** The last error of each maintenance's step, for the reason it fails with. */
  private readonly lastError = new Map<string, string>();

  constructor(private readonly runtime: Pick<Runtime, 'repositories' | 'engine' | 'logger'>) {}

  /** Looks at every maintenance not ended; each moves on in the background. */
  async tick(now: number): Promise<void> {
    for (const record of await this.runtime.repositories.maintenances.list({ active: true })) {
      if (this.busy.has(record.id)) continue;
      const step = this.advance(record, now)
        .catch((error) => {
          // Another process won a transition: its record is the truth, looked at again next tick.
          if (error instanceof StateConflict) return;
          this.lastError.set(record.id, (error as Error).message);
          this.runtime.logger.error({ maintenance: record.id, error: (error as Error).message }, 'maintenance step failed; it is tried again');
        })
        .finally(() => this.busy.delete(record.id));
      this.busy.set(record.id, step);
    }
  }

  /** Resolves when the steps started by earlier ticks are over (tests, and stopping cleanly). */
  async settled(): Promise<void> {
    await Promise.all([...this.busy.values()]);
  }

  private move(record: MaintenanceRecord, to: MaintenanceState, changes: MaintenanceChanges = {}): Promise<MaintenanceRecord> {
    this.runtime.logger.info({ maintenance: record.id, hosts: record.hosts, from: record.state, to, ...(changes.failureReason ? { reason: changes.failureReason } : {}) }, 'maintenance moves on');
    return this.runtime.repositories.maintenances.updateState(record.id, to, { ...changes, from: [record.state] });
  }

  private async plan(id: string) {
    return this.runtime.repositories.actionPlans.get(id).catch(() => null);
  }

  /** One or more steps from the stored state, as far as `now` allows. */
  async advance(start: MaintenanceRecord, now: number): Promise<void> {
    let record = start;
    const until = record.until === null ? Infinity : Date.parse(record.until);
    const at = Date.parse(record.at);
    for (let steps = 0; steps < MAINTENANCE_STATES.length; steps++) {
      const before = record.state;
      switch (record.state) {
        case 'SCHEDULED':
          if (now >= until) {
            record = await this.move(record, 'FAILED', { failureReason: `no scheduler ran between ${record.drainStartsAt} and ${record.until}: nothing was done, the hosts stayed in service` });
          } else if (now >= Date.parse(record.drainStartsAt)) {
            record = await this.move(record, 'DRAINING');
            record = await this.startDrain(record);
          }
          break;
        case 'DRAINING': {
          if (!record.drainPlanId) {
            // Claimed, but the drain never started (a restart, or the cloud refused): again, until its time.
            if (now >= at) record = await this.move(record, 'FAILED', { failureReason: `the drain could not be started before ${record.at}${this.lastError.has(record.id) ? ` (${this.lastError.get(record.id)})` : ''}; the hosts stay in service` });
            else record = await this.startDrain(record);
            break;
          }
          const drain = await this.plan(record.drainPlanId);
          if (drain?.state === 'SUCCEEDED') record = await this.move(record, record.powerOff ? 'DRAINED' : 'IN_MAINTENANCE');
          else if (!drain || !PLAN_RUNNING.includes(drain.state)) {
            record = await this.move(record, 'FAILED', { failureReason: `drain plan ${record.drainPlanId} ended ${drain?.state ?? 'deleted'}${drain?.failureReason ? `: ${drain.failureReason}` : ''}; the hosts stay in service` });
          } else if (now >= at) {
            this.runtime.logger.warn({ maintenance: record.id, hosts: record.hosts, at: record.at }, 'maintenance time reached while the drain still runs');
          }
          break;
        }
        case 'DRAINED':
          if (now >= until) record = await this.restore(await this.move(record, 'RESTORING'));
          else if (now >= at) record = await this.powerOff(await this.move(record, 'POWERING_OFF'));
          break;
        case 'POWERING_OFF': {
          if (!record.powerOffPlanId) { record = await this.powerOff(record); break; }
          const powerOff = await this.plan(record.powerOffPlanId);
          if (powerOff?.state === 'SUCCEEDED') record = await this.move(record, 'IN_MAINTENANCE');
          else if (!powerOff || !PLAN_RUNNING.includes(powerOff.state)) {
            record = await this.move(record, 'FAILED', { failureReason: `power-off plan ${record.powerOffPlanId} ended ${powerOff?.state ?? 'deleted'}${powerOff?.failureReason ? `: ${powerOff.failureReason}` : ''}; the hosts stay empty and disabled (ulm host undrain brings them back)` });
          }
          break;
        }
        case 'IN_MAINTENANCE':
          if (now >= until) record = await this.restore(await this.move(record, 'RESTORING'));
          else if (await this.broughtBackByHand(record)) record = await this.move(record, 'DONE');
          break;
        case 'RESTORING': {
          if (!record.restorePlanId) { record = await this.restore(record); break; }
          const restore = await this.plan(record.restorePlanId);
          if (restore?.state === 'SUCCEEDED') {
            const stillHeld = await this.heldHosts(record);
            record = await this.move(record, stillHeld.length ? 'FAILED' : 'DONE', stillHeld.length ? { failureReason: `restore plan ${record.restorePlanId} succeeded but ${stillHeld.join(', ')} ${stillHeld.length === 1 ? 'is' : 'are'} still disabled by ulm (ulm host undrain)` } : {});
          }
          else if (!restore || !PLAN_RUNNING.includes(restore.state)) {
            record = await this.move(record, 'FAILED', { failureReason: `restore plan ${record.restorePlanId} ended ${restore?.state ?? 'deleted'}${restore?.failureReason ? `: ${restore.failureReason}` : ''}; hosts not restored stay disabled (ulm host undrain)` });
          }
          break;
        }
        default:
          return;
      }
      if (record.state === before) return;
    }
  }

  /** Plans and starts the drain; a drain that cannot be planned fails the maintenance, hosts in service. */
  private async startDrain(record: MaintenanceRecord): Promise<MaintenanceRecord> {
    const outcome = await this.runtime.engine.drainHosts(record.hosts, { dryRun: false });
    if (!outcome.action_plan || outcome.audit.state === 'FAILED') {
      return this.move(record, 'FAILED', { failureReason: `the drain could not be planned: ${outcome.audit.failure_reason ?? 'no action plan'} (audit ${outcome.audit.id}); the hosts stay in service` });
    }
    return this.runtime.repositories.maintenances.update(record.id, { drainPlanId: outcome.action_plan.id });
  }

  private async powerOff(record: MaintenanceRecord): Promise<MaintenanceRecord> {
    try {
      const plan = await this.runtime.engine.powerOffHosts(record.hosts);
      if (plan) return await this.runtime.repositories.maintenances.update(record.id, { powerOffPlanId: plan.id });
      // No plan: nothing left to power off, or nothing ulm can power off; the record says which.
      const states = await this.runtime.repositories.hostStates.list();
      if (record.hosts.every((host) => states.some((state) => state.host === host && state.poweredOff))) return this.move(record, 'IN_MAINTENANCE');
      throw new Error('ulm made no power-off plan for them (is [power] driver none?)');
    } catch (error) {
      if (error instanceof StateConflict) throw error;
      return this.move(record, 'FAILED', { failureReason: `the hosts could not be powered off: ${(error as Error).message}; they stay empty and disabled (ulm host undrain brings them back)` });
    }
  }

  /** Undrain makes a restore plan the applier runs; with none, the hosts must be in service already. */
  private async restore(record: MaintenanceRecord): Promise<MaintenanceRecord> {
    const outcome = await this.runtime.engine.undrainHosts(record.hosts, { rebalance: false });
    if (outcome.action_plan) return this.runtime.repositories.maintenances.update(record.id, { restorePlanId: outcome.action_plan.id });
    // No plan: every host is in service already (an operator brought it back), or ulm left it alone.
    const failed = outcome.results.filter((result) => record.hosts.includes(result.host) && !result.restored);
    if (failed.length) return this.move(record, 'FAILED', { failureReason: `not restored: ${failed.map((result) => `${result.host} (${result.detail})`).join('; ')}` });
    return this.move(record, 'DONE');
  }

  /** Those of the hosts that ulm holds disabled, as its records say. */
  private async heldHosts(record: MaintenanceRecord): Promise<string[]> {
    const held = new Set((await this.runtime.repositories.hostStates.list()).filter((state) => state.disabled).map((state) => state.host));
    return record.hosts.filter((host) => held.has(host));
  }

  /** True when none of the hosts is held by ulm any more: an operator brought them back. */
  private async broughtBackByHand(record: MaintenanceRecord): Promise<boolean> {
    return (await this.heldHosts(record)).length === 0;
  }
}
