// When each action of a plan may start. The waves are the planner's safe order, and what makes
// them safe is per host and per server: a host's room, the server group members on it, whether
// it is enabled or powered; where a server is. So an action waits only for the earlier actions
// it conflicts with (those of earlier waves and, in its own wave, the host actions that bring a
// host back before the wave's live migrations or take it away after them):
// - a host action, for every earlier action on its host;
// - a live migration, for the earlier moves of its server, the earlier moves out of its
//   destination (the room and the anti-affinity members they take away), the earlier moves
//   into its source (an affinity member that arrives there while this one is still its group's
//   anchor), and the host actions on both its hosts.
// Moves that only leave the same host, or only arrive at the same host, do not wait for each
// other: the room they need was counted for both, and how many run at once on one host is the
// executor's limit (`migrationsPerHostLimit`). Every host thus goes through the states of the
// wave-by-wave replay in order, while a move between other hosts, or another move out of a host
// being drained, need not wait for the slowest migration of the wave before.

/** What an action touches: its wave, its type, and the server and hosts it names. */
export interface PlanStep {
  wave: number;
  type: string;
  server?: string | null;
  host?: string | null;
  source?: string | null;
  destination?: string | null;
}

/** Host actions in a wave run in this order around its live migrations: hosts come back first, leave last. */
export const BEFORE_MIGRATIONS: readonly string[] = ['power_on', 'enable_compute'];
export const AFTER_MIGRATIONS: readonly string[] = ['disable_compute', 'power_off'];

/** The step's place in its wave: the hosts coming back, then the migrations, then the hosts leaving. */
function stageOf(type: string): number {
  const before = BEFORE_MIGRATIONS.indexOf(type);
  if (before >= 0) return before;
  const after = AFTER_MIGRATIONS.indexOf(type);
  return after >= 0 ? BEFORE_MIGRATIONS.length + 1 + after : BEFORE_MIGRATIONS.length;
}

const isMove = (step: PlanStep) => Boolean(step.server && step.source && step.destination);

/** Per host, the actions since its latest host action: that one, and the moves out of and into it since. */
interface HostTrail {
  hostActions: number[];
  departures: number[];
  arrivals: number[];
}

/**
 * For each step (by its index), the indexes of the earlier steps it waits for directly. A host
 * action waits for everything on its host since the host's previous host action (which waited
 * for what came before it), so the lists stay short.
 */
export function stepDependencies(steps: readonly PlanStep[]): number[][] {
  const position = (index: number) => [steps[index].wave, stageOf(steps[index].type)] as const;
  const compare = (a: number, b: number) => {
    const [waveA, stageA] = position(a);
    const [waveB, stageB] = position(b);
    return waveA - waveB || stageA - stageB;
  };
  const order = steps.map((_, index) => index).sort((a, b) => compare(a, b) || a - b);
  const trails = new Map<string, HostTrail>();
  const trailOf = (host: string) => {
    let trail = trails.get(host);
    if (!trail) trails.set(host, trail = { hostActions: [], departures: [], arrivals: [] });
    return trail;
  };
  const lastMove = new Map<string, number>();
  const waits: number[][] = steps.map(() => []);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end < order.length && compare(order[end], order[start]) === 0) end++;
    const group = order.slice(start, end);
    // Steps at one position never wait for each other: the waits are found before any is recorded.
    for (const index of group) {
      const step = steps[index];
      const found = new Set<number>();
      if (isMove(step)) {
        const source = trailOf(step.source!);
        const destination = trailOf(step.destination!);
        for (const earlier of [...source.hostActions, ...source.arrivals, ...destination.hostActions, ...destination.departures]) found.add(earlier);
        const previous = lastMove.get(step.server!);
        if (previous !== undefined) found.add(previous);
      } else if (step.host) {
        const trail = trailOf(step.host);
        for (const earlier of [...trail.hostActions, ...trail.departures, ...trail.arrivals]) found.add(earlier);
      }
      waits[index] = [...found].sort((a, b) => a - b);
    }
    for (const index of group) {
      const step = steps[index];
      if (isMove(step)) {
        trailOf(step.source!).departures.push(index);
        trailOf(step.destination!).arrivals.push(index);
        lastMove.set(step.server!, index);
      } else if (step.host) {
        const trail = trailOf(step.host);
        if (trail.hostActions.length && compare(trail.hostActions[0], index) === 0) trail.hostActions.push(index);
        else trails.set(step.host, { hostActions: [index], departures: [], arrivals: [] });
      }
    }
    start = end;
  }
  return waits;
}

/**
 * The most live migrations the plan has one host take part in (as source or destination) within
 * one wave: the policy allowed that many, so the executor may run that many at once on a host
 * even when they come from different waves.
 */
export function migrationsPerHostLimit(steps: readonly PlanStep[]): number {
  const counts = new Map<string, number>();
  let most = 1;
  for (const step of steps) {
    if (!isMove(step)) continue;
    for (const host of new Set([step.source!, step.destination!])) {
      const key = `${step.wave} ${host}`;
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      most = Math.max(most, count);
    }
  }
  return most;
}
