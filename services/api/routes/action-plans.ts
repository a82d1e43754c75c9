// /v1/action_plans: plans with their states (a plan with a failed action is FAILED, never
// SUCCEEDED: the engine's states are shown as they are), the preview (ulm-plan/1 document and
// hosts before/after), approve, start and cancel.
import { Type } from '@sinclair/typebox';
import { PLAN_STATES, type PlanState } from '../../../core/plan/states.js';
import { ValidationError } from '../../../core/validation.js';
import { accepted, defineRoute, ok, type ApiRoute } from '../route.js';
import { ActionPlanViewSchema, HostPictureSchema, Limit, Name, PlanDocumentSchema } from '../schemas.js';

const PlanParams = Type.Object({ id: Name('action plan id') });
/** approve, start and cancel take no options: an empty object, or no body at all. */
const NoOptions = Type.Object({}, { additionalProperties: false, description: 'no options: send {} or nothing' });
const ISO_INSTANT = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$';
const STATE_LIST = `^(${PLAN_STATES.join('|')})(,(${PLAN_STATES.join('|')}))*$`;

export function actionPlanRoutes(): ApiRoute[] {
  const approve = defineRoute({
    method: 'POST', path: '/v1/action_plans/{id}/approve', operationId: 'approveActionPlan', tag: 'action_plans', rule: 'ulm:action_plan:approve',
    summary: 'Approve a recommended action plan (re-checked against the cloud: a plan whose cloud changed is marked stale and refused)',
    params: PlanParams,
    body: NoOptions,
    bodyOptional: true,
    responses: { 200: { description: 'the action plan', schema: ActionPlanViewSchema } },
    handler: async ({ engine, params }) => ok(await engine.approveActionPlan(params.id)),
  });
  const cancel = defineRoute({
    method: 'POST', path: '/v1/action_plans/{id}/cancel', operationId: 'cancelActionPlan', tag: 'action_plans', rule: 'ulm:action_plan:cancel',
    summary: 'Cancel an action plan (a running one starts no further action; migrations in flight finish, or are aborted with abort_running)',
    params: PlanParams,
    body: Type.Object({
      abort_running: Type.Optional(Type.Boolean({ description: 'also abort the live migrations in flight through Nova (their servers stay on their source)' })),
    }, { additionalProperties: false, description: 'optional: {"abort_running": true}' }),
    bodyOptional: true,
    responses: { 200: { description: 'the action plan', schema: ActionPlanViewSchema } },
    handler: async ({ engine, params, body }) => ok(await engine.cancelActionPlan(params.id, { abortRunning: body?.abort_running === true })),
  });

  return [
    defineRoute({
      method: 'GET', path: '/v1/action_plans', operationId: 'listActionPlans', tag: 'action_plans', rule: 'ulm:action_plan:get_all',
      summary: 'List action plans, newest first',
      query: Type.Object({
        state: Type.Optional(Type.String({ pattern: STATE_LIST, maxLength: 200, expected: `plan states separated by commas (${PLAN_STATES.join(', ')})`, description: 'only plans in these states, e.g. RECOMMENDED,APPROVED' })),
        audit: Type.Optional(Name('only the plan of this audit')),
        limit: Type.Optional(Limit),
      }, { additionalProperties: false }),
      responses: { 200: { description: 'the action plans', schema: Type.Object({ action_plans: Type.Array(ActionPlanViewSchema) }) } },
      handler: async ({ engine, query }) => ok({
        action_plans: await engine.listActionPlans({
          ...(query.state !== undefined ? { state: query.state.split(',') as PlanState[] } : {}),
          ...(query.audit !== undefined ? { audit: query.audit } : {}),
          ...(query.limit !== undefined ? { limit: query.limit } : {}),
        }),
      }),
    }),
    defineRoute({
      method: 'GET', path: '/v1/action_plans/{id}', operationId: 'showActionPlan', tag: 'action_plans', rule: 'ulm:action_plan:get',
      summary: 'Show an action plan with its progress',
      params: PlanParams,
      responses: { 200: { description: 'the action plan', schema: ActionPlanViewSchema } },
      handler: async ({ engine, params }) => ok(await engine.getActionPlan(params.id)),
    }),
    defineRoute({
      method: 'GET', path: '/v1/action_plans/{id}/document', operationId: 'showActionPlanDocument', tag: 'action_plans', rule: 'ulm:action_plan:get',
      summary: 'The plan as a ulm-plan/1 document',
      params: PlanParams,
      responses: { 200: { description: 'the ulm-plan/1 document', schema: PlanDocumentSchema } },
      handler: async ({ engine, params }) => ok(await engine.getPlanDocument(params.id)),
    }),
    defineRoute({
      method: 'GET', path: '/v1/action_plans/{id}/picture', operationId: 'showActionPlanPicture', tag: 'action_plans', rule: 'ulm:action_plan:get',
      summary: 'Preview: every host before and after the plan',
      params: PlanParams,
      responses: { 200: { description: 'hosts before and after', schema: Type.Object({ hosts: Type.Array(HostPictureSchema) }) } },
      handler: async ({ engine, params }) => ok({ hosts: await engine.getPlanPicture(params.id) }),
    }),
    approve,
    defineRoute({
      method: 'POST', path: '/v1/action_plans/{id}/start', operationId: 'startActionPlan', tag: 'action_plans', rule: 'ulm:action_plan:start',
      summary: 'Start an APPROVED action plan (an applier runs it)',
      params: PlanParams,
      body: Type.Object({
        stop_new_waves_at: Type.Optional(Type.String({ pattern: ISO_INSTANT, maxLength: 40, expected: 'a time with a zone (ISO 8601), e.g. 2026-11-23T06:30:00Z', description: 'no new wave starts after this instant (a window\'s end)' })),
      }, { additionalProperties: false }),
      bodyOptional: true,
      responses: { 202: { description: 'the action plan, handed to an applier', schema: ActionPlanViewSchema } },
      handler: async ({ engine, params, body }) => {
        if (body.stop_new_waves_at === undefined) return accepted(await engine.startActionPlan(params.id));
        if (!Number.isFinite(Date.parse(body.stop_new_waves_at))) {
          throw new ValidationError('invalid request', [{ path: 'stop_new_waves_at', message: `"${body.stop_new_waves_at}" is not a time that exists` }]);
        }
        return accepted(await engine.startActionPlan(params.id, { stop_new_waves_at: new Date(body.stop_new_waves_at).toISOString() }));
      },
    }),
    cancel,
  ];
}
