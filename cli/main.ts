// The `ulm` command: OpenStack-client style `ulm <noun> <verb>` commands from one explicit list,
// each module loaded only when its command runs (or its help is asked), so that start-up stays fast.
import { Command, CommanderError, type Help, type Option } from 'commander';
import { describeProgram, NOUNS } from './program-help.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { addBackendOptions, addGlobalOptions, adoptParentOptions, isOpenStackOption } from './global-options.js';
import { VERSION } from '../services/version.js';

type Register = (parent: Command) => void;
type Loader = () => Promise<Register>;

/** Every `<noun> <verb>`: the verb and how to load its module. */
const VERBS: Record<string, Array<[verb: string, load: Loader]>> = {
  plan: [
    ['list', async () => (await import('./commands/plan/list.js')).registerPlanList],
    ['show', async () => (await import('./commands/plan/show.js')).registerPlanShow],
    ['approve', async () => (await import('./commands/plan/approve.js')).registerPlanApprove],
    ['start', async () => (await import('./commands/plan/start.js')).registerPlanStart],
    ['cancel', async () => (await import('./commands/plan/cancel.js')).registerPlanCancel],
    ['explain', async () => (await import('./commands/plan/explain.js')).registerPlanExplain],
    ['apply', async () => (await import('./commands/plan/apply.js')).registerPlanApply],
  ],
  snapshot: [
    ['save', async () => (await import('./commands/snapshot/save.js')).registerSnapshotSave],
    ['create', async () => (await import('./commands/snapshot/create.js')).registerSnapshotCreate],
    ['list', async () => (await import('./commands/snapshot/list.js')).registerSnapshotList],
    ['show', async () => (await import('./commands/snapshot/show.js')).registerSnapshotShow],
  ],
  policy: [
    ['create', async () => (await import('./commands/policy/create.js')).registerPolicyCreate],
    ['list', async () => (await import('./commands/policy/list.js')).registerPolicyList],
    ['show', async () => (await import('./commands/policy/show.js')).registerPolicyShow],
    ['set', async () => (await import('./commands/policy/set.js')).registerPolicySet],
    ['delete', async () => (await import('./commands/policy/delete.js')).registerPolicyDelete],
    ['validate', async () => (await import('./commands/policy/validate.js')).registerPolicyValidate],
  ],
  window: [
    ['create', async () => (await import('./commands/window/create.js')).registerWindowCreate],
    ['list', async () => (await import('./commands/window/list.js')).registerWindowList],
    ['show', async () => (await import('./commands/window/show.js')).registerWindowShow],
    ['delete', async () => (await import('./commands/window/delete.js')).registerWindowDelete],
  ],
  audit: [
    ['create', async () => (await import('./commands/audit/create.js')).registerAuditCreate],
    ['list', async () => (await import('./commands/audit/list.js')).registerAuditList],
    ['show', async () => (await import('./commands/audit/show.js')).registerAuditShow],
  ],
  host: [
    ['list', async () => (await import('./commands/host/list.js')).registerHostList],
    ['show', async () => (await import('./commands/host/show.js')).registerHostShow],
    ['drain', async () => (await import('./commands/host/drain.js')).registerHostDrain],
    ['undrain', async () => (await import('./commands/host/undrain.js')).registerHostUndrain],
    ['maintenance', async () => (await import('./commands/host/maintenance.js')).registerHostMaintenance],
  ],
  server: [
    ['list', async () => (await import('./commands/server/list.js')).registerServerList],
    ['show', async () => (await import('./commands/server/show.js')).registerServerShow],
    ['set', async () => (await import('./commands/server/set.js')).registerServerSet],
    ['unset', async () => (await import('./commands/server/unset.js')).registerServerUnset],
  ],
  savings: [
    ['show', async () => (await import('./commands/savings/show.js')).registerSavingsShow],
  ],
};

/** Commands of their own (no verbs): their one-line help, and how to load them. */
const SINGLE_COMMANDS: Record<string, [summary: string, load: Loader]> = {
  status: ['ulm at a glance: cloud, hosts by state, plans, next window, maintenances, last audit', async () => (await import('./commands/status.js')).registerStatus],
  consolidate: ['pack servers onto fewer hosts now and put the emptied ones into maintenance', async () => (await import('./commands/consolidate.js')).registerConsolidate],
  serve: ['run the whole ulm service in one process: API (and panel), applier, scheduler, monitor, listener', async () => (await import('./commands/serve/serve.js')).registerServe],
  completion: ['print a shell completion script (bash or zsh)', async () => (await import('./commands/completion.js')).registerCompletion],
};

const NOUN_HELP: Record<string, string> = {
  ...NOUNS,
  plan: 'plan offline from a snapshot (--snapshot), or manage action plans',
  snapshot: 'collect the cloud into ulm-cluster/1 snapshots',
};

/** The order of `ulm --help`. */
const TOP_ORDER = ['plan', 'snapshot', 'serve', 'policy', 'window', 'audit', 'host', 'server', 'savings', 'status', 'consolidate', 'completion'];

/** Flags of `command` that take a value (so that their value is not read as a command name). */
function valueFlags(commands: Command[]): Set<string> {
  const flags = new Set<string>();
  for (const command of commands) {
    for (const option of command.options as Option[]) {
      if (!option.required && !option.optional) continue;
      if (option.long) flags.add(option.long);
      if (option.short) flags.add(option.short);
    }
  }
  return flags;
}

/** The words of the command line that are not options nor option values, in order. */
export function commandWords(args: string[], takesValue: Set<string>): string[] {
  const words: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--') break;
    if (arg.startsWith('-') && arg !== '-') {
      if (!arg.includes('=') && takesValue.has(arg)) index += 1;
      continue;
    }
    words.push(arg);
  }
  return words;
}

const HELP_FLAGS = ['-h', '--help'];

/**
 * The program with the commands this command line needs (`args`: what follows `ulm`); with no
 * `args`, every command (completion scripts and tests walk the whole tree).
 */
export async function buildProgram(args?: string[]): Promise<Command> {
  const program = new Command('ulm')
    .description('ulm: consolidate, drain and balance OpenStack compute hosts through Nova live migration')
    .version(VERSION)
    .exitOverride();
  addGlobalOptions(program);
  addBackendOptions(program);
  describeProgram(program);
  Object.assign(program.configureHelp(), { visibleGlobalOptions: visibleGlobalOptions });
  program.hook('preAction', (_program, action) => adoptParentOptions(action));

  const everything = args === undefined;
  let helpAsked = !everything && args.some((arg) => HELP_FLAGS.includes(arg));
  const words = everything ? [] : commandWords(args, valueFlags([program]));
  let top = words[0];
  if (top === 'help') {
    // `ulm help host` is `ulm host --help`.
    top = words[1];
    helpAsked = true;
  }
  const loadAll = everything || top === 'completion';
  for (const name of TOP_ORDER) {
    if (SINGLE_COMMANDS[name]) {
      const [summary, load] = SINGLE_COMMANDS[name];
      if (loadAll || name === top) (await load())(program);
      else program.command(name).description(summary);
      continue;
    }
    const noun = program.command(name).description(NOUN_HELP[name]);
    if (!loadAll && name !== top) continue;
    const verbs = VERBS[name];
    if (name === 'plan') (await import('./commands/plan/offline.js')).registerOfflinePlan(noun, verbs.map(([verb]) => verb));
    const after = loadAll ? [] : commandWords(args.slice(args.indexOf(name) + 1), valueFlags([program, noun]));
    const chosen = verbs.find(([verb]) => verb === after[0]);
    if (chosen && !loadAll) {
      (await chosen[1]())(noun);
    } else if (loadAll || helpAsked || after.length || name !== 'plan') {
      // The whole noun: for its help, for "unknown command" with a suggestion, or the tree.
      for (const [, load] of verbs) (await load())(noun);
      if (!loadAll && !helpAsked && !after.length) {
        throw new UsageError(noun, `a command is needed: ${verbs.map(([verb]) => `ulm ${name} ${verb}`).join(', ')} (ulm ${name} --help)`);
      }
    }
  }
  if (!everything && top === undefined && !helpAsked && !args.some((arg) => arg === '-V' || arg === '--version')) {
    throw new UsageError(program, 'a command is needed (ulm --help lists them)');
  }
  oneLineUsageErrors(program);
  return program;
}

/**
 * Under a command's help, the program's options that apply to it: output and where it runs,
 * not the two dozen OpenStack ones (named at the end of its help) nor those it has itself.
 */
function visibleGlobalOptions(this: Help, command: Command): Option[] {
  if (!this.showGlobalOptions) return [];
  const own = new Set((command.options as Option[]).map((option) => option.attributeName()));
  const shown: Option[] = [];
  for (let ancestor = command.parent; ancestor; ancestor = ancestor.parent) {
    shown.push(...(ancestor.options as Option[]).filter((option) => !option.hidden && !isOpenStackOption(option) && !own.has(option.attributeName())));
  }
  return shown;
}

/** `ulm host list [options] [...]`: the command's path and its usage. */
export function usageLine(command: Command): string {
  const path: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) path.unshift(at.name());
  return `usage: ${path.join(' ')} ${command.usage()}`;
}

/** Usage errors print one usage line and the error, as argparse does in the OpenStack client. */
function oneLineUsageErrors(command: Command): void {
  // commander puts its "(Did you mean list?)" on a line of its own: one line is easier to read and grep.
  command.configureOutput({ outputError: (text, write) => write(`${usageLine(command)}\n${text.trimEnd().replace(/\n/g, ' ')}\n`) });
  for (const child of command.commands) oneLineUsageErrors(child);
}

export async function main(argv: string[]): Promise<number> {
  // `ulm host list | head`: the reader went away; that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => { if (error.code === 'EPIPE') process.exit(0); else throw error; });
  }
  try {
    const program = await buildProgram(argv.slice(2));
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    return report(error, argv.includes('--debug'));
  }
}

/**
 * The exit status for how the command failed, with the message on standard error. Errors are
 * told apart by name and fields, not by class: the command modules are loaded on demand, and a
 * loader (tsx in tests) may give them their own copy of a class.
 */
function report(error: unknown, debug: boolean): number {
  const failure = (error ?? {}) as { name?: string; message?: string; stack?: string; code?: unknown; exitCode?: unknown; command?: Command };
  if (error instanceof CommanderError || (typeof failure.code === 'string' && failure.code.startsWith('commander.'))) {
    // Help and version exit 0; usage errors were already printed (one usage line and the error).
    return failure.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (failure.name === 'UsageError' && failure.command) {
    process.stderr.write(`${usageLine(failure.command)}\nerror: ${failure.message}\n`);
    return EXIT_USAGE;
  }
  if (failure.name === 'ValidationError' || failure.name === 'ConfigError' || failure.name === 'ColumnError') {
    process.stderr.write(`ulm: ${failure.message}\n`);
    return EXIT_USAGE;
  }
  process.stderr.write(`ulm: ${failure.message ?? String(error)}\n`);
  if (debug && failure.stack) process.stderr.write(`${failure.stack}\n`);
  // CommandFailure and its kin carry their exit status.
  return typeof failure.exitCode === 'number' ? failure.exitCode : EXIT_FAILED;
}
