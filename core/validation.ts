// Turns schema validation failures into errors that name the field, the value and the fix.
import type { TSchema } from '@sinclair/typebox';
import { Kind } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';

export interface Issue {
  /** Dotted path of the offending field, e.g. `hosts[3].vcpus`. */
  path: string;
  /** What is wrong and what would be right. */
  message: string;
}

/** Bad input: every issue names the field and what is expected there. */
export class ValidationError extends Error {
  readonly issues: Issue[];
  /** What was invalid ("invalid policy"): with the issues, all it takes to make the error again. */
  readonly what: string;
  constructor(what: string, issues: Issue[]) {
    const shown = issues.slice(0, 10).map((issue) => `${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    const more = issues.length > 10 ? `\n  ... and ${issues.length - 10} more` : '';
    super(`${what}:\n  ${shown.join('\n  ')}${more}`);
    this.name = 'ValidationError';
    this.issues = issues;
    this.what = what;
  }
}

/** `/hosts/3/vcpus` -> `hosts[3].vcpus`, prefixed with `prefix` when given. */
export function jsonPointerToPath(pointer: string, prefix = ''): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

/** A short noun phrase for what a schema accepts: `a number >= 1`, `one of "a", "b"`. */
export function describeSchema(schema: TSchema): string {
  if (schema.description && schema.expected) return String(schema.expected);
  if (schema.expected) return String(schema.expected);
  const kind = schema[Kind] as string | undefined;
  if (schema.anyOf) {
    const options = schema.anyOf as TSchema[];
    if (options.every((option) => option.const !== undefined)) return `one of ${options.map((option) => JSON.stringify(option.const)).join(', ')}`;
    return options.map(describeSchema).join(' or ');
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  switch (kind ?? schema.type) {
    case 'Number': case 'number': case 'Integer': case 'integer': {
      const noun = kind === 'Integer' || schema.type === 'integer' ? 'an integer' : 'a number';
      const bounds: string[] = [];
      if (schema.minimum !== undefined) bounds.push(`>= ${schema.minimum}`);
      if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
      if (schema.maximum !== undefined) bounds.push(`<= ${schema.maximum}`);
      if (schema.exclusiveMaximum !== undefined) bounds.push(`< ${schema.exclusiveMaximum}`);
      return bounds.length ? `${noun} ${bounds.join(' and ')}` : noun;
    }
    case 'String': case 'string':
      if (schema.pattern && schema.format) return `a string (${schema.format})`;
      if (schema.minLength) return 'a non-empty string';
      return 'a string';
    case 'Boolean': case 'boolean': return 'true or false';
    case 'Null': case 'null': return 'null';
    case 'Array': case 'array': return schema.minItems ? `a non-empty array of ${describeSchema(schema.items as TSchema)}` : `an array of ${describeSchema(schema.items as TSchema)}`;
    case 'Object': case 'object': return 'an object';
    case 'Record': return 'an object (map)';
    default: return 'a valid value';
  }
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // Nested too deep (or cyclic): say what it is rather than fail while reporting.
    return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value;
  }
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Validates `value` against a compiled schema; throws a ValidationError listing one issue per
 * offending field (the first failure of each path).
 */
export function check<T>(compiled: TypeCheck<TSchema>, value: unknown, what: string, prefix = ''): T {
  if (compiled.Check(value)) return value as T;
  throw new ValidationError(what, issuesOf(compiled, value, prefix));
}

export function issuesOf(compiled: TypeCheck<TSchema>, value: unknown, prefix = ''): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const error of compiled.Errors(value)) {
    const path = jsonPointerToPath(error.path, prefix);
    if ([...seen].some((done) => path === done || path.startsWith(`${done}.`) || path.startsWith(`${done}[`))) continue;
    seen.add(path);
    const schema = error.schema as TSchema;
    const hint = schema.hint ? ` (${schema.hint})` : '';
    if (error.message === 'Expected required property') {
      issues.push({ path, message: `is required: expected ${describeSchema(schema)}${hint}` });
    } else if (/Unexpected property/.test(error.message)) {
      issues.push({ path, message: `is not a known field; remove it or check its spelling${knownFields(schema)}` });
    } else {
      issues.push({ path, message: `expected ${describeSchema(schema)}, got ${shown(error.value)}${hint}` });
    }
    if (issues.length >= 50) break;
  }
  return issues;
}

function knownFields(schema: TSchema): string {
  return schema.properties ? ` (known fields: ${Object.keys(schema.properties).join(', ')})` : '';
}
