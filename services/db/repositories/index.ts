// One repository per table, built over one database and one clock.
import type { Database } from '../database.js';
import { systemClock, type Clock } from '../rows.js';
import { ActionPlanRepository } from './action-plans.js';
import { ActionRepository } from './actions.js';
import { AuditRepository } from './audits.js';
import { HostStateRepository } from './host-states.js';
import { MaintenanceRepository } from './maintenances.js';
import { PolicyRepository } from './policies.js';
import { SavingsRepository } from './savings.js';
import { ServerExemptionRepository } from './server-exemptions.js';
import { SnapshotRepository } from './snapshots.js';
import { WindowRepository } from './windows.js';

export interface Repositories {
  policies: PolicyRepository;
  windows: WindowRepository;
  audits: AuditRepository;
  actionPlans: ActionPlanRepository;
  actions: ActionRepository;
  hostStates: HostStateRepository;
  serverExemptions: ServerExemptionRepository;
  snapshots: SnapshotRepository;
  savings: SavingsRepository;
  maintenances: MaintenanceRepository;
}

export function createRepositories(database: Database, options: { clock?: Clock } = {}): Repositories {
  const { knex } = database;
  const clock = options.clock ?? systemClock;
  return {
    policies: new PolicyRepository(knex, clock),
    windows: new WindowRepository(knex, clock),
    audits: new AuditRepository(knex, clock),
    actionPlans: new ActionPlanRepository(knex, clock),
    actions: new ActionRepository(knex, clock),
    hostStates: new HostStateRepository(knex, clock),
    serverExemptions: new ServerExemptionRepository(knex, clock),
    snapshots: new SnapshotRepository(knex, clock),
    savings: new SavingsRepository(knex, clock),
    maintenances: new MaintenanceRepository(knex, clock),
  };
}

export * from './action-plans.js';
export * from './actions.js';
export * from './audits.js';
export * from './host-states.js';
export * from './maintenances.js';
export * from './policies.js';
export * from './savings.js';
export * from './server-exemptions.js';
export * from './snapshots.js';
export * from './windows.js';
