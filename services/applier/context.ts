// What the applier works with: the journal, the compute cloud, the power driver, a clock, a
// logger and its settings. Given to every action kind; tests give a simulated cloud and clock.
import type { ActionState } from '../../core/plan/states.js';
import type { PowerDriver, PowerHost } from '../../core/power.js';
import type { Clock as ApplierClock } from '../../core/clock.js';
import type { Repositories } from '../db/index.js';
import type { ComputeOperations } from './compute.js';

export interface ApplierSettings {
  /** Live migrations running at once (also bounded by the plan's waves). */
  maxParallelMigrations: number;
  /** Live migrations out of one host at once: nova.conf max_concurrent_live_migrations (Nova queues the rest). */
  maxPerSourceHost: number;
  migrationTimeoutMs: number;
  pollIntervalMs: number;
  /** How long a powered-on host may take until its nova-compute service reports up. */
  serviceUpTimeoutMs: number;
  /** How long a live migration Nova's scheduler refuses with "No valid host" is tried again. */
  noValidHostRetryMs: number;
}

export const DEFAULT_APPLIER_SETTINGS: ApplierSettings = {
  maxParallelMigrations: 4, maxPerSourceHost: 1, migrationTimeoutMs: 600_000, pollIntervalMs: 2000, serviceUpTimeoutMs: 600_000, noValidHostRetryMs: 150_000,
};

export interface ApplierLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The one clock (core/clock.ts), under the name the applier's modules know it by. */
export type { Clock as ApplierClock } from '../../core/clock.js';
export { systemClock as systemApplierClock } from '../clock.js';

/** Progress of a running plan, for the CLI, the panel and the bus. */
export interface PlanProgress {
  planId: string;
  state: string;
  wave: number | null;
  waves: number;
  counts: Record<ActionState, number>;
  /** Live migrations in flight. */
  transfers: { server: string; source: string; destination: string }[];
  message: string;
}

export interface ApplierContext {
  repositories: Pick<Repositories, 'actionPlans' | 'actions' | 'hostStates'>;
  compute: ComputeOperations;
  power: PowerDriver;
  /** Per-host power settings (BMC address...); by default just the name. */
  powerHost?: (host: string) => PowerHost;
  logger: ApplierLogger;
  clock: ApplierClock;
  settings: ApplierSettings;
  onProgress?: (progress: PlanProgress) => void;
}

export function powerHostOf(context: ApplierContext, host: string): PowerHost {
  return context.powerHost ? context.powerHost(host) : { name: host };
}
