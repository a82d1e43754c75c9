// Stability: a move must buy something. After a strategy ran, every moved server whose own
// host stays active goes back where it was, if the placement stays valid without the move.
import { Constraint } from '../constraints.js';
import type { Placement } from './placement.js';

export function dropUselessMoves(placement: Placement): number {
  const cluster = placement.cluster;
  let dropped = 0;
  for (let server = 0; server < cluster.serverCount; server++) {
    const home = cluster.initialHost[server];
    if (placement.hostOf[server] === home || !placement.isActive(home)) continue;
    if (placement.blocker(server, home) !== Constraint.none) continue;
    placement.move(server, home);
    dropped++;
  }
  return dropped;
}
