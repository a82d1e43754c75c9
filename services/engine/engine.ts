// The engine: every operation of core/api/engine.ts over the database, the cloud, the
// planner and the appliers (through the bus), composed from one module per resource. The API,
// the CLI in direct mode, the scheduler and the monitor all call it; none of them talks to the
// planner or the applier on its own.
import { resolvePolicy } from '../../core/policy/schema.js';
import { actionPlanOperations } from './action-plans.js';
import { auditOperations } from './audits.js';
import { engineContext, type EngineDependencies } from './context.js';
import { hostOperations, type HostOperations } from './host-operations.js';
import { maintenanceOperations } from './maintenances.js';
import { policyOperations } from './policies.js';
import { statusOperations } from './status.js';
import type { Engine } from '../../core/api/engine.js';

export { DEFAULT_DRAIN_POLICY, DRAIN_POLICY_NAME, type EngineDependencies } from './context.js';

/** The engine inside ulm's own processes: also the host plans only the scheduler asks for. */
export type ServiceEngine = Engine & Pick<HostOperations, 'powerOffHosts'>;

export function createEngine(deps: EngineDependencies): ServiceEngine {
  const context = engineContext(deps);
  const plans = actionPlanOperations(context);
  return {
    ...policyOperations(context),
    ...auditOperations(context),
    ...plans,
    ...hostOperations(context),
    ...statusOperations(context),
    ...maintenanceOperations({
      repositories: deps.repositories, now: context.now, drainPolicy: context.drainPolicy,
      collect: (policy) => deps.collect(policy, { tool: deps.planner }),
      cancelActionPlan: (id) => plans.cancelActionPlan(id), applierSettings: deps.applierSettings,
      settings: deps.maintenanceSettings, planner: deps.planner, logger: deps.logger,
    }),
  };
}

/** Resolves a policy's defaults, for callers outside the engine (scheduler, monitor). */
export { resolvePolicy };
