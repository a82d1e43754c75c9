// The engine's audits: collect the cloud, apply the server exemptions, plan with the pure
// planner, store the snapshot and the plan; and start it at once when asked (only where an
// applier will take it). The API submits them: the audit is stored ONGOING and answered at once,
// the collecting and planning go on in the background and end it SUCCEEDED or FAILED.
import { planInThread } from '../planning-thread.js';
import { validatePolicy, type Policy } from '../../core/policy/schema.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import { ValidationError } from '../../core/validation.js';
import { ensureApplierAvailable } from '../applier/availability.js';
import { MissingMetricsError } from '../collect/collect.js';
import type { AuditRecord, PolicyRecord } from '../db/index.js';
import { asTheApplierRuns, type EngineContext } from './context.js';
import { withExemptions } from './exemptions.js';
import { startApprovedPlan } from './plan-start.js';
import type { Engine } from '../../core/api/engine.js';
import type { AuditAndPlan, AuditRequest, AuditView } from '../../core/api/records.js';
import { auditView } from './views.js';

export type AuditOutcome = AuditAndPlan;

/** How often a running audit says its process is alive. */
export const AUDIT_HEARTBEAT_MS = 10_000;
/**
 * An ONGOING audit silent this long has lost its process (killed, host down): readers end it
 * FAILED. Well above the heartbeat, since planning a large cloud holds the process for seconds.
 */
export const AUDIT_ABANDONED_AFTER_MS = 90_000;
export type AuditOperations = Pick<Engine, 'listAudits' | 'getAudit' | 'createAudit' | 'submitAudit'>;

/** The policy an audit plans with: stored or inline, with the request's overrides. */
async function auditPolicy({ findPolicy }: EngineContext, request: AuditRequest): Promise<{ policy: Policy; record: PolicyRecord | null }> {
  if (request.policy && request.document) {
    throw new ValidationError('invalid audit', [{ path: 'document', message: 'give either policy (a stored policy) or document (an inline one), not both' }]);
  }
  const record = request.policy ? await findPolicy(request.policy) : null;
  const base = record ? record.document : request.document ? validatePolicy(request.document, 'document') : null;
  if (!base) throw new ValidationError('invalid audit', [{ path: 'policy', message: 'is required: name a stored policy (policy) or give one inline (document)' }]);
  const policy: Policy = { ...base, ...(request.goal ? { goal: request.goal } : {}), ...(request.drain_hosts ? { drain_hosts: request.drain_hosts } : {}) };
  return { policy: validatePolicy(policy, request.document ? 'document' : 'policy'), record };
}

/** An audit stored ONGOING, with the policy it plans with: what the background part needs. */
interface OpenedAudit {
  audit: AuditRecord;
  policy: Policy;
  triggeredBy: string;
}

/** Checks the request and stores the audit ONGOING; every refusal (400, 404, 409) happens here, before anything runs. */
async function openAudit(context: EngineContext, request: AuditRequest): Promise<OpenedAudit> {
  const { deps, repositories } = context;
  const { policy, record } = await auditPolicy(context, request);
  // A plan to be started at once is refused before anything is stored when no applier would run it.
  if (request.start) await ensureApplierAvailable(deps.bus);
  const triggeredBy = request.triggered_by === 'window' ? 'window' : request.triggered_by === 'monitor' ? 'overload' : 'manual';
  const audit = await repositories.audits.create({
    policyId: record?.id ?? null, policyName: record?.name ?? `ad hoc (${policy.goal})`, goal: policy.goal,
    windowId: request.window_id ?? null, triggeredBy,
    parameters: { ...(record ? {} : { document: policy }), ...(request.drain_hosts ? { drain_hosts: request.drain_hosts } : {}), ...(request.target ? { target: request.target } : {}) },
  });
  return { audit: await repositories.audits.updateState(audit.id, 'ONGOING', { runner: deps.runner ?? 'this process' }), policy, triggeredBy };
}

export async function runAudit(context: EngineContext, request: AuditRequest): Promise<AuditOutcome> {
  return finishWithHeartbeat(context, request, await openAudit(context, request));
}

/** `work` on an audit, saying every AUDIT_HEARTBEAT_MS that this process still works on it. */
async function withHeartbeat<T>(context: EngineContext, auditId: string, work: () => Promise<T>): Promise<T> {
  const { repositories, deps: { logger } } = context;
  const timer = setInterval(() => {
    repositories.audits.heartbeat(auditId).catch((error: Error) => logger.warn({ audit: auditId, error: error.message }, 'audit heartbeat not recorded'));
  }, AUDIT_HEARTBEAT_MS);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** finishAudit, with the audit's heartbeat. */
function finishWithHeartbeat(context: EngineContext, request: AuditRequest, opened: OpenedAudit): Promise<AuditOutcome> {
  return withHeartbeat(context, opened.audit.id, () => finishAudit(context, request, opened));
}

/**
 * Goes on with an audit's work in the background, with its heartbeat. Whatever happens there
 * ends the audit: the work ends it SUCCEEDED or FAILED, and an unexpected error FAILED with the
 * reason, so that a client polling it always sees it end.
 */
export function continueInBackground(context: EngineContext, auditId: string, work: () => Promise<unknown>): void {
  const { deps, repositories } = context;
  void withHeartbeat(context, auditId, work).catch(async (error: unknown) => {
    deps.logger.error({ err: error, audit: auditId }, 'audit: its background work failed unexpectedly');
    try {
      const current = await repositories.audits.get(auditId);
      if (current.state === 'ONGOING') await repositories.audits.updateState(auditId, 'FAILED', { failureReason: `unexpected error: ${(error as Error).message ?? String(error)}` });
    } catch (recording) {
      deps.logger.error({ err: recording, audit: auditId }, 'the failed audit could not be recorded as FAILED');
    }
  });
}

/** Ends FAILED the audits whose process stopped while they ran; readers call it before answering. */
async function failAbandonedAudits(context: EngineContext): Promise<void> {
  const failed = await context.repositories.audits.failAbandoned(new Date(context.now() - AUDIT_ABANDONED_AFTER_MS));
  for (const audit of failed) context.deps.logger.warn({ audit: audit.id, reason: audit.failureReason }, 'audit failed: its process stopped');
}

/**
 * Starts an audit and answers with it ONGOING; collecting and planning go on in the background.
 * Whatever happens there ends the audit: SUCCEEDED with its action_plan_id, or FAILED with the
 * reason (an unexpected error included), so that a client polling it always sees it end.
 */
export async function submitAudit(context: EngineContext, request: AuditRequest): Promise<AuditView> {
  const opened = await openAudit(context, request);
  continueInBackground(context, opened.audit.id, () => finishAudit(context, request, opened));
  return auditView(opened.audit);
}

async function finishAudit(context: EngineContext, request: AuditRequest, opened: OpenedAudit): Promise<AuditOutcome> {
  const { deps, repositories, now } = context;
  const { policy, triggeredBy } = opened;
  let audit = opened.audit;
  const fail = async (reason: string, snapshotId?: string) => {
    audit = await repositories.audits.updateState(audit.id, 'FAILED', { failureReason: reason, ...(snapshotId ? { snapshotId } : {}) });
    deps.logger.warn({ audit: audit.id, reason }, 'audit failed');
    return { audit: auditView(audit), action_plan: null };
  };
  let snapshot: Snapshot;
  try {
    snapshot = await deps.collect(policy, { tool: deps.planner, audit: audit.id });
  } catch (error) {
    if (error instanceof MissingMetricsError) return fail(error.message);
    return fail(`could not read the cloud: ${(error as Error).message}`);
  }
  if (request.target) snapshot = { ...snapshot, target: Object.fromEntries(Object.entries(request.target).filter(([server]) => snapshot.servers.some((candidate) => candidate.id === server))) };
  const stored = await repositories.snapshots.create(snapshot);
  const planned = withExemptions(snapshot, asTheApplierRuns(policy, deps.applierSettings), await repositories.serverExemptions.list());
  // Hosts the power driver cannot power off stay on, disabled: the plan says so instead of
  // promising power-offs that would only be skipped.
  const powerless = planned.policy.power_off === true && !deps.power.controlsPower;
  let document;
  try {
    document = await planInThread({ snapshot: planned.snapshot, policy: powerless ? { ...planned.policy, power_off: false } : planned.policy, now: now(), planner: deps.planner });
  } catch (error) {
    if (error instanceof ValidationError) return fail(error.message, stored.id);
    throw error;
  }
  if (powerless) document.meta.notes.push(`the policy asks for power_off, but the power driver is "${deps.power.name}": emptied hosts stay on, disabled`);
  if (document.meta.status === 'infeasible') return fail(document.meta.infeasible ?? 'the goal is infeasible', stored.id);
  // A relief audit the monitor asked for, or a window's, that finds nothing to do is recorded
  // without an empty plan (which would stay APPROVED with nothing to run).
  if ((triggeredBy === 'overload' || triggeredBy === 'window') && document.actions.length === 0) {
    audit = await repositories.audits.updateState(audit.id, 'SUCCEEDED', { snapshotId: stored.id });
    deps.logger.info({ audit: audit.id, goal: policy.goal }, `${triggeredBy === 'window' ? 'window' : 'relief'} audit: nothing to do, no plan stored`);
    return { audit: auditView(audit), action_plan: null };
  }
  const created = await repositories.actionPlans.create({ auditId: audit.id, document, state: request.approve || request.start ? 'APPROVED' : 'RECOMMENDED' });
  audit = await repositories.audits.updateState(audit.id, 'SUCCEEDED', { snapshotId: stored.id });
  deps.logger.info({ audit: audit.id, plan: created.id, goal: policy.goal, migrations: document.meta.metrics.migrations, hosts_freed: document.meta.metrics.hosts_freed }, 'audit made an action plan');
  if (request.start) await startApprovedPlan(context.hostPlans, created.id);
  return { audit: auditView(await repositories.audits.get(audit.id)), action_plan: await context.planView(created.id) };
}

export function auditOperations(context: EngineContext): AuditOperations {
  const { repositories, findPolicy } = context;
  return {
    async listAudits(filter = {}) {
      const policyId = filter.policy ? (await findPolicy(filter.policy)).id : undefined;
      await failAbandonedAudits(context);
      return (await repositories.audits.list({ policyId, limit: filter.limit ?? 100 })).map(auditView);
    },
    async getAudit(id) {
      await failAbandonedAudits(context);
      return auditView(await repositories.audits.get(id));
    },
    createAudit: (request) => runAudit(context, request),
    submitAudit: (request) => submitAudit(context, request),
  };
}
