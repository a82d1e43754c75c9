// Loads ulm's configuration from oslo-style ini files (later files win, like repeating
// --config-file) and overrides, into one typed, frozen object; every mistake in any file is
// reported at once, naming the file, line, [section] option, the value and what is expected.
import { readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { ValidationError, type Issue } from '../../core/validation.js';
import { maskUrlPasswords } from '../db/connection-url.js';
import { expectedValue, type Environment, type OptionDefinition } from './definitions.js';
import { parseIni } from './ini.js';
import { OPTIONS, type Config, type OptionName, type SectionName } from './options.js';

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
}

/** Where a value came from: `FILE:LINE`, `overrides` or `default`. */
export type ValueSource = string;
const sources = new WeakMap<object, ReadonlyMap<string, ValueSource>>();

export function currentEnvironment(): Environment {
  return { env: process.env, homedir: homedir(), hostname: hostname() };
}

export function listOptions(): { section: SectionName; name: string; definition: OptionDefinition }[] {
  return (Object.keys(OPTIONS) as SectionName[]).flatMap((section) =>
    Object.entries(OPTIONS[section] as Record<string, OptionDefinition>).map(([name, definition]) => ({ section, name, definition })));
}

export function definitionOf(section: string, name: string): OptionDefinition | undefined {
  return section in OPTIONS ? (OPTIONS[section as SectionName] as Record<string, OptionDefinition>)[name] : undefined;
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

  for (const file of files) readFile(file, raw, issues);
  for (const [section, values] of Object.entries(overrides) as [string, Record<string, OverrideValue | undefined>][]) {
    for (const [option, value] of Object.entries(values ?? {})) {
      if (value === undefined) continue;
      const where = `overrides: [${section}] ${option}`;
      if (!(section in OPTIONS)) issues.push({ path: where, message: `unknown section${suggestion(section, Object.keys(OPTIONS))}` });
      else if (!definitionOf(section, option)) issues.push({ path: where, message: `unknown option${suggestion(option, Object.keys(OPTIONS[section as SectionName]))}` });
      else raw.set(`${section} ${option}`, { text: Array.isArray(value) ? value.join(',') : String(value), source: 'overrides' });
    }
  }

  const resolver = new Resolver(raw, environment, issues);
  const config: Record<string, Record<string, unknown>> = {};
  const valueSources = new Map<string, ValueSource>();
  for (const { section, name } of listOptions()) {
    config[section] ??= {};
    config[section][name] = resolver.value(section, name);
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
  return frozen;
}

function readFile(file: string, raw: Map<string, RawValue>, issues: Issue[]): void {
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
  const reportedSections = new Set<string>();
  for (const entry of document.entries) {
    const where = `${file}:${entry.line}: [${entry.section}] ${entry.option}`;
    if (!(entry.section in OPTIONS)) {
      if (!reportedSections.has(entry.section)) {
        reportedSections.add(entry.section);
        issues.push({ path: `${file}:${entry.sectionLine}: [${entry.section}]`, message: `unknown section${suggestion(entry.section, Object.keys(OPTIONS))}` });
      }
      continue;
    }
    const section = entry.section as SectionName;
    const known = OPTIONS[section] as Record<string, OptionDefinition>;
    const name = entry.option in known ? entry.option : Object.keys(known).find((candidate) => known[candidate].deprecatedNames?.includes(entry.option));
    if (!name) {
      issues.push({ path: where, message: `unknown option${suggestion(entry.option, Object.keys(known))}` });
      continue;
    }
    // Later lines and later files win, as in oslo.config.
    raw.set(`${section} ${name}`, { text: entry.value, source: `${file}:${entry.line}` });
  }
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
    if (given) {
      value = this.parse(section, name, definition, given);
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

/** A secret as it may be shown: URLs keep all but their password, other secrets nothing. */
export function maskSecret(text: string): string {
  if (!text) return text;
  return text.includes('://') ? maskUrlPasswords(text) : '****';
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
  if (scheduler.leader_lease_seconds <= scheduler.tick_seconds) {
    issues.push({ path: `${source('scheduler', 'leader_lease_seconds')}: [scheduler] leader_lease_seconds`, message: `${scheduler.leader_lease_seconds} is not more than [scheduler] tick_seconds (${scheduler.tick_seconds}); the lease would expire between two renewals: set it to about three ticks, e.g. ${scheduler.tick_seconds * 3}` });
  }
  if (power.max_watts < power.idle_watts) {
    issues.push({ path: `${source('power', 'max_watts')}: [power] max_watts`, message: `${power.max_watts} is below [power] idle_watts (${power.idle_watts}); a host draws at least its idle power, e.g. max_watts = ${power.idle_watts * 2}` });
  }
  if (power.driver === 'ipmi' && !power.ipmi_address_template) {
    issues.push({ path: `${source('power', 'ipmi_address_template')}: [power] ipmi_address_template`, message: 'is required with [power] driver = ipmi: give the BMC address of a host, e.g. {host}-bmc.example.org' });
  }
  if (power.driver === 'redfish' && !power.redfish_url_template) {
    issues.push({ path: `${source('power', 'redfish_url_template')}: [power] redfish_url_template`, message: 'is required with [power] driver = redfish: give the Redfish URL of a host, e.g. https://{host}-bmc.example.org' });
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
    .sort((a, b) => a.distance - b.distance)[0];
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
