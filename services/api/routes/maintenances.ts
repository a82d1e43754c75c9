// /v1/maintenances: scheduled maintenances of hosts (drained by a time, powered off if asked,
// brought back at an end time), listed, shown and cancelled.
import { Type } from '@sinclair/typebox';
import { created, defineRoute, ok, type ApiRoute } from '../route.js';
import { MaintenanceRequestSchema, MaintenanceViewSchema, Name } from '../schemas.js';

const MaintenanceParams = Type.Object({ id: Name('maintenance id') });

export function maintenanceRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/maintenances', operationId: 'listMaintenances', tag: 'maintenances', rule: 'ulm:maintenance:get_all',
      summary: 'List scheduled maintenances, soonest first',
      query: Type.Object({
        host: Type.Optional(Name('only the maintenances of this host')),
        active: Type.Optional(Type.Boolean({ description: 'only those not ended (not DONE, FAILED or CANCELLED)' })),
      }, { additionalProperties: false }),
      responses: { 200: { description: 'the maintenances', schema: Type.Object({ maintenances: Type.Array(MaintenanceViewSchema) }) } },
      handler: async ({ engine, query }) => ok({ maintenances: await engine.listMaintenances({ ...(query.host !== undefined ? { host: query.host } : {}), ...(query.active !== undefined ? { active: query.active } : {}) }) }),
    }),
    defineRoute({
      method: 'POST', path: '/v1/maintenances', operationId: 'scheduleMaintenance', tag: 'maintenances', rule: 'ulm:maintenance:create',
      summary: 'Schedule a maintenance: drain the hosts by `at` (power them off if asked), bring them back at `until`',
      description: 'The drain starts early enough to be done by `at`: the median of the live migrations ulm has measured, times the rounds of migrations a dry-run drain needs, plus [scheduler] maintenance_margin. A drain that fails leaves the hosts in service and the maintenance FAILED with the reason.',
      body: MaintenanceRequestSchema,
      responses: { 201: { description: 'the maintenance, SCHEDULED', schema: MaintenanceViewSchema } },
      handler: async ({ engine, body, caller }) => created(await engine.scheduleMaintenance({
        ...body, created_by: caller ? caller.user_name ?? caller.user_id : 'anonymous',
      })),
    }),
    defineRoute({
      method: 'GET', path: '/v1/maintenances/{id}', operationId: 'showMaintenance', tag: 'maintenances', rule: 'ulm:maintenance:get',
      summary: 'Show a scheduled maintenance',
      params: MaintenanceParams,
      responses: { 200: { description: 'the maintenance', schema: MaintenanceViewSchema } },
      handler: async ({ engine, params }) => ok(await engine.getMaintenance(params.id)),
    }),
    defineRoute({
      method: 'DELETE', path: '/v1/maintenances/{id}', operationId: 'cancelMaintenance', tag: 'maintenances', rule: 'ulm:maintenance:cancel',
      summary: 'Cancel a maintenance: before its drain, nothing happens; during it, the drain stops; in maintenance, the hosts come back now',
      params: MaintenanceParams,
      responses: { 200: { description: 'the maintenance after cancelling', schema: MaintenanceViewSchema } },
      handler: async ({ engine, params }) => ok(await engine.cancelMaintenance(params.id)),
    }),
  ];
}
