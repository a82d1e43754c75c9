// `ulm audit create [--policy NAME | --file FILE] [--goal] [--drain-host] [--approve] [--start]
// [--wait]`: collects the cloud, plans with the policy and stores the plan; optionally approves
// and starts it.
import { Option, type Command } from 'commander';
import { GOALS, type Goal, type Policy } from '../../../core/policy/schema.js';
import type { AuditRequest } from '../../../core/api/records.js';
import { withBackend } from '../../backend.js';
import { defineCommand, note, print } from '../../command.js';
import { CommandFailure } from '../../errors.js';
import { badOption, collect } from '../../option-parsers.js';
import { type OutputOptions } from '../../output.js';
import { afterStart } from '../../plan-runs.js';
import { renderAuditOutcome } from '../../plan-views.js';
import { readPolicyDocument } from '../../policy-options.js';
import { timeoutArgument, withActivity } from '../../progress.js';

interface CreateOptions extends OutputOptions {
  policy?: string;
  file?: string;
  goal?: Goal;
  drainHost?: string[];
  approve?: boolean;
  start?: boolean;
  wait?: boolean;
  timeout?: string;
}

/** The audit request the options describe; without a policy, the goal's defaults. */
export function auditRequestFrom(options: CreateOptions): AuditRequest {
  if (options.policy && options.file) badOption('--file', 'cannot be used with --policy: plan with a stored policy (--policy) or a file (--file)');
  if (options.wait && !options.start) badOption('--wait', 'waits for a started plan: add --start');
  if (options.drainHost?.length && options.goal && options.goal !== 'drain') badOption('--drain-host', `is for goal drain, not ${options.goal}`);
  const goal: Goal | undefined = options.goal ?? (options.drainHost?.length ? 'drain' : undefined);
  const request: AuditRequest = { approve: Boolean(options.approve || options.start), start: Boolean(options.start) };
  if (options.policy) request.policy = options.policy;
  else if (options.file) request.document = readPolicyDocument(options.file) as unknown as Policy;
  else request.document = { goal: goal ?? 'consolidate' };
  if (goal) request.goal = goal;
  if (options.drainHost?.length) request.drain_hosts = options.drainHost;
  return request;
}

export function registerAuditCreate(audit: Command): void {
  defineCommand(audit, {
    name: 'create',
    summary: 'collect the cloud and plan with a policy; the plan waits as RECOMMENDED unless approved or started',
    output: 'one',
    examples: [
      ['ulm audit create --policy night', 'plan with the stored policy night'],
      ['ulm audit create --goal consolidate', 'the goal with every default limit'],
      ['ulm audit create --goal drain --drain-host cmp-07 --start --wait', 'empty cmp-07 now, follow it'],
      ['ulm audit create --file what-if.yaml -f json', 'a policy file, without storing it'],
    ],
    details: 'Exit status: 0 planned (and, with --wait, the plan succeeded); 1 the audit failed (its reason is printed) or the plan did not succeed; 2 bad options.',
  })
    .option('--policy <policy>', 'a stored policy (id or name)')
    .option('--file <file>', 'a policy document (YAML or JSON) instead of a stored policy')
    .addOption(new Option('--goal <goal>', 'override the policy\'s goal (without a policy: this goal with the default limits; default consolidate)').choices(GOALS))
    .option('--drain-host <host>', 'a host to empty (repeat for more; implies --goal drain)', collect)
    .option('--approve', 'approve the plan at once')
    .option('--start', 'approve and start the plan at once')
    .option('--wait', 'with --start: follow the plan to its end; exit 1 unless it succeeds')
    .option('--timeout <seconds>', 'with --wait: stop waiting after this many seconds (exit 1; the plan goes on)', timeoutArgument)
    .action(async (options: CreateOptions, command: Command) => {
      const request = auditRequestFrom(options);
      await withBackend(command, async (backend) => {
        const outcome = await withActivity('collecting the cloud and planning', () => backend.engine.createAudit(request));
        print(renderAuditOutcome(outcome, options));
        if (outcome.audit.state === 'FAILED' || !outcome.action_plan) {
          throw new CommandFailure(`audit ${outcome.audit.id} ${outcome.audit.state}: ${outcome.audit.failure_reason ?? 'no action plan'}`);
        }
        const plan = outcome.action_plan;
        if (request.start) {
          if (plan.metrics.migrations === 0 && !plan.progress.waves) note(`action plan ${plan.id}: nothing to do`);
          await afterStart(backend, plan.id, options);
        } else {
          note(`action plan ${plan.id} is ${plan.state}: ulm plan show ${plan.id}${plan.state === 'RECOMMENDED' ? `; ulm plan approve ${plan.id}` : ''}; ulm plan start ${plan.id} --wait`);
        }
      });
    });
}
