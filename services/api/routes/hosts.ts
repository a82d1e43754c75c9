// /v1/hosts: compute hosts as ulm sees them; drain (empty for maintenance), undrain (bring back
// hosts ulm holds) and maintenance of one host.
import { Type } from '@sinclair/typebox';
import { ValidationError, type Issue } from '../../../core/validation.js';
import { accepted, defineRoute, ok, type ApiRoute } from '../route.js';
import { auditAccepted } from './audits.js';
import { AuditAndPlanSchema, HostNames, HostViewSchema, Name, UndrainViewSchema } from '../schemas.js';

const HostParams = Type.Object({ name: Name('compute host name') });

/** A host named twice is a typo more often than not: say so rather than drain it once. */
function refuseRepeats(hosts: string[]): void {
  const issues: Issue[] = [];
  hosts.forEach((host, index) => {
    if (hosts.indexOf(host) !== index) issues.push({ path: `hosts[${index}]`, message: `"${host}" is already listed at hosts[${hosts.indexOf(host)}]; list each host once` });
  });
  if (issues.length) throw new ValidationError('invalid host list', issues);
}

export function hostRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/hosts', operationId: 'listHosts', tag: 'hosts', rule: 'ulm:host:get_all',
      summary: 'List compute hosts with their state and load',
      responses: { 200: { description: 'the hosts', schema: Type.Object({ hosts: Type.Array(HostViewSchema) }) } },
      handler: async ({ engine }) => ok({ hosts: await engine.listHosts() }),
    }),
    defineRoute({
      method: 'GET', path: '/v1/hosts/{name}', operationId: 'showHost', tag: 'hosts', rule: 'ulm:host:get',
      summary: 'Show a compute host',
      params: HostParams,
      responses: { 200: { description: 'the host', schema: HostViewSchema } },
      handler: async ({ engine, params }) => ok(await engine.getHost(params.name)),
    }),
    defineRoute({
      method: 'POST', path: '/v1/hosts/drain', operationId: 'drainHosts', tag: 'hosts', rule: 'ulm:host:drain',
      summary: 'Drain hosts: plan emptying them for maintenance and (unless dry_run) start the plan, in the background (202: poll the audit)',
      description: 'A drain is an audit of the drain policy: answered 202 at once with it (ONGOING) and Location: /v1/audits/{id}; poll it until SUCCEEDED (action_plan_id names the plan, started unless dry_run) or FAILED (failure_reason).',
      body: Type.Object({
        hosts: HostNames,
        dry_run: Type.Optional(Type.Boolean({ description: 'only plan: the plan waits as RECOMMENDED' })),
      }, { additionalProperties: false }),
      responses: { 202: { description: 'the drain audit, and its plan when already made (null while planning goes on)', schema: AuditAndPlanSchema } },
      handler: async ({ engine, body }) => {
        refuseRepeats(body.hosts);
        return auditAccepted(engine, await engine.submitDrain(body.hosts, { dryRun: body.dry_run ?? false }));
      },
    }),
    defineRoute({
      method: 'POST', path: '/v1/hosts/undrain', operationId: 'undrainHosts', tag: 'hosts', rule: 'ulm:host:undrain',
      summary: 'Bring back hosts ulm holds through a restore plan the applier runs: power on, wait for nova-compute, enable (202: poll the restore\'s audit, then its plan)',
      body: Type.Object({
        hosts: HostNames,
        rebalance: Type.Optional(Type.Boolean({ description: 'then spread load back onto them' })),
      }, { additionalProperties: false }),
      responses: {
        202: {
          description: 'what happens to each host, and the restore\'s audit to poll while ulm reads the cloud and plans',
          schema: UndrainViewSchema,
        },
      },
      handler: async ({ engine, body }) => {
        refuseRepeats(body.hosts);
        const view = await engine.submitUndrain(body.hosts, { rebalance: body.rebalance ?? false });
        return view.audit ? { ...accepted(view), headers: { Location: `/v1/audits/${encodeURIComponent(view.audit.id)}` } } : accepted(view);
      },
    }),
    defineRoute({
      method: 'POST', path: '/v1/hosts/{name}/maintenance', operationId: 'startHostMaintenance', tag: 'hosts', rule: 'ulm:host:drain',
      summary: 'Put one host into maintenance: drain it (202: poll the audit)',
      params: HostParams,
      body: Type.Object({}, { additionalProperties: false, description: 'no options: send {} or nothing' }),
      bodyOptional: true,
      responses: { 202: { description: 'the drain audit, and its plan when already made (null while planning goes on)', schema: AuditAndPlanSchema } },
      handler: async ({ engine, params }) => auditAccepted(engine, await engine.submitDrain([params.name], { dryRun: false })),
    }),
  ];
}
