// Every route of ulm-api, in one explicit list: what fastify serves, what the policy rules
// guard and what the OpenAPI document shows.
import { HttpMetrics } from '../metrics.js';
import type { ApiRoute } from '../route.js';
import { actionPlanRoutes } from './action-plans.js';
import { actionRoutes } from './actions.js';
import { auditRoutes } from './audits.js';
import type { RouteContext } from './context.js';
import { documentRoutes } from './documents.js';
import { hostRoutes } from './hosts.js';
import { maintenanceRoutes } from './maintenances.js';
import { policyRoutes } from './policies.js';
import { savingsRoutes } from './savings.js';
import { serverRoutes } from './servers.js';
import { sessionRoutes } from './session.js';
import { snapshotRoutes } from './snapshots.js';
import { statusRoutes } from './status.js';
import { versionRoutes } from './versions.js';
import { windowRoutes } from './windows.js';

export type { RouteContext } from './context.js';

/** The route table without an app, for what only reads paths, rules and schemas (the policy sample, tests). */
export function routeTable(): ApiRoute[] {
  return apiRoutes({
    metrics: new HttpMetrics(),
    openApiDocument: () => { throw new Error('the OpenAPI document is served by an app: use createApiApp'); },
    panelDirectory: null,
    onMetricsEngineError: () => undefined,
  });
}

export function apiRoutes(context: RouteContext): ApiRoute[] {
  return [
    ...versionRoutes(context),
    ...documentRoutes(context),
    ...sessionRoutes(context.session ?? null),
    ...policyRoutes(),
    ...windowRoutes(),
    ...auditRoutes(),
    ...actionPlanRoutes(),
    ...actionRoutes(),
    ...hostRoutes(),
    ...maintenanceRoutes(),
    ...serverRoutes(),
    ...snapshotRoutes(),
    ...savingsRoutes(),
    ...statusRoutes(),
  ];
}
