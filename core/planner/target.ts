// Reach target (goal `reach_target`): checks that the given placement is a valid end state and
// sets it as the placement to reach; the wave orderer finds the capacity-safe path to it.
import { fitsCapacity } from '../capacity.js';
import { Constraint, type ConstraintCode } from '../constraints.js';
import type { PlanContext } from './context.js';
import type { Placement } from './placement.js';

/** Moves every server to its target; returns false (placement untouched) when infeasible. */
export function reachTarget(placement: Placement, context: PlanContext): boolean {
  const cluster = placement.cluster;
  const target = cluster.target;
  if (!target) return false;
  const problems: string[] = [];
  const moving: number[] = [];
  for (let server = 0; server < cluster.serverCount; server++) {
    const host = target[server];
    if (host < 0 || host === placement.hostOf[server]) continue;
    const name = cluster.serverNames[server];
    const reject = (code: ConstraintCode, detail: string) => {
      context.block(server, code, detail);
      problems.push(`${name}: ${detail}`);
    };
    if (cluster.pinned[server]) reject(cluster.pinned[server] as ConstraintCode, `cannot move (${cluster.pinDetail.get(server) ?? 'pinned'})`);
    else if (!cluster.enabled[host]) reject(Constraint.hostNotReceiving, `target ${cluster.hostNames[host]} is disabled or down and cannot receive servers`);
    else if (cluster.requestedZone[server] !== null && cluster.zone[host] !== cluster.requestedZone[server]) {
      reject(Constraint.availabilityZone, `target ${cluster.hostNames[host]} is outside its availability zone ${cluster.requestedZone[server]}`);
    } else if (cluster.flavorMemory[server] > cluster.memoryTotal[host] || cluster.flavorVcpus[server] > cluster.vcpuTotal[host] || cluster.flavorDisk[server] > cluster.diskTotal[host]) {
      reject(Constraint.maxUnit, `its flavor exceeds ${cluster.hostNames[host]}'s total (Placement max_unit)`);
    } else moving.push(server);
  }
  if (problems.length) return infeasible(context, problems);

  const mark = placement.mark();
  for (const server of moving) placement.move(server, target[server]);
  const receivers = new Set(moving.map((server) => target[server]));
  for (const host of [...receivers].sort((a, b) => a - b)) {
    const name = cluster.hostNames[host];
    const over = (resource: string, used: number, capacity: number) => problems.push(`${name}: ${resource} ${round(used)} allocated > capacity ${round(capacity)} in the target`);
    if (!fitsCapacity(placement.allocatedMemory[host], 0, cluster.memoryCapacity[host])) over('MEMORY_MB', placement.allocatedMemory[host], cluster.memoryCapacity[host]);
    if (!fitsCapacity(placement.allocatedVcpus[host], 0, cluster.vcpuCapacity[host])) over('VCPU', placement.allocatedVcpus[host], cluster.vcpuCapacity[host]);
    if (!fitsCapacity(placement.allocatedDisk[host], 0, cluster.diskCapacity[host])) over('DISK_GB', placement.allocatedDisk[host], cluster.diskCapacity[host]);
  }
  for (const server of moving) {
    for (const groupNumber of cluster.groupsOf(server)) {
      const group = cluster.groups[groupNumber];
      if (group.policy === 'anti-affinity' && placement.membersOn(groupNumber, target[server]) > group.maxPerHost) {
        context.block(server, group.fromTag ? Constraint.antiAffinityTag : Constraint.antiAffinity);
        problems.push(`${cluster.serverNames[server]}: the target puts ${placement.membersOn(groupNumber, target[server])} members of anti-affinity group ${group.name} on ${cluster.hostNames[target[server]]}`);
      }
    }
  }
  for (let host = 0; host < cluster.hostCount; host++) {
    if (!placement.isActive(host) || placement.withinUsageLimits(host) || !receivers.has(host)) continue;
    problems.push(`${cluster.hostNames[host]}: the target puts it over the usage limits (max_host_cpu / max_host_memory)`);
  }
  if (problems.length) {
    placement.rollback(mark);
    return infeasible(context, problems);
  }
  for (const server of moving) context.because(server, `reach target: ${cluster.hostNames[target[server]]}`);
  return true;
}

function infeasible(context: PlanContext, problems: string[]): false {
  context.infeasible = `the target placement is infeasible: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`;
  return false;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
