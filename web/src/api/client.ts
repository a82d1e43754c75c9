// The one way the panel talks to ulm-api: JSON over fetch, the session's token as X-Auth-Token,
// errors in the API's one shape (message, issues naming fields, request id), and a 401 sending
// the user back to the login page.

import { currentSession } from '../session.js';
import type { Issue } from './records.js';

/** An answer other than 2xx, in the API's error shape. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: Issue[],
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export interface RequestOptions {
  /** A 401 is this request's own answer (the login form), not an expired session. */
  unauthorizedIsAnswer?: boolean;
  signal?: AbortSignal;
}

type SessionExpiredHandler = () => void;
let onSessionExpired: SessionExpiredHandler = () => undefined;

/** What to do when the API says the token is no longer good (main.ts: back to the login page). */
export function whenSessionExpires(handler: SessionExpiredHandler): void {
  onSessionExpired = handler;
}

/** `v1/hosts` relative to the panel's own address, so the panel works behind a path prefix too. */
function urlOf(path: string): string {
  return path.replace(/^\//, '');
}

export async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = currentSession()?.token;
  if (token) headers['X-Auth-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(urlOf(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: options.signal, cache: 'no-store' });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiFailure(0, `ulm-api cannot be reached (${(error as Error).message}); is it running?`, [], null);
  }
  const requestId = response.headers.get('X-OpenStack-Request-ID');
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: a proxy's error page; the status says enough below.
  }
  if (response.ok) return parsed as T;
  const error = (parsed as { error?: { message?: string; issues?: Issue[] } } | undefined)?.error;
  const failure = new ApiFailure(response.status, error?.message ?? `ulm-api answered HTTP ${response.status}`, error?.issues ?? [], requestId);
  if (response.status === 401 && !options.unauthorizedIsAnswer) onSessionExpired();
  throw failure;
}

export const get = <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options);
export const post = <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, body, options);
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body);
export const remove = (path: string) => request<void>('DELETE', path);

/** The message to show for any failure, with the request id operators look up in the log. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiFailure) return error.requestId ? `${error.message} (request ${error.requestId})` : error.message;
  return (error as Error)?.message ?? String(error);
}
