// The `ulm-plan/1` action plan format (../shared/bench/FORMAT.md, scorer 1.2): waves of live
// migrations, disabling (and optionally powering off) the hosts the plan emptied, and restoring
// hosts (power_on, enable_compute). Every action carries a reason; `meta` holds ulm's summary,
// metrics and the servers it could not move.
import type { BlockedServer } from '../planner/context.js';
import { GOALS } from '../policy/schema.js';

/**
 * What a plan is for: a policy's goal, or one of the host plans ulm makes itself (bringing hosts
 * back from maintenance, moving servers back onto them, powering hosts off at a set time).
 */
export const PLAN_GOALS = [...GOALS, 'restore', 'rebalance', 'power_off'] as const;
export type PlanGoal = (typeof PLAN_GOALS)[number];

export const PLAN_FORMAT = 'ulm-plan/1';

export interface LiveMigrateAction {
  wave: number;
  type: 'live_migrate';
  server: string;
  server_name?: string;
  source: string;
  destination: string;
  /** Why the server moves. */
  reason: string;
  /** A move to a third host that makes room; the server moves on in a later wave. */
  temporary?: boolean;
}

export interface DisableComputeAction {
  wave: number;
  type: 'disable_compute';
  host: string;
  /** nova-compute disabled reason, namespaced `ulm: ...`. */
  reason: string;
}

export interface PowerOffAction {
  wave: number;
  type: 'power_off';
  host: string;
  reason: string;
}

/** Powers a host in maintenance back on; it stays disabled until an enable_compute. */
export interface PowerOnAction {
  wave: number;
  type: 'power_on';
  host: string;
  reason: string;
}

/** Enables the nova-compute service of a host ulm put into maintenance (never one someone else disabled). */
export interface EnableComputeAction {
  wave: number;
  type: 'enable_compute';
  host: string;
  reason: string;
}

export type PlanAction = LiveMigrateAction | DisableComputeAction | PowerOffAction | PowerOnAction | EnableComputeAction;
export type PlanActionType = PlanAction['type'];

export type PlanStatus = 'complete' | 'partial' | 'infeasible' | 'nothing_to_do';

export interface PlanMetrics {
  active_hosts_before: number;
  active_hosts_after: number;
  hosts_freed: number;
  hosts_disabled: number;
  hosts_powered_off: number;
  migrations: number;
  temporary_migrations: number;
  servers_migrated: number;
  waves: number;
  memory_to_move_mb: number;
  power_before_w: number;
  power_after_w: number;
  power_saved_w: number;
  hosts_over_limits_before: number;
  hosts_over_limits_after: number;
}

export interface PlanMeta {
  goal: string;
  status: PlanStatus;
  /** The instant the plan was made for (exemption windows, cooldown). */
  now: string;
  metrics: PlanMetrics;
  /** Servers the plan wanted to move and could not, with the constraint that blocked them. */
  blocked: BlockedServer[];
  notes: string[];
  infeasible?: string;
}

export interface PlanDocument {
  format: typeof PLAN_FORMAT;
  instance: string | null;
  planner: string;
  meta: PlanMeta;
  actions: PlanAction[];
}
