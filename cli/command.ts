// How a `ulm <noun> <verb>` command that talks to ulm is declared: its output options (Lister or
// ShowOne), the OpenStack auth options, examples in --help; and the nouns with their help.
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { addConfigOptions } from '../services/config/index.js';
import { withAuthOptions } from './auth.js';
import { withOutputOptions, type OutputOptions, type Row } from './output.js';

export interface CommandSpec {
  /** The verb with its arguments, commander style: `show <policy>`, `delete <policy...>`. */
  name: string;
  summary: string;
  /** `list`: a Lister (-f, -c, --sort-column); `one`: a ShowOne (-f, -c); absent: no output options. */
  output?: 'list' | 'one';
  /** Each an example command and what it does. */
  examples: Array<[command: string, what: string]>;
  /** More help, after the examples. */
  details?: string;
  /** False for commands that never talk to ulm or the cloud (no auth options). */
  auth?: boolean;
}

/** What each noun is about, for `ulm --help` and `ulm <noun> --help`. */
export const NOUNS: Record<string, string> = {
  policy: 'policies: goals and limits that audits and windows plan with',
  window: 'power-saving windows: when ulm may consolidate, in the operator\'s time zone',
  audit: 'audits: collect the cloud and plan with a policy',
  host: 'compute hosts as ulm sees them; drain and bring back for maintenance',
  server: 'servers and their exemptions (never move, not during hours, anti-affinity tags)',
  savings: 'energy saved by power-saving windows',
};

/** The noun's command, created on first use (`plan` and `snapshot` exist already). */
export function nounCommand(program: Command, noun: string): Command {
  const found = program.commands.find((command) => command.name() === noun);
  if (found) return found;
  return program.command(noun).description(NOUNS[noun] ?? noun);
}

export function defineCommand(parent: Command, spec: CommandSpec): Command {
  const command = parent.command(spec.name).description(spec.summary);
  if (spec.output) {
    withOutputOptions(command, { list: spec.output === 'list' });
    command.hook('preAction', (self) => adoptOutputOptions(self));
  }
  // Short examples line their explanations up; a long one puts its explanation on the next line.
  const width = Math.max(0, ...spec.examples.filter(([example, what]) => what && example.length <= 60).map(([example]) => example.length));
  const lines = spec.examples.map(([example, what]) => {
    if (!what) return `  ${example}`;
    return example.length <= 60 ? `  ${example.padEnd(width)}  ${what}` : `  ${example}\n      ${what}`;
  });
  let help = `\nExamples:\n${lines.join('\n')}`;
  if (spec.details) help += `\n\n${spec.details.trim()}`;
  command.addHelpText('after', help);
  if (spec.auth !== false) {
    withAuthOptions(command);
    addConfigOptions(command);
    // The two dozen OpenStack options are the same everywhere: named once at the end of the help, not listed one by one.
    const auth = command.options.filter((option) => option.long?.startsWith('--os-') || option.long === '--insecure');
    for (const option of auth) option.hideHelp();
    for (const option of command.options.filter((candidate) => candidate.long === '--config-file' || candidate.long === '--config-dir')) option.hideHelp();
    command.addHelpText('after', `${wrap(`OpenStack options (as python-openstackclient's): ${auth.map((option) => option.long).join(', ')}.`)}
Where it runs: --os-ulm-url URL (or ULM_URL), --direct; in direct mode --config-file FILE,
--config-dir DIR (see ulm --help).`);
  }
  return command;
}

const OUTPUT_KEYS = ['format', 'column', 'fitWidth', 'sortColumn'];

/**
 * Output options typed after the verb but taken by a parent that has the same options (`plan`,
 * whose offline mode takes -f and -c): commander gives a parent first pick of the options it
 * knows, so the verb adopts what an ancestor got from the command line.
 */
export function adoptOutputOptions(command: Command): void {
  for (const key of OUTPUT_KEYS) {
    if (command.getOptionValueSource(key) === 'cli') continue;
    for (let ancestor = command.parent; ancestor; ancestor = ancestor.parent) {
      if (ancestor.getOptionValueSource(key) === 'cli') {
        command.setOptionValueWithSource(key, ancestor.getOptionValue(key), 'cli');
        break;
      }
    }
  }
}

/** Breaks a long line between words. */
function wrap(text: string, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

/** Nested values for people: YAML text in tables, the values themselves in json and yaml. */
export function forFormat(record: Row, options: Pick<OutputOptions, 'format'>): Row {
  if (options.format !== 'table') return record;
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, value !== null && typeof value === 'object'
    ? (Array.isArray(value) && value.every((item) => typeof item !== 'object') ? value.join(', ') : toYaml(value).trimEnd())
    : value]));
}

/** A fraction of capacity as a percentage with one decimal: 0.6234 -> 62.3. */
export function percent(fraction: number | null | undefined): number | null {
  return typeof fraction === 'number' && Number.isFinite(fraction) ? Math.round(fraction * 1000) / 10 : null;
}

/** Writes to standard output. */
export function print(text: string): void {
  process.stdout.write(text);
}

/** A note for people on standard error (never mixed into the output programs read). */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Added to `ulm --help`: how the backend is chosen and the exit codes scripts rely on. */
export const PROGRAM_HELP = `
Where commands run:
  --os-ulm-url URL or ULM_URL   against ulm-api at that address
  --direct                      in this process ("direct mode"): ulm's engine on the local
                                configuration (--config-file, --config-dir; SQLite by default)
                                and your OpenStack credentials; started plans run here
  otherwise                     ulm-api from the Keystone catalog (service type "ulm", your
                                interface and region) when it has one, else direct mode
  --debug shows which, and each API request (method, URL, status, request id, duration).

Exit status:
  0  success
  1  the operation failed: a plan ended FAILED or CANCELLED (--wait), an audit found no plan,
     something was not found, a conflict (e.g. the plan is not APPROVED), the API or the
     cloud refused or could not be reached
  2  bad input or usage: the message names the option or field and what would be right
  3  ulm plan --snapshot: the plan meets its goal only in part (blocked servers on stderr)
  4  ulm plan --snapshot: the goal is infeasible, or no path to it was found

Examples:
  ulm host list                                  hosts, their state and load
  ulm consolidate --dry-run                      what consolidating now would do
  ulm host drain cmp-07 --wait                   empty cmp-07 for maintenance, follow it
  ulm plan start PLAN --wait                     run an approved plan to its end
  ulm server set db-01 --not-during "08:00-18:00 mon-fri Europe/Berlin"
  ulm plan --snapshot cluster.json               plan offline from a snapshot file
  source <(ulm completion bash)                  shell completion`;

/** `ulm --help`: global options shown under every command, backend choice and exit codes. */
export function describeProgram(program: Command): void {
  // Mutated, not replaced: commands made before this share the same help settings.
  Object.assign(program.configureHelp(), { showGlobalOptions: true });
  program.addHelpText('after', PROGRAM_HELP);
}
