// `ulm host undrain HOST... [--rebalance] [--wait]`: brings hosts ulm put into maintenance back
// through a restore plan the applier runs (power on, wait for nova-compute, enable), optionally
// moving the servers drained off them back. Follows the plan until the hosts are back.
import type { Command } from 'commander';
import { FINAL_PLAN_STATES, isFinalActionState } from '../../../core/plan/states.js';
import type { Engine } from '../../../core/api/engine.js';
import type { UndrainResult } from '../../../core/api/records.js';
import { withBackend, type Backend } from '../../backend.js';
import { defineCommand, note, print } from '../../command.js';
import { CommandFailure } from '../../errors.js';
import { renderList, type OutputOptions } from '../../output.js';
import { followStarted, pollInterval } from '../../plan-runs.js';
import { requireSuccess, timeoutArgument } from '../../progress.js';

interface UndrainOptions extends OutputOptions {
  rebalance?: boolean;
  wait?: boolean;
  timeout?: string;
}

export const UNDRAIN_COLUMNS = ['Host', 'Restored', 'Detail'];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until every enable_compute of the plan has ended; the rebalancing may go on after. */
async function waitForEnables(engine: Engine, planId: string, intervalMs: number): Promise<void> {
  for (;;) {
    const enables = (await engine.listActions(planId)).filter((action) => action.type === 'enable_compute' || action.type === 'power_on');
    const plan = await engine.getActionPlan(planId);
    if (enables.every((action) => isFinalActionState(action.state)) || FINAL_PLAN_STATES.includes(plan.state)) return;
    await sleep(intervalMs);
  }
}

/** Each host's result once its restore plan has run: restored only when its enable succeeded. */
async function outcomeOf(engine: Engine, planId: string, results: UndrainResult[]): Promise<UndrainResult[]> {
  const actions = await engine.listActions(planId);
  return results.map((result) => {
    const enable = actions.find((action) => action.type === 'enable_compute' && action.host === result.host);
    // A host in service already, or one ulm left alone, is not in the plan: its result stands.
    if (result.restored || !enable) return result;
    if (enable.state === 'SUCCEEDED') return { ...result, restored: true, detail: `back in service (action plan ${planId})` };
    const failed = actions.find((action) => action.host === result.host && action.error);
    return { ...result, detail: `${enable.state.toLowerCase()}: ${failed?.error ?? enable.error ?? 'see ulm plan show'} (action plan ${planId})` };
  });
}

async function undrain(backend: Backend, hosts: string[], options: UndrainOptions): Promise<void> {
  const { engine } = backend;
  const { results, action_plan: plan } = await engine.undrainHosts(hosts, { rebalance: Boolean(options.rebalance) });
  let final = results;
  if (plan) {
    // The hosts are back only once the plan's enables ran: always followed that far.
    const followAll = !options.rebalance || options.wait;
    const ended = followAll ? await followStarted(backend, plan.id, { wait: true, timeout: options.timeout }) : null;
    if (!followAll) {
      if (backend.runsPlansHere) await backend.startApplier();
      await waitForEnables(engine, plan.id, pollInterval(backend));
      note(`rebalancing goes on in action plan ${plan.id}: ulm plan show ${plan.id} (or --wait)`);
    }
    final = await outcomeOf(engine, plan.id, results);
    const document = await engine.getPlanDocument(plan.id);
    for (const blocked of document.meta.blocked) note(`not moved back: ${blocked.server_name} (${blocked.constraint}): ${blocked.detail}`);
    print(renderList(final.map((result) => ({ Host: result.host, Restored: result.restored, Detail: result.detail })), UNDRAIN_COLUMNS, options));
    if (ended && options.rebalance) requireSuccess(ended);
  } else {
    print(renderList(final.map((result) => ({ Host: result.host, Restored: result.restored, Detail: result.detail })), UNDRAIN_COLUMNS, options));
  }
  const failed = final.filter((result) => !result.restored);
  if (failed.length) throw new CommandFailure(`${failed.length} of ${hosts.length} hosts not back in service: ${failed.map((result) => `${result.host} (${result.detail})`).join('; ')}`);
}

export function registerHostUndrain(host: Command): void {
  defineCommand(host, {
    name: 'undrain <host...>',
    summary: 'bring hosts ulm put into maintenance back: power on, wait for nova-compute, enable',
    output: 'list',
    examples: [
      ['ulm host undrain cmp-07', 'back in service (a restore plan the applier runs, followed to its end)'],
      ['ulm host undrain cmp-07 --rebalance --wait', 'and move the servers drained off it back, following that plan'],
    ],
    details: `ulm enables only the named hosts it disabled itself: others are reported, not touched. With
--rebalance, the servers drained off these hosts move back where they can; those that cannot (never
move, no room...) are listed with the reason, and no other host is disabled or emptied.
Exit status: 0 every named host is back in service (and, with --rebalance --wait, every server that
could move back did); 1 otherwise.`,
  }).option('--rebalance', 'afterwards, move the servers that were drained off these hosts back')
    .option('--wait', 'with --rebalance: follow the rebalancing to its end')
    .option('--timeout <seconds>', 'with --wait: stop waiting after this many seconds (exit 1; the plan goes on)', timeoutArgument)
    .action(async (hosts: string[], options: UndrainOptions, command: Command) => withBackend(command, (backend) => undrain(backend, hosts, options)));
}
