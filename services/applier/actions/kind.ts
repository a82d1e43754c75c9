// The life cycle every action kind implements (after Watcher's actions): its parameters'
// schema, a precondition checked against fresh state right before it runs, execute, a
// verification of its effect, a reconcile step for after a restart, and a one-line description.
import type { TObject } from '@sinclair/typebox';
import type { ActionPlanRecord, ActionRecord } from '../../db/index.js';
import type { ApplierContext } from '../context.js';

/**
 * Room promised on destinations that Placement may not show yet: by live migration (action id),
 * from the moment its precondition passed until it ends.
 */
export interface RoomLedger {
  incoming: Map<string, { destination: string; vcpus: number; memoryMb: number; diskGb: number }>;
}

export interface ActionRun {
  context: ApplierContext;
  plan: ActionPlanRecord;
  action: ActionRecord;
  ledger: RoomLedger;
  /** True once a failure or a cancel asks the plan to stop (checked between polls). */
  stopRequested(): Promise<{ abort: boolean } | null>;
  /** Told when the call is over in the cloud, before its effect is verified and journaled. */
  callEnded?(outcome: Outcome): void;
}

/**
 * Before an action runs: `run` it; `skip` it with the reason (it is no longer valid); or accept
 * that its effect is `done` already (verified, no call made).
 */
export type Precondition = { verdict: 'run' } | { verdict: 'skip'; reason: string } | { verdict: 'done'; detail: string };

/** How a call ended: the state to journal and, when it did not succeed, why. */
export interface Outcome {
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  error?: string;
  /** The call's own last step read the effect back, as `verify` would: it is not read again. */
  verified?: boolean;
}

/** After a restart: the call never reached the cloud (`call` it now), or how it ended. */
export type Reconciled = { verdict: 'call' } | ({ verdict: 'ended' } & Outcome);

export interface ActionKind {
  /** The `type` of the plan's action (ulm-plan/1) or of a journal-only action. */
  readonly type: string;
  /** The action's parameters as the journal holds them (checked when a plan is stored). */
  readonly parameters: TObject;
  /** One line for logs and the operator: `live migration of vm-01 from cmp-01 to cmp-02`. */
  describe(action: ActionRecord): string;
  precondition(run: ActionRun): Promise<Precondition>;
  /**
   * Makes the call (the action is journaled ONGOING before) and follows it until the cloud says
   * it is over; returns FAILED with the cloud's reason when it refused or broke. `again`: a
   * restart found that the journaled call never reached the cloud.
   */
  execute(run: ActionRun, again?: boolean): Promise<Outcome>;
  /** Null when the effect is in place; otherwise what is missing. */
  verify(run: ActionRun): Promise<string | null>;
  /** An action found ONGOING after a restart: finds out from the cloud what happened, never repeating a call that reached it. */
  reconcile(run: ActionRun): Promise<Reconciled>;
}
