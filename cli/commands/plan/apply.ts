// `ulm plan apply PLAN [--approve]` (direct mode): runs a plan in this process, with live
// progress, until it ends.
import type { Command } from 'commander';
import { requireDirect, withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { CommandFailure } from '../../errors.js';
import { renderOne, type OutputOptions } from '../../output.js';
import { planRecord } from '../../plan-views.js';
import { followPlan, requireSuccess } from '../../progress.js';
import { pollInterval } from '../../plan-runs.js';

interface ApplyOptions extends OutputOptions {
  approve?: boolean;
}

export function registerPlanApply(plan: Command): void {
  defineCommand(plan, {
    name: 'apply <plan>',
    summary: 'direct mode: run an action plan in this process until it ends',
    output: 'one',
    examples: [
      ['ulm --direct plan apply 5d2a...', 'run an APPROVED plan here, with live progress'],
      ['ulm --direct plan apply 5d2a... --approve', 'approve a RECOMMENDED plan first'],
    ],
    details: `Against ulm-api, use ulm plan start PLAN --wait: the API's appliers run it.
Ctrl-C stops following; the plan stays ONGOING and resumes the next time an applier runs.
Exit status: 0 SUCCEEDED, 1 FAILED, CANCELLED or SUPERSEDED, 2 not in direct mode.`,
  }).option('--approve', 'approve the plan first when it is RECOMMENDED')
    .action(async (id: string, options: ApplyOptions, command: Command) => withBackend(command, async (backend) => {
      requireDirect(backend, 'use ulm plan start PLAN --wait');
      const { engine } = backend;
      let view = await engine.getActionPlan(id);
      if (view.state === 'RECOMMENDED') {
        if (!options.approve) throw new CommandFailure(`action plan ${id} is RECOMMENDED: approve it (ulm plan approve ${id}) or add --approve`);
        view = await engine.approveActionPlan(id);
      }
      await backend.startApplier();
      // ONGOING: an applier stopped while running it; the one started here resumes it.
      if (view.state === 'APPROVED') await engine.startActionPlan(id);
      const last = await followPlan(engine, id, { intervalMs: pollInterval(backend) });
      print(renderOne(forFormat(planRecord(last), options), options));
      requireSuccess(last);
    }));
}
