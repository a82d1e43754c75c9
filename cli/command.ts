// How a `ulm <noun> <verb>` command that talks to ulm is declared: its output options (Lister or
// ShowOne), examples in --help, where its OpenStack options are (the program's).
import type { Command } from 'commander';
import { OPENSTACK_FLAGS } from './auth-options.js';
import { toYaml, withOutputOptions, type OutputOptions, type Row } from './output.js';

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

export function defineCommand(parent: Command, spec: CommandSpec): Command {
  const command = parent.command(spec.name).description(spec.summary);
  if (spec.output) withOutputOptions(command, { list: spec.output === 'list' });
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
    // The two dozen OpenStack options are the program's (before or after the command): named once here.
    command.addHelpText('after', `${wrap(`OpenStack options (as python-openstackclient's, before or after the command): ${OPENSTACK_FLAGS.join(', ')}.`)}
Where it runs: --os-ulm-url URL (or ULM_URL), --direct; in direct mode --config-file FILE,
--config-dir DIR (see ulm --help).`);
  }
  return command;
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

