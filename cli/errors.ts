// How the CLI fails, and the exit codes scripts can rely on:
// 0 success, 1 the operation failed (a plan failed, a goal is infeasible, the cloud refused),
// 2 bad input or usage (the message names the field and the fix); offline `ulm plan` also
// 3 the goal is met only in part, 4 the goal is infeasible or no path to it was found.
import type { Command } from 'commander';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_GOAL_PARTLY_MET = 3;
export const EXIT_GOAL_NOT_REACHED = 4;

/** The command ran but what it was asked to do did not succeed: exit 1. */
export class CommandFailure extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = EXIT_FAILED) {
    super(message);
    this.name = 'CommandFailure';
    this.exitCode = exitCode;
  }
}

/** The command line is wrong (a missing command, an option without its companion): exit 2. */
export class UsageError extends Error {
  /** The command whose usage line is shown with the error. */
  readonly command: Command;
  constructor(command: Command, message: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
