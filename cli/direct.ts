// Direct mode: the CLI runs ulm's engine and an applier in its own process, on the local
// configuration (SQLite and the in-process bus by default) and the caller's cloud credentials.
// Used when no ulm API is configured or found; the commands are the same as against the API.
import { ApplierWorker, PLAN_PROGRESS_TOPIC } from '../services/applier/worker.js';
import { loadConfig, type Config } from '../services/config/index.js';
import { openRuntime, type Runtime } from '../services/runtime.js';
import { cloudConfigAsking, type AuthOptions } from './auth.js';
import { createLogger } from '../openstack/logger.js';
import type { Engine } from '../core/api/engine.js';
import type { PlanProgress } from '../services/applier/executor.js';

export interface DirectOptions extends AuthOptions {
  configFile?: string[];
  debug?: boolean;
}

export interface DirectBackend {
  engine: Engine;
  runtime: Runtime;
  /** Runs an applier in this process, so started plans execute here (progress on `onProgress`). */
  startApplier(onProgress?: (progress: PlanProgress) => void): Promise<ApplierWorker>;
  close(): Promise<void>;
}

export async function openDirectBackend(options: DirectOptions): Promise<DirectBackend> {
  const config: Config = loadConfig(options.configFile ?? []);
  // The caller's own credentials (options, OS_*, clouds.yaml) unless the config names a service user.
  const cloudConfig = config.keystone_authtoken.username ? undefined : await cloudConfigAsking(options);
  const logger = createLogger({ level: options.debug ? 'debug' : 'warn' });
  const runtime = await openRuntime(config, { logger, migrate: true, cloudConfig });
  let worker: ApplierWorker | null = null;
  return {
    engine: runtime.engine,
    runtime,
    async startApplier(onProgress) {
      worker = new ApplierWorker(await runtime.applierContext(), runtime.bus, { holder: runtime.holder, leaseMs: 30_000 });
      if (onProgress) await runtime.bus.subscribe<PlanProgress>(PLAN_PROGRESS_TOPIC, (event) => onProgress(event.payload));
      await worker.start();
      return worker;
    },
    async close() {
      await worker?.stop();
      await runtime.close();
    },
  };
}
