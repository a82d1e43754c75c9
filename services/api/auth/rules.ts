// oslo.policy check strings: `role:admin or (role:reader and not role:member)`, parsed once and
// evaluated against a caller. The subset ulm needs: role:, rule:, credential fields, @ and !,
// and / or / not with parentheses.
import type { Caller } from './tokens.js';

export type Check =
  | { kind: 'always' }
  | { kind: 'never' }
  | { kind: 'role'; role: string }
  | { kind: 'rule'; name: string }
  | { kind: 'field'; field: string; value: string }
  | { kind: 'not'; check: Check }
  | { kind: 'and'; checks: Check[] }
  | { kind: 'or'; checks: Check[] };

export class RuleSyntaxError extends Error {
  constructor(readonly rule: string, message: string) {
    super(`policy rule "${rule}": ${message}`);
    this.name = 'RuleSyntaxError';
  }
}

/** Splits `(role:a or not role:b)` into `(`, `role:a`, `or`, `not`, `role:b`, `)`. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.startsWith('(')) { tokens.push('('); rest = rest.slice(1); }
    let closing = 0;
    while (rest.endsWith(')')) { closing++; rest = rest.slice(0, -1); }
    if (rest) tokens.push(rest);
    for (let index = 0; index < closing; index++) tokens.push(')');
  }
  return tokens;
}

/** Parses a check string; an empty one allows everyone, as in oslo.policy. */
export function parseCheck(rule: string, text: string): Check {
  const tokens = tokenize(text);
  if (!tokens.length) return { kind: 'always' };
  let at = 0;
  const fail = (expected: string): never => {
    throw new RuleSyntaxError(rule, `expected ${expected} ${at < tokens.length ? `at "${tokens[at]}"` : 'at the end'} in "${text}"`);
  };
  const keyword = (word: string) => at < tokens.length && tokens[at].toLowerCase() === word;
  const parseOr = (): Check => {
    const checks = [parseAnd()];
    while (keyword('or')) { at++; checks.push(parseAnd()); }
    return checks.length === 1 ? checks[0] : { kind: 'or', checks };
  };
  const parseAnd = (): Check => {
    const checks = [parseNot()];
    while (keyword('and')) { at++; checks.push(parseNot()); }
    return checks.length === 1 ? checks[0] : { kind: 'and', checks };
  };
  const parseNot = (): Check => {
    if (keyword('not')) { at++; return { kind: 'not', check: parseNot() }; }
    return parseAtom();
  };
  const parseAtom = (): Check => {
    const token = tokens[at];
    if (token === undefined) return fail('a check such as role:admin');
    if (token === '(') {
      at++;
      const inner = parseOr();
      if (tokens[at] !== ')') fail('")"');
      at++;
      return inner;
    }
    if (token === ')' || ['and', 'or'].includes(token.toLowerCase())) return fail('a check such as role:admin');
    at++;
    if (token === '@') return { kind: 'always' };
    if (token === '!') return { kind: 'never' };
    const colon = token.indexOf(':');
    if (colon <= 0 || colon === token.length - 1) {
      at--;
      return fail('a check of the form kind:value (role:admin, rule:admin_api, project_id:...)');
    }
    const kind = token.slice(0, colon);
    const value = unquote(token.slice(colon + 1));
    if (kind === 'role') return { kind: 'role', role: value };
    if (kind === 'rule') return { kind: 'rule', name: value };
    if (kind === 'http' || kind === 'https') throw new RuleSyntaxError(rule, `${kind}: checks (a remote policy server) are not supported by ulm`);
    return { kind: 'field', field: kind, value };
  };
  const check = parseOr();
  if (at < tokens.length) fail('"and", "or" or the end');
  return check;
}

function unquote(value: string): string {
  return /^(['"]).*\1$/.test(value) ? value.slice(1, -1) : value;
}

/** The rules each `rule:` name refers to, as parsed checks. */
export type RuleSet = ReadonlyMap<string, Check>;

/** The rule names a check refers to with `rule:`. */
export function references(check: Check): string[] {
  switch (check.kind) {
    case 'rule': return [check.name];
    case 'not': return references(check.check);
    case 'and': case 'or': return check.checks.flatMap(references);
    default: return [];
  }
}

/** Names referred to with `rule:` that the set does not define, and rules that refer to themselves. */
export function ruleSetProblems(rules: RuleSet): string[] {
  const problems: string[] = [];
  for (const [name, check] of rules) {
    for (const referred of references(check)) {
      if (!rules.has(referred)) problems.push(`policy rule "${name}" refers to rule:${referred}, which is not defined`);
    }
  }
  // A cycle would recurse forever at request time: refuse it when the rules are loaded.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done' || !rules.has(name)) return;
    if (state.get(name) === 'visiting') {
      problems.push(`policy rules refer to each other in a loop: ${[...trail.slice(trail.indexOf(name)), name].join(' -> ')}`);
      return;
    }
    state.set(name, 'visiting');
    for (const referred of references(rules.get(name)!)) visit(referred, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of rules.keys()) visit(name, []);
  return problems;
}

/** Evaluates a check for a caller; an undefined rule denies (fail closed). */
export function evaluate(check: Check, caller: Caller, rules: RuleSet): boolean {
  switch (check.kind) {
    case 'always': return true;
    case 'never': return false;
    // oslo.policy compares role names without regard to case.
    case 'role': return caller.roles.some((role) => role.toLowerCase() === check.role.toLowerCase());
    case 'rule': {
      const referred = rules.get(check.name);
      return referred ? evaluate(referred, caller, rules) : false;
    }
    case 'field': {
      // Targets (`%(project_id)s`) name nothing in ulm: its records belong to the cloud, not to projects.
      if (/%\(.*\)s/.test(check.value)) return false;
      const value = (caller as unknown as Record<string, unknown>)[check.field];
      if (Array.isArray(value)) return value.map(String).includes(check.value);
      if (typeof value === 'boolean') return String(value) === check.value.toLowerCase();
      return value !== undefined && value !== null && String(value) === check.value;
    }
    case 'not': return !evaluate(check.check, caller, rules);
    case 'and': return check.checks.every((inner) => evaluate(inner, caller, rules));
    case 'or': return check.checks.some((inner) => evaluate(inner, caller, rules));
  }
}
