// The `ulm` command: OpenStack-client style `ulm <noun> <verb>` commands, registered from one
// explicit list.
import { Command, CommanderError } from 'commander';
import { ValidationError } from '../core/validation.js';
import { registerOfflinePlan } from './commands/plan/offline.js';
import { registerSnapshotSave } from './commands/snapshot/save.js';
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
  return program;
}

export async function main(argv: string[]): Promise<number> {
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
