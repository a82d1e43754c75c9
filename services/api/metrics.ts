// GET /metrics through prom-client: request counts and durations by route, the action plans and
// hosts by state (read from the engine per scrape), and prom-client's process and Node metrics.
// Each app has its own registry, so that two apps in one process (tests) never share counters.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PLAN_STATES } from '../../core/plan/states.js';
import type { Engine } from '../../core/api/engine.js';
import { HOST_STATES } from './schemas.js';

/** Upper bounds (seconds) of the request duration histogram's buckets. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The metrics of one ulm-api app, in a registry of its own. */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly durations: Histogram<'method' | 'route'>;
  private readonly plans: Gauge<'state'>;
  private readonly hosts: Gauge<'state'>;
  private readonly engineUp: Gauge;
  private processMetrics = false;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'ulm_http_requests_total', help: 'Requests answered by ulm-api, by method, route and status.', labelNames: ['method', 'route', 'status'], registers });
    this.durations = new Histogram({ name: 'ulm_http_request_duration_seconds', help: 'Time ulm-api took to answer, by method and route.', labelNames: ['method', 'route'], buckets: DURATION_BUCKETS, registers });
    this.plans = new Gauge({ name: 'ulm_action_plans', help: 'Action plans by state.', labelNames: ['state'], registers });
    this.hosts = new Gauge({ name: 'ulm_hosts', help: 'Compute hosts by state, as ulm sees them.', labelNames: ['state'], registers });
    this.engineUp = new Gauge({ name: 'ulm_engine_up', help: 'Whether the engine answered this scrape (1) or failed (0).', registers });
  }

  /** `route` is the route's pattern (`/v1/policies/{policy}`), never the concrete path: bounded labels. */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.durations.observe({ method, route }, seconds);
  }

  /** The whole exposition, with the engine's gauges read now (left out when the engine fails). */
  async render(engine: Engine, onEngineError: (error: unknown) => void): Promise<string> {
    // Started at the first scrape rather than with the app: each start adds event-loop and GC
    // observers to the process, which apps that are never scraped (tests, the route table) need not carry.
    if (!this.processMetrics) {
      collectDefaultMetrics({ register: this.registry });
      this.processMetrics = true;
    }
    this.plans.reset();
    this.hosts.reset();
    try {
      const [plans, status] = await Promise.all([engine.listActionPlans(), engine.status()]);
      for (const state of PLAN_STATES) this.plans.set({ state }, plans.filter((plan) => plan.state === state).length);
      for (const state of HOST_STATES) this.hosts.set({ state }, status.hosts[state] ?? 0);
      this.engineUp.set(1);
    } catch (error) {
      // A scrape still answers: the request and process metrics say how ulm-api is doing even when the engine is not.
      this.engineUp.set(0);
      onEngineError(error);
    }
    return this.registry.metrics();
  }

  /** The exposition's content type (text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }
}
