// The real engine and a running applier worker over a fresh SQLite database and a simulated
// compute cloud, started before each test of a suite and stopped after it.
import type { Snapshot } from '../../core/snapshot/format.js';
import { createLogger } from '../../openstack/logger.js';
import { DEFAULT_APPLIER_SETTINGS, type ApplierContext } from '../../services/applier/executor.js';
import { ApplierWorker } from '../../services/applier/worker.js';
import { InProcessBus } from '../../services/bus/index.js';
import type { Repositories } from '../../services/db/index.js';
import { createEngine } from '../../services/engine/engine.js';
import { openTestDatabase, type TestDatabase } from './database.js';
import { simulatedCloudOf, SimulatedPower, type SimulatedCompute } from './simulated-compute.js';

type EngineSettings = Parameters<typeof createEngine>[0];

export interface SimulatedEngineOptions {
  /** The cloud at the start of each test. */
  cluster: Snapshot;
  /** The time the engine and the applier read, in milliseconds. */
  now: () => number;
  maintenanceSettings?: EngineSettings['maintenanceSettings'];
  /** Called before each collection of the cloud completes: a test holds it back, or makes it fail. */
  beforeCollect?: () => Promise<void>;
}

export interface SimulatedEngine {
  readonly engine: ReturnType<typeof createEngine>;
  readonly repositories: Repositories;
  readonly compute: SimulatedCompute;
  readonly power: SimulatedPower;
}

interface Running extends SimulatedEngine {
  storage: TestDatabase;
  bus: InProcessBus;
  worker: ApplierWorker;
}

/**
 * Call it before the suite's own beforeEach hooks, which then see the engine. The applier
 * worker stops before the database closes, since it still writes while it stops.
 */
export function useSimulatedEngine(options: SimulatedEngineOptions): SimulatedEngine {
  const logger = createLogger({ level: 'silent' });
  let current: Running | undefined;

  beforeEach(async () => {
    // One clock, as in a process: rows are stamped with the time the engine and the applier read.
    const storage = await openTestDatabase({ clock: () => new Date(options.now()) });
    const { repositories } = storage;
    const compute = simulatedCloudOf(options.cluster);
    // What the monitor would collect: the cluster with the servers and host states the simulated cloud has now.
    const collect = async (): Promise<Snapshot> => {
      await options.beforeCollect?.();
      return {
        ...options.cluster,
        servers: options.cluster.servers.map((server) => ({ ...server, host: compute.hostOf.get(server.id) ?? server.host })),
        hosts: options.cluster.hosts.map((host) => ({ ...host, enabled: compute.services.get(host.name)!.enabled, disabled_reason: compute.services.get(host.name)!.disabledReason })),
      };
    };
    const clock = { now: options.now, sleep: async () => undefined };
    const applierSettings = { ...DEFAULT_APPLIER_SETTINGS, pollIntervalMs: 0, serviceUpTimeoutMs: 1000 };
    const bus = new InProcessBus({ logger });
    const power = new SimulatedPower();
    const context: ApplierContext = { repositories, compute, power, logger, clock, settings: applierSettings };
    const worker = new ApplierWorker(context, bus, { holder: 'test:1', sweepMs: 3_600_000 });
    await worker.start();
    const engine = createEngine({
      repositories, cloud: () => Promise.reject(new Error('no cloud in this test')), collect, compute: async () => compute, power,
      bus, clock, logger, applierSettings, planner: 'test', version: 'test',
      ...(options.maintenanceSettings ? { maintenanceSettings: options.maintenanceSettings } : {}),
    });
    current = { storage, repositories, compute, power, bus, worker, engine };
  });
  afterEach(async () => {
    if (!current) return;
    const { worker, bus, storage } = current;
    current = undefined;
    await worker.stop();
    await bus.close();
    await storage.close();
  });

  const running = (): Running => {
    if (!current) throw new Error('the simulated engine runs only inside a test or its beforeEach/afterEach hooks');
    return current;
  };
  return {
    get engine() { return running().engine; },
    get repositories() { return running().repositories; },
    get compute() { return running().compute; },
    get power() { return running().power; },
  };
}
