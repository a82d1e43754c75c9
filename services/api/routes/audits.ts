// /v1/audits: runs of the planner on a fresh snapshot of the cloud, with a stored policy or an
// inline document; each leaves an action plan to preview, approve and start.
import { Type } from '@sinclair/typebox';
import { validatePolicy } from '../../../core/policy/schema.js';
import { ValidationError } from '../../../core/validation.js';
import { created, defineRoute, ok, type ApiRoute } from '../route.js';
import { AuditAndPlanSchema, AuditRequestSchema, AuditViewSchema, Limit, Name } from '../schemas.js';

export function auditRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/audits', operationId: 'listAudits', tag: 'audits', rule: 'ulm:audit:get_all',
      summary: 'List audits, newest first',
      query: Type.Object({
        policy: Type.Optional(Name('only the audits of this policy (id or name)')),
        limit: Type.Optional(Limit),
      }, { additionalProperties: false }),
      responses: { 200: { description: 'the audits', schema: Type.Object({ audits: Type.Array(AuditViewSchema) }) } },
      handler: async ({ engine, query }) => ok({ audits: await engine.listAudits(query) }),
    }),
    defineRoute({
      method: 'POST', path: '/v1/audits', operationId: 'createAudit', tag: 'audits', rule: 'ulm:audit:create',
      summary: 'Run an audit: collect the cloud and plan',
      description: 'Give a stored policy or an inline document (not both). The plan waits as RECOMMENDED unless approve or start is true.',
      body: AuditRequestSchema,
      responses: { 201: { description: 'the audit and the plan it made (null when there is nothing to do)', schema: AuditAndPlanSchema } },
      handler: async ({ engine, body }) => {
        if (body.policy !== undefined && body.document !== undefined) {
          throw new ValidationError('invalid audit', [{ path: 'document', message: 'give policy (a stored policy) or document (an inline one), not both' }]);
        }
        if (body.document !== undefined) validatePolicy(body.document, 'document');
        return created(await engine.createAudit({ ...body, triggered_by: body.triggered_by ?? 'operator' }));
      },
    }),
    defineRoute({
      method: 'GET', path: '/v1/audits/{id}', operationId: 'showAudit', tag: 'audits', rule: 'ulm:audit:get',
      summary: 'Show an audit',
      params: Type.Object({ id: Name('audit id') }),
      responses: { 200: { description: 'the audit', schema: AuditViewSchema } },
      handler: async ({ engine, params }) => ok(await engine.getAudit(params.id)),
    }),
  ];
}
