// The `ulm` command: OpenStack-client style `ulm <noun> <verb>` commands, registered from one
// explicit list.
import { Command, CommanderError } from 'commander';
import { ValidationError } from '../core/validation.js';
import { registerOfflinePlan } from './commands/plan/offline.js';
import { registerSnapshotSave } from './commands/snapshot/save.js';
import { registerServe } from './commands/serve/serve.js';
import { addBackendOptions } from './backend.js';
import { describeProgram, nounCommand } from './command.js';
import { registerPolicyCreate } from './commands/policy/create.js';
import { registerPolicyList } from './commands/policy/list.js';
import { registerPolicyShow } from './commands/policy/show.js';
import { registerPolicySet } from './commands/policy/set.js';
import { registerPolicyDelete } from './commands/policy/delete.js';
import { registerPolicyValidate } from './commands/policy/validate.js';
import { registerWindowCreate } from './commands/window/create.js';
import { registerWindowList } from './commands/window/list.js';
import { registerWindowShow } from './commands/window/show.js';
import { registerWindowDelete } from './commands/window/delete.js';
import { registerAuditCreate } from './commands/audit/create.js';
import { registerAuditList } from './commands/audit/list.js';
import { registerAuditShow } from './commands/audit/show.js';
import { registerPlanList } from './commands/plan/list.js';
import { registerPlanShow } from './commands/plan/show.js';
import { registerPlanApprove } from './commands/plan/approve.js';
import { registerPlanStart } from './commands/plan/start.js';
import { registerPlanCancel } from './commands/plan/cancel.js';
import { registerPlanExplain } from './commands/plan/explain.js';
import { registerPlanApply } from './commands/plan/apply.js';
import { registerHostList } from './commands/host/list.js';
import { registerHostShow } from './commands/host/show.js';
import { registerHostDrain } from './commands/host/drain.js';
import { registerHostUndrain } from './commands/host/undrain.js';
import { registerHostMaintenance } from './commands/host/maintenance.js';
import { registerServerList } from './commands/server/list.js';
import { registerServerSet } from './commands/server/set.js';
import { registerServerUnset } from './commands/server/unset.js';
import { registerSnapshotCreate } from './commands/snapshot/create.js';
import { registerSnapshotList } from './commands/snapshot/list.js';
import { registerSnapshotShow } from './commands/snapshot/show.js';
import { registerSavingsShow } from './commands/savings/show.js';
import { registerStatus } from './commands/status.js';
import { registerConsolidate } from './commands/consolidate.js';
import { registerCompletion } from './commands/completion.js';
import { CommandFailure, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './errors.js';
import { ColumnError } from './output.js';
import { VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('ulm')
    .description('ulm: consolidate, drain and balance OpenStack compute hosts through Nova live migration')
    .version(VERSION)
    .option('--debug', 'show requests, request ids and stack traces (never secrets)', false)
    .showHelpAfterError()
    .exitOverride();
  const plan = program.command('plan').description('plan offline from a snapshot, or manage action plans');
  registerOfflinePlan(plan);
  const snapshot = program.command('snapshot').description('collect the cloud into ulm-cluster/1 snapshots');
  registerSnapshotSave(snapshot);
  registerServe(program);
  // Commands that talk to ulm (its API, or direct mode): one module per `<noun> <verb>`.
  addBackendOptions(program);
  describeProgram(program);
  registerPlanList(plan);
  registerPlanShow(plan);
  registerPlanApprove(plan);
  registerPlanStart(plan);
  registerPlanCancel(plan);
  registerPlanExplain(plan);
  registerPlanApply(plan);
  registerSnapshotCreate(snapshot);
  registerSnapshotList(snapshot);
  registerSnapshotShow(snapshot);
  const policy = nounCommand(program, 'policy');
  registerPolicyCreate(policy);
  registerPolicyList(policy);
  registerPolicyShow(policy);
  registerPolicySet(policy);
  registerPolicyDelete(policy);
  registerPolicyValidate(policy);
  const window = nounCommand(program, 'window');
  registerWindowCreate(window);
  registerWindowList(window);
  registerWindowShow(window);
  registerWindowDelete(window);
  const audit = nounCommand(program, 'audit');
  registerAuditCreate(audit);
  registerAuditList(audit);
  registerAuditShow(audit);
  const host = nounCommand(program, 'host');
  registerHostList(host);
  registerHostShow(host);
  registerHostDrain(host);
  registerHostUndrain(host);
  registerHostMaintenance(host);
  const server = nounCommand(program, 'server');
  registerServerList(server);
  registerServerSet(server);
  registerServerUnset(server);
  registerSavingsShow(nounCommand(program, 'savings'));
  registerStatus(program);
  registerConsolidate(program);
  registerCompletion(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `ulm host list | head`: the reader went away; that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => { if (error.code === 'EPIPE') process.exit(0); else throw error; });
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    return report(error, argv.includes('--debug'));
  }
}

function report(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage errors were already printed by commander.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof ValidationError || error instanceof ColumnError) {
    process.stderr.write(`ulm: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof CommandFailure) {
    process.stderr.write(`ulm: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`ulm: ${(error as Error).message ?? String(error)}\n`);
  if (debug) process.stderr.write(`${(error as Error).stack}\n`);
  return EXIT_FAILED;
}
