// The engine's policies and power-saving windows: stored, validated against the one policy schema.
import { validatePolicy } from '../../core/policy/schema.js';
import type { EngineContext } from './context.js';
import type { Engine } from './types.js';
import { policyView, windowView } from './views.js';

export type PolicyOperations = Pick<Engine, 'listPolicies' | 'getPolicy' | 'createPolicy' | 'updatePolicy' | 'deletePolicy' | 'validatePolicy' | 'listWindows' | 'getWindow' | 'createWindow' | 'deleteWindow'>;

export function policyOperations({ repositories, findPolicy, now }: EngineContext): PolicyOperations {
  return {
    async listPolicies() { return (await repositories.policies.list()).map(policyView); },
    async getPolicy(idOrName) { return policyView(await findPolicy(idOrName)); },
    async createPolicy(input) { return policyView(await repositories.policies.create(input)); },
    async updatePolicy(idOrName, input) { return policyView(await repositories.policies.update((await findPolicy(idOrName)).id, input)); },
    async deletePolicy(idOrName) { await repositories.policies.delete((await findPolicy(idOrName)).id); },
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
    async deleteWindow(id) { await repositories.windows.delete(id); },
  };
}
