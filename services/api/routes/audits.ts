// /v1/audits: runs of the planner on a fresh snapshot of the cloud, with a stored policy or an
// inline document; each leaves an action plan to preview, approve and start. Creating one
// answers 202 at once with the audit to poll: collecting the cloud takes longer than a request
// should stay open.
import { Type } from '@sinclair/typebox';
import { validatePolicy } from '../../../core/policy/schema.js';
import { ValidationError } from '../../../core/validation.js';
import type { Engine } from '../../../core/api/engine.js';
import type { AuditView } from '../../../core/api/records.js';
import { defineRoute, ok, type ApiRoute, type RouteResult } from '../route.js';
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
      summary: 'Start an audit: collect the cloud and plan, in the background (202: poll the audit)',
      description: 'Give a stored policy or an inline document (not both). Answers 202 as soon as the request is checked, with the audit (ONGOING) and Location: /v1/audits/{id}; poll it until SUCCEEDED (action_plan_id names the plan, null when there was nothing to do) or FAILED (failure_reason says why). The plan waits as RECOMMENDED unless approve or start is true.',
      body: AuditRequestSchema,
      responses: { 202: { description: 'the audit, and its plan when it is already made (null while planning goes on)', schema: AuditAndPlanSchema } },
      handler: async ({ engine, body }) => {
        if (body.policy !== undefined && body.document !== undefined) {
          throw new ValidationError('invalid audit', [{ path: 'document', message: 'give policy (a stored policy) or document (an inline one), not both' }]);
        }
        if (body.document !== undefined) validatePolicy(body.document, 'document');
        return auditAccepted(engine, await engine.submitAudit({ ...body, triggered_by: body.triggered_by ?? 'operator' }));
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

/** 202 with the audit to poll (Location), and its plan when the audit has already made one. */
export async function auditAccepted(engine: Engine, audit: AuditView): Promise<RouteResult> {
  const plan = audit.action_plan_id ? await engine.getActionPlan(audit.action_plan_id) : null;
  return { status: 202, body: { audit, action_plan: plan }, headers: { Location: `/v1/audits/${encodeURIComponent(audit.id)}` } };
}
