// `ulm-api`: the REST API as a process of its own. Loads the configuration (--config-file,
// --config-dir, as every ulm daemon), opens the runtime (database, bus, engine) and serves the
// API on [api] bind_host:bind_port until SIGTERM or SIGINT.
import { Command, CommanderError } from 'commander';
import { pathToFileURL } from 'node:url';
import { VERSION } from '../version.js';
import { ValidationError } from '../../core/validation.js';
import { createLogger } from '../../openstack/logger.js';
import { addConfigOptions, configFilesFrom, loadConfig, type Config, type ConfigCommandOptions } from '../config/index.js';
import type { RunningFeature } from '../features.js';
import { preflight } from '../preflight.js';
import { openRuntime as openDefaultRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
import { startApi } from './feature.js';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

export interface ApiProcessHooks {
  /**
   * How the runtime (and in it the engine) is built: the lead's openRuntime by default; tests
   * and other deployments pass their own.
   */
  openRuntime?: (config: Config, options: RuntimeOptions) => Promise<Runtime>;
  /** Resolves when the process should stop; default: the first SIGTERM or SIGINT. */
  stopSignal?: Promise<string>;
  /** Where startup errors are written; default standard error. */
  writeError?: (text: string) => void;
}

function firstSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
  });
}

export async function main(argv: string[], hooks: ApiProcessHooks = {}): Promise<number> {
  const writeError = hooks.writeError ?? ((text: string) => process.stderr.write(text));
  const program = addConfigOptions(new Command('ulm-api'))
    .description('ulm-api: the REST API of ulm (policies, windows, audits, action plans, hosts, servers), with Keystone token authentication')
    .version(VERSION)
    .option('--debug', 'log at debug level and show stack traces on failure', false)
    .exitOverride();
  let options: ConfigCommandOptions & { debug: boolean };
  try {
    program.parse(argv);
    options = program.opts<ConfigCommandOptions & { debug: boolean }>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    throw error;
  }

  let runtime: Runtime | undefined;
  let api: RunningFeature | undefined;
  try {
    const config = loadConfig(configFilesFrom(options));
    const level = options.debug || config.DEFAULT.debug ? 'debug' : config.DEFAULT.log_level === 'warning' ? 'warn' : config.DEFAULT.log_level;
    const logger = createLogger({ name: 'ulm-api', level });
    // A runtime passed by the caller brings its own database and bus; the default one is checked first.
    const { warnings } = hooks.openRuntime ? { warnings: [] } : await preflight(config, ['api']);
    runtime = await (hooks.openRuntime ?? openDefaultRuntime)(config, { logger });
    api = await startApi(runtime);
    // The runtime's logger from here on: the one every line of the API goes to.
    runtime.logger.info(`ulm-api ${VERSION}: ${api.description}`);
    for (const warning of warnings) runtime.logger.warn(warning);
    const signal = await (hooks.stopSignal ?? firstSignal());
    runtime.logger.info({ signal }, 'ulm-api stopping');
    return EXIT_OK;
  } catch (error) {
    writeError(`ulm-api: ${(error as Error).message ?? String(error)}\n`);
    if (options.debug) writeError(`${(error as Error).stack}\n`);
    return error instanceof ValidationError ? EXIT_USAGE : EXIT_FAILED;
  } finally {
    await api?.stop().catch(() => undefined);
    await runtime?.close().catch(() => undefined);
  }
}

// Run directly (`npx tsx services/api/process.ts --config-file ulm.conf`) or from a bin/ulm-api script.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv).then((code) => { process.exitCode = code; });
}
