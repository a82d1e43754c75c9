// HTTP for the drivers that talk to an API (Redfish, Ironic): axios answers and network errors turned into PowerErrors with the remote message and no secret.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { PowerError, PowerFailure, PowerOperation } from '../../core/power.js';
import { cleanCause, failure, redact } from './common.js';

export interface HttpSettings {
  timeoutMilliseconds: number;
  verifyTls: boolean;
  caFile?: string;
}

/**
 * An axios instance that hands every answer back (the drivers read the status themselves), follows
 * no redirect (a redirect could carry credentials elsewhere) and sends no proxy credentials.
 */
export function httpClient(settings: HttpSettings): AxiosInstance {
  const httpsAgent = new Agent({
    rejectUnauthorized: settings.verifyTls,
    ...(settings.caFile ? { ca: readFileSync(settings.caFile) } : {}),
  });
  return axios.create({
    timeout: settings.timeoutMilliseconds,
    httpsAgent,
    maxRedirects: 0,
    proxy: false,
    validateStatus: () => true,
    headers: { Accept: 'application/json' },
  });
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);
const TIMED_OUT = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL/;

/** A PowerError for a request that got no HTTP answer. */
export function networkFailure(
  driver: string, host: string, operation: PowerOperation, where: string, error: unknown, secrets: readonly (string | undefined)[], tlsFix: string,
): PowerError {
  const code = (error as { code?: string }).code ?? '';
  const message = redact(error instanceof Error ? error.message : String(error), secrets);
  let kind: PowerFailure = 'unreachable';
  let reason = `cannot reach ${where}: ${message}`;
  if (TIMED_OUT.has(code) || /timeout/i.test(message)) {
    kind = 'timeout';
    reason = `${where} did not answer in time (${message})`;
  } else if (TLS.test(code)) {
    kind = 'configuration';
    reason = `the TLS certificate of ${where} is not trusted (${message}); ${tlsFix}`;
  } else if (!UNREACHABLE.has(code)) {
    reason = `request to ${where} failed: ${message}`;
  }
  return failure(driver, host, operation, kind, reason, cleanCause(`${code ? `${code}: ` : ''}${message}`, secrets));
}

/** A PowerError for an HTTP error answer, quoting the remote message. */
export function answerFailure(
  driver: string, host: string, operation: PowerOperation, what: string, response: AxiosResponse, remoteMessage: string,
  secrets: readonly (string | undefined)[], authenticationFix: string,
): PowerError {
  const said = redact(remoteMessage || String(response.statusText || 'no message'), secrets);
  const status = response.status;
  const kind: PowerFailure = status === 401 || status === 403 ? 'authentication' : 'remote';
  const reason = kind === 'authentication'
    ? `${what} was refused with HTTP ${status}: ${said}; ${authenticationFix}`
    : `${what} failed with HTTP ${status}: ${said}`;
  return failure(driver, host, operation, kind, reason, cleanCause(`HTTP ${status}: ${said}`, secrets));
}

export function isSuccess(response: AxiosResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/** A body's JSON object, or an empty one: BMCs answer errors in HTML too. */
export function bodyObject(response: AxiosResponse): Record<string, unknown> {
  const data: unknown = response.data;
  if (data && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
  if (typeof data === 'string') {
    try {
      const parsed: unknown = JSON.parse(data);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // not JSON: the caller falls back to the text
    }
  }
  return {};
}

/** A short plain-text version of a body that is not JSON (an HTML error page, say). */
export function bodyText(response: AxiosResponse): string {
  const data: unknown = response.data;
  if (typeof data !== 'string') return '';
  return data.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}
