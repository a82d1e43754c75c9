// Executes an approved action plan wave by wave: re-checks each wave against fresh state,
// journals every action before and after it touches Nova, stops safely at the first failed
// action (hosts still to be emptied stay enabled), and on a restart reconciles in-flight
// actions with Nova and carries on, never repeating or losing a migration.
import { outcomeOf, type ActionState } from '../../core/plan/states.js';
import type { ActionPlanRecord, ActionRecord, Repositories } from '../db/index.js';
import type { ComputeOperations } from './compute.js';
import { disableHost, powerOffHost } from './maintenance.js';
import { reconcileMigration, runMigration, type MigrationOutcome } from './migration.js';
import type { PowerDriver, PowerHost } from '../../core/power.js';

export interface ApplierSettings {
  /** Live migrations running at once (also bounded by the plan's waves). */
  maxParallelMigrations: number;
  /** Live migrations out of one host at once: nova.conf max_concurrent_live_migrations (Nova queues the rest). */
  maxPerSourceHost: number;
  migrationTimeoutMs: number;
  pollIntervalMs: number;
  /** How long a powered-on host may take until its nova-compute service reports up. */
  serviceUpTimeoutMs: number;
  /** How long a live migration Nova's scheduler refuses with "No valid host" is tried again. */
  noValidHostRetryMs: number;
}

export const DEFAULT_APPLIER_SETTINGS: ApplierSettings = {
  maxParallelMigrations: 4, maxPerSourceHost: 1, migrationTimeoutMs: 600_000, pollIntervalMs: 2000, serviceUpTimeoutMs: 600_000, noValidHostRetryMs: 150_000,
};

export interface ApplierLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ApplierClock {
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

export const systemApplierClock: ApplierClock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/** Progress of a running plan, for the CLI, the panel and the bus. */
export interface PlanProgress {
  planId: string;
  state: string;
  wave: number | null;
  waves: number;
  counts: Record<ActionState, number>;
  /** Live migrations in flight. */
  transfers: { server: string; source: string; destination: string }[];
  message: string;
}

export interface ApplierContext {
  repositories: Pick<Repositories, 'actionPlans' | 'actions' | 'hostStates'>;
  compute: ComputeOperations;
  power: PowerDriver;
  /** Per-host power settings (BMC address...); by default just the name. */
  powerHost?: (host: string) => PowerHost;
  logger: ApplierLogger;
  clock: ApplierClock;
  settings: ApplierSettings;
  onProgress?: (progress: PlanProgress) => void;
}

export interface ExecuteOptions {
  /** No wave starts at or after this instant (a power-saving window is about to close). */
  stopNewWavesAt?: number;
}

/** A plan that may not start: stale, or in a state from which it cannot run. */
export class PlanNotStartable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanNotStartable';
  }
}

export async function executePlan(context: ApplierContext, planId: string, options: ExecuteOptions = {}): Promise<ActionPlanRecord> {
  const { repositories, logger } = context;
  let plan = await repositories.actionPlans.get(planId);
  if (plan.state === 'APPROVED') {
    if (plan.stale) throw new PlanNotStartable(`action plan ${planId} is stale (${plan.staleReason ?? 'the cloud changed since it was made'}); make a new audit instead`);
    plan = await repositories.actionPlans.updateState(planId, 'ONGOING', { from: ['APPROVED'] });
    logger.info({ plan: planId }, 'action plan started');
  } else if (plan.state === 'ONGOING' || plan.state === 'CANCELLING') {
    logger.info({ plan: planId, state: plan.state }, 'resuming action plan');
  } else {
    throw new PlanNotStartable(`action plan ${planId} is ${plan.state}: only an APPROVED plan starts (or an ONGOING one resumes)`);
  }

  // Actions in flight when a previous applier stopped: settle them against Nova first.
  for (const action of await repositories.actions.list({ actionPlanId: planId, states: ['ONGOING'] })) {
    await settleInFlight(context, plan, action);
  }

  const waves = [...new Set((await repositories.actions.list({ actionPlanId: planId })).map((action) => action.wave))].sort((a, b) => a - b);
  for (const wave of waves) {
    const pending = await repositories.actions.list({ actionPlanId: planId, wave, states: ['PENDING'] });
    if (!pending.length) continue;
    plan = await repositories.actionPlans.get(planId);
    if (plan.state === 'CANCELLING') return finishCancelled(context, planId, 'cancelled by an operator');
    if (options.stopNewWavesAt !== undefined && context.clock.now() >= options.stopNewWavesAt) {
      await repositories.actionPlans.updateState(planId, 'CANCELLING', { from: ['ONGOING'] });
      return finishCancelled(context, planId, 'the power-saving window is closing: no new wave starts');
    }
    await runWave(context, plan, wave, pending, waves.length);
    const failed = (await repositories.actions.list({ actionPlanId: planId, wave, states: ['FAILED'] }));
    if (failed.length) {
      const reason = `stopped after wave ${wave}: ${failed.map((action) => `${describe(action)} failed: ${action.error ?? 'no reason given'}`).join('; ')}`;
      await repositories.actions.cancelPending(planId, 'not started: an earlier action failed and the plan stopped');
      const finished = await repositories.actionPlans.updateState(planId, 'FAILED', { failureReason: reason });
      logger.error({ plan: planId, wave, failed: failed.length }, 'action plan failed; hosts still to be emptied stay enabled');
      await report(context, planId, waves.length, null, 'failed');
      return finished;
    }
  }
  const states = (await repositories.actions.list({ actionPlanId: planId })).map((action) => action.state);
  plan = await repositories.actionPlans.get(planId);
  const cancelled = plan.state === 'CANCELLING';
  const outcome = outcomeOf(states, cancelled);
  const skipped = states.filter((state) => state === 'SKIPPED').length;
  const finished = await repositories.actionPlans.updateState(planId, outcome, {
    ...(outcome === 'FAILED' ? { failureReason: 'an action failed' } : {}),
    ...(outcome === 'SUCCEEDED' && skipped ? { failureReason: `${skipped} action(s) skipped; see their reasons` } : {}),
  });
  logger.info({ plan: planId, state: outcome, skipped }, 'action plan finished');
  await report(context, planId, waves.length, null, outcome.toLowerCase());
  return finished;
}

async function finishCancelled(context: ApplierContext, planId: string, why: string): Promise<ActionPlanRecord> {
  await context.repositories.actions.cancelPending(planId, why);
  const finished = await context.repositories.actionPlans.updateState(planId, 'CANCELLED', { failureReason: why });
  context.logger.warn({ plan: planId }, `action plan cancelled: ${why}`);
  return finished;
}

function describe(action: ActionRecord): string {
  return action.type === 'live_migrate'
    ? `live migration of ${action.serverName ?? action.server} from ${action.source} to ${action.destination}`
    : `${action.type.replace('_', ' ')} of ${action.host}`;
}

async function runWave(context: ApplierContext, plan: ActionPlanRecord, wave: number, actions: ActionRecord[], waves: number): Promise<void> {
  const migrations = actions.filter((action) => action.type === 'live_migrate');
  const maintenance = actions.filter((action) => action.type !== 'live_migrate');
  await report(context, plan.id, waves, wave, `wave ${wave}: ${migrations.length} live migration(s), ${maintenance.length} host action(s)`);

  const waiting = await recheckWave(context, migrations);
  const inFlight = new Map<string, ActionRecord>();
  // Never more out of one host than its nova-compute runs at once: Nova would only queue them,
  // and a queued migration's timeout would measure waiting, not the migration.
  const outOf = new Map<string, number>();
  const nextStartable = () => waiting.findIndex((action) => (outOf.get(action.source!) ?? 0) < context.settings.maxPerSourceHost);
  const sleeping = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...sleeping]) wake();
    sleeping.clear();
  };
  const worker = async () => {
    for (;;) {
      const index = nextStartable();
      if (index < 0) {
        if (!waiting.length) return;
        // Another worker's migration out of the same host is running: wait for one to end.
        await new Promise<void>((resolve) => sleeping.add(resolve));
        continue;
      }
      const [action] = waiting.splice(index, 1);
      outOf.set(action.source!, (outOf.get(action.source!) ?? 0) + 1);
      inFlight.set(action.id, action);
      try {
        await report(context, plan.id, waves, wave, `migrating ${action.serverName ?? action.server}`, inFlight);
        logOutcome(context, action, await runMigration(context, action));
      } finally {
        inFlight.delete(action.id);
        outOf.set(action.source!, outOf.get(action.source!)! - 1);
        wakeAll();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(context.settings.maxParallelMigrations, waiting.length)) }, worker));

  // Hosts are put into maintenance only after the migrations of the wave are done and only if
  // no migration failed: a failure stops the plan with every remaining host enabled.
  const failed = await context.repositories.actions.list({ actionPlanId: plan.id, wave, states: ['FAILED'] });
  if (failed.length) return;
  for (const action of maintenance.filter((candidate) => candidate.type === 'disable_compute')) await disableHost(context, plan, action);
  for (const action of maintenance.filter((candidate) => candidate.type === 'power_off')) await powerOffHost(context, plan, action);
  await report(context, plan.id, waves, wave, `wave ${wave} done`);
}

/**
 * The wave against the cloud as it is now: a move whose server left its source, stopped, or
 * whose destination was disabled or filled meanwhile is skipped with the reason, not forced.
 */
async function recheckWave(context: ApplierContext, migrations: ActionRecord[]): Promise<ActionRecord[]> {
  const { compute, repositories } = context;
  const valid: ActionRecord[] = [];
  const incoming = new Map<string, { vcpus: number; memoryMb: number; diskGb: number }>();
  const rooms = new Map<string, Awaited<ReturnType<ComputeOperations['roomOn']>>>();
  const services = new Map<string, Awaited<ReturnType<ComputeOperations['computeService']>>>();
  for (const action of migrations) {
    const server = action.server!;
    const location = await compute.serverLocation(server);
    let why: string | null = null;
    if (!location) why = 'the server no longer exists';
    else if (location.host === action.destination) why = `already on ${action.destination}`;
    else if (location.host !== action.source) why = `the server is on ${location.host ?? 'no host'}, not on ${action.source}`;
    else if (location.status !== 'ACTIVE' && location.status !== 'PAUSED') why = `the server is ${location.status}: only ACTIVE or PAUSED servers live-migrate`;
    else if (location.taskState) why = `the server is busy (${location.taskState})`;
    if (!why) {
      const destination = action.destination!;
      if (!services.has(destination)) services.set(destination, await compute.computeService(destination));
      const service = services.get(destination);
      if (!service) why = `destination ${destination} has no nova-compute service`;
      else if (!service.enabled) why = `destination ${destination} was disabled meanwhile (${service.disabledReason ?? 'no reason given'})`;
      else if (!service.up) why = `destination ${destination}'s nova-compute is down`;
    }
    if (!why && location?.flavor) {
      const destination = action.destination!;
      if (!rooms.has(destination)) rooms.set(destination, await compute.roomOn(destination));
      const room = rooms.get(destination);
      const wanted = incoming.get(destination) ?? { vcpus: 0, memoryMb: 0, diskGb: 0 };
      const after = { vcpus: wanted.vcpus + location.flavor.vcpus, memoryMb: wanted.memoryMb + location.flavor.memoryMb, diskGb: wanted.diskGb + location.flavor.diskGb };
      if (room && (after.vcpus > room.vcpus || after.memoryMb > room.memoryMb || after.diskGb > room.diskGb)) {
        why = `destination ${destination} has no room for it now in Placement (free: ${room.vcpus} VCPU, ${room.memoryMb} MEMORY_MB, ${room.diskGb} DISK_GB)`;
      } else {
        incoming.set(destination, after);
      }
    }
    if (why) {
      await repositories.actions.skip(action.id, why);
      context.logger.warn({ action: action.id, server }, `live migration skipped: ${why}`);
    } else {
      valid.push(action);
    }
  }
  return valid;
}

/** An action that was ONGOING when the previous applier stopped. */
async function settleInFlight(context: ApplierContext, plan: ActionPlanRecord, action: ActionRecord): Promise<void> {
  if (action.type === 'live_migrate') {
    const outcome = await reconcileMigration(context, action);
    logOutcome(context, action, outcome);
    return;
  }
  if (action.type === 'disable_compute') await disableHost(context, plan, action, { resuming: true });
  else if (action.type === 'power_off') await powerOffHost(context, plan, action, { resuming: true });
}

function logOutcome(context: ApplierContext, action: ActionRecord, outcome: MigrationOutcome): void {
  const fields = { action: action.id, server: action.server, source: action.source, destination: action.destination, migration: outcome.migrationId };
  if (outcome.state === 'SUCCEEDED') context.logger.info(fields, 'live migration verified');
  else context.logger.error({ ...fields, reason: outcome.error }, 'live migration failed');
}

async function report(context: ApplierContext, planId: string, waves: number, wave: number | null, message: string, inFlight?: Map<string, ActionRecord>): Promise<void> {
  if (!context.onProgress) return;
  const plan = await context.repositories.actionPlans.get(planId);
  const counts = { PENDING: 0, ONGOING: 0, SUCCEEDED: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 0 } as Record<ActionState, number>;
  for (const action of await context.repositories.actions.list({ actionPlanId: planId })) counts[action.state]++;
  context.onProgress({
    planId, state: plan.state, wave, waves, counts, message,
    transfers: [...(inFlight?.values() ?? [])].map((action) => ({ server: action.serverName ?? action.server!, source: action.source!, destination: action.destination! })),
  });
}
