// `ulm consolidate [--policy FILE|NAME] [--dry-run] [--wait]`: packs servers onto fewer hosts
// now: an audit with goal consolidate which, unless a dry run, is approved and started.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Policy } from '../../core/policy/schema.js';
import type { AuditRequest } from '../../core/api/records.js';
import { withBackend } from '../backend.js';
import { defineCommand, note, print } from '../command.js';
import { CommandFailure } from '../errors.js';
import type { OutputOptions } from '../output.js';
import { afterStart } from '../plan-runs.js';
import { renderAuditOutcome } from '../plan-views.js';
import { readPolicyDocument } from '../policy-options.js';
import { timeoutArgument, withActivity } from '../progress.js';

interface ConsolidateOptions extends OutputOptions {
  policy?: string;
  dryRun?: boolean;
  wait?: boolean;
  timeout?: string;
}

/** `--policy` names a file when one exists at that path, else a stored policy. */
export function consolidateRequestFrom(options: ConsolidateOptions, fileExists: (path: string) => boolean = existsSync): AuditRequest {
  const start = !options.dryRun;
  const request: AuditRequest = { goal: 'consolidate', approve: start, start };
  if (!options.policy) request.document = { goal: 'consolidate' };
  else if (options.policy === '-' || fileExists(options.policy)) request.document = { ...readPolicyDocument(options.policy), goal: 'consolidate' } as Policy;
  else request.policy = options.policy;
  return request;
}

export function registerConsolidate(program: Command): void {
  defineCommand(program, {
    name: 'consolidate',
    summary: 'pack servers onto fewer hosts now and put the emptied ones into maintenance',
    output: 'one',
    examples: [
      ['ulm consolidate --dry-run', 'what it would do, left RECOMMENDED'],
      ['ulm consolidate --policy night --wait', 'with the stored policy night; follow it'],
      ['ulm consolidate --policy limits.yaml', 'with a policy file'],
      ['ulm --direct consolidate', 'without ulm-api: runs here until done'],
    ],
    details: `Without --policy: the goal with every default limit (no host above 100% of its CPUs or memory).
In direct mode the plan runs in this process and the command stays until it ends.
Exit status: 0 planned (dry run) or started (with --wait or in direct mode: succeeded); 1 no plan or it did not succeed.`,
  }).option('--policy <policy>', 'a policy file (YAML or JSON), or the name or id of a stored policy')
    .option('--dry-run', 'plan only: the plan waits as RECOMMENDED')
    .option('--wait', 'follow the plan to its end; exit 1 unless it succeeds')
    .option('--timeout <seconds>', 'with --wait: stop waiting after this many seconds (exit 1; the plan goes on)', timeoutArgument)
    .action(async (options: ConsolidateOptions, command: Command) => {
      const request = consolidateRequestFrom(options);
      await withBackend(command, async (backend) => {
        const outcome = await withActivity('collecting the cloud and planning', () => backend.engine.createAudit(request));
        print(renderAuditOutcome(outcome, options));
        if (outcome.audit.state === 'FAILED' || !outcome.action_plan) {
          throw new CommandFailure(`no consolidation: ${outcome.audit.failure_reason ?? 'no action plan'} (audit ${outcome.audit.id})`);
        }
        const plan = outcome.action_plan;
        if (options.dryRun) {
          note(`dry run: action plan ${plan.id} waits as ${plan.state}; ulm plan show ${plan.id}; ulm plan approve ${plan.id} && ulm plan start ${plan.id} --wait`);
          return;
        }
        await afterStart(backend, plan.id, options);
      });
    });
}
