// What an operator can do to an action plan in each state: approve a RECOMMENDED one, start an
// APPROVED one, cancel one not yet finished (with confirmation). Shared by the list and the
// plan's own page.

import { describeFailure, post } from '../api/client.js';
import type { ActionPlanView } from '../api/records.js';
import { shortId } from '../format.js';
import { flash } from '../ui/flash.js';
import { confirmAction } from '../ui/modal.js';

export const canApprove = (plan: ActionPlanView) => plan.state === 'RECOMMENDED' && !plan.stale;
export const canStart = (plan: ActionPlanView) => plan.state === 'APPROVED' && !plan.stale;
export const canCancel = (plan: ActionPlanView) => plan.state === 'RECOMMENDED' || plan.state === 'APPROVED' || plan.state === 'ONGOING';

/** Progress in the operator's words: `3 of 7 actions succeeded, 1 skipped`; skipped is not done. */
export function progressText(plan: ActionPlanView): string {
  const counts = plan.progress.counts;
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  return `${counts.SUCCEEDED} of ${total} actions succeeded${counts.SKIPPED ? `, ${counts.SKIPPED} skipped` : ''}${counts.FAILED ? `, ${counts.FAILED} failed` : ''}`;
}

async function transition(plan: ActionPlanView, verb: 'approve' | 'start' | 'cancel', done: (updated: ActionPlanView) => string): Promise<ActionPlanView | null> {
  try {
    const updated = await post<ActionPlanView>(`v1/action_plans/${encodeURIComponent(plan.id)}/${verb}`);
    flash('success', done(updated));
    return updated;
  } catch (error) {
    flash('error', `Unable to ${verb} action plan ${shortId(plan.id)}: ${describeFailure(error)}`);
    return null;
  }
}

export const approvePlan = (plan: ActionPlanView) => transition(plan, 'approve', () => `Approved action plan ${shortId(plan.id)}.`);
export const startPlan = (plan: ActionPlanView) => transition(plan, 'start', () => `Started action plan ${shortId(plan.id)}: an applier runs it, wave by wave.`);

export async function cancelPlan(plan: ActionPlanView): Promise<ActionPlanView | null> {
  const running = plan.state === 'ONGOING';
  const confirmed = await confirmAction({
    title: 'Confirm Cancel Action Plan',
    message: running
      ? `Action plan ${plan.id} is running (${progressText(plan)}). Cancelling lets the live migrations in flight finish and starts no new wave; hosts that were to be emptied stay enabled. Please confirm.`
      : `You have selected action plan ${plan.id} (${plan.state}). A cancelled plan can never be started. Please confirm.`,
    confirmLabel: 'Cancel Action Plan',
  });
  return confirmed ? transition(plan, 'cancel', (updated) => `${running ? 'Asked to cancel' : 'Cancelled'} action plan ${shortId(plan.id)}: it is ${updated.state}.`) : null;
}
