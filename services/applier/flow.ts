// Runs a plan's pending actions, each as soon as the actions it waits for have ended
// (core/plan/dependencies.ts: on every host and server, the waves' order) and a migration slot
// is free: at most [applier] max_parallel_migrations at once (never more than the plan's largest
// wave, which keeps the policy's limit), never more on one host than the plan has in one wave
// (the policy's max_parallel_per_host), and never more out of one host than its nova-compute
// runs. A live migration's slot is free once Nova reports it completed, while its effect is
// being verified: Nova's work for it is over. The actions that wait for it still wait for the
// verification. A failure or a cancel stops new work at once, in this wave or any other; actions
// in flight end first, and so does every action before an error is passed on, since one left
// running after its executor gave up would race the executor that resumes the plan.
import { migrationsPerHostLimit, stepDependencies } from '../../core/plan/dependencies.js';
import type { ActionPlanRecord, ActionRecord } from '../db/index.js';
import { actionKindOf } from './actions/registry.js';
import type { Outcome } from './actions/kind.js';
import { runAction } from './actions/run.js';
import { crashPoint } from './crash-points.js';
import type { PlanRun } from './plan-run.js';
import { reportProgress } from './progress.js';

export interface FlowOptions {
  /** No wave starts at or after this instant (a power-saving window is about to close). */
  stopNewWavesAt?: number;
}

/**
 * `done`: every pending action ran; `stopped`: a failure or a cancel stopped new work; `closing`:
 * the actions left belong to waves that may no longer start.
 */
export type FlowEnd = 'done' | 'stopped' | 'closing';

const count = (actions: ActionRecord[], noun: string) => `${actions.length} ${noun}(s)`;

export async function runFlow(run: PlanRun, plan: ActionPlanRecord, actions: ActionRecord[], options: FlowOptions = {}): Promise<FlowEnd> {
  const { context } = run;
  const { settings, clock } = context;
  const waits = stepDependencies(actions);
  const waves = new Set(actions.map((action) => action.wave)).size;
  const unfinished = new Set(actions.flatMap((action, index) => (action.state === 'PENDING' || action.state === 'ONGOING' ? [index] : [])));
  const pending = actions.flatMap((action, index) => (action.state === 'PENDING' ? [index] : []));
  const startedWaves = new Set(actions.filter((action) => action.state !== 'PENDING').map((action) => action.wave));
  const leftInWave = new Map<number, number>();
  for (const index of unfinished) leftInWave.set(actions[index].wave, (leftInWave.get(actions[index].wave) ?? 0) + 1);
  const migrationsPerWave = new Map<number, number>();
  for (const action of actions) if (action.type === 'live_migrate') migrationsPerWave.set(action.wave, (migrationsPerWave.get(action.wave) ?? 0) + 1);
  const slots = Math.max(1, Math.min(settings.maxParallelMigrations, Math.max(0, ...migrationsPerWave.values())));
  const perHost = migrationsPerHostLimit(actions);

  const running = new Map<number, Promise<void>>();
  /** Live migrations in flight whose slot is taken: Nova has not reported them over. */
  const inSlot = new Set<number>();
  const outOf = new Map<string, number>();
  /** Migrations in flight with the host as source or destination. */
  const onHost = new Map<string, number>();
  let migrating = 0;
  let broken: { error: unknown } | undefined;
  let stopped = false;
  let closing = false;
  /** Wakes the loop below when a slot frees before its action ends. */
  let slotFreed = () => {};
  const inFlight = () => [...running.keys()].map((index) => actions[index]);

  const freeSlot = (index: number) => {
    if (!inSlot.delete(index)) return;
    const action = actions[index];
    migrating--;
    outOf.set(action.source!, outOf.get(action.source!)! - 1);
    for (const host of [action.source!, action.destination!]) onHost.set(host, onHost.get(host)! - 1);
    // Placement counts a completed migration on its destination: the promise is kept.
    run.ledger.incoming.delete(action.id);
  };

  const launch = (index: number) => {
    const action = actions[index];
    const migration = action.type === 'live_migrate';
    if (migration) {
      inSlot.add(index);
      migrating++;
      outOf.set(action.source!, (outOf.get(action.source!) ?? 0) + 1);
      for (const host of [action.source!, action.destination!]) onHost.set(host, (onHost.get(host) ?? 0) + 1);
    }
    // Only a success frees the slot early: after a failure nothing new may start before the plan is marked failed.
    const callEnded = (outcome: Outcome) => {
      if (!migration || outcome.state !== 'SUCCEEDED') return;
      freeSlot(index);
      slotFreed();
    };
    running.set(index, (async () => {
      try {
        if (migration) await reportProgress(context, plan.id, waves, action.wave, `migrating ${action.serverName ?? action.server}`, [...inFlight(), action]);
        const state = await runAction(actionKindOf(action.type), { ...run.runOf(plan, action), callEnded });
        if (state === 'FAILED') run.markFailed();
        if (action.type === 'disable_compute' && state === 'SUCCEEDED') crashPoint('maintenance.after-disable');
      } catch (error) {
        // The journal or the cloud could not be read: start nothing more; a resumed executor will.
        broken ??= { error };
      } finally {
        running.delete(index);
        unfinished.delete(index);
        if (migration) freeSlot(index);
        const left = leftInWave.get(action.wave)! - 1;
        leftInWave.set(action.wave, left);
        if (left === 0 && !broken) await reportProgress(context, plan.id, waves, action.wave, `wave ${action.wave + 1} done`).catch((error: unknown) => { broken ??= { error }; });
      }
    })());
  };

  for (;;) {
    const freed = new Promise<void>((resolve) => { slotFreed = resolve; });
    if (!broken && !stopped) {
      try {
        stopped = (await run.stop()) !== null;
        closing = options.stopNewWavesAt !== undefined && clock.now() >= options.stopNewWavesAt;
        for (let position = 0; !stopped && position < pending.length; position++) {
          const index = pending[position];
          const action = actions[index];
          if (waits[index].some((earlier) => unfinished.has(earlier))) continue;
          if (closing && !startedWaves.has(action.wave)) continue;
          if (action.type === 'live_migrate' && (migrating >= slots || (outOf.get(action.source!) ?? 0) >= settings.maxPerSourceHost
            || (onHost.get(action.source!) ?? 0) >= perHost || (onHost.get(action.destination!) ?? 0) >= perHost)) continue;
          pending.splice(position--, 1);
          if (!startedWaves.has(action.wave)) {
            startedWaves.add(action.wave);
            const wave = actions.filter((candidate) => candidate.wave === action.wave && candidate.state === 'PENDING');
            const moves = wave.filter((candidate) => candidate.type === 'live_migrate');
            await reportProgress(context, plan.id, waves, action.wave, `wave ${action.wave + 1}: ${count(moves, 'live migration')}, ${count(wave.filter((candidate) => candidate.type !== 'live_migrate'), 'host action')}`, inFlight());
          }
          launch(index);
        }
      } catch (error) {
        broken ??= { error };
      }
    }
    if (!running.size) break;
    await Promise.race([...running.values(), freed]);
  }
  if (broken) throw broken.error;
  if (stopped) return 'stopped';
  if (!pending.length) return 'done';
  if (closing) return 'closing';
  throw new Error(`action plan ${plan.id}: ${pending.length} action(s) could not start though nothing runs: their dependencies never ended`);
}
