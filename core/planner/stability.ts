// Stability: a move must buy something. After a strategy ran, every moved server whose own
// host stays active goes back where it was, if the placement stays valid without the move
// (N+k included: a move that made room for a failed host's servers is not undone).
import { Constraint } from '../constraints.js';
import type { Placement } from './placement.js';
import { spareCapacityHolds } from './spare-capacity.js';

export function dropUselessMoves(placement: Placement): number {
  const cluster = placement.cluster;
  let dropped = 0;
  for (let server = 0; server < cluster.serverCount; server++) {
    const home = cluster.initialHost[server];
    if (placement.hostOf[server] === home || !placement.isActive(home)) continue;
    if (placement.blocker(server, home) !== Constraint.none) continue;
    const mark = placement.mark();
    const spareCapacityHeld = cluster.policy.spareCapacityHosts > 0 && spareCapacityHolds(placement);
    placement.move(server, home);
    if (spareCapacityHeld && !spareCapacityHolds(placement)) { placement.rollback(mark); continue; }
    dropped++;
  }
  return dropped;
}
