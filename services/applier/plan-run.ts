// One execution of one plan by this applier: whether it must stop taking new work (a failed
// action here, or an operator's cancel written to the plan row by any process), and the run
// each action kind is given.
import type { ActionPlanRecord, ActionRecord } from '../db/index.js';
import type { ActionRun, RoomLedger } from './actions/kind.js';
import type { ApplierContext } from './context.js';

/** Why a plan stops taking new work: a failed action, or an operator's cancel (with or without abort). */
export interface Stop {
  reason: 'failed' | 'cancelled';
  abort: boolean;
}

export class PlanRun {
  private failed = false;
  /** Room promised to the live migrations of this run that have not ended. */
  readonly ledger: RoomLedger = { incoming: new Map() };

  constructor(readonly context: ApplierContext, readonly planId: string) {}

  markFailed(): void {
    this.failed = true;
  }

  /** Read before actions start and between polls: the plan row is the truth across processes. */
  async stop(): Promise<Stop | null> {
    if (this.failed) return { reason: 'failed', abort: false };
    const plan = await this.context.repositories.actionPlans.get(this.planId);
    if (plan.state === 'CANCELLING') return { reason: 'cancelled', abort: plan.abortRequested };
    return null;
  }

  runOf(plan: ActionPlanRecord, action: ActionRecord): ActionRun {
    return { context: this.context, plan, action, ledger: this.ledger, stopRequested: () => this.stop() };
  }
}
