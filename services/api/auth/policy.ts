// The policy enforcer: the built-in rules, overridden by the operator's `[api] policy_file`
// (YAML or JSON, oslo.policy style), re-read when the file changes so that a rule can be
// tightened without restarting ulm-api.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ValidationError, type Issue } from '../../../core/validation.js';
import { DEFAULT_RULES, DEPRECATED_READER_API, SYSTEM_READER_API } from './default-policy.js';
import { evaluate, parseCheck, references, RuleSyntaxError, ruleSetProblems, type Check, type RuleSet } from './rules.js';
import type { Caller } from './tokens.js';

export interface PolicyEnforcer {
  /** True when the named rule allows the caller; an unknown rule allows no one. */
  allows(rule: string, caller: Caller): boolean;
}

/** Where log lines about the policy file go (pino's shape). */
export interface PolicyLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface LoadedRules {
  rules: RuleSet;
  /** Rules the file sets that ulm does not use and no rule refers to (a typo, or a newer ulm's rule). */
  unknownRules: string[];
  /** Rules the file sets under a deprecated name, which no operation uses any more. */
  deprecatedRules: string[];
}

/** The defaults with `overrides` (rule name -> check string) applied; throws naming every bad rule. */
export function buildRules(overrides: Record<string, unknown>, source = 'policy file'): LoadedRules {
  const known = new Set(DEFAULT_RULES.map((rule) => rule.name));
  const rules = new Map<string, Check>(DEFAULT_RULES.map((rule) => [rule.name, parseCheck(rule.name, rule.check)]));
  const issues: Issue[] = [];
  for (const [name, text] of Object.entries(overrides)) {
    if (typeof text !== 'string') {
      issues.push({ path: `${source}: ${name}`, message: `expected a check string such as "role:admin", got ${JSON.stringify(text)}` });
      continue;
    }
    try {
      rules.set(name, parseCheck(name, text));
    } catch (error) {
      if (!(error instanceof RuleSyntaxError)) throw error;
      issues.push({ path: `${source}: ${name}`, message: error.message.replace(/^policy rule "[^"]*": /, '') });
    }
  }
  for (const problem of ruleSetProblems(rules)) issues.push({ path: source, message: problem });
  if (issues.length) throw new ValidationError('invalid policy rules', issues);
  // A rule of the file's own that other rules refer to (`"ops": "role:ops"`) is a helper, not a typo.
  const referred = new Set([...rules.values()].flatMap(references));
  return {
    rules,
    unknownRules: Object.keys(overrides).filter((name) => !known.has(name) && !referred.has(name)),
    deprecatedRules: Object.keys(overrides).filter((name) => name === DEPRECATED_READER_API),
  };
}

/** Reads a policy file (YAML, or JSON which YAML reads too). */
export function readPolicyFile(path: string): LoadedRules {
  const text = readFileSync(path, 'utf8');
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ValidationError('invalid policy file', [{ path, message: `is not YAML: ${(error as Error).message.split('\n')[0]}` }]);
  }
  if (document === null || document === undefined) return buildRules({}, path);
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ValidationError('invalid policy file', [{ path, message: 'expected a mapping of rule names to check strings, e.g. "ulm:policy:create": "role:admin"' }]);
  }
  return buildRules(document as Record<string, unknown>, path);
}

/**
 * `[api] policy_file`: an absolute path as it is; a relative one next to the configuration files
 * (the first directory where it exists, else next to the first file, where it may appear later).
 */
export function resolvePolicyFile(policyFile: string, configFiles: readonly string[]): string | null {
  if (!policyFile) return null;
  if (isAbsolute(policyFile)) return policyFile;
  const candidates = configFiles.map((file) => join(dirname(file), policyFile));
  return candidates.find((candidate) => exists(candidate)) ?? candidates[0] ?? policyFile;
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface FilePolicyOptions {
  /** The resolved policy file, or null for the built-in rules only. */
  file: string | null;
  logger?: PolicyLogger;
  /** How often the file's modification time is looked at; default 2 s. */
  recheckMs?: number;
  now?: () => number;
}

/** The enforcer ulm-api uses: defaults plus the policy file, reloaded when it changes. */
export class FilePolicy implements PolicyEnforcer {
  private rules: RuleSet;
  private modified: number;
  private checkedAt: number;
  private readonly recheckMs: number;
  private readonly now: () => number;

  /** Throws ValidationError when the file exists and is wrong: a bad file must stop ulm-api from starting. */
  constructor(private readonly options: FilePolicyOptions) {
    this.recheckMs = options.recheckMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.modified = this.modificationTime();
    this.rules = this.load(this.modified);
    this.checkedAt = this.now();
  }

  allows(rule: string, caller: Caller): boolean {
    this.reloadIfChanged();
    const check = this.rules.get(rule);
    if (!check) {
      this.options.logger?.error({ rule }, `policy rule "${rule}" is not defined: refusing the request`);
      return false;
    }
    return evaluate(check, caller, this.rules);
  }

  private reloadIfChanged(): void {
    if (!this.options.file || this.now() - this.checkedAt < this.recheckMs) return;
    this.checkedAt = this.now();
    const modified = this.modificationTime();
    if (modified === this.modified) return;
    try {
      this.rules = this.load(modified);
      this.modified = modified;
      this.options.logger?.warn({ policy_file: this.options.file }, modified < 0 ? 'policy file removed: using the built-in rules' : 'policy file changed: rules reloaded');
    } catch (error) {
      // Keep enforcing the rules that were good: a half-edited file must not open or close the API.
      this.modified = modified;
      this.options.logger?.error({ policy_file: this.options.file, err: error }, `policy file not reloaded, the previous rules stay: ${(error as Error).message}`);
    }
  }

  private load(modified: number): RuleSet {
    if (!this.options.file || modified < 0) return buildRules({}).rules;
    const loaded = readPolicyFile(this.options.file);
    for (const name of loaded.unknownRules) {
      this.options.logger?.warn({ policy_file: this.options.file, rule: name }, `policy file sets rule "${name}", which ulm does not use: check its spelling`);
    }
    for (const name of loaded.deprecatedRules) {
      this.options.logger?.warn({ policy_file: this.options.file, rule: name }, `policy file sets rule "${name}", which is deprecated and guards nothing: reads follow "${SYSTEM_READER_API}" (admin, or reader on the system scope); set that rule instead`);
    }
    return loaded.rules;
  }

  private modificationTime(): number {
    if (!this.options.file) return -1;
    try {
      return statSync(this.options.file).mtimeMs;
    } catch {
      return -1;
    }
  }
}
