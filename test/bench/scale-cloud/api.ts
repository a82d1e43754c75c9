// What every API module of the stand-in cloud shares: a request as the modules see it, and an answer.
export interface ApiRequest {
  method: string;
  /** The path below the API's prefix, split on "/", without empty parts. */
  parts: string[];
  query: URLSearchParams;
  body: unknown;
  /** http://127.0.0.1:PORT, for links and the catalog. */
  baseUrl: string;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** How the call is counted: method and path with ids left out, e.g. "GET /resource_providers/{uuid}/allocations". */
  kind: string;
}

export type Api = (request: ApiRequest) => ApiAnswer;

export function notFound(request: ApiRequest, prefix: string): ApiAnswer {
  return { status: 404, body: { error: { code: 404, message: `the stand-in has no ${request.method} ${prefix}/${request.parts.join('/')}` } }, kind: `${request.method} (not served)` };
}
