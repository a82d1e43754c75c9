// The exact step of consolidation: the fewest active hosts (then the fewest migrations) as a
// mixed-integer program over a small cluster, handed to an injected solver. Pure: the solver is passed in, and its
// work is bounded by counts (nodes, iterations), never by time, so plans stay deterministic.
import { withinUsageLimit } from '../capacity.js';
import type { Cluster } from '../cluster.js';
import type { Placement } from './placement.js';

/** Options passed to the solver: HiGHS's names (`mip_max_nodes`, `simplex_iteration_limit`, ...). */
export type ExactSolverOptions = Readonly<Record<string, number | string | boolean>>;

/** What ulm reads of a solve: the status and each column's value. */
export interface ExactSolverResult {
  Status: string;
  Columns: Record<string, { Primal?: number }>;
}

/**
 * A mixed-integer program solver taking a model in CPLEX LP format (the `solve` of npm `highs`
 * fits). Loaded at the edge (it is WebAssembly, loaded asynchronously) and handed to the planner.
 */
export interface ExactSolver {
  solve(model: string, options: ExactSolverOptions): ExactSolverResult;
}

/**
 * Servers times hosts the model may have: HiGHS solves the 12-host, 200-server instances in a
 * few seconds at this size on a small machine.
 */
export const EXACT_MODEL_CELLS = 2_500;
/**
 * The solver's work limit: branch-and-bound nodes and simplex iterations. Counted, not timed,
 * so that the same input gives the same plan on any machine.
 */
export const EXACT_WORK_LIMIT: ExactSolverOptions = {
  mip_max_nodes: 2_000,
  simplex_iteration_limit: 1_000_000,
  mip_rel_gap: 0,
  random_seed: 0,
  output_flag: false,
};

/** The model's reach: the hosts it may use and the servers it may move. */
interface Neighbourhood {
  hosts: number[];
  servers: number[];
}

/**
 * A final placement with fewer active hosts than `placement`, from the exact model, or null when the solver finds none within its work
 * limit, or when the model does not cover the cluster's rules (usage forecasts, N+k).
 */
export function exactConsolidation(placement: Placement, solver: ExactSolver): Int32Array | null {
  const cluster = placement.cluster;
  if (placement.activeHostCount() <= hostCountLowerBound(placement)) return null;
  const neighbourhood = chooseNeighbourhood(placement);
  if (!neighbourhood) return null;
  const model = buildModel(placement, neighbourhood);
  if (!model) return null;
  const result = solver.solve(model.text, EXACT_WORK_LIMIT);
  const hostOf = Int32Array.from(placement.hostOf);
  for (const [server, choices] of model.choices) {
    let chosen = -1;
    for (const host of choices) {
      const value = result.Columns[assignName(server, host)]?.Primal;
      if (value !== undefined && value > 0.5) { chosen = host; break; }
    }
    // No assignment for a server: the solver stopped without a solution.
    if (chosen < 0) return null;
    hostOf[server] = chosen;
  }
  if (activeHosts(cluster, hostOf) >= placement.activeHostCount()) return null;
  return holdsEveryRule(cluster, hostOf) ? hostOf : null;
}

/**
 * The whole cluster (its active hosts and those that may receive) when the model is small
 * enough; null otherwise. Neighbourhoods of a large cluster were tried on anti-affinity-m and
 * did not pay (test/bench/README.md, "The exact step").
 */
function chooseNeighbourhood(placement: Placement): Neighbourhood | null {
  const cluster = placement.cluster;
  // The model holds neither the usage forecast nor N+k: the heuristic plan stands there.
  if (cluster.forecastCpu || cluster.policy.spareCapacityHosts > 0) return null;
  const hosts: number[] = [];
  for (let host = 0; host < cluster.hostCount; host++) if (placement.isActive(host) || cluster.enabled[host]) hosts.push(host);
  const servers: number[] = [];
  for (let server = 0; server < cluster.serverCount; server++) if (!cluster.pinned[server]) servers.push(server);
  return servers.length * hosts.length <= EXACT_MODEL_CELLS ? { hosts, servers } : null;
}

/**
 * Whether the exact model may better a plan that leaves `activeHostsAfter` hosts active, with
 * `placement` the cluster as it starts: the model covers the cluster, and the plan is above the
 * lower bound. Callers that load the solver only when it may serve ask this first.
 */
export function exactStepMayImprove(placement: Placement, activeHostsAfter: number): boolean {
  return placement.cluster.policy.goal === 'consolidate' && chooseNeighbourhood(placement) !== null && activeHostsAfter > hostCountLowerBound(placement);
}

/**
 * Fewest hosts any placement needs: per resource, the largest hosts taken first until their
 * capacity covers every server's demand; for an anti-affinity group, its members spread at
 * max_server_per_host. A plan already there cannot be bettered.
 */
export function hostCountLowerBound(placement: Placement): number {
  const cluster = placement.cluster;
  const resources: [Float64Array, Float64Array][] = [
    [cluster.flavorMemory, cluster.memoryCapacity], [cluster.flavorVcpus, cluster.vcpuCapacity], [cluster.flavorDisk, cluster.diskCapacity],
    [cluster.cpuUsage, cluster.cpuLimit], [cluster.memoryUsage, cluster.memoryLimit],
  ];
  let bound = 0;
  for (const [demand, capacity] of resources) {
    let total = 0;
    for (let server = 0; server < cluster.serverCount; server++) total += demand[server];
    const sizes: number[] = [];
    for (let host = 0; host < cluster.hostCount; host++) if (cluster.enabled[host] || placement.isActive(host)) sizes.push(capacity[host]);
    sizes.sort((a, b) => b - a);
    let hosts = 0;
    // Rounding: a bound a hair too high would skip a plan that could be bettered, so a relative
    // 1e-9 of the demand is forgiven.
    for (let covered = 0; covered < total * (1 - 1e-9) && hosts < sizes.length; hosts++) covered += sizes[hosts];
    bound = Math.max(bound, hosts);
  }
  // An anti-affinity group needs as many hosts as its members over max_server_per_host.
  for (const group of cluster.groups) if (group.policy === 'anti-affinity') bound = Math.max(bound, Math.ceil(group.members.length / group.maxPerHost));
  return bound;
}

const assignName = (server: number, host: number) => `x${server}_${host}`;
const openName = (host: number) => `y${host}`;

interface Model {
  text: string;
  /** The hosts each server may end on, in the model. */
  choices: Map<number, number[]>;
}

/** The host-count model over the neighbourhood, in CPLEX LP format. */
function buildModel(placement: Placement, { hosts, servers }: Neighbourhood): Model | null {
  const cluster = placement.cluster;
  const inModel = new Set(servers);
  const choices = new Map<number, number[]>();
  for (const server of servers) {
    const allowed = hosts.filter((host) => mayHold(placement, server, host));
    if (allowed.length === 0) return null;
    choices.set(server, allowed);
  }
  // Every migration (a server away from its initial host) costs its moving cost; a host costs
  // more than all of them together, so fewer hosts always come first.
  let movingTotal = 0;
  for (const server of servers) movingTotal += cluster.moveCost[server];
  const hostCost = Math.ceil(movingTotal) + 1;

  const objective: string[] = hosts.map((host) => `${hostCost} ${openName(host)}`);
  const rows: string[] = [];
  const binaries: string[] = hosts.map(openName);
  const onHost = new Map<number, number[]>(hosts.map((host) => [host, []]));
  const migrationTerms: string[] = [];
  for (const [server, allowed] of choices) {
    rows.push(`a${server}: ${allowed.map((host) => assignName(server, host)).join(' + ')} = 1`);
    for (const host of allowed) {
      const name = assignName(server, host);
      binaries.push(name);
      onHost.get(host)!.push(server);
      if (host !== cluster.initialHost[server]) {
        if (cluster.moveCost[server] > 0) objective.push(`${cluster.moveCost[server]} ${name}`);
        migrationTerms.push(name);
      }
      // A server on a host opens it (redundant with the capacity rows, but it tightens the bound).
      rows.push(`o${server}_${host}: ${name} - ${openName(host)} <= 0`);
    }
  }

  const resources: { demand: Float64Array; room: (host: number, fixed: number) => number; used: Float64Array }[] = [
    { demand: cluster.flavorMemory, room: (host, fixed) => cluster.memoryCapacity[host] - fixed, used: placement.allocatedMemory },
    { demand: cluster.flavorVcpus, room: (host, fixed) => cluster.vcpuCapacity[host] - fixed, used: placement.allocatedVcpus },
    { demand: cluster.flavorDisk, room: (host, fixed) => cluster.diskCapacity[host] - fixed, used: placement.allocatedDisk },
    { demand: cluster.cpuUsage, room: (host, fixed) => cluster.cpuLimit[host] * (1 + 1e-9) - fixed, used: placement.usedCpu },
    { demand: cluster.memoryUsage, room: (host, fixed) => cluster.memoryLimit[host] * (1 + 1e-9) - fixed, used: placement.usedMemory },
  ];
  for (const host of hosts) {
    const arriving = onHost.get(host)!;
    // What stays on the host whatever the model does: servers that never move.
    const fixedServers = placement.serversOn(host).filter((server) => !inModel.has(server));
    if (fixedServers.length) rows.push(`f${host}: ${openName(host)} >= 1`);
    resources.forEach((resource, index) => {
      let fixed = 0;
      for (const server of fixedServers) fixed += resource.demand[server];
      const terms = arriving.filter((server) => resource.demand[server] > 0).map((server) => `${number(resource.demand[server])} ${assignName(server, host)}`);
      if (!terms.length) return;
      const room = Math.max(0, resource.room(host, fixed));
      rows.push(`c${index}_${host}: ${terms.join(' + ')} - ${number(room)} ${openName(host)} <= 0`);
    });
  }

  // Hard anti-affinity: at most max_server_per_host members on a host, counting those that stay.
  cluster.groups.forEach((group, groupNumber) => {
    if (group.policy !== 'anti-affinity') return;
    const members = group.members.filter((server) => inModel.has(server));
    if (members.length === 0) return;
    for (const host of hosts) {
      const names = members.filter((server) => choices.get(server)!.includes(host)).map((server) => assignName(server, host));
      const staying = placement.membersOn(groupNumber, host) - members.filter((server) => placement.hostOf[server] === host).length;
      // A host already over the limit at the start (Nova let it be) may keep its members: the
      // rule forbids adding to it, which the check after the solve holds.
      const home = members.filter((server) => placement.hostOf[server] === host).length;
      const allowed = Math.max(group.maxPerHost - staying, staying >= group.maxPerHost ? home : 0);
      if (names.length > allowed) rows.push(`g${groupNumber}_${host}: ${names.join(' + ')} <= ${Math.max(0, allowed)}`);
    }
  });

  // The policy's migration budget, less the migrations outside the model.
  const budget = cluster.policy.maxMigrations;
  if (Number.isFinite(budget)) {
    let outside = 0;
    for (let server = 0; server < cluster.serverCount; server++) if (!inModel.has(server) && placement.hostOf[server] !== cluster.initialHost[server]) outside++;
    if (migrationTerms.length) rows.push(`m: ${migrationTerms.join(' + ')} <= ${Math.max(0, budget - outside)}`);
  }

  const text = [
    'Minimize', ` cost: ${objective.join(' + ')}`,
    'Subject To', ...rows.map((row) => ` ${row}`),
    'Binaries', ...binaries.map((name) => ` ${name}`),
    'End', '',
  ].join('\n');
  return { text, choices };
}

/** Whether a server may end on a host whatever else is there: enabled (or where it is and started), its zone, max_unit. */
function mayHold(placement: Placement, server: number, host: number): boolean {
  const cluster = placement.cluster;
  const staysHome = host === cluster.initialHost[server] && host === placement.hostOf[server];
  if (!cluster.enabled[host] && !staysHome) return false;
  const zone = cluster.requestedZone[server];
  if (zone !== null && cluster.zone[host] !== zone && !staysHome) return false;
  return cluster.flavorMemory[server] <= cluster.memoryTotal[host] && cluster.flavorVcpus[server] <= cluster.vcpuTotal[host] && cluster.flavorDisk[server] <= cluster.diskTotal[host];
}

/** Numbers as the LP format reads them (no exponent for ordinary sizes). */
function number(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(15).replace(/0+$/, '').replace(/\.$/, '');
}

function activeHosts(cluster: Cluster, hostOf: Int32Array): number {
  const active = new Uint8Array(cluster.hostCount);
  for (const host of hostOf) active[host] = 1;
  return active.reduce((total, value) => total + value, 0);
}

/**
 * The solver works to a feasibility tolerance; ulm's rules are exact. The final placement is
 * checked with them: Placement capacity as Placement compares it, the usage limits with their
 * one tolerance, hard anti-affinity.
 */
function holdsEveryRule(cluster: Cluster, hostOf: Int32Array): boolean {
  const hosts = cluster.hostCount;
  const memory = new Float64Array(hosts);
  const vcpus = new Float64Array(hosts);
  const disk = new Float64Array(hosts);
  const cpu = new Float64Array(hosts);
  const usedMemory = new Float64Array(hosts);
  // Only hosts that receive a server must be checked: the others hold no more than at the start.
  const receives = new Uint8Array(hosts);
  for (let server = 0; server < cluster.serverCount; server++) {
    const host = hostOf[server];
    memory[host] += cluster.flavorMemory[server];
    vcpus[host] += cluster.flavorVcpus[server];
    disk[host] += cluster.flavorDisk[server];
    cpu[host] += cluster.cpuUsage[server];
    usedMemory[host] += cluster.memoryUsage[server];
    if (host !== cluster.initialHost[server]) receives[host] = 1;
  }
  for (let host = 0; host < hosts; host++) {
    if (!receives[host]) continue;
    if (memory[host] > cluster.memoryCapacity[host] || vcpus[host] > cluster.vcpuCapacity[host] || disk[host] > cluster.diskCapacity[host]) return false;
    if (!withinUsageLimit(cpu[host], 0, cluster.cpuLimit[host]) || !withinUsageLimit(usedMemory[host], 0, cluster.memoryLimit[host])) return false;
  }
  for (const group of cluster.groups) {
    if (group.policy !== 'anti-affinity') continue;
    const count = new Map<number, number>();
    for (const server of group.members) count.set(hostOf[server], (count.get(hostOf[server]) ?? 0) + 1);
    for (const [host, members] of count) if (receives[host] && members > group.maxPerHost) return false;
  }
  return true;
}
