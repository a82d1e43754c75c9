// /v1/actions: the steps of one action plan, in order, with their states and Nova's migration ids.
import { Type } from '@sinclair/typebox';
import { defineRoute, ok, type ApiRoute } from '../route.js';
import { ActionViewSchema, Name } from '../schemas.js';

export function actionRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/actions', operationId: 'listActions', tag: 'actions', rule: 'ulm:action:get_all',
      summary: 'List the actions of an action plan, in order',
      query: Type.Object({ action_plan: Name('the action plan whose actions to list (required)') }, { additionalProperties: false }),
      responses: { 200: { description: 'the actions', schema: Type.Object({ actions: Type.Array(ActionViewSchema) }) } },
      handler: async ({ engine, query }) => ok({ actions: await engine.listActions(query.action_plan) }),
    }),
  ];
}
