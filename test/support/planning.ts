// Plans a test snapshot with the pure planner and reads the plan as an operator would.
// `checkedPlan` also has score.mjs verify it.
import { AssertionError } from 'node:assert/strict';
import type { LiveMigrateAction, PlanAction, PlanDocument } from '../../core/plan/format.js';
import { plan } from '../../core/planner/index.js';
import { validatePolicy, type Policy } from '../../core/policy/schema.js';
import type { Snapshot } from '../../core/snapshot/format.js';
import { snapshotPolicy } from '../../core/snapshot/read.js';
import { score, type ScoreResult } from './scorer.js';

/** Sunday 22 November 2026, 20:00 UTC: the default instant tests plan for. */
export const NOW = '2026-11-22T20:00:00Z';

export interface PlanOptions {
  /** ISO 8601 instant (default NOW). */
  now?: string;
  /** A policy instead of the snapshot's own. */
  policy?: Policy;
}

export function planFor(snapshot: Snapshot, options: PlanOptions = {}): PlanDocument {
  const policy = options.policy ? validatePolicy(options.policy) : snapshotPolicy(snapshot);
  return plan({ snapshot, policy, now: Date.parse(options.now ?? NOW), planner: 'ulm-test' });
}

export interface CheckedPlan {
  plan: PlanDocument;
  score: ScoreResult;
}

/** Plans, then has the independent scorer replay the plan; fails unless the plan is valid. */
export function checkedPlan(snapshot: Snapshot, options: PlanOptions = {}): CheckedPlan {
  const document = planFor(snapshot, options);
  const instance = options.policy ? { ...snapshot, policy: options.policy } : snapshot;
  const result = score(instance, document);
  if (!result.valid) {
    throw new AssertionError({
      message: `score.mjs rejects the plan: ${JSON.stringify(result.error)}\nactions: ${JSON.stringify(document.actions, null, 1)}`,
      actual: result.error, expected: undefined,
    });
  }
  return { plan: document, score: result };
}

export function migrations(document: PlanDocument): LiveMigrateAction[] {
  return document.actions.filter((action): action is LiveMigrateAction => action.type === 'live_migrate');
}

export function actionsOf(document: PlanDocument, type: PlanAction['type']): PlanAction[] {
  return document.actions.filter((action) => action.type === type);
}

/** Ids of the servers the plan moves at least once, sorted. */
export function movedServers(document: PlanDocument): string[] {
  return [...new Set(migrations(document).map((move) => move.server))].sort();
}

/** Where every server is after the plan: server id -> host name. */
export function placementAfter(snapshot: Snapshot, document: PlanDocument): Record<string, string> {
  const placement: Record<string, string> = Object.fromEntries(snapshot.servers.map((server) => [server.id, server.host]));
  for (const move of migrations(document)) placement[move.server] = move.destination;
  return placement;
}

/** Hosts holding at least one server after the plan, sorted. */
export function activeHostsAfter(snapshot: Snapshot, document: PlanDocument): string[] {
  return [...new Set(Object.values(placementAfter(snapshot, document)))].sort();
}

/** Server ids on `host` after the plan, sorted. */
export function serversOnAfter(snapshot: Snapshot, document: PlanDocument, host: string): string[] {
  return Object.entries(placementAfter(snapshot, document)).filter(([, on]) => on === host).map(([id]) => id).sort();
}

/** Hosts a `type` action names, sorted. */
export function hostsWith(document: PlanDocument, type: 'disable_compute' | 'power_off'): string[] {
  return document.actions.flatMap((action) => (action.type === type ? [action.host] : [])).sort();
}

/** Constraint names of `meta.blocked`, by server id. */
export function blockedBy(document: PlanDocument): Record<string, string> {
  return Object.fromEntries(document.meta.blocked.map((entry) => [entry.server, entry.constraint]));
}
