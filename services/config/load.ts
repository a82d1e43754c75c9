// Loads ulm's configuration from oslo-style ini files (later files win, like repeating
// --config-file) and overrides, into one typed, frozen object; every mistake in any file is
// reported at once, naming the file, line, [section] option, the value and what is expected.
// What deployment tools write for the OpenStack libraries is accepted and warned about once.
import { readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { ValidationError, type Issue } from '../../core/validation.js';
import { maskSecret } from '../../openstack/secrets.js';
import { expectedValue, type Environment, type OptionDefinition } from './definitions.js';
import { parseIni } from './ini.js';
import { isLibrarySection, libraryOf, libraryOptionsOf } from './library-options.js';
import { OPTIONS, type Config, type OptionName, type SectionName } from './options.js';
import { MOVED_POWER_OPTIONS, pluginSections } from './plugin-options.js';

export { maskSecret } from '../../openstack/secrets.js';

/** Bad configuration: each issue's path is `FILE:LINE: [section] option`. */
export class ConfigError extends ValidationError {
  constructor(issues: Issue[]) {
    super('invalid configuration', issues);
    this.name = 'ConfigError';
  }
}

type OverrideValue = string | number | boolean | readonly string[];
/** Values set by the caller (command line, tests); they win over every file. */
export type ConfigOverrides = { [Section in SectionName]?: { [Option in OptionName<Section>]?: OverrideValue } };

export interface LoadOptions {
  /** What machine-dependent defaults are computed from; the real machine when absent. */
  environment?: Environment;
  /** `--strict-config`: unknown sections and options are errors, not warnings. */
  strict?: boolean;
}

/** Something in the files that works but that the operator should hear about, at `FILE:LINE`. */
export type ConfigWarning = Issue;
const warningsByConfig = new WeakMap<object, readonly ConfigWarning[]>();

/** The warnings of a loaded configuration, each once, in file order. */
export function warningsOf(config: Config): readonly ConfigWarning[] {
  return warningsByConfig.get(config) ?? [];
}

/** Every section ulm reads: its own (options.ts) and its plugins' (from their schemas). */
let sectionTable: ReadonlyMap<string, Readonly<Record<string, OptionDefinition>>> | undefined;
function sections(): ReadonlyMap<string, Readonly<Record<string, OptionDefinition>>> {
  if (!sectionTable) {
    const table = new Map<string, Record<string, OptionDefinition>>();
    for (const [section, options] of Object.entries(OPTIONS)) table.set(section, { ...(options as Record<string, OptionDefinition>) });
    // A plugin's options join a section of the same name ([gnocchi] already holds the client's).
    for (const plugin of pluginSections()) table.set(plugin.section, { ...(table.get(plugin.section) ?? {}), ...plugin.options });
    sectionTable = table;
  }
  return sectionTable;
}

/** The options of a plugin's section as set in the files, for the plugin's own defaults to fill in the rest. */
export function pluginOptions(config: Config, section: string): Record<string, unknown> {
  const values = (config as unknown as Record<string, Record<string, unknown> | undefined>)[section] ?? {};
  const options = sections().get(section) ?? {};
  return Object.fromEntries(Object.entries(values).filter(([name, value]) => value !== undefined && options[name] && !isStaticOption(section, name)));
}

function isStaticOption(section: string, name: string): boolean {
  return section in OPTIONS && name in (OPTIONS[section as SectionName] as Record<string, unknown>);
}

/** Where a value came from: `FILE:LINE`, `overrides` or `default`. */
export type ValueSource = string;
const sources = new WeakMap<object, ReadonlyMap<string, ValueSource>>();

export function currentEnvironment(): Environment {
  return { env: process.env, homedir: homedir(), hostname: hostname() };
}

/** Every option of every section, ulm's and its plugins'. */
export function listOptions(): { section: SectionName; name: string; definition: OptionDefinition }[] {
  return [...sections()].flatMap(([section, options]) =>
    Object.entries(options).map(([name, definition]) => ({ section: section as SectionName, name, definition })));
}

/** The sections, in the order the sample and `config show` print them. */
export function sectionNames(): string[] {
  return [...sections().keys()];
}

export function definitionOf(section: string, name: string): OptionDefinition | undefined {
  return sections().get(section)?.[name];
}

/** `FILE:LINE` (or `overrides`, `default`) each option's value came from, for `config show`. */
export function sourceOf(config: Config, section: SectionName, option: string): ValueSource | undefined {
  return sources.get(config)?.get(`${section} ${option}`);
}

interface RawValue { text: string; source: ValueSource }

export function loadConfig(files: readonly string[], overrides: ConfigOverrides = {}, options: LoadOptions = {}): Config {
  const environment = options.environment ?? currentEnvironment();
  const issues: Issue[] = [];
  const raw = new Map<string, RawValue>();
  const warnings = new Warnings(options.strict ? issues : undefined);

  for (const file of files) readFile(file, raw, issues, warnings);
  for (const [section, values] of Object.entries(overrides) as [string, Record<string, OverrideValue | undefined>][]) {
    for (const [option, value] of Object.entries(values ?? {})) {
      if (value === undefined) continue;
      const where = `overrides: [${section}] ${option}`;
      if (!sections().has(section)) issues.push({ path: where, message: `unknown section${suggestion(section, sectionNames())}` });
      else if (!definitionOf(section, option)) issues.push({ path: where, message: `unknown option${suggestion(option, Object.keys(sections().get(section) ?? {}))}` });
      else raw.set(`${section} ${option}`, { text: Array.isArray(value) ? value.join(',') : String(value), source: 'overrides' });
    }
  }

  const resolver = new Resolver(raw, environment, issues);
  const config: Record<string, Record<string, unknown>> = {};
  const valueSources = new Map<string, ValueSource>();
  for (const { section, name } of listOptions()) {
    config[section] ??= {};
    const value = resolver.value(section, name);
    if (value !== undefined) config[section][name] = value;
    valueSources.set(`${section} ${name}`, raw.get(`${section} ${name}`)?.source ?? 'default');
  }
  crossChecks(config as Config, (section, option) => raw.get(`${section} ${option}`)?.source ?? 'default', issues);
  if (issues.length) throw new ConfigError(inFileOrder(issues, files));

  for (const section of Object.values(config)) {
    for (const value of Object.values(section)) if (Array.isArray(value)) Object.freeze(value);
    Object.freeze(section);
  }
  const frozen = Object.freeze(config) as Config;
  sources.set(frozen, valueSources);
  warningsByConfig.set(frozen, Object.freeze(inFileOrder(warnings.list, files)));
  return frozen;
}

/** Collects each warning once per [section] option; under --strict-config some become errors. */
class Warnings {
  readonly list: ConfigWarning[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly strictIssues: Issue[] | undefined) {}

  /** Works either way: deprecated names, options ulm does not use. */
  add(key: string, warning: ConfigWarning): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(warning);
  }

  /** A misspelling or a section ulm does not know: an error with --strict-config. */
  unknown(key: string, issue: Issue): void {
    if (this.strictIssues) {
      if (!this.seen.has(key)) this.strictIssues.push(issue);
      this.seen.add(key);
    }
    else this.add(key, { path: issue.path, message: `${issue.message} (ignored; --strict-config makes this an error)` });
  }
}

function readFile(file: string, raw: Map<string, RawValue>, issues: Issue[], warnings: Warnings): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file; check the --config-file path' : code === 'EACCES' ? 'permission denied; make it readable by the user ulm runs as' : (error as Error).message;
    issues.push({ path: file, message: `cannot read the configuration file: ${reason}` });
    return;
  }
  const document = parseIni(text, file);
  issues.push(...document.issues);
  for (const entry of document.entries) {
    const where = `${file}:${entry.line}: [${entry.section}] ${entry.option}`;
    const key = `${entry.section} ${entry.option}`;
    const moved = movedOption(entry.section, entry.option);
    if (moved) {
      if (moved.deprecated) warnings.add(key, { path: where, message: `is deprecated: write it as [${moved.section}] ${moved.option}${moved.invert ? ' (with the opposite value)' : ''}` });
      raw.set(`${moved.section} ${moved.option}`, { text: moved.invert ? invertBoolean(entry.value) : entry.value, source: `${file}:${entry.line}` });
      continue;
    }
    const known = sections().get(entry.section);
    const name = known && (entry.option in known ? entry.option : Object.keys(known).find((candidate) => known[candidate].deprecatedNames?.includes(entry.option)));
    if (known && name) {
      if (name !== entry.option) warnings.add(key, { path: where, message: `is deprecated: write ${name} (as keystonemiddleware and oslo.config do)` });
      // Later lines and later files win, as in oslo.config.
      raw.set(`${entry.section} ${name}`, { text: entry.value, source: `${file}:${entry.line}` });
      continue;
    }
    const library = libraryOf(entry.section, entry.option);
    if (library) {
      warnings.add(key, { path: where, message: `is an option of ${library} that ulm does not use; it is ignored` });
      continue;
    }
    if (known || isLibrarySection(entry.section)) {
      warnings.unknown(key, { path: where, message: `unknown option${suggestion(entry.option, [...Object.keys(known ?? {}), ...libraryOptionsOf(entry.section)])}` });
      continue;
    }
    warnings.unknown(`[${entry.section}]`, { path: `${file}:${entry.sectionLine}: [${entry.section}]`, message: `unknown section${suggestion(entry.section, sectionNames())}` });
  }
}

/** Options that live elsewhere now, or that oslo's libraries read from their own section. */
function movedOption(section: string, option: string): { section: string; option: string; invert?: boolean; deprecated: boolean } | undefined {
  if (section === 'power' && MOVED_POWER_OPTIONS[option]) return { ...MOVED_POWER_OPTIONS[option], deprecated: true };
  // oslo.policy's own place for the rules file, where deployment tools write it.
  if (section === 'oslo_policy' && option === 'policy_file') return { section: 'api', option: 'policy_file', deprecated: false };
  return undefined;
}

function invertBoolean(text: string): string {
  const word = text.toLowerCase();
  if (TRUE_WORDS.includes(word)) return 'false';
  if (FALSE_WORDS.includes(word)) return 'true';
  return text;
}

/** Parses each option once, interpolating `$name` references oslo-style, and records issues. */
class Resolver {
  private readonly values = new Map<string, unknown>();
  private readonly resolving = new Set<string>();

  constructor(private readonly raw: Map<string, RawValue>, private readonly environment: Environment, private readonly issues: Issue[]) {}

  value(section: SectionName, name: string): unknown {
    const key = `${section} ${name}`;
    if (this.values.has(key)) return this.values.get(key);
    const definition = definitionOf(section, name) as OptionDefinition;
    const given = this.raw.get(key);
    let value: unknown;
    if (given && definition.optional && given.text.trim() === '') {
      // `name =` leaves a plugin option to its plugin's default, as the sample shows it.
      value = undefined;
    } else if (given) {
      value = this.parse(section, name, definition, given);
    } else if (definition.optional) {
      value = undefined;
    } else if (typeof definition.default === 'function') {
      value = (definition.default as (environment: Environment) => unknown)(this.environment);
    } else if (typeof definition.default === 'string') {
      value = this.interpolate(section, name, definition.default, 'default') ?? definition.default;
    } else {
      value = definition.default;
    }
    this.values.set(key, value);
    return value;
  }

  private parse(section: SectionName, name: string, definition: OptionDefinition, given: RawValue): unknown {
    const where = `${given.source}: [${section}] ${name}`;
    const text = this.interpolate(section, name, given.text, given.source);
    if (text === undefined) return definition.default;
    const shown = JSON.stringify(definition.secret ? maskSecret(text) : text);
    const parsed = parseValue(definition, text);
    if (!parsed.ok) {
      this.issues.push({ path: where, message: `${shown} is not ${expectedValue(definition)}${parsed.detail ? ` (${parsed.detail})` : ''}` });
      return definition.default;
    }
    const problem = (definition.check as ((value: unknown) => string | undefined) | undefined)?.(parsed.value);
    if (problem) {
      this.issues.push({ path: where, message: `${shown}: expected ${problem}` });
      return definition.default;
    }
    return parsed.value;
  }

  /** `$name` or `${name}` (this section, then [DEFAULT]), `${section.name}`, `$$` for "$". */
  private interpolate(section: SectionName, name: string, text: string, source: ValueSource): string | undefined {
    const key = `${section} ${name}`;
    this.resolving.add(key);
    let failed = false;
    const result = text.replace(/\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (match, whole: string, braced: string | undefined, bare: string | undefined) => {
      if (whole === '$') return '$';
      const reference = braced ?? bare ?? '';
      const [targetSection, targetName] = reference.includes('.')
        ? [reference.slice(0, reference.indexOf('.')), reference.slice(reference.indexOf('.') + 1)]
        : [definitionOf(section, reference) ? section : 'DEFAULT', reference];
      const where = `${source}: [${section}] ${name}`;
      if (!definitionOf(targetSection, targetName)) {
        this.issues.push({ path: where, message: `refers to ${match}, which is not an option of [${targetSection}]; write $$ for a literal "$" (e.g. in a password)` });
        failed = true;
        return match;
      }
      if (this.resolving.has(`${targetSection} ${targetName}`)) {
        this.issues.push({ path: where, message: `refers to ${match}, which refers back to [${section}] ${name}; break the cycle` });
        failed = true;
        return match;
      }
      const value = this.value(targetSection as SectionName, targetName);
      return Array.isArray(value) ? value.join(',') : String(value);
    });
    this.resolving.delete(key);
    return failed ? undefined : result;
  }
}

type Parsed = { ok: true; value: unknown } | { ok: false; detail?: string };

const TRUE_WORDS = ['true', 'yes', 'on', '1'];
const FALSE_WORDS = ['false', 'no', 'off', '0'];

export function parseValue(definition: OptionDefinition, text: string): Parsed {
  switch (definition.type) {
    case 'string': return { ok: true, value: text };
    case 'list': return { ok: true, value: text.split(',').map((item) => item.trim()).filter(Boolean) };
    case 'boolean': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.includes(word)) return { ok: true, value: true };
      if (FALSE_WORDS.includes(word)) return { ok: true, value: false };
      return { ok: false };
    }
    case 'enum':
      return definition.choices.includes(text) ? { ok: true, value: text } : { ok: false };
    case 'integer': case 'float': {
      const pattern = definition.type === 'integer' ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
      if (!pattern.test(text)) return { ok: false };
      const value = Number(text);
      if (definition.min !== undefined && value < definition.min) return { ok: false, detail: 'too small' };
      if (definition.max !== undefined && value > definition.max) return { ok: false, detail: 'too large' };
      return { ok: true, value };
    }
  }
}

/** Rules between options, each naming both options and a value that works. */
function crossChecks(config: Config, source: (section: SectionName, option: string) => ValueSource, issues: Issue[]): void {
  const { scheduler, power } = config;
  const plugin = (section: string) => pluginOptions(config, section);
  if (scheduler.leader_lease_seconds <= scheduler.tick_seconds) {
    issues.push({ path: `${source('scheduler', 'leader_lease_seconds')}: [scheduler] leader_lease_seconds`, message: `${scheduler.leader_lease_seconds} is not more than [scheduler] tick_seconds (${scheduler.tick_seconds}); the lease would expire between two renewals: set it to about three ticks, e.g. ${scheduler.tick_seconds * 3}` });
  }
  if (power.max_watts < power.idle_watts) {
    issues.push({ path: `${source('power', 'max_watts')}: [power] max_watts`, message: `${power.max_watts} is below [power] idle_watts (${power.idle_watts}); a host draws at least its idle power, e.g. max_watts = ${power.idle_watts * 2}` });
  }
  if (power.driver === 'ipmi' && !plugin('power_ipmi').address_template) {
    issues.push({ path: `${source('power_ipmi' as SectionName, 'address_template')}: [power_ipmi] address_template`, message: 'is required with [power] driver = ipmi: give the BMC address of a host, e.g. {host}-bmc.example.org' });
  }
  if (power.driver === 'redfish' && !plugin('power_redfish').url_template) {
    issues.push({ path: `${source('power_redfish' as SectionName, 'url_template')}: [power_redfish] url_template`, message: 'is required with [power] driver = redfish: give the Redfish URL of a host, e.g. https://{host}-bmc.example.org' });
  }
}

/** Issues as the operator reads the files: by file, then line; overrides and defaults last. */
function inFileOrder(issues: Issue[], files: readonly string[]): Issue[] {
  const key = (issue: Issue) => {
    for (let index = files.length - 1; index >= 0; index -= 1) {
      const file = files[index];
      if (issue.path === file || issue.path.startsWith(`${file}:`)) {
        const line = /^:(\d+)/.exec(issue.path.slice(file.length))?.[1];
        return [index, line ? Number(line) : 0];
      }
    }
    return [files.length, 0];
  };
  return issues
    .map((issue, order) => ({ issue, order, key: key(issue) }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.order - b.order)
    .map(({ issue }) => issue);
}

/** ` (did you mean X?)` for a near miss, else the known names. */
function suggestion(given: string, known: readonly string[]): string {
  const close = known
    .map((name) => ({ name, distance: editDistance(given.toLowerCase(), name.toLowerCase()) }))
    .filter(({ distance }) => distance <= Math.max(2, Math.floor(given.length / 4)))
    .sort((a, b) => a.distance - b.distance)[0]
    // Another tool's shorter name for ulm's: Watcher's [api] port is ulm's bind_port.
    ?? known.map((name) => ({ name })).find(({ name }) => name.split('_').includes(given.toLowerCase()));
  return close ? `; did you mean ${close.name}?` : `; remove it or check its spelling (known: ${known.join(', ')})`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
