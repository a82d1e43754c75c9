// Reading the operator's files: snapshots (JSON) and policies (YAML or JSON).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { validatePolicy, type Policy } from '../core/policy/schema.js';
import type { Snapshot } from '../core/snapshot/format.js';
import { parseJson, readSnapshot } from '../core/snapshot/read.js';
import { ValidationError } from '../core/validation.js';

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read the ${what}`, [{ path: '', message: `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}` }]);
  }
}

export function readSnapshotFile(path: string): Snapshot {
  return readSnapshot(parseJson(readText(path, 'snapshot'), `snapshot ${path}`));
}

/** A policy file in YAML or JSON (JSON is YAML). */
export function readPolicyFile(path: string): Policy {
  const text = readText(path, 'policy');
  let value: unknown;
  try {
    // Loaded here: planning from a snapshot's own policy needs no YAML parser.
    value = (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);
  } catch (error) {
    throw new ValidationError(`policy ${path} is not valid YAML or JSON`, [{ path: '', message: (error as Error).message.split('\n')[0] }]);
  }
  return validatePolicy(value, 'policy');
}
