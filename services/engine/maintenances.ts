// The engine's scheduled maintenances: checking a request (hosts known, times in order),
// estimating when the drain must start from the live migrations ulm has measured, listing and
// cancelling. The scheduler (services/scheduler/maintenances.ts) carries them out.
import { estimateDrainStart } from '../../core/maintenance/estimate.js';
import { cancelEffectOf } from '../../core/maintenance/states.js';
import type { Policy } from '../../core/policy/schema.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import { ValidationError, type Issue } from '../../core/validation.js';
import type { Logger } from '../../openstack/logger.js';
import type { ApplierSettings } from '../applier/executor.js';
import { AlreadyExists, MaintenanceStateConflict, type MaintenanceRecord, type Repositories } from '../db/index.js';
import { withExemptions } from './exemptions.js';
import type { Engine } from '../../core/api/engine.js';
import type { ActionPlanView, MaintenanceRequest, MaintenanceView, StatusView } from '../../core/api/records.js';
import { planInThread } from '../planning-thread.js';

export interface MaintenanceSettings {
  /** Seconds per live migration when ulm has measured none. */
  defaultMigrationSeconds: number;
  /** Fraction of the estimated drain added for safety. */
  margin: number;
  /** The least margin, in seconds. */
  minimumMarginSeconds: number;
}

export const DEFAULT_MAINTENANCE_SETTINGS: MaintenanceSettings = { defaultMigrationSeconds: 60, margin: 0.5, minimumMarginSeconds: 300 };

export interface MaintenanceDependencies {
  repositories: Repositories;
  now: () => number;
  /** The policy a drain of these hosts plans with. */
  drainPolicy: (hosts: string[]) => Promise<Policy>;
  /** A fresh snapshot of the cloud, for the dry-run drain (falls back to the latest stored one). */
  collect: (policy: Policy) => Promise<Snapshot>;
  cancelActionPlan: (id: string) => Promise<ActionPlanView>;
  applierSettings: ApplierSettings;
  settings?: MaintenanceSettings;
  planner: string;
  logger: Logger;
}

/** ISO 8601 with an offset (or Z): a time that means the same everywhere. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function maintenanceView(record: MaintenanceRecord): MaintenanceView {
  return {
    id: record.id, hosts: record.hosts, state: record.state, at: record.at, until: record.until, power_off: record.powerOff,
    drain_starts_at: record.drainStartsAt, estimated_drain_seconds: record.estimatedDrainSeconds, drain_plan_id: record.drainPlanId,
    power_off_plan_id: record.powerOffPlanId, restore_plan_id: record.restorePlanId, created_by: record.createdBy,
    failure_reason: record.failureReason, created_at: record.createdAt, updated_at: record.updatedAt,
    started_at: record.startedAt, finished_at: record.finishedAt,
  };
}

/** A host already in a maintenance that has not ended: one maintenance per host at a time. */
export class MaintenanceOverlap extends AlreadyExists {
  constructor(host: string, other: Pick<MaintenanceRecord, 'id' | 'state' | 'at'>) {
    super('maintenance', 'host', host);
    this.message = `host ${host} already has maintenance ${other.id} (${other.state}, at ${other.at}); cancel it first (ulm host maintenance cancel ${other.id})`;
  }
}

/** Checks the times; the issues name `at` and `until` and say what works. */
export function checkMaintenanceTimes(request: Pick<MaintenanceRequest, 'at' | 'until'>, now: number): { at: number; until: number | null } {
  const issues: Issue[] = [];
  const parse = (field: 'at' | 'until', value: string): number => {
    const time = ISO_WITH_OFFSET.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(time)) issues.push({ path: field, message: `"${value}" is not an ISO 8601 time with an offset; use e.g. 2026-12-01T22:00:00+01:00` });
    return time;
  };
  const at = parse('at', request.at);
  const until = request.until === undefined || request.until === null ? null : parse('until', request.until);
  if (!Number.isNaN(at) && at <= now) issues.push({ path: 'at', message: `${request.at} is in the past (now is ${new Date(now).toISOString()}); give a later time` });
  if (until !== null && !Number.isNaN(until) && !Number.isNaN(at) && until <= at) issues.push({ path: 'until', message: `${request.until} is not after at (${request.at}); give a later end, or none` });
  if (issues.length) throw new ValidationError('invalid maintenance', issues);
  return { at, until };
}

export function maintenanceOperations(deps: MaintenanceDependencies): Pick<Engine, 'listMaintenances' | 'getMaintenance' | 'scheduleMaintenance' | 'cancelMaintenance'> {
  const { repositories } = deps;
  const settings = deps.settings ?? DEFAULT_MAINTENANCE_SETTINGS;

  async function snapshotFor(policy: Policy): Promise<Snapshot> {
    try {
      return await deps.collect(policy);
    } catch (error) {
      const latest = await repositories.snapshots.latest();
      if (!latest) throw error;
      deps.logger.warn({ error: (error as Error).message }, 'maintenance estimate: the cloud could not be read; the latest snapshot stands in');
      return latest.document;
    }
  }

  return {
    async listMaintenances(filter = {}) {
      return (await repositories.maintenances.list({ host: filter.host, active: filter.active })).map(maintenanceView);
    },
    async getMaintenance(id) { return maintenanceView(await repositories.maintenances.get(id)); },

    async scheduleMaintenance(request) {
      const now = deps.now();
      const { at, until } = checkMaintenanceTimes(request, now);
      const hosts = request.hosts;
      if (!hosts.length) throw new ValidationError('invalid maintenance', [{ path: 'hosts', message: 'is empty: name at least one host' }]);
      const repeats: Issue[] = hosts.flatMap((host, index) => (hosts.indexOf(host) !== index ? [{ path: `hosts[${index}]`, message: `"${host}" is already listed at hosts[${hosts.indexOf(host)}]; list each host once` }] : []));
      if (repeats.length) throw new ValidationError('invalid maintenance', repeats);
      for (const host of hosts) {
        const [other] = await repositories.maintenances.list({ host, active: true });
        if (other) throw new MaintenanceOverlap(host, other);
      }
      const policy = await deps.drainPolicy(hosts);
      const snapshot = await snapshotFor(policy);
      const known = new Set(snapshot.hosts.map((host) => host.name));
      const unknown: Issue[] = hosts.flatMap((host, index) => (known.has(host) ? [] : [{ path: `hosts[${index}]`, message: `unknown host "${host}"; ulm host list shows the compute hosts` }]));
      if (unknown.length) throw new ValidationError('invalid maintenance', unknown);
      // The dry-run drain: how many migrations the hosts need now (never stored, never started).
      const planned = withExemptions(snapshot, policy, await repositories.serverExemptions.list());
      const document = await planInThread({ snapshot: planned.snapshot, policy: planned.policy, now, planner: deps.planner });
      if (document.meta.status === 'infeasible') {
        throw new ValidationError('invalid maintenance', [{ path: 'hosts', message: `cannot be emptied now: ${document.meta.infeasible ?? 'the other hosts have no room'}; free room first (ulm host drain ${hosts.join(' ')} --dry-run explains)` }]);
      }
      const { maxParallelMigrations, maxPerSourceHost } = deps.applierSettings;
      const perHost = Math.min(maxPerSourceHost, policy.max_parallel_per_host ?? Infinity);
      const parallelism = Math.max(1, Math.min(maxParallelMigrations, policy.max_parallel_migrations ?? Infinity, hosts.length * perHost));
      const estimate = estimateDrainStart({
        at, migrations: document.meta.metrics.migrations, parallelism, measuredSeconds: await repositories.maintenances.measuredMigrationSeconds(),
        defaultMigrationSeconds: settings.defaultMigrationSeconds, margin: settings.margin, minimumMarginSeconds: settings.minimumMarginSeconds,
      });
      const record = await repositories.maintenances.create({
        hosts, at: new Date(at).toISOString(), until: until === null ? null : new Date(until).toISOString(), powerOff: request.power_off ?? false,
        drainStartsAt: new Date(estimate.startAt).toISOString(), estimatedDrainSeconds: estimate.drainSeconds, createdBy: request.created_by ?? 'operator',
      });
      deps.logger.info({ maintenance: record.id, hosts, at: record.at, drain_starts_at: record.drainStartsAt, migrations: document.meta.metrics.migrations, seconds_per_migration: estimate.secondsPerMigration, basis: estimate.basis }, 'maintenance scheduled');
      return maintenanceView(record);
    },

    async cancelMaintenance(id) {
      const record = await repositories.maintenances.get(id);
      const endNow = async () => maintenanceView(await repositories.maintenances.update(id, { until: new Date(Math.min(deps.now(), record.until ? Date.parse(record.until) : Infinity)).toISOString() }));
      switch (cancelEffectOf(record.state)) {
        case 'cancel':
          return maintenanceView(await repositories.maintenances.updateState(id, 'CANCELLED', { from: ['SCHEDULED'] }));
        case 'stop_drain': {
          const drain = record.drainPlanId ? await repositories.actionPlans.get(record.drainPlanId) : null;
          // Already drained: the scheduler has not seen it yet; end it by bringing the hosts back.
          if (drain?.state === 'SUCCEEDED') return endNow();
          if (drain && ['RECOMMENDED', 'APPROVED', 'ONGOING'].includes(drain.state)) await deps.cancelActionPlan(drain.id);
          return maintenanceView(await repositories.maintenances.updateState(id, 'CANCELLED', {
            from: ['DRAINING'], failureReason: `cancelled while draining: drain plan ${record.drainPlanId ?? '(none yet)'} stops after the migrations in flight; the hosts stay enabled`,
          }));
        }
        case 'restore_now':
          return endNow();
        default:
          throw new MaintenanceStateConflict(record.state, 'CANCELLED (wait until it is IN_MAINTENANCE, then cancel to bring the hosts back)');
      }
    },
  };
}

/** The maintenances `ulm status` shows: those under way, and the next to start. */
export async function maintenanceStatus(repositories: Repositories): Promise<StatusView['maintenances']> {
  const active = (await repositories.maintenances.list({ active: true })).map(maintenanceView);
  return { ongoing: active.filter((view) => view.state !== 'SCHEDULED'), next: active.find((view) => view.state === 'SCHEDULED') ?? null };
}
