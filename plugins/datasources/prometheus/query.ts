// Prometheus' HTTP query API (/api/v1/query): PromQL in, series of [time, value] out, with
// errors that name the server and what it said.
export interface Sample {
  /** Epoch milliseconds. */
  time: number;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  samples: Sample[];
}

export interface PrometheusConnection {
  url: string;
  username: string;
  password: string;
  timeout_seconds: number;
}

/** The JSON of /api/v1/query: `status` "success" with `data`, or "error" with `errorType` and `error`. */
interface QueryResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: Array<{ metric?: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> };
}

/** Runs one PromQL query at `time` (epoch ms); a range-vector result (a subquery) keeps every sample. */
export async function queryPrometheus(connection: PrometheusConnection, promql: string, time: number): Promise<Series[]> {
  const endpoint = `${connection.url.replace(/\/+$/, '')}/api/v1/query`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (connection.username) headers.authorization = `Basic ${Buffer.from(`${connection.username}:${connection.password}`).toString('base64')}`;
  // POST: a batch of server UUIDs makes queries longer than a URL should be.
  const body = new URLSearchParams({ query: promql, time: (time / 1000).toFixed(3), timeout: `${connection.timeout_seconds}s` });
  let response: Response;
  try {
    response = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(connection.timeout_seconds * 1000) });
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${connection.timeout_seconds} s (timeout_seconds)` : (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : String(error);
    throw new Error(`Prometheus at ${connection.url}: ${reason}`, { cause: error });
  }
  const text = await response.text();
  let parsed: QueryResponse;
  try {
    parsed = JSON.parse(text) as QueryResponse;
  } catch {
    throw new Error(`Prometheus at ${connection.url} answered ${response.status} with no JSON${response.status === 401 ? ' (set username and password)' : ''}: ${text.slice(0, 200)}`);
  }
  if (parsed.status !== 'success') {
    throw new Error(`Prometheus at ${connection.url} refused the query (${response.status} ${parsed.errorType ?? ''}): ${parsed.error ?? text.slice(0, 200)}\n  query: ${promql.slice(0, 500)}`);
  }
  return parseResult(parsed);
}

/** Vector and matrix results alike become series; "NaN", "+Inf" stay as such (statistics skip them). */
export function parseResult(response: QueryResponse): Series[] {
  const data = response.data;
  if (!data || !Array.isArray(data.result) || (data.resultType !== 'matrix' && data.resultType !== 'vector')) {
    throw new Error(`Prometheus answered a ${data?.resultType ?? 'malformed'} result where a vector or matrix was expected`);
  }
  return data.result.map((entry) => ({
    labels: entry.metric ?? {},
    samples: (entry.values ?? (entry.value ? [entry.value] : [])).map(([time, value]) => ({ time: Math.round(time * 1000), value: Number(value) })),
  }));
}
