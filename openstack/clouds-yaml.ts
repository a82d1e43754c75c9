// Finds and reads clouds.yaml and secure.yaml the way openstacksdk (and so python-openstackclient)
// does: OS_CLIENT_CONFIG_FILE / OS_CLIENT_SECURE_FILE first, then the current directory, the
// user's config directory and the system's; the first file found wins.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CloudConfigError } from './errors.js';

export interface SearchPathInputs {
  env: Record<string, string | undefined>;
  cwd: string;
  home: string | undefined;
}

/** The directories openstacksdk searches, in order (XDG_CONFIG_HOME respected, as appdirs does). */
export function configDirectories({ env, cwd, home }: SearchPathInputs): string[] {
  const userConfig = env.XDG_CONFIG_HOME ? join(env.XDG_CONFIG_HOME, 'openstack') : home ? join(home, '.config', 'openstack') : undefined;
  const siteConfig = (env.XDG_CONFIG_DIRS?.split(':')[0] || '/etc/xdg');
  return [cwd, userConfig, join(siteConfig, 'openstack'), '/etc/openstack'].filter((dir): dir is string => Boolean(dir));
}

function candidates(inputs: SearchPathInputs, base: 'clouds' | 'secure', explicit: string | undefined): string[] {
  const files = configDirectories(inputs).flatMap((dir) => ['yaml', 'yml', 'json'].map((ext) => join(dir, `${base}.${ext}`)));
  return explicit ? [explicit, ...files] : files;
}

export interface CloudsFile {
  path: string;
  clouds: Record<string, Record<string, unknown>>;
}

function readCloudsFile(path: string): CloudsFile {
  let value: unknown;
  try {
    value = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CloudConfigError(path, `cannot read it as YAML or JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const clouds = (value as { clouds?: unknown } | null)?.clouds;
  if (!clouds || typeof clouds !== 'object' || Array.isArray(clouds)) {
    throw new CloudConfigError(`${path}: clouds`, 'is missing or not a mapping; the file must look like "clouds: {NAME: {auth: {...}, region_name: ...}}"');
  }
  return { path, clouds: clouds as Record<string, Record<string, unknown>> };
}

/** The clouds.yaml to use, or undefined when there is none on the search path. */
export function findCloudsFile(inputs: SearchPathInputs): CloudsFile | undefined {
  const explicit = inputs.env.OS_CLIENT_CONFIG_FILE;
  if (explicit && !existsSync(explicit)) {
    throw new CloudConfigError('OS_CLIENT_CONFIG_FILE', `${explicit} does not exist; point it at a clouds.yaml or unset it`);
  }
  const path = candidates(inputs, 'clouds', explicit).find((file) => existsSync(file));
  return path ? readCloudsFile(path) : undefined;
}

/** secure.yaml: the same layout, holding the secrets that clouds.yaml leaves out. */
export function findSecureFile(inputs: SearchPathInputs): CloudsFile | undefined {
  const explicit = inputs.env.OS_CLIENT_SECURE_FILE;
  const path = candidates(inputs, 'secure', explicit).find((file) => existsSync(file));
  return path ? readCloudsFile(path) : undefined;
}

/** Where a missing clouds.yaml was looked for, for the error message. */
export function searchedCloudsFiles(inputs: SearchPathInputs): string[] {
  return configDirectories(inputs).map((dir) => join(dir, 'clouds.yaml'));
}

/** Deep merge of plain objects: `over` wins, nested mappings merge (secure.yaml into clouds.yaml). */
export function mergeSettings(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    if (isPlainObject(current) && isPlainObject(value)) out[key] = mergeSettings(current, value);
    else if (value !== undefined) out[key] = value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
