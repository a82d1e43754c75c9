// The two documents about the API itself, both public: GET /v1/openapi.json (generated from the
// route table) and GET /metrics (Prometheus).
import { Type } from '@sinclair/typebox';
import { defineRoute, ok, type ApiRoute } from '../route.js';
import type { RouteContext } from './context.js';

export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

export function documentRoutes(context: RouteContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/openapi.json', operationId: 'showOpenApiDocument', tag: 'versions', rule: null,
      summary: 'This OpenAPI 3.1 document',
      responses: { 200: { description: 'the OpenAPI document', schema: Type.Object({ openapi: Type.String() }, { additionalProperties: true }) } },
      handler: async () => ok(context.openApiDocument()),
    }),
    defineRoute({
      method: 'GET', path: '/metrics', operationId: 'showMetrics', tag: 'metrics', rule: null,
      summary: 'Prometheus metrics',
      description: 'Text exposition format 0.0.4 (prom-client): ulm_action_plans{state}, ulm_hosts{state}, ulm_engine_up, ulm_http_requests_total{method,route,status}, ulm_http_request_duration_seconds{method,route} (histogram), and the process and Node.js metrics (process_*, nodejs_*). Public, like most exporters: restrict it at the network if host counts are sensitive.',
      responses: { 200: { description: 'the metrics', contentType: PROMETHEUS_TEXT } },
      handler: async ({ engine }) => ({ status: 200, contentType: PROMETHEUS_TEXT, body: await context.metrics.render(engine, context.onMetricsEngineError) }),
    }),
  ];
}
