// /v1/windows: power-saving windows, each belonging to a policy, validated against core's
// PowerSavingWindowSchema and its schedule checks (errors name `window.<field>`).
import { Type } from '@sinclair/typebox';
import { PowerSavingWindowSchema, validatePowerSavingWindow } from '../../../core/policy/power-saving-window.js';
import { created, defineRoute, noContent, ok, type ApiRoute } from '../route.js';
import { Name, WindowViewSchema } from '../schemas.js';

const WindowParams = Type.Object({ id: Name('window id') });

export function windowRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/windows', operationId: 'listWindows', tag: 'windows', rule: 'ulm:window:get_all',
      summary: 'List power-saving windows',
      query: Type.Object({ policy: Type.Optional(Name('only the windows of this policy (id or name)')) }, { additionalProperties: false }),
      responses: { 200: { description: 'the windows', schema: Type.Object({ windows: Type.Array(WindowViewSchema) }) } },
      handler: async ({ engine, query }) => ok({ windows: await engine.listWindows(query.policy !== undefined ? { policy: query.policy } : {}) }),
    }),
    defineRoute({
      method: 'POST', path: '/v1/windows', operationId: 'createWindow', tag: 'windows', rule: 'ulm:window:create',
      summary: 'Create a power-saving window for a policy',
      body: Type.Object({
        policy: Name('the policy the window belongs to (id or name)'),
        window: PowerSavingWindowSchema,
      }, { additionalProperties: false }),
      responses: { 201: { description: 'the window created', schema: WindowViewSchema } },
      handler: async ({ engine, body }) => {
        validatePowerSavingWindow(body.window, 'window');
        return created(await engine.createWindow(body));
      },
    }),
    defineRoute({
      method: 'GET', path: '/v1/windows/{id}', operationId: 'showWindow', tag: 'windows', rule: 'ulm:window:get',
      summary: 'Show a power-saving window and its next opening',
      params: WindowParams,
      responses: { 200: { description: 'the window', schema: WindowViewSchema } },
      handler: async ({ engine, params }) => ok(await engine.getWindow(params.id)),
    }),
    defineRoute({
      method: 'DELETE', path: '/v1/windows/{id}', operationId: 'deleteWindow', tag: 'windows', rule: 'ulm:window:delete',
      summary: 'Delete a power-saving window',
      description: 'A run in progress is ended first: its plan stopped, its hosts brought back through a restore plan, the run closed; 409 while that plan still has migrations in flight.',
      params: WindowParams,
      responses: { 204: { description: 'deleted' } },
      handler: async ({ engine, params }) => {
        await engine.deleteWindow(params.id);
        return noContent();
      },
    }),
  ];
}
