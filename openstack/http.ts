// The one HTTP layer under every OpenStack client: axios with retries (backoff, Retry-After),
// TLS options, request ids, and one structured log line per attempt that never holds a secret.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { CloudConfigError, OpenStackConnectionError, OpenStackHttpError } from './errors.js';
import { loggableUrl, silentLogger, type Logger } from './logger.js';
import {
  backoffMs, DEFAULT_RETRY_POLICY, isIdempotentMethod, isNotDelivered, isNotProcessedStatus,
  isRetryableStatus, isTransientConnectionError, retryAfterMs, type RetryPolicy,
} from './retry.js';

export interface TlsOptions {
  /** PEM file of the CA bundle that signed the services' certificates. */
  cacert?: string;
  /** Do not verify certificates (test clouds only). */
  insecure?: boolean;
  /** Client certificate and key (PEM files) for clouds that require them. */
  cert?: string;
  key?: string;
}

export interface HttpClientOptions {
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  tls?: TlsOptions;
  /** Per attempt; default 60 s (openstacksdk's api_timeout is unset, keystoneauth waits forever). */
  timeoutMs?: number;
  /** Per service type (a request's `service`): its own timeout and TLS settings, where they differ. */
  services?: Record<string, { timeoutMs?: number; tls?: TlsOptions }>;
  userAgent?: string;
  /** Injected for tests: how to wait, what time it is, and the jitter source. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  params?: Record<string, string | number | boolean | undefined>;
  data?: unknown;
  /** The service type, for the log line (compute, placement, metric, identity). */
  service?: string;
  /** Safe to send twice (a read done with POST, like Gnocchi's aggregates); default by method. */
  idempotent?: boolean;
  /** Statuses that are answers, not errors (e.g. 404 for "does it exist?"). 2xx always are. */
  acceptStatus?: number[];
  /** Sent as X-OpenStack-Request-ID so that every service logs the same global request id. */
  globalRequestId?: string;
  /** What to tell the operator when the request fails with an error status. */
  hint?: (status: number) => string | undefined;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
  /** The service's X-OpenStack-Request-ID (or Nova's older X-Compute-Request-ID). */
  requestId: string | undefined;
}

/** A global request id in the form oslo.middleware accepts: `req-<uuid>`. */
export function newRequestId(): string {
  return `req-${randomUUID()}`;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class HttpClient {
  private readonly axios: AxiosInstance;
  private readonly logger: Logger;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly perService = new Map<string, { timeout?: number; httpsAgent?: HttpsAgent }>();

  constructor(options: HttpClientOptions = {}) {
    this.logger = options.logger ?? silentLogger();
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.axios = axios.create({
      timeout: options.timeoutMs ?? 60_000,
      // Redirects would carry X-Auth-Token to wherever they point: OpenStack APIs do not need them.
      maxRedirects: 0,
      validateStatus: () => true,
      httpsAgent: httpsAgent(options.tls ?? {}),
      headers: { 'User-Agent': options.userAgent ?? 'ulm', Accept: 'application/json' },
    });
    for (const [service, settings] of Object.entries(options.services ?? {})) {
      this.perService.set(service, {
        ...(settings.timeoutMs !== undefined ? { timeout: settings.timeoutMs } : {}),
        ...(settings.tls ? { httpsAgent: httpsAgent({ ...options.tls, ...settings.tls }) } : {}),
      });
    }
  }

  async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const method = request.method;
    const shownUrl = loggableUrl(withParams(request.url, request.params));
    const idempotent = request.idempotent ?? isIdempotentMethod(method);
    const headers: Record<string, string> = { ...request.headers };
    if (request.globalRequestId) headers['X-OpenStack-Request-ID'] = request.globalRequestId;
    if (request.data !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
    const line = { service: request.service, method, url: shownUrl, global_request_id: request.globalRequestId };
    for (let attempt = 1; ; attempt++) {
      const started = this.now();
      let response: AxiosResponse;
      try {
        const service = request.service ? this.perService.get(request.service) : undefined;
        response = await this.axios.request({ method, url: request.url, params: cleanParams(request.params), headers, data: request.data, ...service });
      } catch (error) {
        const code = (error as AxiosError).code;
        const reason = connectionReason(error);
        const retryable = attempt <= this.retry.retries && isTransientConnectionError(code) && (idempotent || isNotDelivered(code));
        const delay = retryable ? backoffMs(attempt, this.retry, this.random) : undefined;
        this.logger[retryable ? 'warn' : 'debug']({ ...line, attempt, error: reason, duration_ms: this.now() - started, retry_in_ms: delay }, `${method} ${shownUrl} ${reason}`);
        if (!retryable) {
          if (isTlsError(code)) throw new CloudConfigError('cacert', `${method} ${shownUrl}: TLS failed (${reason}); give the CA bundle with cacert (--os-cacert, OS_CACERT) or, for a test cloud only, insecure (--insecure)`);
          throw new OpenStackConnectionError({ method, url: shownUrl, code, reason, attempts: attempt });
        }
        await this.sleep(delay!);
        continue;
      }
      const responseHeaders = flatHeaders(response.headers);
      const requestId = responseHeaders['x-openstack-request-id'] ?? responseHeaders['x-compute-request-id'];
      const status = response.status;
      const ok = (status >= 200 && status < 300) || (request.acceptStatus ?? []).includes(status);
      let delay: number | undefined;
      let giveUpReason: string | undefined;
      if (!ok && attempt <= this.retry.retries && isRetryableStatus(status) && (idempotent || isNotProcessedStatus(status))) {
        const asked = retryAfterMs(responseHeaders['retry-after'], this.now());
        if (asked !== undefined && asked > this.retry.maxRetryAfterMs) giveUpReason = `the service asked to retry after ${Math.round(asked / 1000)} s`;
        else delay = asked ?? backoffMs(attempt, this.retry, this.random);
      }
      this.logger[delay !== undefined ? 'warn' : 'debug']({ ...line, attempt, status, request_id: requestId, duration_ms: this.now() - started, retry_in_ms: delay }, `${method} ${shownUrl} ${status}`);
      if (ok) return { status, headers: responseHeaders, data: response.data as T, requestId };
      if (delay !== undefined) {
        await this.sleep(delay);
        continue;
      }
      const hint = [request.hint?.(status), giveUpReason, attempt > 1 ? `gave up after ${attempt} attempts` : undefined].filter(Boolean).join('; ');
      throw new OpenStackHttpError({ method, url: shownUrl, status, requestId, detail: errorDetail(response.data), hint: hint || undefined });
    }
  }
}

function httpsAgent(tls: TlsOptions): HttpsAgent {
  const read = (path: string | undefined, field: string) => {
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new CloudConfigError(field, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the path of a PEM file`);
    }
  };
  return new HttpsAgent({ ca: read(tls.cacert, 'cacert'), cert: read(tls.cert, 'cert'), key: read(tls.key, 'key'), rejectUnauthorized: !tls.insecure, keepAlive: true });
}

function cleanParams(params: HttpRequest['params']): Record<string, string | number | boolean> | undefined {
  if (!params) return undefined;
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined));
}

function withParams(url: string, params: HttpRequest['params']): string {
  const clean = cleanParams(params);
  if (!clean || !Object.keys(clean).length) return url;
  const query = new URLSearchParams(Object.entries(clean).map(([key, value]): [string, string] => [key, String(value)])).toString();
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

function flatHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

function isTlsError(code: string | undefined): boolean {
  return code !== undefined && /CERT|SELF_SIGNED|TLS|SSL/.test(code);
}

function connectionReason(error: unknown): string {
  const axiosError = error as AxiosError;
  if (axiosError.code === 'ECONNABORTED' || axiosError.code === 'ETIMEDOUT') return `${axiosError.code}: no answer in time`;
  // The message of a network error names the address, never headers or bodies.
  return axiosError.code ? `${axiosError.code}: ${axiosError.message}` : String((error as Error).message ?? error);
}

/** The service's own words from an error body (Nova, Keystone, Placement, Gnocchi, Neutron forms). */
export function errorDetail(data: unknown): string {
  if (data === undefined || data === null || data === '') return '';
  if (typeof data === 'string') {
    // webob's HTML error pages (Gnocchi, Keystone middleware): title twice, boilerplate, then the cause
    const text = decodeEntities(data.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()
      .replace(/The server could not comply with the request since it is either malformed or otherwise incorrect\.\s*/, '')
      .replace(/^(\d{3} [A-Za-z ]+?) \1\s*/, '');
    return truncate(text);
  }
  if (typeof data !== 'object') return truncate(String(data));
  const body = data as Record<string, unknown>;
  if (Array.isArray(body.errors)) {
    return truncate(body.errors.map((entry) => { const item = entry as Record<string, unknown>; return String(item.detail ?? item.title ?? ''); }).join('; '));
  }
  if (typeof body.description === 'string') return truncate(body.description);
  if (body.description && typeof body.description === 'object') {
    // Gnocchi: {"description": {"cause": "...", "detail": [...]}}
    const description = body.description as { cause?: unknown; reason?: unknown; detail?: unknown };
    return truncate([description.cause, description.reason, description.detail === undefined ? undefined : JSON.stringify(description.detail)].filter((part) => part !== undefined).join(': '));
  }
  if (typeof body.message === 'string') return truncate(body.message);
  for (const value of Object.values(body)) {
    if (value && typeof value === 'object' && typeof (value as Record<string, unknown>).message === 'string') {
      return truncate((value as Record<string, string>).message);
    }
  }
  return truncate(JSON.stringify(body));
}

function decodeEntities(text: string): string {
  return text.replace(/&#x([0-9a-f]+);/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_match, decimal: string) => String.fromCharCode(Number(decimal)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function truncate(text: string): string {
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}
