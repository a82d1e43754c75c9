// Running a ulm process: configuration from --config-file (oslo-style), the cloud from the
// configuration's service credentials or --os-cloud / OS_CLOUD and clouds.yaml, the runtime, the
// process's features, and a clean stop on SIGTERM/SIGINT (running waves finish first).
import { Command } from 'commander';
import { addConfigOptions, configFilesFrom, ConfigError, loadConfigFromOptions, warningsOf, type Config, type ConfigCommandOptions } from './config/index.js';
import { openRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
import { FEATURE_NAMES, startFeatures, stopFeatures, type FeatureName, type RunningFeature } from './features.js';
import { PreflightFailed, preflight } from './preflight.js';
import { VERSION } from './version.js';

export interface ProcessOptions extends ConfigCommandOptions {
  osCloud?: string;
  bindHost?: string;
  bindPort?: string;
}

/** What a caller may put in place of the real parts: tests run the real process around a stand-in runtime. */
export interface ProcessHooks {
  /** Builds the runtime (database, bus, engine); the real one by default, after the preflight. */
  openRuntime?: (config: Config, options: RuntimeOptions) => Promise<Runtime>;
  /** Resolves when the process should stop; default: the first SIGTERM or SIGINT. */
  stopSignal?: Promise<string>;
  /** Where the start-up lines go; default standard error. */
  say?: (line: string) => void;
}

export interface StartedProcess {
  runtime: Runtime;
  features: RunningFeature[];
  /** What the operator must hear at start though nothing is missing (see services/preflight.ts). */
  warnings: string[];
  stop(): Promise<void>;
}

/** Opens the runtime and starts the features; the caller decides when to stop. */
export async function startProcess(features: readonly FeatureName[], options: ProcessOptions, hooks: ProcessHooks = {}): Promise<StartedProcess> {
  const config = loadConfigFromOptions(options);
  const configFiles = configFilesFrom(options);
  // The embedded default (SQLite) needs no `ulm-manage db sync`; MariaDB deployments run it.
  const migrate = config.database.connection.startsWith('sqlite');
  // Before anything starts: a missing database or broker is one clear line, not a hang or a stack.
  // Each configuration warning once, with its file and line, before the preflight's. A runtime
  // handed in by the caller brings its own database and bus.
  const checked = hooks.openRuntime ? { warnings: [] } : await preflight(config, features, { migrate });
  const warnings = [...warningsOf(config).map((warning) => `${warning.path} ${warning.message}`), ...checked.warnings];
  const program = features.length === 1 ? `ulm-${features[0]}` : 'ulm';
  const runtime = await (hooks.openRuntime ?? openRuntime)(config, { cloudName: options.osCloud, migrate, configFiles, program });
  const port = options.bindPort !== undefined ? Number(options.bindPort) : undefined;
  let running: RunningFeature[];
  try {
    running = await startFeatures(runtime, features, { apiHost: options.bindHost, apiPort: port });
  } catch (error) {
    // Nothing may keep the process alive after a failed start: close the database and the bus.
    await runtime.close();
    throw error;
  }
  let stopped = false;
  return {
    runtime,
    features: running,
    warnings,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopFeatures(running);
      await runtime.close();
    },
  };
}

/** Adds the options every ulm process takes. */
export function withProcessOptions(command: Command): Command {
  addConfigOptions(command);
  return command
    .option('--os-cloud <name>', 'clouds.yaml entry to act on when the configuration names no service credentials (env OS_CLOUD)')
    .option('--bind-host <address>', 'overrides [api] bind_host')
    .option('--bind-port <port>', 'overrides [api] bind_port');
}

/** Runs until SIGTERM or SIGINT, then stops the features and exits. */
export async function runUntilSignalled(features: readonly FeatureName[], options: ProcessOptions, hooks: ProcessHooks = {}): Promise<void> {
  const say = hooks.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  let started: StartedProcess;
  try {
    started = await startProcess(features, options, hooks);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PreflightFailed) throw error;
    throw new Error(`ulm did not start: ${(error as Error).message}`, { cause: error });
  }
  try {
    say(`ulm ${VERSION} running (${started.runtime.config.database.connection.startsWith('sqlite') ? 'SQLite' : 'MariaDB/MySQL'} database, ${started.runtime.bus.transport} bus):`);
    for (const feature of started.features) say(`  ${feature.description}`);
    for (const warning of started.warnings) say(`warning: ${warning}`);
    const signal = await (hooks.stopSignal ?? firstSignal());
    say(`${signal}: stopping (running waves finish first)...`);
  } finally {
    await started.stop();
  }
}

function firstSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
  });
}

/** The entry of ulm-api, ulm-applier, ulm-scheduler, ulm-monitor and ulm-listener. */
export async function daemonMain(feature: FeatureName, argv: string[], hooks: ProcessHooks = {}): Promise<number> {
  if (!FEATURE_NAMES.includes(feature)) throw new Error(`unknown feature ${feature}`);
  const command = withProcessOptions(new Command(`ulm-${feature}`).description(`ulm's ${feature} process`).version(VERSION));
  command.parse(argv);
  try {
    await runUntilSignalled([feature], command.opts<ProcessOptions>(), hooks);
    return 0;
  } catch (error) {
    (hooks.say ?? ((line: string) => process.stderr.write(`${line}\n`)))(`ulm-${feature}: ${(error as Error).message}`);
    return error instanceof ConfigError ? 2 : 1;
  }
}
