// /v1/status: ulm at a glance (hosts by state, plans running and waiting, the next window).
import { defineRoute, ok, type ApiRoute } from '../route.js';
import { StatusViewSchema } from '../schemas.js';

export function statusRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/status', operationId: 'showStatus', tag: 'status', rule: 'ulm:status:get',
      summary: 'ulm\'s status',
      responses: { 200: { description: 'the status', schema: StatusViewSchema } },
      handler: async ({ engine }) => ok(await engine.status()),
    }),
  ];
}
