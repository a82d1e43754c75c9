// A placement of every server on a host, with the per-host sums the constraints need, and the
// one check that says whether a server may end on a host. Strategies move servers here
// tentatively and roll back; only the final placement matters to them (the wave orderer finds
// the path to it).
import { fitsCapacity, withinUsageLimit } from '../capacity.js';
import type { Cluster } from '../cluster.js';
import { Constraint, type ConstraintCode } from '../constraints.js';

export class Placement {
  readonly cluster: Cluster;
  readonly hostOf: Int32Array;
  readonly allocatedVcpus: Float64Array;
  readonly allocatedMemory: Float64Array;
  readonly allocatedDisk: Float64Array;
  readonly usedCpu: Float64Array;
  readonly usedMemory: Float64Array;
  readonly serverCount: Int32Array;
  /** 1 when the host may receive servers now (enabled and not being emptied). */
  readonly receiving: Uint8Array;
  /** Servers of each host as a linked list: first[host], next[server], previous[server]. */
  private readonly first: Int32Array;
  private readonly next: Int32Array;
  private readonly previous: Int32Array;
  /** Members of group g on host h, keyed g * hostCount + h. */
  private readonly groupCount = new Map<number, number>();
  /** Forecast usage per host and step (hosts x steps), when the snapshot has series. */
  private readonly forecastCpu: Float64Array | null;
  private readonly forecastMemory: Float64Array | null;
  /** Moves since the start, for rollback: server, previous host. */
  private readonly journal: number[] = [];
  /** Servers away from their initial host: the migrations this placement implies. */
  migrations = 0;
  /** Told about every host whose load changes (an index of free room listens here). */
  onHostChange: ((host: number) => void) | null = null;

  constructor(cluster: Cluster, hostOf: Int32Array = cluster.initialHost) {
    this.cluster = cluster;
    const hosts = cluster.hostCount;
    this.hostOf = Int32Array.from(hostOf);
    this.allocatedVcpus = new Float64Array(hosts);
    this.allocatedMemory = new Float64Array(hosts);
    this.allocatedDisk = new Float64Array(hosts);
    this.usedCpu = new Float64Array(hosts);
    this.usedMemory = new Float64Array(hosts);
    this.serverCount = new Int32Array(hosts);
    this.receiving = Uint8Array.from(cluster.enabled);
    this.first = new Int32Array(hosts).fill(-1);
    this.next = new Int32Array(cluster.serverCount).fill(-1);
    this.previous = new Int32Array(cluster.serverCount).fill(-1);
    const steps = cluster.forecastSteps;
    this.forecastCpu = cluster.forecastCpu ? new Float64Array(hosts * steps) : null;
    this.forecastMemory = cluster.forecastMemory ? new Float64Array(hosts * steps) : null;
    for (let server = cluster.serverCount - 1; server >= 0; server--) {
      this.add(server, this.hostOf[server]);
      if (this.hostOf[server] !== cluster.initialHost[server]) this.migrations++;
    }
  }

  /** Copy with the same placement and receiving flags, without the journal. */
  clone(): Placement {
    const copy = new Placement(this.cluster, this.hostOf);
    copy.receiving.set(this.receiving);
    return copy;
  }

  private add(server: number, host: number): void {
    const cluster = this.cluster;
    this.allocatedVcpus[host] += cluster.flavorVcpus[server];
    this.allocatedMemory[host] += cluster.flavorMemory[server];
    this.allocatedDisk[host] += cluster.flavorDisk[server];
    this.usedCpu[host] += cluster.cpuUsage[server];
    this.usedMemory[host] += cluster.memoryUsage[server];
    this.serverCount[host]++;
    const head = this.first[host];
    this.next[server] = head;
    this.previous[server] = -1;
    if (head >= 0) this.previous[head] = server;
    this.first[host] = server;
    for (let cursor = cluster.groupStart[server]; cursor < cluster.groupStart[server + 1]; cursor++) {
      const key = cluster.groupList[cursor] * cluster.hostCount + host;
      this.groupCount.set(key, (this.groupCount.get(key) ?? 0) + 1);
    }
    if (this.forecastCpu) this.addForecast(server, host, 1);
    this.onHostChange?.(host);
  }

  private remove(server: number, host: number): void {
    const cluster = this.cluster;
    this.allocatedVcpus[host] -= cluster.flavorVcpus[server];
    this.allocatedMemory[host] -= cluster.flavorMemory[server];
    this.allocatedDisk[host] -= cluster.flavorDisk[server];
    this.usedCpu[host] -= cluster.cpuUsage[server];
    this.usedMemory[host] -= cluster.memoryUsage[server];
    this.serverCount[host]--;
    const before = this.previous[server];
    const after = this.next[server];
    if (before >= 0) this.next[before] = after; else this.first[host] = after;
    if (after >= 0) this.previous[after] = before;
    for (let cursor = cluster.groupStart[server]; cursor < cluster.groupStart[server + 1]; cursor++) {
      const key = cluster.groupList[cursor] * cluster.hostCount + host;
      const count = (this.groupCount.get(key) ?? 0) - 1;
      if (count > 0) this.groupCount.set(key, count); else this.groupCount.delete(key);
    }
    if (this.forecastCpu) this.addForecast(server, host, -1);
    this.onHostChange?.(host);
  }

  private addForecast(server: number, host: number, sign: number): void {
    const steps = this.cluster.forecastSteps;
    const cpu = this.cluster.forecastCpu!;
    const memory = this.cluster.forecastMemory!;
    const hostBase = host * steps;
    const serverBase = server * steps;
    for (let step = 0; step < steps; step++) {
      this.forecastCpu![hostBase + step] += sign * cpu[serverBase + step];
      this.forecastMemory![hostBase + step] += sign * memory[serverBase + step];
    }
  }

  /** Moves a server (journaled, so that `rollback` can undo it). */
  move(server: number, host: number): void {
    const from = this.hostOf[server];
    if (from === host) return;
    this.relocate(server, from, host);
    this.journal.push(server, from);
  }

  /** A point to roll back to. */
  mark(): number {
    return this.journal.length;
  }

  rollback(mark: number): void {
    while (this.journal.length > mark) {
      const from = this.journal.pop()!;
      const server = this.journal.pop()!;
      this.relocate(server, this.hostOf[server], from);
    }
  }

  /** Where every server was at a journal mark. */
  hostsAt(mark: number): Int32Array {
    const hosts = Int32Array.from(this.hostOf);
    for (let index = this.journal.length - 2; index >= mark; index -= 2) hosts[this.journal[index]] = this.journal[index + 1];
    return hosts;
  }

  private relocate(server: number, from: number, to: number): void {
    const initial = this.cluster.initialHost[server];
    if (from === initial) this.migrations++;
    else if (to === initial) this.migrations--;
    this.remove(server, from);
    this.add(server, to);
    this.hostOf[server] = to;
  }

  /** Servers on a host, in a stable order (ascending server number). */
  serversOn(host: number): number[] {
    const out: number[] = [];
    for (let server = this.first[host]; server >= 0; server = this.next[server]) out.push(server);
    return out.sort((a, b) => a - b);
  }

  membersOn(group: number, host: number): number {
    return this.groupCount.get(group * this.cluster.hostCount + host) ?? 0;
  }

  isActive(host: number): boolean {
    return this.serverCount[host] > 0;
  }

  /**
   * Why `server` may not end on `host` in this placement (a Constraint code), or 0.
   * `usage: false` skips the usage limits and the forecast (temporary moves).
   */
  blocker(server: number, host: number, usage = true): ConstraintCode {
    const cluster = this.cluster;
    if (this.hostOf[server] === host) return Constraint.sameHost;
    if (!this.receiving[host]) return Constraint.hostNotReceiving;
    const zone = cluster.requestedZone[server];
    if (zone !== null && cluster.zone[host] !== zone) return Constraint.availabilityZone;
    const memory = cluster.flavorMemory[server];
    const vcpus = cluster.flavorVcpus[server];
    const disk = cluster.flavorDisk[server];
    if (memory > cluster.memoryTotal[host] || vcpus > cluster.vcpuTotal[host] || disk > cluster.diskTotal[host]) return Constraint.maxUnit;
    if (!fitsCapacity(this.allocatedMemory[host], memory, cluster.memoryCapacity[host])) return Constraint.memoryCapacity;
    if (!fitsCapacity(this.allocatedVcpus[host], vcpus, cluster.vcpuCapacity[host])) return Constraint.vcpuCapacity;
    if (!fitsCapacity(this.allocatedDisk[host], disk, cluster.diskCapacity[host])) return Constraint.diskCapacity;
    if (usage) {
      if (!withinUsageLimit(this.usedCpu[host], cluster.cpuUsage[server], cluster.cpuLimit[host])) return Constraint.cpuUsageLimit;
      if (!withinUsageLimit(this.usedMemory[host], cluster.memoryUsage[server], cluster.memoryLimit[host])) return Constraint.memoryUsageLimit;
    }
    const groupBlocker = this.groupBlocker(server, host);
    if (groupBlocker) return groupBlocker;
    if (usage && this.forecastCpu && !this.forecastFits(server, host)) return Constraint.forecastOverload;
    return Constraint.none;
  }

  /** Hard anti-affinity (Nova groups with max_server_per_host, and operator tags). */
  groupBlocker(server: number, host: number): ConstraintCode {
    const cluster = this.cluster;
    for (let cursor = cluster.groupStart[server]; cursor < cluster.groupStart[server + 1]; cursor++) {
      const group = cluster.groups[cluster.groupList[cursor]];
      if (group.policy !== 'anti-affinity') continue;
      if (this.membersOn(cluster.groupList[cursor], host) >= group.maxPerHost) return group.fromTag ? Constraint.antiAffinityTag : Constraint.antiAffinity;
    }
    return Constraint.none;
  }

  /** Soft-policy members a server would join on a host (a preference, never a blocker). */
  softViolations(server: number, host: number): number {
    const cluster = this.cluster;
    let violations = 0;
    for (let cursor = cluster.groupStart[server]; cursor < cluster.groupStart[server + 1]; cursor++) {
      const groupNumber = cluster.groupList[cursor];
      const group = cluster.groups[groupNumber];
      if (group.policy === 'soft-anti-affinity') violations += this.membersOn(groupNumber, host);
      else if (group.policy === 'soft-affinity' && this.membersOn(groupNumber, host) === 0 && group.members.length > 1) violations += 1;
    }
    return violations;
  }

  /** The host stays within its physical size at every step of the usage forecast. */
  private forecastFits(server: number, host: number): boolean {
    const cluster = this.cluster;
    const steps = cluster.forecastSteps;
    const hostBase = host * steps;
    const serverBase = server * steps;
    const cpuTotal = cluster.vcpuTotal[host];
    const memoryTotal = cluster.memoryTotal[host];
    for (let step = 0; step < steps; step++) {
      if (!withinUsageLimit(this.forecastCpu![hostBase + step], cluster.forecastCpu![serverBase + step], cpuTotal)) return false;
      if (!withinUsageLimit(this.forecastMemory![hostBase + step], cluster.forecastMemory![serverBase + step], memoryTotal)) return false;
    }
    return true;
  }

  /** The host is within the usage limits (and the forecast) as it stands. */
  withinUsageLimits(host: number): boolean {
    const cluster = this.cluster;
    return withinUsageLimit(this.usedCpu[host], 0, cluster.cpuLimit[host]) && withinUsageLimit(this.usedMemory[host], 0, cluster.memoryLimit[host]);
  }

  /** Forecast usage of a host at its busiest step, as fractions of its size (cpu, memory). */
  forecastPeak(host: number): [number, number] {
    if (!this.forecastCpu) return [0, 0];
    const steps = this.cluster.forecastSteps;
    let cpu = 0;
    let memory = 0;
    for (let step = 0; step < steps; step++) {
      cpu = Math.max(cpu, this.forecastCpu[host * steps + step]);
      memory = Math.max(memory, this.forecastMemory![host * steps + step]);
    }
    return [cpu / this.cluster.vcpuTotal[host], memory / this.cluster.memoryTotal[host]];
  }

  activeHostCount(): number {
    let count = 0;
    for (let host = 0; host < this.cluster.hostCount; host++) if (this.serverCount[host] > 0) count++;
    return count;
  }
}
