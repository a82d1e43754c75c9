// What the few routes that are not about the engine's records need: the request metrics, the
// OpenAPI document, the panel's directory and how the panel logs in.
import type { HttpMetrics } from '../metrics.js';
import type { OpenApiDocument } from '../openapi.js';
import type { SessionSupport } from './session.js';

export interface RouteContext {
  metrics: HttpMetrics;
  /** Built once, on first use, from the whole route table. */
  openApiDocument: () => OpenApiDocument;
  /** Where the panel is served from; null: no panel. */
  panelDirectory: string | null;
  /** Where the engine's failures during a metrics scrape are reported. */
  onMetricsEngineError: (error: unknown) => void;
  /** The panel's login (/v1/auth routes); null or absent: no such routes. */
  session?: SessionSupport | null;
}
