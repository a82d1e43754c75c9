// The features a ulm process runs, each started on the shared runtime and stopped in reverse
// order: `ulm serve` runs them all; ulm-api, ulm-applier, ulm-scheduler, ulm-monitor and
// ulm-listener each run one. Same code, different lists.
import { ApplierWorker } from './applier/worker.js';
import { OverloadMonitor } from './monitor/monitor.js';
import type { Runtime } from './runtime.js';
import { WindowScheduler } from './scheduler/scheduler.js';
import { startListener } from './cloud-changes.js';
import { startApi } from './api/feature.js';
import type { FeatureName, RunningFeature } from './running-feature.js';

export { FEATURE_NAMES, type FeatureName, type RunningFeature } from './running-feature.js';

export interface FeatureOptions {
  /** Overrides [api] bind_host / bind_port (tests: port 0). */
  apiHost?: string;
  apiPort?: number;
}

async function startFeature(name: FeatureName, runtime: Runtime, options: FeatureOptions): Promise<RunningFeature> {
  switch (name) {
    case 'applier': {
      const worker = new ApplierWorker(await runtime.applierContext(), runtime.bus, {
        holder: runtime.holder,
        leaseMs: runtime.config.applier.lease_seconds * 1000,
        onFinished: async () => {
          // A finished plan changed the cloud: refresh the hosts view.
          await runtime.engine.collectSnapshot().catch((error: Error) => runtime.logger.warn({ error: error.message }, 'snapshot after the plan failed'));
        },
      });
      await worker.start();
      return { name, description: `applier: takes action plans from the ${runtime.bus.transport} bus`, stop: () => worker.stop() };
    }
    case 'scheduler': {
      const scheduler = new WindowScheduler(runtime);
      await scheduler.start();
      return { name, description: `scheduler: power-saving windows, every ${runtime.config.scheduler.tick_seconds} s, one leader through the database`, stop: () => scheduler.stop() };
    }
    case 'monitor': {
      const monitor = new OverloadMonitor(runtime);
      monitor.start();
      return { name, description: `monitor: collects every ${runtime.config.monitor.interval_seconds} s, watches for sustained overload`, stop: () => monitor.stop() };
    }
    case 'listener': return startListener(runtime);
    case 'api': return startApi(runtime, { host: options.apiHost, port: options.apiPort });
  }
}

export async function startFeatures(runtime: Runtime, names: readonly FeatureName[], options: FeatureOptions = {}): Promise<RunningFeature[]> {
  const running: RunningFeature[] = [];
  try {
    for (const name of names) running.push(await startFeature(name, runtime, options));
  } catch (error) {
    await stopFeatures(running);
    throw error;
  }
  return running;
}

export async function stopFeatures(running: RunningFeature[]): Promise<void> {
  for (const feature of [...running].reverse()) {
    await feature.stop().catch(() => undefined);
  }
}
