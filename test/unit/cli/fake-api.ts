// A small stand-in for ulm-api on loopback: answers the routes a test gives it, in the API's
// shapes (named list keys, the one error body, X-OpenStack-Request-ID), and records every
// request, so that the CLI's HTTP side is tested without a cloud.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActionPlanView, ActionView, AuditView, HostView, PolicyView, ServerView, WindowView } from '../../../core/api/records.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** `GET /v1/hosts` -> an answer (or a function of the request). */
export type Routes = Record<string, Answer | ((request: RecordedRequest) => Answer)>;

export interface FakeApi {
  url: string;
  requests: RecordedRequest[];
  routes: Routes;
  close(): Promise<void>;
}

/** The API's error body. */
export function apiError(status: number, message: string, issues: { path: string; message: string }[] = [], requestId = 'req-00000000-0000-4000-8000-000000000001'): Answer {
  return { status, body: { error: { code: status, title: 'Error', message, issues, request_id: requestId } }, headers: { 'X-OpenStack-Request-ID': requestId } };
}

export async function startFakeApi(routes: Routes): Promise<FakeApi> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const recorded: RecordedRequest = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: text ? JSON.parse(text) : undefined };
      requests.push(recorded);
      const path = (request.url ?? '').split('?')[0];
      const route = fake.routes[`${request.method} ${request.url}`] ?? fake.routes[`${request.method} ${path}`];
      const answer = typeof route === 'function' ? route(recorded) : route ?? apiError(404, `there is nothing at ${request.method} ${path}`);
      const echoed = typeof request.headers['x-openstack-request-id'] === 'string' ? request.headers['x-openstack-request-id'] : 'req-00000000-0000-4000-8000-00000000000f';
      response.writeHead(answer.status, { 'Content-Type': 'application/json', 'X-OpenStack-Request-ID': echoed, ...answer.headers });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeApi = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    routes,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  return fake;
}

// ---- records in the engine's shapes ----

const TIME = '2026-11-22T10:00:00.000Z';

export function policyView(overrides: Partial<PolicyView> = {}): PolicyView {
  return { id: 'p-1', name: 'night', description: 'weeknights', document: { goal: 'consolidate', max_host_cpu: 0.8 }, created_at: TIME, updated_at: TIME, ...overrides };
}

export function hostView(name: string, overrides: Partial<HostView> = {}): HostView {
  return {
    name, state: 'active', state_detail: null, availability_zone: 'nova', servers: 3, vcpus: 32, memory_mb: 65536,
    vcpu_allocation: 0.25, memory_allocation: 0.5, cpu_usage: 0.123, memory_usage: 0.4567, held_by_ulm: false, powered_off: false, action_plan_id: null,
    ...overrides,
  };
}

export function planView(overrides: Partial<ActionPlanView> = {}): ActionPlanView {
  return {
    id: 'plan-1', audit_id: 'audit-1', goal: 'consolidate', state: 'RECOMMENDED', stale: false, stale_reason: null, failure_reason: null,
    metrics: {
      active_hosts_before: 6, active_hosts_after: 4, hosts_freed: 2, hosts_disabled: 2, hosts_powered_off: 0, migrations: 3, temporary_migrations: 0,
      servers_migrated: 3, waves: 2, memory_to_move_mb: 6144, power_before_w: 1200, power_after_w: 800, power_saved_w: 400,
      hosts_over_limits_before: 0, hosts_over_limits_after: 0,
    },
    progress: { waves: 2, current_wave: null, counts: { PENDING: 5, ONGOING: 0, SUCCEEDED: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 0 }, transfers: [], done: { migrations: 0, hosts_disabled: 0, hosts_powered_off: 0, hosts_powered_on: 0, hosts_enabled: 0 } },
    resumptions: 0, created_at: TIME, started_at: null, finished_at: null,
    ...overrides,
  };
}

export function actionView(index: number, overrides: Partial<ActionView> = {}): ActionView {
  return {
    id: `action-${index}`, action_plan_id: 'plan-1', index, wave: 0, type: 'live_migrate', server: `server-${index}`, server_name: `vm-0${index}`,
    host: null, source: 'cmp-03', destination: 'cmp-01', temporary: false, state: 'PENDING', reason: 'consolidate: empty cmp-03', attempts: 0,
    nova_migration_id: null, request_id: null, error: null, started_at: null, finished_at: null,
    ...overrides,
  };
}

export function auditView(overrides: Partial<AuditView> = {}): AuditView {
  return {
    id: 'audit-1', policy_id: 'p-1', policy_name: 'night', window_id: null, goal: 'consolidate', triggered_by: 'operator', state: 'SUCCEEDED',
    snapshot_id: 'snap-1', action_plan_id: 'plan-1', failure_reason: null, created_at: TIME, started_at: TIME, finished_at: TIME,
    ...overrides,
  };
}

export function windowView(overrides: Partial<WindowView> = {}): WindowView {
  return {
    id: 'w-1', policy_id: 'p-1', policy_name: 'night',
    window: { name: 'weeknights', opens: 'weekdays 20:00', closes: '07:00', timezone: 'Europe/Berlin' },
    next: { opens_at: '2026-11-23T19:00:00.000Z', stop_new_waves_at: '2026-11-24T05:00:00.000Z', restore_at: '2026-11-24T05:30:00.000Z', closes_at: '2026-11-24T06:00:00.000Z', open_now: false },
    created_at: TIME, updated_at: TIME,
    ...overrides,
  };
}

export function serverView(id: string, name: string, overrides: Partial<ServerView> = {}): ServerView {
  return {
    id, name, host: 'cmp-01', flavor: 'small', vcpus: 1, memory_mb: 1024, cpu_usage: 0.2, memory_usage_mb: 512, migratable: true, server_group: null, exemptions: [],
    ...overrides,
  };
}
