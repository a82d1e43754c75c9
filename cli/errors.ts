// How the CLI fails, and the exit codes scripts can rely on:
// 0 success, 1 the operation failed (a plan failed, a goal is infeasible, the cloud refused),
// 2 bad input or usage (the message names the field and the fix); offline `ulm plan` also
// 3 the goal is met only in part, 4 the goal is infeasible or no path to it was found.
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
