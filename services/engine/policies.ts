// The engine's policies and power-saving windows: stored, validated against the one policy schema.
// Deleting a window never strands a run in progress: its hosts are brought back first.
import { RUNNING_PLAN_STATES } from '../../core/plan/states.js';
import { validatePolicy } from '../../core/policy/schema.js';
import { WindowRunInProgress, type WindowRecord } from '../db/index.js';
import { actionPlanOperations } from './action-plans.js';
import type { EngineContext } from './context.js';
import { hostOperations } from './host-operations.js';
import type { Engine } from '../../core/api/engine.js';
import { policyView, windowView } from './views.js';

export type PolicyOperations = Pick<Engine, 'listPolicies' | 'getPolicy' | 'createPolicy' | 'updatePolicy' | 'deletePolicy' | 'validatePolicy' | 'listWindows' | 'getWindow' | 'createWindow' | 'deleteWindow'>;

export function policyOperations(context: EngineContext): PolicyOperations {
  const { repositories, findPolicy, now } = context;
  const plans = actionPlanOperations(context);
  const hosts = hostOperations(context);

  /**
   * Ends the window's runs in progress as the scheduler does at the close: stops the run's plan,
   * brings its hosts back through a restore plan the applier runs, and closes the run. Refused
   * (409) while the run's plan still has migrations in flight: the hosts come back after them.
   */
  async function endRuns(window: WindowRecord): Promise<void> {
    for (const run of await repositories.savings.list({ windowId: window.id })) {
      if (run.periodEnd !== null) continue;
      if (run.actionPlanId) {
        const plan = await repositories.actionPlans.get(run.actionPlanId).catch(() => null);
        if (plan && ['RECOMMENDED', 'APPROVED', 'ONGOING'].includes(plan.state)) await plans.cancelActionPlan(plan.id);
        if (plan && RUNNING_PLAN_STATES.includes((await repositories.actionPlans.get(plan.id)).state)) {
          throw new WindowRunInProgress(window, `its plan ${plan.id} is stopping (the migrations in flight end first); its hosts are restored once it has ended: delete the window again then (ulm plan show ${plan.id})`);
        }
      }
      if (!run.restorePlanId && run.actionPlanId) {
        const held = (await repositories.hostStates.list()).filter((record) => record.disabled && record.actionPlanId === run.actionPlanId);
        if (held.length) {
          const outcome = await hosts.undrainHosts(held.map((record) => record.host), { rebalance: window.window.rebalance_on_restore === true });
          if (outcome.action_plan) await repositories.savings.setRestorePlan(run.id, outcome.action_plan.id);
          context.deps.logger.info({ window: window.name, hosts: held.map((record) => record.host), restore_plan: outcome.action_plan?.id ?? null }, 'window deleted during its run: restoring its hosts');
        }
      }
      await repositories.savings.update(run.id, { periodEnd: new Date(now()).toISOString() });
    }
  }

  return {
    async listPolicies() { return (await repositories.policies.list()).map(policyView); },
    async getPolicy(idOrName) { return policyView(await findPolicy(idOrName)); },
    async createPolicy(input) { return policyView(await repositories.policies.create(input)); },
    async updatePolicy(idOrName, input) { return policyView(await repositories.policies.update((await findPolicy(idOrName)).id, input)); },
    async deletePolicy(idOrName, options = {}) {
      const policy = await findPolicy(idOrName);
      const withWindows = options.with_windows === true;
      if (withWindows) for (const window of await repositories.windows.list({ policyId: policy.id })) await endRuns(window);
      await repositories.policies.delete(policy.id, { withWindows });
    },
    validatePolicy(document) { return validatePolicy(document, 'document'); },

    async listWindows(filter = {}) {
      const policyId = filter.policy ? (await findPolicy(filter.policy)).id : undefined;
      const names = new Map((await repositories.policies.list()).map((policy) => [policy.id, policy.name]));
      return (await repositories.windows.list({ policyId })).map((window) => windowView(window, names.get(window.policyId) ?? '', now()));
    },
    async getWindow(id) {
      const window = await repositories.windows.get(id);
      return windowView(window, (await repositories.policies.get(window.policyId)).name, now());
    },
    async createWindow(input) {
      const policy = await findPolicy(input.policy);
      return windowView(await repositories.windows.create({ policyId: policy.id, window: input.window }), policy.name, now());
    },
    async deleteWindow(id) {
      await endRuns(await repositories.windows.get(id));
      await repositories.windows.delete(id);
    },
  };
}
