// /v1/policies: the operator's policies, validated against core's PolicySchema at the door
// (errors name `document.<field>`) and again by the engine.
import { Type } from '@sinclair/typebox';
import { PolicySchema, validatePolicy } from '../../../core/policy/schema.js';
import { ValidationError } from '../../../core/validation.js';
import { created, defineRoute, noContent, ok, type ApiRoute } from '../route.js';
import { Description, Name, PolicyViewSchema } from '../schemas.js';

const PolicyParams = Type.Object({ policy: Name('policy id or name') });

export function policyRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/policies', operationId: 'listPolicies', tag: 'policies', rule: 'ulm:policy:get_all',
      summary: 'List policies',
      responses: { 200: { description: 'the policies', schema: Type.Object({ policies: Type.Array(PolicyViewSchema) }) } },
      handler: async ({ engine }) => ok({ policies: await engine.listPolicies() }),
    }),
    defineRoute({
      method: 'POST', path: '/v1/policies', operationId: 'createPolicy', tag: 'policies', rule: 'ulm:policy:create',
      summary: 'Create a policy',
      body: Type.Object({
        name: Name('unique name of the policy'),
        description: Type.Optional(Description),
        document: PolicySchema,
      }, { additionalProperties: false }),
      responses: { 201: { description: 'the policy created', schema: PolicyViewSchema } },
      handler: async ({ engine, body }) => {
        validatePolicy(body.document, 'document');
        return created(await engine.createPolicy(body));
      },
    }),
    defineRoute({
      method: 'POST', path: '/v1/policies/validate', operationId: 'validatePolicy', tag: 'policies', rule: 'ulm:policy:validate',
      summary: 'Validate a policy document without storing it',
      description: 'Answers 400 listing every issue when the document is not valid.',
      body: Type.Object({ document: PolicySchema }, { additionalProperties: false }),
      responses: { 200: { description: 'the document is valid', schema: Type.Object({ valid: Type.Literal(true), policy: PolicySchema }) } },
      handler: async ({ engine, body }) => {
        validatePolicy(body.document, 'document');
        return ok({ valid: true, policy: engine.validatePolicy(body.document) });
      },
    }),
    defineRoute({
      method: 'GET', path: '/v1/policies/{policy}', operationId: 'showPolicy', tag: 'policies', rule: 'ulm:policy:get',
      summary: 'Show a policy',
      params: PolicyParams,
      responses: { 200: { description: 'the policy', schema: PolicyViewSchema } },
      handler: async ({ engine, params }) => ok(await engine.getPolicy(params.policy)),
    }),
    defineRoute({
      method: 'PATCH', path: '/v1/policies/{policy}', operationId: 'updatePolicy', tag: 'policies', rule: 'ulm:policy:update',
      summary: 'Update a policy',
      description: 'Fields left out keep their value; document replaces the whole document.',
      params: PolicyParams,
      body: Type.Object({
        name: Type.Optional(Name('new unique name')),
        description: Type.Optional(Description),
        document: Type.Optional(PolicySchema),
      }, { additionalProperties: false }),
      responses: { 200: { description: 'the policy as updated', schema: PolicyViewSchema } },
      handler: async ({ engine, params, body }) => {
        if (body.name === undefined && body.description === undefined && body.document === undefined) {
          throw new ValidationError('nothing to update', [{ path: 'body', message: 'give at least one of name, description or document' }]);
        }
        if (body.document !== undefined) validatePolicy(body.document, 'document');
        return ok(await engine.updatePolicy(params.policy, body));
      },
    }),
    defineRoute({
      method: 'DELETE', path: '/v1/policies/{policy}', operationId: 'deletePolicy', tag: 'policies', rule: 'ulm:policy:delete',
      summary: 'Delete a policy',
      description: 'Answers 409 naming the policy\'s windows (names and ids) unless with_windows=true. With it, a window run in progress is ended first: its plan stopped, its hosts brought back through a restore plan, the run closed; 409 while that plan still has migrations in flight.',
      params: PolicyParams,
      query: Type.Object({
        with_windows: Type.Optional(Type.Boolean({ description: 'delete the policy\'s windows with it (their runs in progress restored first)' })),
      }, { additionalProperties: false }),
      responses: { 204: { description: 'deleted' } },
      handler: async ({ engine, params, query }) => {
        await engine.deletePolicy(params.policy, query.with_windows ? { with_windows: true } : {});
        return noContent();
      },
    }),
  ];
}
