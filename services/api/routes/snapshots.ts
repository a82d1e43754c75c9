// /v1/snapshots: the ulm-cluster/1 snapshots audits plan on, and collecting one now.
import { Type } from '@sinclair/typebox';
import { SnapshotSchema } from '../../../core/snapshot/format.js';
import { created, defineRoute, ok, type ApiRoute } from '../route.js';
import { Limit, Name, SnapshotViewSchema } from '../schemas.js';

export function snapshotRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/snapshots', operationId: 'listSnapshots', tag: 'snapshots', rule: 'ulm:snapshot:get_all',
      summary: 'List snapshots, newest first',
      query: Type.Object({ limit: Type.Optional(Limit) }, { additionalProperties: false }),
      responses: { 200: { description: 'the snapshots', schema: Type.Object({ snapshots: Type.Array(SnapshotViewSchema) }) } },
      handler: async ({ engine, query }) => ok({ snapshots: await engine.listSnapshots(query.limit) }),
    }),
    defineRoute({
      method: 'POST', path: '/v1/snapshots', operationId: 'collectSnapshot', tag: 'snapshots', rule: 'ulm:snapshot:create',
      summary: 'Collect a snapshot of the cloud now',
      body: Type.Object({
        policy: Type.Optional(Name('read usage with this stored policy\'s metrics settings (default: the defaults)')),
      }, { additionalProperties: false }),
      bodyOptional: true,
      responses: { 201: { description: 'the snapshot collected', schema: SnapshotViewSchema } },
      handler: async ({ engine, body }) => created(await engine.collectSnapshot(body.policy)),
    }),
    defineRoute({
      method: 'GET', path: '/v1/snapshots/{id}', operationId: 'showSnapshot', tag: 'snapshots', rule: 'ulm:snapshot:get',
      summary: 'The snapshot as a ulm-cluster/1 document',
      params: Type.Object({ id: Name('snapshot id') }),
      responses: { 200: { description: 'the ulm-cluster/1 document', schema: SnapshotSchema } },
      handler: async ({ engine, params }) => ok(await engine.getSnapshot(params.id)),
    }),
  ];
}
