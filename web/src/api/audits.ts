// Audits and drains are answered 202 at once by ulm-api, while the cloud is collected and the
// plan made in the background: the panel polls the audit until it ends, then reads its plan.
import { get } from './client.js';
import { FINAL_AUDIT_STATES, type ActionPlanView, type AuditAndPlan, type AuditView } from './records.js';

const AUDIT_ENDED = new Set<string>(FINAL_AUDIT_STATES);

/** The audit of a 202, once it has ended, with the plan it made (null when none). */
export async function auditOutcome(accepted: AuditAndPlan, pollMs = 1000): Promise<AuditAndPlan> {
  let audit: AuditView = accepted.audit;
  while (!AUDIT_ENDED.has(audit.state)) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    audit = await get<AuditView>(`v1/audits/${encodeURIComponent(audit.id)}`);
  }
  if (accepted.action_plan && accepted.action_plan.id === audit.action_plan_id) return { audit, action_plan: accepted.action_plan };
  const plan = audit.action_plan_id ? await get<ActionPlanView>(`v1/action_plans/${encodeURIComponent(audit.action_plan_id)}`) : null;
  return { audit, action_plan: plan };
}
