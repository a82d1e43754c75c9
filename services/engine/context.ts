// What every part of the engine works with: its dependencies and the few lookups they share
// (a policy by name or id, a plan's view, the drain limits, the host plans' dependencies).
import type { Policy } from '../../core/policy/schema.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import type { PowerDriver } from '../../core/power.js';
import type { Cloud } from '../../openstack/cloud.js';
import type { Logger } from '../../openstack/logger.js';
import type { ComputeOperations } from '../applier/compute.js';
import type { ApplierClock, ApplierSettings } from '../applier/executor.js';
import type { Bus } from '../bus/index.js';
import type { PolicyRecord, Repositories } from '../db/index.js';
import type { HostPlanDependencies } from './host-plans.js';
import type { MaintenanceSettings } from './maintenances.js';
import type { ActionPlanView } from '../../core/api/records.js';
import { actionPlanView } from './views.js';

export interface EngineDependencies {
  repositories: Repositories;
  /** The cloud, connected on first use (and reused). */
  cloud: () => Promise<Cloud>;
  /** Reads the cloud into a snapshot with the policy's metrics settings (throws MissingMetricsError). */
  collect: (policy: Policy, generator?: Record<string, unknown>) => Promise<Snapshot>;
  compute: () => Promise<ComputeOperations>;
  power: PowerDriver;
  bus: Bus;
  clock: ApplierClock;
  logger: Logger;
  applierSettings: ApplierSettings;
  /** Name and version written into plans. */
  planner: string;
  /** This process (host:pid), recorded on the audits it runs. */
  runner?: string;
  version: string;
  /** True when this process leads the scheduler. */
  isSchedulerLeader?: () => boolean;
  /** How scheduled maintenances estimate their drain ([scheduler] maintenance_* options). */
  maintenanceSettings?: MaintenanceSettings;
  /** [monitor] interval_seconds, for status to say when the first collection comes. */
  monitorIntervalSeconds?: number;
}

/** Limits of drains when no stored policy is named `drain`: urgent, so allocations stand in for missing metrics. */
export const DEFAULT_DRAIN_POLICY: Policy = {
  goal: 'drain', max_host_cpu: 0.9, max_host_memory: 0.95, max_parallel_per_host: 2, metrics: { missing: 'use_allocations' },
};

/**
 * The policy as the applier will run its plan: a wave holds at most the migrations the applier
 * runs at once ([applier] max_parallel_migrations), since a larger wave would only queue its
 * rest and hold back the next wave's ready moves.
 */
export function asTheApplierRuns(policy: Policy, settings: Pick<ApplierSettings, 'maxParallelMigrations'>): Policy {
  const limit = Math.min(policy.max_parallel_migrations ?? Infinity, settings.maxParallelMigrations);
  return limit === policy.max_parallel_migrations ? policy : { ...policy, max_parallel_migrations: limit };
}

/** The name of the stored policy whose settings drains and rebalancing use, when it exists. */
export const DRAIN_POLICY_NAME = 'drain';

export interface EngineContext {
  deps: EngineDependencies;
  repositories: Repositories;
  now(): number;
  hostPlans: HostPlanDependencies;
  findPolicy(idOrName: string): Promise<PolicyRecord>;
  planView(id: string): Promise<ActionPlanView>;
  /** The drain policy (stored as `drain`, else the default) for these hosts. */
  drainPolicy(hosts: string[]): Promise<Policy>;
}

export function engineContext(deps: EngineDependencies): EngineContext {
  const { repositories } = deps;
  const now = () => deps.clock.now();
  return {
    deps, repositories, now,
    hostPlans: { repositories, compute: deps.compute, bus: deps.bus, collect: deps.collect, now, planner: deps.planner, runner: deps.runner },
    async findPolicy(idOrName) {
      return (await repositories.policies.findByName(idOrName)) ?? repositories.policies.get(idOrName);
    },
    async planView(id) {
      const record = await repositories.actionPlans.get(id);
      return actionPlanView(record, await repositories.actions.list({ actionPlanId: id }));
    },
    async drainPolicy(hosts) {
      const stored = await repositories.policies.findByName(DRAIN_POLICY_NAME);
      return { ...(stored?.document ?? DEFAULT_DRAIN_POLICY), goal: 'drain', drain_hosts: hosts };
    },
  };
}
