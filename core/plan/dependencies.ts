// When each action of a plan may start. The waves are the planner's safe order, and what makes
// them safe is per host and per server: a host's room, the server group members on it, whether
// it is enabled or powered; where a server is. So an action waits only for the actions before it
// that touch one of its hosts or its server: those of earlier waves and, in its own wave, the
// host actions that bring a host back (before the wave's live migrations) or take it away
// (after them). Every host then goes through the same states in the same order as in the
// wave-by-wave replay, while a migration between other hosts need not wait for the slowest one
// of the wave before.

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

function touched(step: PlanStep): string[] {
  const names = [step.host, step.source, step.destination].filter((host): host is string => Boolean(host)).map((host) => `host ${host}`);
  if (step.server) names.push(`server ${step.server}`);
  return [...new Set(names)];
}

/**
 * For each step (by its index), the indexes of the steps it waits for: on each host and server it
 * touches, the steps of the latest (wave, stage) before its own. Those wait in turn for the ones
 * before them, so the order on every host and server is the waves' order.
 */
export function stepDependencies(steps: readonly PlanStep[]): number[][] {
  const position = (index: number) => [steps[index].wave, stageOf(steps[index].type)] as const;
  const compare = (a: number, b: number) => {
    const [waveA, stageA] = position(a);
    const [waveB, stageB] = position(b);
    return waveA - waveB || stageA - stageB;
  };
  const order = steps.map((_, index) => index).sort((a, b) => compare(a, b) || a - b);
  /** Per host or server: the steps at the latest position seen so far, and where that group began in `order`. */
  const latest = new Map<string, { group: number; members: number[] }>();
  const waits: number[][] = steps.map(() => []);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end < order.length && compare(order[end], order[start]) === 0) end++;
    const group = order.slice(start, end);
    for (const index of group) {
      const found = new Set<number>();
      for (const name of touched(steps[index])) for (const earlier of latest.get(name)?.members ?? []) found.add(earlier);
      waits[index] = [...found].sort((a, b) => a - b);
    }
    for (const index of group) {
      for (const name of touched(steps[index])) {
        const current = latest.get(name);
        if (current?.group === start) current.members.push(index);
        else latest.set(name, { group: start, members: [index] });
      }
    }
    start = end;
  }
  return waits;
}
