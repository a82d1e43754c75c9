// Helpers for the power driver tests: a logger whose lines the test reads, a small HTTP server on loopback, and error assertions.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { PowerError, type PowerFailure } from '../../../core/power.js';
import { ValidationError } from '../../../core/validation.js';

/** A pino logger at debug level whose output the test can search (for secrets, say). */
export function capturedLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => { lines.push(line); } });
  return { logger, lines, text: () => lines.join('') };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void;

/** A certificate and its key, PEM: given, the server speaks HTTPS. */
export interface TlsIdentity {
  cert: string;
  key: string;
}

/** An HTTP (or HTTPS) server on 127.0.0.1 and a free port, recording every request it answers. */
export async function startHttpServer(handler: Handler, tls?: TlsIdentity): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const listener = (incoming: IncomingMessage, response: ServerResponse) => {
    let text = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk: string) => { text += chunk; });
    incoming.on('end', () => {
      let body: unknown = text;
      try { body = text ? JSON.parse(text) : undefined; } catch { /* keep the text */ }
      const request = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', headers: incoming.headers, body };
      requests.push(request);
      handler(request, response);
    });
  };
  const server: Server = tls ? createHttpsServer(tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
}

/** Awaits a rejection with a PowerError of the given failure and returns it. */
export async function powerErrorOf(promise: Promise<unknown>, failure: PowerFailure): Promise<PowerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PowerError, `expected a PowerError, got ${String(error)}`);
    assert.equal(error.failure, failure, `expected failure ${failure}, got ${error.failure}: ${error.message}`);
    return error;
  }
  return assert.fail(`expected a PowerError (${failure})`);
}

export function validationErrorOf(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a ValidationError');
}

/** Everything an error could show an operator or a log: message, reason, cause, and its JSON form. */
export function everythingShown(error: unknown): string {
  const parts = [String(error), JSON.stringify(error)];
  if (error instanceof Error) {
    parts.push(error.stack ?? '', String(error.cause ?? ''), JSON.stringify(error.cause ?? null), (error.cause as Error | undefined)?.stack ?? '');
  }
  return parts.join('\n');
}
