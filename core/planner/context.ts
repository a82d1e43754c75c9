// What a strategy leaves behind besides the placement: why each server moves, which servers it
// wanted to move and could not (and the constraint that blocked them), and the budget left.
import type { Cluster } from '../cluster.js';
import { CONSTRAINT_NAMES, CONSTRAINT_TEXT, type ConstraintCode } from '../constraints.js';
import type { ExactSolver } from './exact-consolidation.js';

export interface BlockedServer {
  server: string;
  server_name: string;
  host: string;
  constraint: string;
  detail: string;
}

export class PlanContext {
  readonly cluster: Cluster;
  /** Why each moved server moves (by server number). */
  readonly moveReasons = new Map<number, string>();
  readonly blocked: BlockedServer[] = [];
  private readonly blockedServers = new Set<number>();
  /** Notes for the operator: what the plan decided not to do, and why. */
  readonly notes: string[] = [];
  /** Set when the goal cannot be reached at all: the reason, for the operator. */
  infeasible: string | null = null;
  /** The mixed-integer program solver the planner was given, for its exact steps (none: heuristics only). */
  readonly exactSolver: ExactSolver | null;

  constructor(cluster: Cluster, exactSolver: ExactSolver | null = null) {
    this.cluster = cluster;
    this.exactSolver = exactSolver;
  }

  /** A copy to try a strategy on; `adopt` takes the copy's outcome back. */
  fork(): PlanContext {
    const copy = new PlanContext(this.cluster, this.exactSolver);
    copy.adopt(this);
    return copy;
  }

  adopt(other: PlanContext): void {
    this.moveReasons.clear();
    for (const [server, reason] of other.moveReasons) this.moveReasons.set(server, reason);
    this.blocked.length = 0;
    this.blocked.push(...other.blocked);
    this.blockedServers.clear();
    for (const server of other.blockedServers) this.blockedServers.add(server);
    this.notes.length = 0;
    this.notes.push(...other.notes);
    this.infeasible = other.infeasible;
  }

  /** Records that a server could not move, once per server. */
  block(server: number, code: ConstraintCode, detail?: string, host = this.cluster.initialHost[server]): void {
    if (this.blockedServers.has(server)) return;
    this.blockedServers.add(server);
    const cluster = this.cluster;
    this.blocked.push({
      server: cluster.serverIds[server],
      server_name: cluster.serverNames[server],
      host: cluster.hostNames[host],
      constraint: CONSTRAINT_NAMES[code],
      detail: detail ?? cluster.pinDetail.get(server) ?? CONSTRAINT_TEXT[code],
    });
  }

  /** Records why a server moves (the latest reason wins: it is the move that stays). */
  because(server: number, reason: string): void {
    this.moveReasons.set(server, reason);
  }
}
