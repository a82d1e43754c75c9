// The --config-file and --config-dir options of every ulm daemon and of ulm-manage (oslo's
// command-line conventions), and the list of files they name.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../../core/validation.js';
import { currentEnvironment, loadConfig, type ConfigOverrides } from './load.js';
import type { Config } from './options.js';
import type { Environment } from './definitions.js';

export interface ConfigCommandOptions {
  configFile?: string[];
  configDir?: string[];
  /** `--strict-config`: unknown sections and options stop the start (exit 2) instead of a warning. */
  strictConfig?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Adds `--config-file PATH` and `--config-dir DIR`, both repeatable. */
export function addConfigOptions(command: Command): Command {
  return command
    .option('--config-file <path>', 'configuration file; repeat it to layer files, later ones win (default: the first of ~/.ulm/ulm.conf, ~/ulm.conf, /etc/ulm/ulm.conf, /etc/ulm.conf)', collect, [])
    .option('--config-dir <dir>', 'also read every *.conf file of this directory, in name order, after the --config-file files', collect, [])
    .option('--strict-config', 'unknown sections and options in the configuration files are errors (exit 2), not warnings');
}

/** Where ulm looks when no --config-file is given: the first that exists, as oslo does. */
export function defaultConfigFiles(environment: Environment = currentEnvironment()): string[] {
  const candidates = [join(environment.homedir, '.ulm', 'ulm.conf'), join(environment.homedir, 'ulm.conf'), '/etc/ulm/ulm.conf', '/etc/ulm.conf'];
  const found = candidates.find((path) => existsSync(path));
  return found ? [found] : [];
}

/** The files to read, in order: --config-file ones (or the default), then --config-dir ones. */
export function configFilesFrom(options: ConfigCommandOptions, environment?: Environment): string[] {
  const explicit = options.configFile ?? [];
  const files = explicit.length ? [...explicit] : defaultConfigFiles(environment);
  for (const directory of options.configDir ?? []) {
    let names: string[];
    try {
      if (!statSync(directory).isDirectory()) throw new Error('not a directory');
      names = readdirSync(directory);
    } catch (error) {
      throw new ValidationError('invalid configuration', [{ path: directory, message: `--config-dir cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a directory of *.conf files` }]);
    }
    files.push(...names.filter((name) => name.endsWith('.conf')).sort().map((name) => join(directory, name)));
  }
  return files;
}

export function loadConfigFromOptions(options: ConfigCommandOptions, overrides?: ConfigOverrides): Config {
  return loadConfig(configFilesFrom(options), overrides, { strict: options.strictConfig === true });
}
