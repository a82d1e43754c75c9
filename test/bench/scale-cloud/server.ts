// The stand-in cloud's HTTP server: routes each request to its API by path prefix, answers after a
// fixed latency (a loaded API's), and counts calls by kind and the most in flight at once of each
// kind (GET /_stats reads, DELETE /_stats resets).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Api } from './api.js';
import { gnocchiApi } from './gnocchi.js';
import { generateInventory, type ScaleSize } from './inventory.js';
import { keystone } from './keystone.js';
import { novaApi } from './nova.js';
import { placementApi } from './placement.js';

export interface StandInOptions {
  size: ScaleSize;
  /** Added to every answer, as a loaded API's time per call. */
  latencyMs: number;
  port?: number;
}

/** What GET /_stats answers. */
export interface CallStats {
  /** Kind -> calls. */
  calls: Record<string, number>;
  /** Kind -> the most calls of that kind in flight at once (from arrival to answer). */
  peak_in_flight: Record<string, number>;
}

export interface StandIn {
  url: string;
  server: Server;
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (!chunks.length) return undefined;
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const inventory = generateInventory(options.size);
  const apis: Array<[string, Api]> = [['/identity/v3', keystone], ['/compute/v2.1', novaApi(inventory)], ['/placement', placementApi(inventory)], ['/metric', gnocchiApi(inventory)]];
  const calls = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const peakInFlight = new Map<string, number>();
  let baseUrl = '';
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', baseUrl);
      if (url.pathname === '/_stats') {
        if (request.method === 'DELETE') { calls.clear(); peakInFlight.clear(); }
        const stats: CallStats = { calls: Object.fromEntries(calls), peak_in_flight: Object.fromEntries(peakInFlight) };
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stats));
        return;
      }
      const matched = apis.find(([prefix]) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`));
      let status = 404;
      let body: unknown = { error: `the stand-in serves no ${url.pathname}` };
      let headers: Record<string, string> = {};
      let kind = `${request.method} (not served)`;
      try {
        const requestBody = await bodyOf(request);
        if (matched) {
          const answer = matched[1]({ method: request.method ?? 'GET', parts: url.pathname.slice(matched[0].length).split('/').filter(Boolean), query: url.searchParams, body: requestBody, baseUrl });
          ({ status, body, kind } = answer);
          headers = answer.headers ?? {};
        }
      } catch (error) {
        status = 400;
        body = { error: (error as Error).message };
      }
      calls.set(kind, (calls.get(kind) ?? 0) + 1);
      inFlight.set(kind, (inFlight.get(kind) ?? 0) + 1);
      peakInFlight.set(kind, Math.max(peakInFlight.get(kind) ?? 0, inFlight.get(kind)!));
      const text = JSON.stringify(body);
      await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      inFlight.set(kind, inFlight.get(kind)! - 1);
      response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'X-Openstack-Request-Id': `req-${calls.size}`, ...headers }).end(text);
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: baseUrl, server, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}
