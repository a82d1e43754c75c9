// /v1/servers: servers and their exemptions (never move; not during given windows; kept apart
// by an anti-affinity tag).
import { Type } from '@sinclair/typebox';
import { isKnownTimeZone } from '../../../core/policy/windows.js';
import { ValidationError, type Issue } from '../../../core/validation.js';
import { NotFound } from '../../db/errors.js';
import type { ExemptionRequest } from '../../../core/api/records.js';
import { created, defineRoute, noContent, ok, type ApiRoute } from '../route.js';
import { ExemptionKindSchema, ExemptionRequestSchema, ExemptionViewSchema, Name, ServerViewSchema } from '../schemas.js';

const ServerParams = Type.Object({ id: Name('server id (UUID)') });

/** Which fields each kind needs and which it must not have. */
function checkExemption(request: ExemptionRequest): void {
  const issues: Issue[] = [];
  const needs = { never: [], windows: ['windows'], anti_affinity_tag: ['tag'] }[request.kind];
  for (const field of needs) {
    if ((request as unknown as Record<string, unknown>)[field] === undefined) issues.push({ path: field, message: `is required for kind "${request.kind}"` });
  }
  for (const field of ['windows', 'tag'].filter((name) => !(needs as string[]).includes(name))) {
    if ((request as unknown as Record<string, unknown>)[field] !== undefined) issues.push({ path: field, message: `does not apply to kind "${request.kind}"; remove it` });
  }
  (request.windows ?? []).forEach((window, index) => {
    if (window.timezone !== undefined && !isKnownTimeZone(window.timezone)) {
      issues.push({ path: `windows[${index}].timezone`, message: `"${window.timezone}" is not an IANA time zone; use a name such as "Europe/Berlin" or "UTC"` });
    }
  });
  if (issues.length) throw new ValidationError('invalid exemption', issues);
}

export function serverRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/servers', operationId: 'listServers', tag: 'servers', rule: 'ulm:server:get_all',
      summary: 'List servers with their size, use and exemptions',
      responses: { 200: { description: 'the servers', schema: Type.Object({ servers: Type.Array(ServerViewSchema) }) } },
      handler: async ({ engine }) => ok({ servers: await engine.listServers() }),
    }),
    defineRoute({
      method: 'GET', path: '/v1/servers/{id}/exemptions', operationId: 'listServerExemptions', tag: 'servers', rule: 'ulm:exemption:get_all',
      summary: 'List a server\'s exemptions',
      params: ServerParams,
      responses: { 200: { description: 'the exemptions', schema: Type.Object({ exemptions: Type.Array(ExemptionViewSchema) }) } },
      handler: async ({ engine, params }) => {
        // The engine lists exemptions with servers only (see the report: a listExemptions(server) would be lighter).
        const server = (await engine.listServers()).find((candidate) => candidate.id === params.id);
        if (!server) throw new NotFound('server', params.id);
        return ok({ exemptions: server.exemptions });
      },
    }),
    defineRoute({
      method: 'POST', path: '/v1/servers/{id}/exemptions', operationId: 'createServerExemption', tag: 'servers', rule: 'ulm:exemption:create',
      summary: 'Exempt a server from moving',
      params: ServerParams,
      body: ExemptionRequestSchema,
      responses: { 201: { description: 'the exemption', schema: ExemptionViewSchema } },
      handler: async ({ engine, params, body }) => {
        checkExemption(body);
        return created(await engine.setExemption(params.id, body));
      },
    }),
    defineRoute({
      method: 'DELETE', path: '/v1/servers/{id}/exemptions', operationId: 'deleteServerExemptions', tag: 'servers', rule: 'ulm:exemption:delete',
      summary: 'Remove a server\'s exemptions (of one kind, or all)',
      params: ServerParams,
      query: Type.Object({ kind: Type.Optional(ExemptionKindSchema) }, { additionalProperties: false }),
      responses: { 204: { description: 'removed (also when there was none)' } },
      handler: async ({ engine, params, query }) => {
        await engine.removeExemptions(params.id, query.kind);
        return noContent();
      },
    }),
  ];
}
