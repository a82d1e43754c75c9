// GET /metrics in Prometheus' text exposition format (0.0.4), written by hand: request counts and
// durations by route, and the action plans and hosts by state, read from the engine per scrape.
import { PLAN_STATES } from '../../core/plan/states.js';
import type { Engine } from '../engine/types.js';
import { HOST_STATES } from './schemas.js';

/** Upper bounds (seconds) of the request duration histogram's buckets. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** The API's own request counters, kept in memory by the process. */
export class HttpMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();

  /** `route` is the route's pattern (`/v1/policies/{policy}`), never the concrete path: bounded labels. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const requestKey = JSON.stringify([method, route, String(status)]);
    this.requests.set(requestKey, (this.requests.get(requestKey) ?? 0) + 1);
    const durationKey = JSON.stringify([method, route]);
    let histogram = this.durations.get(durationKey);
    if (!histogram) {
      histogram = { counts: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.durations.set(durationKey, histogram);
    }
    DURATION_BUCKETS.forEach((bound, index) => { if (seconds <= bound) histogram!.counts[index]++; });
    histogram.sum += seconds;
    histogram.count++;
  }

  render(): string[] {
    const lines = [
      '# HELP ulm_http_requests_total Requests answered by ulm-api, by method, route and status.',
      '# TYPE ulm_http_requests_total counter',
    ];
    for (const [key, count] of [...this.requests].sort()) {
      const [method, route, status] = JSON.parse(key) as string[];
      lines.push(`ulm_http_requests_total${labels({ method, route, status })} ${count}`);
    }
    lines.push(
      '# HELP ulm_http_request_duration_seconds Time ulm-api took to answer, by method and route.',
      '# TYPE ulm_http_request_duration_seconds histogram',
    );
    for (const [key, histogram] of [...this.durations].sort()) {
      const [method, route] = JSON.parse(key) as string[];
      DURATION_BUCKETS.forEach((bound, index) => {
        lines.push(`ulm_http_request_duration_seconds_bucket${labels({ method, route, le: String(bound) })} ${histogram.counts[index]}`);
      });
      lines.push(`ulm_http_request_duration_seconds_bucket${labels({ method, route, le: '+Inf' })} ${histogram.count}`);
      lines.push(`ulm_http_request_duration_seconds_sum${labels({ method, route })} ${histogram.sum}`);
      lines.push(`ulm_http_request_duration_seconds_count${labels({ method, route })} ${histogram.count}`);
    }
    return lines;
  }
}

/** The whole exposition: the engine's gauges (when it answers) and the request metrics. */
export async function renderMetrics(http: HttpMetrics, engine: Engine, onEngineError: (error: unknown) => void): Promise<string> {
  const lines: string[] = [];
  let engineUp = 1;
  try {
    const [plans, status] = await Promise.all([engine.listActionPlans(), engine.status()]);
    const byState = new Map<string, number>(PLAN_STATES.map((state) => [state, 0]));
    for (const plan of plans) byState.set(plan.state, (byState.get(plan.state) ?? 0) + 1);
    lines.push('# HELP ulm_action_plans Action plans by state.', '# TYPE ulm_action_plans gauge');
    for (const [state, count] of byState) lines.push(`ulm_action_plans${labels({ state })} ${count}`);
    lines.push('# HELP ulm_hosts Compute hosts by state, as ulm sees them.', '# TYPE ulm_hosts gauge');
    for (const state of HOST_STATES) lines.push(`ulm_hosts${labels({ state })} ${status.hosts[state] ?? 0}`);
  } catch (error) {
    // A scrape still answers: the request metrics say how ulm-api is doing even when the engine is not.
    engineUp = 0;
    onEngineError(error);
  }
  lines.push('# HELP ulm_engine_up Whether the engine answered this scrape (1) or failed (0).', '# TYPE ulm_engine_up gauge', `ulm_engine_up ${engineUp}`);
  lines.push(...http.render());
  return `${lines.join('\n')}\n`;
}

/** `{method="GET",route="/v1/hosts"}` with the text format's escaping. */
function labels(values: Record<string, string>): string {
  const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${Object.entries(values).map(([name, value]) => `${name}="${escape(value)}"`).join(',')}}`;
}
