// The engine's action plans: listed, shown with their before/after picture, approved and started
// (both re-checked against the cloud), cancelled (optionally aborting the migrations in flight).
import { StateConflict } from '../../core/plan/states.js';
import { NotFound } from '../db/index.js';
import type { EngineContext } from './context.js';
import { refuseIfStale, startApprovedPlan } from './plan-start.js';
import type { Engine } from '../../core/api/engine.js';
import { actionPlanView, actionView, planPicture } from './views.js';

export type ActionPlanOperations = Pick<Engine, 'listActionPlans' | 'getActionPlan' | 'getPlanDocument' | 'getPlanPicture' | 'approveActionPlan' | 'startActionPlan' | 'cancelActionPlan' | 'listActions'>;

export function actionPlanOperations({ repositories, planView, hostPlans }: EngineContext): ActionPlanOperations {
  return {
    async listActionPlans(filter = {}) {
      const records = await repositories.actionPlans.list({ states: filter.state, auditId: filter.audit, limit: filter.limit ?? 100 });
      return Promise.all(records.map(async (record) => actionPlanView(record, await repositories.actions.list({ actionPlanId: record.id }))));
    },
    getActionPlan: planView,
    async getPlanDocument(id) { return (await repositories.actionPlans.get(id)).document; },
    async getPlanPicture(id) {
      const record = await repositories.actionPlans.get(id);
      const audit = record.auditId ? await repositories.audits.get(record.auditId) : null;
      if (!audit?.snapshotId) throw new NotFound('snapshot of action plan', id);
      return planPicture((await repositories.snapshots.get(audit.snapshotId)).document, record.document);
    },
    async approveActionPlan(id) {
      const record = await repositories.actionPlans.get(id);
      if (record.state !== 'RECOMMENDED') throw new StateConflict('action plan', record.state, 'APPROVED');
      await refuseIfStale(hostPlans, record);
      await repositories.actionPlans.updateState(id, 'APPROVED', { from: ['RECOMMENDED'] });
      return planView(id);
    },
    async startActionPlan(id, options = {}) {
      await startApprovedPlan(hostPlans, id, options.stop_new_waves_at ? Date.parse(options.stop_new_waves_at) : undefined);
      return planView(id);
    },
    async cancelActionPlan(id, options = {}) {
      const record = await repositories.actionPlans.get(id);
      if (record.state === 'ONGOING') await repositories.actionPlans.requestCancel(id, { abort: options.abortRunning === true });
      else await repositories.actionPlans.updateState(id, 'CANCELLED', { from: ['RECOMMENDED', 'APPROVED'], failureReason: 'cancelled by an operator' });
      return planView(id);
    },
    async listActions(planId) {
      await repositories.actionPlans.get(planId);
      return (await repositories.actions.list({ actionPlanId: planId })).map(actionView);
    },
  };
}
