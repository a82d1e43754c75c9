// A provable lower bound on the active hosts of any valid consolidation plan, much closer than
// score.mjs's per-resource bound on mixed hardware: a configuration linear program (Gilmore and
// Gomory) over what one host of each kind can hold, solved by column generation with HiGHS.
//
// Why it is a valid relaxation. Take any valid final placement (score.mjs's rules, FORMAT.md).
// Write each active host as a "pattern": how many servers of each class it holds. Servers of one
// class share a flavor, the zone they may live in, and (never-moving servers) the kind of host
// they are fixed to. Then:
//   - every server is on some active host: for each class, the patterns hold at least its count;
//   - a pattern of an enabled host fits its Placement capacity in VCPU, MEMORY_MB and DISK_GB
//     (for a host holding more than its capacity at the start, the larger of the two, since it
//     may keep what it has), and its usage limits when every server is given the smallest usage
//     of its class (smaller usages only admit more patterns);
//   - a disabled host receives nothing: its pattern holds at most its own servers, per class;
//   - a kind of host has only so many hosts, and at least as many active as it has hosts with
//     servers that never move (not migratable, or a hard-affinity group all on that host);
//   - the servers of a flavor on a set of host kinds use at least the sum of the smallest usages
//     of that many servers of the flavor, and at most the usage limits of the active hosts there
//     (a convex bound, written with tangent lines below it: fewer lines only weaken it).
// Anti-affinity, affinity between hosts, max_unit, N+k and the order of the moves are left out,
// which only admits more placements. So the placement gives a feasible point of the program with
// as many active hosts, and the program's optimum is at most the plan's active hosts.
//
// Why the computed figure is a bound even if column generation stops early or the LP solver is a
// little off: the bound is not the master LP's value but a Lagrangian dual value, computed here
// from the duals HiGHS returns (projected onto their valid signs), with each kind of host's best
// pattern found by an exact integer program (HiGHS branch and bound to a zero gap, plus a margin).
// Any multipliers of valid sign give a lower bound on the program's optimum; the figure is then
// rounded up after a small allowance for floating point.
//
// Benchmark side only: it reads `ulm-cluster/1` instances and the planner never calls it.

/** An `ulm-cluster/1` instance: the fields the bound reads (FORMAT.md). */
export interface BoundInstance {
  policy: { max_host_cpu?: number; max_host_memory?: number };
  hosts: {
    name: string; vcpus: number; memory_mb: number; disk_gb: number;
    reserved_vcpus?: number; reserved_memory_mb?: number; reserved_disk_gb?: number;
    vcpu_allocation_ratio?: number; memory_allocation_ratio?: number; disk_allocation_ratio?: number;
    availability_zone?: string | null; enabled?: boolean;
  }[];
  server_groups?: { id: string; policy: string; rules?: { max_server_per_host?: number } }[];
  servers: {
    id: string; host: string; flavor: { vcpus: number; memory_mb: number; disk_gb: number };
    usage: { cpu_cores: number; memory_mb: number }; server_group?: string | null;
    migratable?: boolean; availability_zone?: string | null;
  }[];
}

/** A linear or mixed-integer solver taking CPLEX LP format text: the one-shot `solve` of npm `highs`. */
export interface LinearSolver {
  solve(model: string, options: Record<string, number | string | boolean>): {
    Status: string;
    ObjectiveValue: number;
    Columns: Record<string, { Primal?: number; Dual?: number }>;
    Rows: { Name?: string; Primal?: number; Dual?: number }[];
  };
}

export interface HostCountBound {
  /** Fewest active hosts of any valid final placement: the Lagrangian value, rounded up. */
  activeHosts: number;
  /** The Lagrangian value before rounding up. */
  value: number;
  /** The last master LP's optimum (an upper estimate of the value when generation stops early). */
  masterValue: number;
  /** Column generation ended with no improving pattern left (then value ≈ masterValue). */
  converged: boolean;
  iterations: number;
  patterns: number;
  hostKinds: number;
  serverClasses: number;
  /** Hosts that stay active whatever the plan (never-moving servers on them). */
  forcedHosts: number;
  /** The largest hard anti-affinity group spread at max_server_per_host (also a bound). */
  largestAntiAffinityGroup: number;
  /**
   * Where the last master LP puts the active hosts and the servers: per kind of host, its hosts,
   * the active ones (fractional) and the servers per flavor (`vcpus/memory_mb/disk_gb`).
   */
  kinds: { label: string; hosts: number; forced: number; active: number; servers: Record<string, number> }[];
}

export interface BoundOptions {
  /** Column generation rounds at most (each prices every kind of host once). */
  maxIterations?: number;
  /** Tangent lines under each flavor's usage curve. */
  tangentLines?: number;
}

/** Relative tolerance the scorer allows on capacities and usage limits: allowed here too, so the bound stays below. */
const USAGE_TOLERANCE = 1e-9;
/** Allowance for floating point in the LP duals and patterns before rounding up. */
const ROUNDING_ALLOWANCE = 1e-6;

/** Hosts that hold servers alike: same capacities, limits and zone; a disabled one is a kind alone. */
interface HostKind {
  label: string;
  generation: string;
  zone: string | null;
  enabled: boolean;
  count: number;
  /** Hosts of the kind holding a server that never moves. */
  forced: number;
  capacity: [number, number, number];
  cpuLimit: number;
  memoryLimit: number;
  /** Disabled host: at most its own servers, per class. */
  ownServers: Map<number, number> | null;
}

interface ServerClass {
  flavorKey: string;
  flavor: [number, number, number];
  /** Host kinds the class may live on. */
  kinds: number[];
  count: number;
  cpuUsageMin: number;
  memoryUsageMin: number;
}

/** The servers of one flavor: their usages sorted, for the convex usage bound. */
interface FlavorUsage {
  key: string;
  classes: number[];
  cpu: Float64Array;
  memory: Float64Array;
}

interface Model {
  kinds: HostKind[];
  classes: ServerClass[];
  flavors: FlavorUsage[];
  /** Sets of host kinds given a usage row: every union of generations, per zone set. */
  kindSets: number[][];
  forcedHosts: number;
  largestAntiAffinityGroup: number;
}

const capacityOf = (total: number, reserved = 0, ratio = 1) => (total - reserved) * ratio;

/** Classes, kinds of hosts and flavor usage curves of an instance. */
export function describeInstance(instance: BoundInstance): Model {
  const maxCpu = instance.policy.max_host_cpu ?? 1;
  const maxMemory = instance.policy.max_host_memory ?? 1;
  const hostIndex = new Map(instance.hosts.map((host, index) => [host.name, index]));
  const hostOf = instance.servers.map((server) => hostIndex.get(server.host)!);

  // Servers that never move: not migratable, or a hard-affinity group all on one host.
  const fixed = instance.servers.map((server) => server.migratable === false);
  const members = new Map<string, number[]>();
  instance.servers.forEach((server, index) => {
    if (server.server_group != null) (members.get(server.server_group) ?? members.set(server.server_group, []).get(server.server_group)!).push(index);
  });
  let largestAntiAffinityGroup = 0;
  for (const group of instance.server_groups ?? []) {
    const list = members.get(group.id) ?? [];
    if (group.policy === 'affinity' && list.length > 0 && list.every((server) => hostOf[server] === hostOf[list[0]])) for (const server of list) fixed[server] = true;
    if (group.policy === 'anti-affinity') largestAntiAffinityGroup = Math.max(largestAntiAffinityGroup, Math.ceil(list.length / (group.rules?.max_server_per_host ?? 1)));
  }

  // What each host holds now, for the capacity a host may keep.
  const held = instance.hosts.map(() => [0, 0, 0]);
  const hasServers = new Uint8Array(instance.hosts.length);
  const hasFixed = new Uint8Array(instance.hosts.length);
  instance.servers.forEach((server, index) => {
    const host = hostOf[index];
    held[host][0] += server.flavor.vcpus; held[host][1] += server.flavor.memory_mb; held[host][2] += server.flavor.disk_gb;
    hasServers[host] = 1;
    if (fixed[index]) hasFixed[host] = 1;
  });

  const kinds: HostKind[] = [];
  const kindOfHost = new Int32Array(instance.hosts.length).fill(-1);
  const enabledKinds = new Map<string, number>();
  instance.hosts.forEach((host, index) => {
    const enabled = host.enabled !== false;
    // A disabled host without servers can never be active.
    if (!enabled && !hasServers[index]) return;
    const capacity: [number, number, number] = [
      capacityOf(host.vcpus, host.reserved_vcpus, host.vcpu_allocation_ratio),
      capacityOf(host.memory_mb, host.reserved_memory_mb, host.memory_allocation_ratio),
      capacityOf(host.disk_gb, host.reserved_disk_gb, host.disk_allocation_ratio),
    ];
    const generation = `${host.vcpus}/${host.memory_mb}/${host.disk_gb}/${capacity.join('/')}`;
    const zone = host.availability_zone ?? null;
    const key = `${generation}|${zone}`;
    let kind = enabled ? enabledKinds.get(key) : undefined;
    if (kind === undefined) {
      kind = kinds.length;
      kinds.push({
        label: enabled ? `${host.vcpus} CPUs ${Math.round(host.memory_mb / 1024)} GiB ${zone ?? ''}` : `${host.name} (disabled)`,
        generation, zone, enabled, count: 0, forced: 0, capacity: [0, 0, 0],
        cpuLimit: maxCpu * host.vcpus * (1 + USAGE_TOLERANCE), memoryLimit: maxMemory * host.memory_mb * (1 + USAGE_TOLERANCE),
        ownServers: enabled ? null : new Map(),
      });
      if (enabled) enabledKinds.set(key, kind);
    }
    const entry = kinds[kind];
    entry.count += 1;
    entry.forced += hasFixed[index];
    // The kind holds what its roomiest host holds: more room only relaxes. The scorer forgives a
    // relative 1e-9 on capacities: forgiven here too.
    for (let resource = 0; resource < 3; resource++) entry.capacity[resource] = Math.max(entry.capacity[resource], capacity[resource] * (1 + USAGE_TOLERANCE), held[index][resource]);
    kindOfHost[index] = kind;
  });

  // Classes: flavor, the kinds allowed (zone, or the kind a never-moving server is fixed to).
  const classes: ServerClass[] = [];
  const classIndex = new Map<string, number>();
  const classOf = new Int32Array(instance.servers.length);
  const enabledKindList = kinds.map((kind, index) => (kind.enabled ? index : -1)).filter((index) => index >= 0);
  instance.servers.forEach((server, index) => {
    const flavor: [number, number, number] = [server.flavor.vcpus, server.flavor.memory_mb, server.flavor.disk_gb];
    const flavorKey = flavor.join('/');
    const home = kindOfHost[hostOf[index]];
    const zone = server.availability_zone ?? null;
    const where = fixed[index] ? `fixed:${home}` : `zone:${zone}`;
    const key = `${flavorKey}|${where}`;
    let found = classIndex.get(key);
    if (found === undefined) {
      found = classes.length;
      const allowed = fixed[index] ? [home] : enabledKindList.filter((kind) => zone === null || kinds[kind].zone === zone);
      classes.push({ flavorKey, flavor, kinds: allowed, count: 0, cpuUsageMin: Infinity, memoryUsageMin: Infinity });
      classIndex.set(key, found);
    }
    const entry = classes[found];
    entry.count += 1;
    entry.cpuUsageMin = Math.min(entry.cpuUsageMin, server.usage.cpu_cores);
    entry.memoryUsageMin = Math.min(entry.memoryUsageMin, server.usage.memory_mb);
    classOf[index] = found;
  });
  // A disabled host may keep its own servers (movable ones too), and receives no other.
  instance.servers.forEach((_, index) => {
    const kind = kinds[kindOfHost[hostOf[index]]];
    if (kind.enabled) return;
    const own = kind.ownServers!;
    own.set(classOf[index], (own.get(classOf[index]) ?? 0) + 1);
    const entry = classes[classOf[index]];
    if (!entry.kinds.includes(kindOfHost[hostOf[index]])) entry.kinds.push(kindOfHost[hostOf[index]]);
  });

  const flavorMap = new Map<string, { classes: number[]; cpu: number[]; memory: number[] }>();
  classes.forEach((entry, index) => {
    const flavor = flavorMap.get(entry.flavorKey) ?? flavorMap.set(entry.flavorKey, { classes: [], cpu: [], memory: [] }).get(entry.flavorKey)!;
    flavor.classes.push(index);
  });
  instance.servers.forEach((server, index) => {
    const flavor = flavorMap.get(classes[classOf[index]].flavorKey)!;
    flavor.cpu.push(server.usage.cpu_cores);
    flavor.memory.push(server.usage.memory_mb);
  });
  const flavors: FlavorUsage[] = [...flavorMap].map(([key, flavor]) => ({
    key, classes: flavor.classes,
    cpu: Float64Array.from(flavor.cpu).sort(), memory: Float64Array.from(flavor.memory).sort(),
  }));

  // Usage rows: for every union of generations, on one zone or on all of them.
  const generations = [...new Set(kinds.map((kind) => kind.generation))];
  const zones = [...new Set(kinds.map((kind) => kind.zone))];
  const zoneSets: (string | null)[][] = zones.length > 1 ? [...zones.map((zone) => [zone]), zones] : [zones];
  const kindSets: number[][] = [];
  for (let mask = 1; mask < 1 << generations.length && generations.length <= 6; mask++) {
    const chosen = generations.filter((_, index) => mask & (1 << index));
    for (const zoneSet of zoneSets) {
      const set = kinds.map((kind, index) => (chosen.includes(kind.generation) && zoneSet.includes(kind.zone) ? index : -1)).filter((index) => index >= 0);
      if (set.length) kindSets.push(set);
    }
  }
  // Too many generations for every union: each kind alone and all of them.
  if (generations.length > 6) {
    kinds.forEach((_, index) => kindSets.push([index]));
    kindSets.push(kinds.map((_, index) => index));
  }
  let forcedHosts = 0;
  for (const kind of kinds) forcedHosts += kind.forced;
  return { kinds, classes, flavors, kindSets, forcedHosts, largestAntiAffinityGroup };
}

/** One tangent line under a flavor's curve "sum of the n smallest usages": value at 0 and slope. */
interface Tangent { intercept: number; slope: number }

/**
 * Lines under the convex curve f(n) = sum of the n smallest usages (sorted ascending): at a
 * breakpoint k, f(k) + u[k] (n - k) lies below f everywhere, f being convex with slopes u[i].
 */
function tangents(sorted: Float64Array, lines: number): Tangent[] {
  const out: Tangent[] = [];
  const prefix = new Float64Array(sorted.length + 1);
  for (let index = 0; index < sorted.length; index++) prefix[index + 1] = prefix[index] + sorted[index];
  const seen = new Set<number>();
  for (let line = 0; line < lines; line++) {
    const at = Math.min(sorted.length - 1, Math.floor((line * sorted.length) / lines));
    if (seen.has(at)) continue;
    seen.add(at);
    out.push({ intercept: prefix[at] - sorted[at] * at, slope: sorted[at] });
  }
  return out;
}

/** A pattern: how many servers of each class one host of the kind holds. */
interface Pattern { kind: number; counts: Map<number, number> }

const fmt = (value: number) => (Number.isInteger(value) ? String(value) : value.toPrecision(15));
const term = (coefficient: number, name: string) => (coefficient >= 0 ? `+ ${fmt(coefficient)} ${name}` : `- ${fmt(-coefficient)} ${name}`);

/**
 * The bound for `instance`. Deterministic: the same instance and solver give the same figure.
 */
export function hostCountBound(instance: BoundInstance, solver: LinearSolver, options: BoundOptions = {}): HostCountBound {
  const model = describeInstance(instance);
  const { kinds, classes, flavors, kindSets } = model;
  const maxIterations = options.maxIterations ?? 300;
  const lineCount = options.tangentLines ?? 12;
  const cpuLines = flavors.map((flavor) => tangents(flavor.cpu, lineCount));
  const memoryLines = flavors.map((flavor) => tangents(flavor.memory, lineCount));
  const setsOfKind = kinds.map((_, kind) => kindSets.flatMap((set, index) => (set.includes(kind) ? [index] : [])));
  const flavorOfClass = new Int32Array(classes.length);
  flavors.forEach((flavor, index) => { for (const entry of flavor.classes) flavorOfClass[entry] = index; });

  // Start: the empty pattern on every kind, so the forced rows can be met (an empty pattern only
  // adds a choice to the relaxation).
  const patterns: Pattern[] = kinds.map((_, kind) => ({ kind, counts: new Map() }));
  const patternKeys = new Set(patterns.map(patternKey));
  // Coverage the patterns cannot give yet is bought at a price well above any real host count.
  const shortfallCost = instance.hosts.length + 1;

  let best = -Infinity;
  let masterValue = NaN;
  let lastPrimal: Record<string, { Primal?: number }> = {};
  let converged = false;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const master = solveMaster();
    masterValue = master.value;
    lastPrimal = master.columns;
    const duals = master.duals;
    // Lagrangian value: every row dualised but each kind's "at most count hosts" (room), kept
    // as the domain: the kind's patterns add count x their least reduced cost when negative.
    let value = 0;
    for (const [row, dual] of duals) if (!row.startsWith('room')) value += dual * master.rightHandSide.get(row)!;
    for (const [upper, reduced] of master.otherReducedCosts) value += Math.min(0, reduced) * upper;
    let improving = 0;
    for (let kind = 0; kind < kinds.length; kind++) {
      const itemValues = classes.map((_, entry) => itemValue(duals, kind, entry));
      const priced = bestPattern(kind, itemValues);
      value += kinds[kind].count * Math.min(0, 1 - kindConstant(duals, kind) - priced.upperBound);
      // A new column where it enters the master: its reduced cost there (room dual included) is negative.
      const reducedInMaster = 1 - kindConstant(duals, kind) - (duals.get(`room${kind}`) ?? 0) - priced.value;
      if (reducedInMaster < -1e-7 && priced.pattern) {
        const key = patternKey(priced.pattern);
        if (!patternKeys.has(key)) { patternKeys.add(key); patterns.push(priced.pattern); improving++; }
      }
    }
    best = Math.max(best, value);
    if (improving === 0) { converged = true; iterations++; break; }
  }
  const activeHosts = Math.max(Math.ceil(best - ROUNDING_ALLOWANCE * Math.max(1, Math.abs(best))), model.forcedHosts, model.largestAntiAffinityGroup);
  const usage = kinds.map((kind) => ({ label: kind.label, hosts: kind.count, forced: kind.forced, active: 0, servers: {} as Record<string, number> }));
  patterns.forEach((pattern, index) => {
    const times = lastPrimal[`p${index}`]?.Primal ?? 0;
    if (times <= 1e-9) return;
    const entry = usage[pattern.kind];
    entry.active += times;
    for (const [server, count] of pattern.counts) entry.servers[classes[server].flavorKey] = (entry.servers[classes[server].flavorKey] ?? 0) + count * times;
  });
  return {
    activeHosts, value: best, masterValue, converged, iterations, patterns: patterns.length,
    hostKinds: kinds.length, serverClasses: classes.length, forcedHosts: model.forcedHosts, largestAntiAffinityGroup: model.largestAntiAffinityGroup,
    kinds: usage,
  };

  function patternKey(pattern: Pattern): string {
    return `${pattern.kind}:${[...pattern.counts].sort((a, b) => a[0] - b[0]).map(([entry, count]) => `${entry}x${count}`).join(',')}`;
  }

  /**
   * The restricted master LP over the patterns so far. Rows (names): cover (each class held),
   * room (kind has so many hosts), forced (kind's hosts that stay active), link (a flavor's
   * servers on a set of kinds), cpu/mem tangents and budgets (usage on a set of kinds).
   */
  function solveMaster() {
    const rows: string[] = [];
    const rightHandSide = new Map<string, number>();
    const sense = new Map<string, '>' | '<' | '='>();
    const columnsOfRow = new Map<string, [number, string][]>();
    const add = (row: string, coefficient: number, column: string) => {
      (columnsOfRow.get(row) ?? columnsOfRow.set(row, []).get(row)!).push([coefficient, column]);
    };
    const objective: string[] = [];
    const bounds: string[] = [];
    /** Columns other than patterns, with their upper bound, for the Lagrangian value. */
    const otherColumns = new Map<string, number>();

    patterns.forEach((pattern, index) => {
      const column = `p${index}`;
      objective.push(term(1, column));
      for (const [entry, count] of pattern.counts) add(`cover${entry}`, count, column);
      add(`room${pattern.kind}`, 1, column);
      if (kinds[pattern.kind].forced) add(`forced${pattern.kind}`, 1, column);
      for (const set of setsOfKind[pattern.kind]) {
        const perFlavor = new Map<number, number>();
        for (const [entry, count] of pattern.counts) perFlavor.set(flavorOfClass[entry], (perFlavor.get(flavorOfClass[entry]) ?? 0) + count);
        for (const [flavor, count] of perFlavor) add(`link${flavor}_${set}`, -count, column);
        add(`cpubudget${set}`, -kinds[pattern.kind].cpuLimit, column);
        add(`membudget${set}`, -kinds[pattern.kind].memoryLimit, column);
      }
    });
    classes.forEach((entry, index) => {
      const column = `short${index}`;
      objective.push(term(shortfallCost, column));
      add(`cover${index}`, 1, column);
      bounds.push(`0 <= ${column} <= ${entry.count}`);
      otherColumns.set(column, entry.count);
      rightHandSide.set(`cover${index}`, entry.count); sense.set(`cover${index}`, '>');
    });
    kinds.forEach((kind, index) => {
      rightHandSide.set(`room${index}`, kind.count); sense.set(`room${index}`, '<');
      if (kind.forced) { rightHandSide.set(`forced${index}`, kind.forced); sense.set(`forced${index}`, '>'); }
    });
    kindSets.forEach((_, set) => {
      rightHandSide.set(`cpubudget${set}`, 0); sense.set(`cpubudget${set}`, '<');
      rightHandSide.set(`membudget${set}`, 0); sense.set(`membudget${set}`, '<');
      flavors.forEach((flavor, index) => {
        const servers = `n${index}_${set}`;
        const cpu = `c${index}_${set}`;
        const memory = `m${index}_${set}`;
        add(`link${index}_${set}`, 1, servers);
        rightHandSide.set(`link${index}_${set}`, 0); sense.set(`link${index}_${set}`, '=');
        const total = flavor.cpu.length;
        let cpuTotal = 0; for (const usage of flavor.cpu) cpuTotal += usage;
        let memoryTotal = 0; for (const usage of flavor.memory) memoryTotal += usage;
        bounds.push(`0 <= ${servers} <= ${total}`, `0 <= ${cpu} <= ${fmt(cpuTotal)}`, `0 <= ${memory} <= ${fmt(memoryTotal)}`);
        otherColumns.set(servers, total); otherColumns.set(cpu, cpuTotal); otherColumns.set(memory, memoryTotal);
        add(`cpubudget${set}`, 1, cpu);
        add(`membudget${set}`, 1, memory);
        cpuLines[index].forEach((line, number) => {
          const row = `cputangent${index}_${set}_${number}`;
          add(row, 1, cpu); add(row, -line.slope, servers);
          rightHandSide.set(row, line.intercept); sense.set(row, '>');
        });
        memoryLines[index].forEach((line, number) => {
          const row = `memtangent${index}_${set}_${number}`;
          add(row, 1, memory); add(row, -line.slope, servers);
          rightHandSide.set(row, line.intercept); sense.set(row, '>');
        });
      });
    });
    for (const [row, terms] of columnsOfRow) {
      const symbol = sense.get(row)!;
      rows.push(` ${row}: ${terms.map(([coefficient, column]) => term(coefficient, column)).join(' ')} ${symbol === '>' ? '>=' : symbol === '<' ? '<=' : '='} ${fmt(rightHandSide.get(row)!)}`);
    }
    const text = `Minimize\n obj: ${objective.join(' ')}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.map((line) => ` ${line}`).join('\n')}\nEnd\n`;
    const result = solver.solve(text, { presolve: 'off', solver: 'simplex', output_flag: false, random_seed: 0 });
    if (result.Status !== 'Optimal') throw new Error(`host-count bound: the master LP ended '${result.Status}'`);
    // Duals projected onto their valid sign: >= rows non-negative, <= rows non-positive.
    const duals = new Map<string, number>();
    for (const row of result.Rows) {
      const name = row.Name!;
      let dual = row.Dual ?? 0;
      const symbol = sense.get(name);
      if (symbol === '>') dual = Math.max(0, dual);
      if (symbol === '<') dual = Math.min(0, dual);
      duals.set(name, dual);
    }
    // Reduced costs of the bounded columns, recomputed from the projected duals.
    const otherReducedCosts: [number, number][] = [];
    const coefficients = new Map<string, Map<string, number>>();
    for (const [row, terms] of columnsOfRow) for (const [coefficient, column] of terms) {
      if (!otherColumns.has(column)) continue;
      const map = coefficients.get(column) ?? coefficients.set(column, new Map()).get(column)!;
      map.set(row, coefficient);
    }
    for (const [column, upper] of otherColumns) {
      let reduced = column.startsWith('short') ? shortfallCost : 0;
      for (const [row, coefficient] of coefficients.get(column) ?? []) reduced -= (duals.get(row) ?? 0) * coefficient;
      otherReducedCosts.push([upper, reduced]);
    }
    return { value: result.ObjectiveValue, columns: result.Columns, duals, rightHandSide, otherReducedCosts };
  }

  /** What one server of class `entry` on a host of `kind` is worth at these duals. */
  function itemValue(duals: Map<string, number>, kind: number, entry: number): number {
    if (!classes[entry].kinds.includes(kind)) return 0;
    let value = duals.get(`cover${entry}`) ?? 0;
    const flavor = flavorOfClass[entry];
    for (const set of setsOfKind[kind]) value -= duals.get(`link${flavor}_${set}`) ?? 0;
    return value;
  }

  /** The part of a pattern's worth that does not depend on its servers. */
  function kindConstant(duals: Map<string, number>, kind: number): number {
    let value = duals.get(`forced${kind}`) ?? 0;
    for (const set of setsOfKind[kind]) {
      value -= (duals.get(`cpubudget${set}`) ?? 0) * kinds[kind].cpuLimit;
      value -= (duals.get(`membudget${set}`) ?? 0) * kinds[kind].memoryLimit;
    }
    return value;
  }

  /**
   * The most valuable pattern of `kind` (an integer program: the servers of each class a host
   * holds within its capacity and usage limits), with an upper bound on its value.
   */
  function bestPattern(kind: number, values: number[]): { value: number; upperBound: number; pattern: Pattern | null } {
    const host = kinds[kind];
    const candidates = classes.map((_, entry) => entry).filter((entry) => values[entry] > 1e-12 && classes[entry].kinds.includes(kind));
    if (candidates.length === 0) return { value: 0, upperBound: 0, pattern: null };
    const most = (entry: number) => (host.ownServers ? host.ownServers.get(entry) ?? 0 : classes[entry].count);
    if (host.ownServers) {
      // A disabled host: its own servers, all of those worth anything (no capacity row needed).
      const counts = new Map<number, number>();
      let value = 0;
      for (const entry of candidates) if (most(entry) > 0) { counts.set(entry, most(entry)); value += most(entry) * values[entry]; }
      return { value, upperBound: value * (1 + 1e-9), pattern: counts.size ? { kind, counts } : null };
    }
    const name = (entry: number) => `a${entry}`;
    const capacityRows = [
      [(entry: number) => classes[entry].flavor[0], host.capacity[0]],
      [(entry: number) => classes[entry].flavor[1], host.capacity[1]],
      [(entry: number) => classes[entry].flavor[2], host.capacity[2]],
      [(entry: number) => classes[entry].cpuUsageMin, host.cpuLimit],
      [(entry: number) => classes[entry].memoryUsageMin, host.memoryLimit],
    ] as const;
    const rows = capacityRows.map(([size, room], index) => ` r${index}: ${candidates.map((entry) => term(size(entry), name(entry))).join(' ')} <= ${fmt(room)}`);
    const text = `Maximize\n obj: ${candidates.map((entry) => term(values[entry], name(entry))).join(' ')}\nSubject To\n${rows.join('\n')}\nBounds\n${candidates.map((entry) => ` 0 <= ${name(entry)} <= ${most(entry)}`).join('\n')}\nGeneral\n ${candidates.map(name).join(' ')}\nEnd\n`;
    const result = solver.solve(text, { output_flag: false, mip_rel_gap: 0, mip_abs_gap: 1e-9, random_seed: 0 });
    if (result.Status !== 'Optimal') throw new Error(`host-count bound: pricing ended '${result.Status}'`);
    const counts = new Map<number, number>();
    let value = 0;
    for (const entry of candidates) {
      const count = Math.round(result.Columns[name(entry)]?.Primal ?? 0);
      if (count > 0) { counts.set(entry, count); value += count * values[entry]; }
    }
    // HiGHS's optimum is within its gap and feasibility tolerances: a margin above it.
    const upperBound = Math.max(value, result.ObjectiveValue) + 1e-6 * Math.max(1, Math.abs(result.ObjectiveValue));
    return { value, upperBound, pattern: counts.size ? { kind, counts } : null };
  }
}
