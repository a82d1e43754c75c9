// A fault-injecting HTTP proxy on loopback between ulm and one OpenStack API (Nova): it forwards
// every request, except those its rule answers itself with an error status, holds without an
// answer (a time-out), or forwards and then answers falsely (the service acted, the client hears
// an error or nothing). It records every request and the tokens it carried.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with one request:
 * - `pass`: forward it and relay the answer;
 * - `{ status }`: answer that status without forwarding (the service never saw it);
 * - `hold`: never answer and never forward (the client's time-out ends it);
 * - `{ forwardThen: status }`: forward it, let the service act, but answer the client that status;
 * - `{ forwardThen: 'hold' }`: forward it, let the service act, never answer the client.
 */
export type Fault = 'pass' | 'hold' | { status: number } | { forwardThen: number | 'hold' };

export interface SeenRequest {
  method: string;
  path: string;
  token: string | undefined;
  fault: string;
  /** What the client was answered (undefined when held). */
  status: number | undefined;
  /** What the service answered, when the request was forwarded. */
  upstreamStatus: number | undefined;
}

export type FaultRule = (request: { method: string; path: string; token: string | undefined }) => Fault;

const passEverything: FaultRule = () => 'pass';

function describeFault(fault: Fault): string {
  if (typeof fault === 'string') return fault;
  if ('status' in fault) return `answer ${fault.status}`;
  return `forward, then ${fault.forwardThen === 'hold' ? 'hold' : `answer ${fault.forwardThen}`}`;
}

export class FaultProxy {
  private server: http.Server | undefined;
  private readonly held = new Set<ServerResponse>();
  readonly seen: SeenRequest[] = [];
  rule: FaultRule = passEverything;
  port = 0;

  constructor(private readonly target: URL) {}

  /** The proxy's address with the target's path, e.g. http://127.0.0.1:PORT/v2.1. */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.target.pathname.replace(/\/+$/, '')}`;
  }

  async start(): Promise<void> {
    const server = http.createServer((request, response) => { void this.handle(request, response); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const response of this.held) response.destroy();
    this.held.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The distinct tokens requests carried, in the order they first appeared. */
  tokens(): string[] {
    return [...new Set(this.seen.map((request) => request.token).filter((token): token is string => Boolean(token)))];
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const token = request.headers['x-auth-token'] as string | undefined;
    const fault = this.rule({ method, path, token });
    const record: SeenRequest = { method, path, token, fault: describeFault(fault), status: undefined, upstreamStatus: undefined };
    this.seen.push(record);
    if (fault === 'hold') {
      this.hold(response);
      return;
    }
    if (typeof fault === 'object' && 'status' in fault) {
      record.status = fault.status;
      this.answer(response, fault.status);
      return;
    }
    let upstream: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
    try {
      upstream = await this.forward(method, path, request.headers, body);
    } catch (error) {
      record.status = 502;
      this.answer(response, 502, `the proxy could not reach ${this.target.host}: ${(error as Error).message}`);
      return;
    }
    record.upstreamStatus = upstream.status;
    if (fault === 'pass') {
      record.status = upstream.status;
      response.writeHead(upstream.status, upstream.headers);
      response.end(upstream.body);
    } else if (fault.forwardThen === 'hold') {
      this.hold(response);
    } else {
      record.status = fault.forwardThen;
      this.answer(response, fault.forwardThen);
    }
  }

  private hold(response: ServerResponse): void {
    // Kept open until the client gives up (its time-out) or the proxy stops.
    this.held.add(response);
    response.on('close', () => this.held.delete(response));
  }

  private answer(response: ServerResponse, status: number, message = 'injected by the functional test\'s fault proxy'): void {
    const title = http.STATUS_CODES[status] ?? 'Error';
    // The form of Nova's own error bodies: {"<kind>": {"code": N, "message": "..."}}.
    const body = JSON.stringify({ computeFault: { code: status, message: `${title}: ${message}` } });
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  }

  private forward(method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = http.request({
        host: this.target.hostname, port: this.target.port || 80, method, path,
        headers: { ...headers, host: this.target.host, connection: 'close' },
      }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const relayed = { ...answer.headers };
          // The body is relayed whole, with its own length.
          delete relayed['transfer-encoding'];
          delete relayed.connection;
          resolve({ status: answer.statusCode ?? 502, headers: relayed, body: Buffer.concat(chunks) });
        });
        answer.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
