// Progress of a running plan for the CLI, the panel and the bus: counts by state read back
// from the journal, with the live migrations in flight.
import type { ActionState } from '../../core/plan/states.js';
import type { ActionRecord } from '../db/index.js';
import type { ApplierContext } from './context.js';

export async function reportProgress(context: ApplierContext, planId: string, waves: number, wave: number | null, message: string, inFlight: ActionRecord[] = []): Promise<void> {
  if (!context.onProgress) return;
  const plan = await context.repositories.actionPlans.get(planId);
  const counts = { PENDING: 0, ONGOING: 0, SUCCEEDED: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 0 } as Record<ActionState, number>;
  for (const action of await context.repositories.actions.list({ actionPlanId: planId })) counts[action.state]++;
  context.onProgress({
    planId, state: plan.state, wave, waves, counts, message,
    transfers: inFlight.filter((action) => action.type === 'live_migrate').map((action) => ({ server: action.serverName ?? action.server!, source: action.source!, destination: action.destination! })),
  });
}
