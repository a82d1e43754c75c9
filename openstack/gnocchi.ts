// Gnocchi: batched reads of resources' measures through the aggregates API
// (POST /v1/aggregates with a resource search), as Ceilometer stores them.
import { OpenStackHttpError } from './errors.js';
import type { KeystoneSession } from './keystone.js';
import { ServiceClient } from './service-client.js';

export type GnocchiClient = ServiceClient;

export function openGnocchi(session: KeystoneSession): GnocchiClient {
  return new ServiceClient(session, { name: 'Gnocchi', serviceType: 'metric' });
}

export interface MetricReference {
  metric: string;
  /** An aggregation method of the metric's archive policy: mean, max, rate:mean, ... */
  aggregation: string;
}

/** `(metric (cpu rate:mean) (memory.usage mean))`: one series per resource and metric. */
export function metricOperation(references: MetricReference[]): string {
  if (!references.length) throw new RangeError('metricOperation: give at least one metric');
  const quote = (text: string) => (/^[\w.:*-]+$/.test(text) ? text : `"${text.replace(/"/g, '\\"')}"`);
  return `(metric ${references.map((reference) => `(${quote(reference.metric)} ${quote(reference.aggregation)})`).join(' ')})`;
}

/** Gnocchi computes the rate between consecutive points at read time (for counters whose archive policy lacks rate:*). */
export function rateOfChange(operation: string): string {
  return `(rateofchange ${operation})`;
}

export interface Point {
  timestamp: string;
  granularity: number;
  value: number;
}

/** resource id -> metric name -> aggregation -> points, oldest first. */
export type ResourceSeries = Map<string, Map<string, Map<string, Point[]>>>;

export interface AggregatesQuery {
  resourceType: string;
  /** A Gnocchi resource search, e.g. {"in": {"id": [...]}}. */
  search: unknown;
  operations: string;
  start: string;
  stop?: string;
  granularity: number;
  /** Also return the matched resources (their attributes), to map ids to names. */
  details?: boolean;
}

export interface AggregatesResult {
  series: ResourceSeries;
  /** The resources that matched (with details), e.g. to map a host resource to its host_name. */
  resources: Array<Record<string, unknown>>;
}

type RawMeasures = Record<string, Record<string, Record<string, Array<[string, number, number]>>>>;

/**
 * Runs one aggregates query over the resources the search matches. No matched resource having
 * any of the metrics is an answer (no series), not an error.
 */
export async function aggregateResources(gnocchi: GnocchiClient, query: AggregatesQuery): Promise<AggregatesResult> {
  let response;
  try {
    response = await gnocchi.request<{ measures: RawMeasures; references?: Array<Record<string, unknown>> }>('POST', '/v1/aggregates', {
      idempotent: true,
      params: { start: query.start, stop: query.stop, granularity: query.granularity, details: query.details ? 'true' : undefined },
      data: { operations: query.operations, resource_type: query.resourceType, search: query.search },
      hint: (status) => (status === 404 ? 'an archive policy lacks the aggregation method asked for; choose another in the datasource options'
        : status === 400 ? `check that the archive policy keeps ${query.granularity} s points (metrics.granularity_seconds) and that resource type "${query.resourceType}" exists` : undefined),
    });
  } catch (error) {
    if (error instanceof OpenStackHttpError && error.status === 400 && /Metrics not found/.test(error.detail)) {
      return { series: new Map(), resources: [] };
    }
    throw error;
  }
  const series: ResourceSeries = new Map();
  for (const [resourceId, metrics] of Object.entries(response.data.measures ?? {})) {
    const byMetric = new Map<string, Map<string, Point[]>>();
    for (const [metric, aggregations] of Object.entries(metrics)) {
      const byAggregation = new Map<string, Point[]>();
      for (const [aggregation, points] of Object.entries(aggregations)) {
        byAggregation.set(aggregation, points.map(([timestamp, granularity, value]) => ({ timestamp, granularity, value })));
      }
      byMetric.set(metric, byAggregation);
    }
    series.set(resourceId, byMetric);
  }
  return { series, resources: response.data.references ?? [] };
}
