// The Engine over ulm's REST API (ulm-api): every operation is one HTTP request carrying a
// Keystone token and a request id, and the API's errors come back as ulm's own error classes,
// so that commands behave the same against the API as in direct mode. Audits and drains, which
// the API answers 202 at once, are polled here until they end, as direct mode waits for them.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import type { PlanDocument } from '../core/plan/format.js';
import { FINAL_AUDIT_STATES, type PlanState } from '../core/plan/states.js';
import { validatePolicy, type Policy } from '../core/policy/schema.js';
import type { Snapshot } from '../core/snapshot/format.js';
import { ValidationError, type Issue } from '../core/validation.js';
import { errorDetail, newRequestId, type TlsOptions } from '../openstack/http.js';
import { loggableUrl } from '../openstack/logger.js';
import type { Engine } from '../core/api/engine.js';
import type { ActionPlanView, ActionView, AuditAndPlan, AuditRequest, AuditView, ErrorBody, ExemptionKind, ExemptionRequest, ExemptionView, HostPicture, HostView, MaintenanceRequest, MaintenanceView, PolicyView, SavingsView, ServerView, SnapshotView, StatusView, UndrainView, WindowView } from '../core/api/records.js';
import { CommandFailure, EXIT_FAILED } from './errors.js';

export interface ApiEngineOptions {
  /** ulm-api's address, e.g. http://127.0.0.1:9328 (a trailing /v1 is accepted). */
  url: string;
  /** A valid Keystone token, or undefined to call without one (an API with auth_strategy noauth). */
  token?: () => Promise<string | undefined>;
  /** The API answered 401 to this token: forget it, so that the next call authenticates again. */
  tokenRejected?: (token: string) => void;
  /** Sent as X-OpenStack-Request-ID with every request of this command (one id per command). */
  requestId?: string;
  /** Where `--debug` lines go (method, URL, status, request id, duration); absent: nowhere. */
  debug?: (line: string) => void;
  tls?: TlsOptions;
  /** Per request; default 120 s (collecting a snapshot gets 15 minutes). */
  timeoutMs?: number;
  /** How long an audit or a drain is waited for (polled) before giving up; default 15 minutes. */
  auditTimeoutMs?: number;
  /** Between two polls of an audit; default 1 s. */
  pollIntervalMs?: number;
  userAgent?: string;
}

/** The API refused or failed a request: exit 1, with the API's message and its request id. */
export class UlmApiError extends CommandFailure {
  constructor(
    message: string,
    readonly status: number,
    readonly requestId: string | undefined,
    readonly issues: Issue[] = [],
  ) {
    super(message, EXIT_FAILED);
    this.name = 'UlmApiError';
  }
}

/** ulm-api could not be reached (refused, reset, no answer in time): `--wait` tries again. */
export class UlmApiUnreachable extends CommandFailure {
  readonly transient = true;
  constructor(message: string, readonly code: string | undefined) {
    super(message, EXIT_FAILED);
    this.name = 'UlmApiUnreachable';
  }
}

/** The error body of every ulm-api 4xx and 5xx answer, as received: a proxy's error page may lack any part. */
type ApiErrorBody = { error?: Partial<ErrorBody['error']> };

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Operations that collect the cloud and plan take longer than a read. */
  long?: boolean;
}

/** Statuses that mean "what you sent is wrong": usage errors, exit 2. */
const BAD_INPUT = new Set([400, 413, 414, 415, 422]);

const LONG_TIMEOUT_MS = 15 * 60_000;


/** An audit in one of these states has its outcome. */
const AUDIT_ENDED = new Set<string>(FINAL_AUDIT_STATES);

/** A poll that failed for a reason that may pass: no answer, or the API (or its proxy) unavailable. */
function isTransient(error: unknown): boolean {
  if (error instanceof UlmApiError) return error.status >= 500;
  return error instanceof CommandFailure && !(error instanceof ValidationError);
}

/** `http://host:9328/`, `http://host:9328/v1` -> `http://host:9328`: routes carry their /v1. */
export function apiBaseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/v1$/, '');
}

const segment = (value: string) => encodeURIComponent(value);

export class ApiEngine implements Engine {
  readonly url: string;
  readonly requestId: string;
  private readonly http: AxiosInstance;
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(private readonly options: ApiEngineOptions) {
    this.url = apiBaseUrl(options.url);
    try {
      new URL(this.url);
    } catch {
      throw new ValidationError('invalid option', [{ path: '--os-ulm-url', message: `"${options.url}" is not a URL; use e.g. http://127.0.0.1:9328` }]);
    }
    this.requestId = options.requestId ?? newRequestId();
    this.httpAgent = new HttpAgent({ keepAlive: true });
    this.httpsAgent = tlsAgent(options.tls ?? {});
    this.http = axios.create({
      baseURL: this.url,
      timeout: options.timeoutMs ?? 120_000,
      // A redirect would carry X-Auth-Token to wherever it points.
      maxRedirects: 0,
      validateStatus: () => true,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      headers: { 'User-Agent': options.userAgent ?? 'ulm', Accept: 'application/json' },
    });
  }

  /** Lets the process end: no connection stays open. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  // ---- policies ----
  async listPolicies() { return (await this.call<{ policies: PolicyView[] }>({ method: 'GET', path: '/v1/policies' })).policies; }
  getPolicy(idOrName: string) { return this.call<PolicyView>({ method: 'GET', path: `/v1/policies/${segment(idOrName)}` }); }
  createPolicy(input: { name: string; description?: string; document: unknown }) { return this.call<PolicyView>({ method: 'POST', path: '/v1/policies', body: input }); }
  updatePolicy(idOrName: string, input: { name?: string; description?: string; document?: unknown }) {
    return this.call<PolicyView>({ method: 'PATCH', path: `/v1/policies/${segment(idOrName)}`, body: input });
  }
  async deletePolicy(idOrName: string, options: { with_windows?: boolean } = {}) {
    await this.call({ method: 'DELETE', path: `/v1/policies/${segment(idOrName)}`, query: { with_windows: options.with_windows ? 'true' : undefined } });
  }
  /** The same core schema as the API's, checked here: the interface asks for an answer without waiting. */
  validatePolicy(document: unknown): Policy { return validatePolicy(document, 'document'); }
  /** What the API itself says of a policy (its ulm may be another version than this client). */
  async validatePolicyRemotely(document: unknown): Promise<void> { await this.call({ method: 'POST', path: '/v1/policies/validate', body: { document } }); }

  // ---- power-saving windows ----
  async listWindows(filter: { policy?: string } = {}) {
    return (await this.call<{ windows: WindowView[] }>({ method: 'GET', path: '/v1/windows', query: { policy: filter.policy } })).windows;
  }
  getWindow(id: string) { return this.call<WindowView>({ method: 'GET', path: `/v1/windows/${segment(id)}` }); }
  createWindow(input: { policy: string; window: unknown }) { return this.call<WindowView>({ method: 'POST', path: '/v1/windows', body: input }); }
  async deleteWindow(id: string) { await this.call({ method: 'DELETE', path: `/v1/windows/${segment(id)}` }); }

  // ---- audits ----
  async listAudits(filter: { policy?: string; limit?: number } = {}) {
    return (await this.call<{ audits: AuditView[] }>({ method: 'GET', path: '/v1/audits', query: { policy: filter.policy, limit: filter.limit } })).audits;
  }
  getAudit(id: string) { return this.call<AuditView>({ method: 'GET', path: `/v1/audits/${segment(id)}` }); }
  /** Answers once the API has stored the audit (202): it may still be ONGOING. */
  async submitAudit(request: AuditRequest) {
    return (await this.call<AuditAndPlan>({ method: 'POST', path: '/v1/audits', body: request })).audit;
  }
  /** Starts the audit and waits for it to end, as in direct mode. */
  async createAudit(request: AuditRequest) {
    return this.outcomeOf(await this.call<AuditAndPlan>({ method: 'POST', path: '/v1/audits', body: request }));
  }

  // ---- action plans ----
  async listActionPlans(filter: { state?: PlanState[]; audit?: string; limit?: number } = {}) {
    const query = { state: filter.state?.length ? filter.state.join(',') : undefined, audit: filter.audit, limit: filter.limit };
    return (await this.call<{ action_plans: ActionPlanView[] }>({ method: 'GET', path: '/v1/action_plans', query })).action_plans;
  }
  getActionPlan(id: string) { return this.call<ActionPlanView>({ method: 'GET', path: `/v1/action_plans/${segment(id)}` }); }
  getPlanDocument(id: string) { return this.call<PlanDocument>({ method: 'GET', path: `/v1/action_plans/${segment(id)}/document` }); }
  async getPlanPicture(id: string) { return (await this.call<{ hosts: HostPicture[] }>({ method: 'GET', path: `/v1/action_plans/${segment(id)}/picture` })).hosts; }
  approveActionPlan(id: string) { return this.call<ActionPlanView>({ method: 'POST', path: `/v1/action_plans/${segment(id)}/approve` }); }
  startActionPlan(id: string, options: { stop_new_waves_at?: string } = {}) {
    return this.call<ActionPlanView>({ method: 'POST', path: `/v1/action_plans/${segment(id)}/start`, body: options.stop_new_waves_at ? options : undefined });
  }
  cancelActionPlan(id: string, options: { abortRunning?: boolean } = {}) {
    return this.call<ActionPlanView>({ method: 'POST', path: `/v1/action_plans/${segment(id)}/cancel`, ...(options.abortRunning ? { body: { abort_running: true } } : {}) });
  }
  async listActions(planId: string) { return (await this.call<{ actions: ActionView[] }>({ method: 'GET', path: '/v1/actions', query: { action_plan: planId } })).actions; }

  // ---- hosts ----
  async listHosts() { return (await this.call<{ hosts: HostView[] }>({ method: 'GET', path: '/v1/hosts' })).hosts; }
  getHost(name: string) { return this.call<HostView>({ method: 'GET', path: `/v1/hosts/${segment(name)}` }); }
  /** Answers with the drain's audit once the API has stored it (202): it may still be ONGOING. */
  async submitDrain(hosts: string[], options: { dryRun?: boolean } = {}) {
    return (await this.call<AuditAndPlan>({ method: 'POST', path: '/v1/hosts/drain', body: { hosts, dry_run: options.dryRun ?? false } })).audit;
  }
  /** Starts the drain and waits for its audit to end (its plan started, unless a dry run). */
  async drainHosts(hosts: string[], options: { dryRun?: boolean } = {}) {
    return this.outcomeOf(await this.call<AuditAndPlan>({ method: 'POST', path: '/v1/hosts/drain', body: { hosts, dry_run: options.dryRun ?? false } }));
  }
  /** Answers once the API has sorted the hosts out and stored the restore's audit (202): it may still be ONGOING. */
  submitUndrain(hosts: string[], options: { rebalance?: boolean } = {}) {
    return this.call<UndrainView>({ method: 'POST', path: '/v1/hosts/undrain', body: { hosts, rebalance: options.rebalance ?? false } });
  }
  /** Starts the undrain and waits for its audit to end: the restore plan started, or the audit's failure. */
  async undrainHosts(hosts: string[], options: { rebalance?: boolean } = {}): Promise<UndrainView> {
    const accepted = await this.submitUndrain(hosts, options);
    if (!accepted.audit || accepted.action_plan) return accepted;
    const { audit, action_plan: plan } = await this.outcomeOf({ audit: accepted.audit, action_plan: null });
    if (audit.state === 'FAILED') throw new CommandFailure(`the restore's audit ${audit.id} failed: ${audit.failure_reason ?? 'no reason given'}`);
    return { results: accepted.results, audit, action_plan: plan };
  }

  // ---- servers and their exemptions ----
  async listServers() { return (await this.call<{ servers: ServerView[] }>({ method: 'GET', path: '/v1/servers' })).servers; }
  setExemption(serverId: string, request: ExemptionRequest) {
    return this.call<ExemptionView>({ method: 'POST', path: `/v1/servers/${segment(serverId)}/exemptions`, body: request });
  }
  /** The API answers 204 either way: the count comes from the exemptions listed just before. */
  async removeExemptions(serverId: string, kind?: ExemptionKind) {
    let matching = 0;
    try {
      const { exemptions } = await this.call<{ exemptions: ExemptionView[] }>({ method: 'GET', path: `/v1/servers/${segment(serverId)}/exemptions` });
      matching = exemptions.filter((exemption) => !kind || exemption.kind === kind).length;
    } catch (error) {
      // A server the latest snapshot does not know may still have exemptions to remove.
      if (!(error instanceof UlmApiError && error.status === 404)) throw error;
    }
    await this.call({ method: 'DELETE', path: `/v1/servers/${segment(serverId)}/exemptions`, query: { kind } });
    return matching;
  }

  // ---- snapshots ----
  async listSnapshots(limit?: number) { return (await this.call<{ snapshots: SnapshotView[] }>({ method: 'GET', path: '/v1/snapshots', query: { limit } })).snapshots; }
  getSnapshot(id: string) { return this.call<Snapshot>({ method: 'GET', path: `/v1/snapshots/${segment(id)}` }); }
  collectSnapshot(policy?: string) { return this.call<SnapshotView>({ method: 'POST', path: '/v1/snapshots', body: policy ? { policy } : {}, long: true }); }

  // ---- savings and status ----
  async listSavings(filter: { window?: string; since?: string } = {}) {
    return (await this.call<{ savings: SavingsView[] }>({ method: 'GET', path: '/v1/savings', query: { window: filter.window, since: filter.since } })).savings;
  }
  status() { return this.call<StatusView>({ method: 'GET', path: '/v1/status' }); }

  // ---- scheduled maintenances ----
  async listMaintenances(filter: { host?: string; active?: boolean } = {}) {
    return (await this.call<{ maintenances: MaintenanceView[] }>({ method: 'GET', path: '/v1/maintenances', query: { host: filter.host, active: filter.active === undefined ? undefined : String(filter.active) } })).maintenances;
  }
  getMaintenance(id: string) { return this.call<MaintenanceView>({ method: 'GET', path: `/v1/maintenances/${segment(id)}` }); }
  /** `created_by` is the token's user: the API sets it. */
  scheduleMaintenance(request: MaintenanceRequest) {
    const { created_by: _createdBy, ...body } = request;
    return this.call<MaintenanceView>({ method: 'POST', path: '/v1/maintenances', body, long: true });
  }
  cancelMaintenance(id: string) { return this.call<MaintenanceView>({ method: 'DELETE', path: `/v1/maintenances/${segment(id)}` }); }

  /**
   * Polls the audit of a 202 until it ends (SUCCEEDED or FAILED), then reads its plan. A failed
   * poll (ulm-api restarting, a proxy's 502) is tried again until the deadline: the audit goes on
   * in the API whatever happens to one poll.
   */
  private async outcomeOf(accepted: AuditAndPlan): Promise<AuditAndPlan> {
    let audit = accepted.audit;
    const deadline = Date.now() + (this.options.auditTimeoutMs ?? LONG_TIMEOUT_MS);
    const interval = this.options.pollIntervalMs ?? 1000;
    while (!AUDIT_ENDED.has(audit.state)) {
      if (Date.now() >= deadline) {
        throw new CommandFailure(`audit ${audit.id} is still ${audit.state} after ${Math.ceil((this.options.auditTimeoutMs ?? LONG_TIMEOUT_MS) / 1000)} s; it goes on in ulm-api: ulm audit show ${audit.id}`);
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
      try {
        audit = await this.getAudit(audit.id);
      } catch (error) {
        if (!isTransient(error)) throw error;
        this.options.debug?.(`audit ${audit.id}: poll failed (${(error as Error).message}); trying again`);
      }
    }
    if (accepted.action_plan && accepted.action_plan.id === audit.action_plan_id) return { audit, action_plan: accepted.action_plan };
    return { audit, action_plan: audit.action_plan_id ? await this.getActionPlan(audit.action_plan_id) : null };
  }

  /** One request; a token the API rejects is renewed once, everything else is answered as it is. */
  private async call<T = unknown>(call: Call): Promise<T> {
    let token = await this.options.token?.();
    let response = await this.send(call, token);
    if (response.status === 401 && token && this.options.tokenRejected) {
      // The token may have been revoked or expired early: one new token, one more try.
      this.options.tokenRejected(token);
      token = await this.options.token?.();
      response = await this.send(call, token);
    }
    if (response.status >= 200 && response.status < 300) return (response.status === 204 ? undefined : response.data) as T;
    throw this.failure(call, response, Boolean(token));
  }

  private async send(call: Call, token: string | undefined): Promise<AxiosResponse> {
    const headers: Record<string, string> = { 'X-OpenStack-Request-ID': this.requestId };
    if (token) headers['X-Auth-Token'] = token;
    // axios labels a bodiless POST as a form; an empty JSON object says what is meant.
    const body = call.body ?? (call.method === 'POST' || call.method === 'PATCH' ? {} : undefined);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const url = `${this.url}${call.path}${queryString(call.query)}`;
    const shown = loggableUrl(url);
    const started = Date.now();
    let response: AxiosResponse;
    try {
      response = await this.http.request({
        method: call.method, url: `${call.path}${queryString(call.query)}`, headers, data: body,
        timeout: call.long ? Math.max(LONG_TIMEOUT_MS, this.options.timeoutMs ?? 0) : undefined,
      });
    } catch (error) {
      const reason = connectionReason(error);
      this.options.debug?.(`${call.method} ${shown} -> ${reason} after ${Date.now() - started} ms`);
      throw new UlmApiUnreachable(`cannot reach ulm-api at ${this.url} (${reason}): is ulm-api running there? Give its address with --os-ulm-url or ULM_URL, or use --direct to work without the API`, (error as AxiosError).code);
    }
    const answered = requestIdOf(response);
    const ids = answered && answered !== this.requestId ? `${answered}, global ${this.requestId}` : this.requestId;
    this.options.debug?.(`${call.method} ${shown} -> ${response.status} in ${Date.now() - started} ms (request id ${ids})`);
    return response;
  }

  private failure(call: Call, response: AxiosResponse, sentToken: boolean): Error {
    const body = (response.data && typeof response.data === 'object' ? response.data : {}) as ApiErrorBody;
    const status = response.status;
    const requestId = body.error?.request_id ?? requestIdOf(response) ?? this.requestId;
    const issues = Array.isArray(body.error?.issues) ? body.error!.issues.filter((issue) => issue && typeof issue.message === 'string') : [];
    const message = inCommandWords(body.error?.message ?? (errorDetail(response.data) || `HTTP ${status}`));
    const where = `request id ${requestId}`;
    if (BAD_INPUT.has(status)) {
      if (!issues.length) return new ValidationError(`ulm-api refused the request (HTTP ${status}, ${where})`, [{ path: '', message }]);
      return new ValidationError(`${headOf(message, issues)} (${where})`, issues);
    }
    if (status === 401) {
      const fix = sentToken
        ? 'Keystone or ulm-api did not accept the token: check the credentials and that ulm-api\'s [keystone_authtoken] points at the same Keystone'
        : 'ulm-api asks for a Keystone token: give credentials (--os-cloud, OS_CLOUD or the OS_* variables)';
      return new UlmApiError(`${call.method} ${call.path}: ${message} (HTTP 401, ${where}); ${fix}`, status, requestId, issues);
    }
    if (status === 403) return new UlmApiError(`${message} (HTTP 403, ${where}); ask for a role the API's policy accepts, e.g. admin`, status, requestId, issues);
    return new UlmApiError(`${message} (HTTP ${status}, ${where})`, status, requestId, issues);
  }
}

/**
 * `invalid policy: document.goal: expected ...; ...` -> `invalid policy`: the API repeats the
 * issues in its message, and the CLI prints them one a line already.
 */
function headOf(message: string, issues: Issue[]): string {
  const first = issues[0];
  const at = first.path ? message.indexOf(`: ${first.path}: `) : -1;
  return at > 0 ? message.slice(0, at) : message.split('\n')[0].replace(/:$/, '');
}

/** The list command the API points to, as the operator types it: `GET /v1/policies` -> `ulm policy list`. */
const LIST_COMMANDS: Record<string, string> = {
  policies: 'ulm policy list', windows: 'ulm window list', audits: 'ulm audit list', action_plans: 'ulm plan list',
  actions: 'ulm plan show PLAN', hosts: 'ulm host list', servers: 'ulm server list', snapshots: 'ulm snapshot list',
};

export function inCommandWords(message: string): string {
  return message.replace(/GET \/v1\/([a-z_]+)(?:\?[^ ]*)? lists them/g, (whole, collection: string) => (LIST_COMMANDS[collection] ? `${LIST_COMMANDS[collection]} lists them` : whole));
}

function queryString(query: Call['query']): string {
  const pairs = Object.entries(query ?? {}).filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '');
  return pairs.length ? `?${new URLSearchParams(pairs.map(([key, value]): [string, string] => [key, String(value)])).toString()}` : '';
}

function requestIdOf(response: AxiosResponse): string | undefined {
  const value = response.headers?.['x-openstack-request-id'];
  return typeof value === 'string' && value ? value : undefined;
}

function connectionReason(error: unknown): string {
  const failure = error as AxiosError;
  if (failure.code === 'ECONNABORTED' || failure.code === 'ETIMEDOUT') return `${failure.code}: no answer in time`;
  return failure.code ? `${failure.code}: ${failure.message}` : String((error as Error).message ?? error);
}

function tlsAgent(tls: TlsOptions): HttpsAgent {
  const read = (path: string | undefined, option: string) => {
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ValidationError('invalid option', [{ path: option, message: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a PEM file` }]);
    }
  };
  return new HttpsAgent({
    keepAlive: true, rejectUnauthorized: !tls.insecure,
    ca: read(tls.cacert, '--os-cacert'), cert: read(tls.cert, '--os-cert'), key: read(tls.key, '--os-key'),
  });
}
