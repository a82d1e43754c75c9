// GET / and GET /v1: the version documents other OpenStack APIs serve (no token needed), so that
// clients discover ulm's API the way they discover Nova's; GET / also opens the panel in a browser.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { findPanelFile, wantsHtml } from '../panel.js';
import { defineRoute, ok, type ApiRoute } from '../route.js';
import type { RouteContext } from './context.js';

const LinkSchema = Type.Object({ rel: Type.String(), href: Type.String() });
const VersionSchema = Type.Object({
  id: Type.String({ description: 'v1' }),
  status: Type.String({ description: 'CURRENT, SUPPORTED or DEPRECATED' }),
  min_version: Type.String(),
  max_version: Type.String(),
  links: Type.Array(LinkSchema),
});
const VersionWithMediaTypesSchema = Type.Composite([VersionSchema, Type.Object({
  'media-types': Type.Array(Type.Object({ base: Type.String(), type: Type.String() })),
})]);

/** The URL the caller reached ulm-api at, for self links. */
function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function version(request: FastifyRequest) {
  return {
    id: 'v1',
    status: 'CURRENT',
    min_version: '1.0',
    max_version: '1.0',
    links: [{ rel: 'self', href: `${baseUrl(request)}/v1` }],
  };
}

export function versionRoutes(context: RouteContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/', operationId: 'listVersions', tag: 'versions', rule: null,
      summary: 'List the API versions',
      description: 'A browser asking for text/html gets the panel instead, when it is installed.',
      responses: { 200: { description: 'the versions', schema: Type.Object({ versions: Type.Array(VersionSchema) }) } },
      handler: async ({ request }) => {
        if (context.panelDirectory && wantsHtml(request)) {
          const page = await findPanelFile(context.panelDirectory, request);
          if (page) return { status: 200, body: page.content, contentType: page.contentType };
        }
        return ok({ versions: [version(request)] });
      },
    }),
    defineRoute({
      method: 'GET', path: '/v1', operationId: 'showVersion', tag: 'versions', rule: null,
      summary: 'Show version 1 of the API',
      responses: { 200: { description: 'the version', schema: Type.Object({ version: VersionWithMediaTypesSchema }) } },
      handler: async ({ request }) => ok({
        version: { ...version(request), 'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.ulm.v1+json' }] },
      }),
    }),
  ];
}
