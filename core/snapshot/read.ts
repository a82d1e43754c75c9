// Reads a `ulm-cluster/1` snapshot: JSON text or value in, a checked Snapshot out, or a
// ValidationError naming every offending JSON path and what was expected there.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { findJsonSyntaxProblem } from '../json-position.js';
import { issuesOf, ValidationError, type Issue } from '../validation.js';
import { SNAPSHOT_FORMAT, SnapshotSchema, type Snapshot } from './format.js';
import { knownPolicyFields, validatePolicy, type Policy } from '../policy/schema.js';
import { hostOutsideScope, scopeIsSet } from '../policy/scope.js';

const compiledSnapshot = TypeCompiler.Compile(SnapshotSchema);

/** Parses JSON text; a syntax error names the line and column. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const problem = findJsonSyntaxProblem(text);
    const message = problem
      ? `line ${problem.line}, column ${problem.column}: expected ${problem.expected}`
      : (error as Error).message;
    throw new ValidationError(`${what} is not valid JSON`, [{ path: '', message }]);
  }
}

/** Validates a snapshot value: the schema, then the references between its parts. */
export function readSnapshot(value: unknown): Snapshot {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('invalid snapshot', [{ path: '', message: `expected a JSON object with "format": "${SNAPSHOT_FORMAT}"` }]);
  }
  const format = (value as { format?: unknown }).format;
  if (format !== SNAPSHOT_FORMAT) {
    throw new ValidationError('invalid snapshot', [{ path: 'format', message: `expected "${SNAPSHOT_FORMAT}", got ${JSON.stringify(format) ?? 'nothing'}` }]);
  }
  if (!compiledSnapshot.Check(value)) throw new ValidationError('invalid snapshot', issuesOf(compiledSnapshot, value));
  const snapshot = value as Snapshot;
  const issues = referenceIssues(snapshot);
  if (issues.length) throw new ValidationError('invalid snapshot', issues);
  return snapshot;
}

/** The snapshot's embedded policy, validated (fields unknown to this version are ignored). */
export function snapshotPolicy(snapshot: Snapshot): Policy {
  if (snapshot.policy === undefined || snapshot.policy === null) {
    throw new ValidationError('invalid snapshot', [{ path: 'policy', message: 'is required: give the snapshot a policy or pass one with --policy FILE' }]);
  }
  return validatePolicy(knownPolicyFields(snapshot.policy), 'policy');
}

function referenceIssues(snapshot: Snapshot): Issue[] {
  const issues: Issue[] = [];
  const hostNames = new Set<string>();
  snapshot.hosts.forEach((host, index) => {
    if (hostNames.has(host.name)) issues.push({ path: `hosts[${index}].name`, message: `"${host.name}" is used by another host; host names must be unique` });
    hostNames.add(host.name);
    if (host.power && (host.power.max_watts ?? 0) < (host.power.idle_watts ?? 0)) {
      issues.push({ path: `hosts[${index}].power.max_watts`, message: `${host.power.max_watts} is below idle_watts ${host.power.idle_watts}; max_watts must be >= idle_watts` });
    }
  });
  const groupIds = new Set<string>();
  (snapshot.server_groups ?? []).forEach((group, index) => {
    if (groupIds.has(group.id)) issues.push({ path: `server_groups[${index}].id`, message: `"${group.id}" is used by another server group; ids must be unique` });
    groupIds.add(group.id);
  });
  const serverIds = new Set<string>();
  let seriesShape: { length: number; step: number } | null = null;
  let withSeries = 0;
  snapshot.servers.forEach((server, index) => {
    const path = `servers[${index}]`;
    if (serverIds.has(server.id)) issues.push({ path: `${path}.id`, message: `"${server.id}" is used by another server; ids must be unique` });
    serverIds.add(server.id);
    if (!hostNames.has(server.host)) issues.push({ path: `${path}.host`, message: `"${server.host}" is not one of the snapshot's hosts` });
    if (server.server_group != null && !groupIds.has(server.server_group)) {
      issues.push({ path: `${path}.server_group`, message: `"${server.server_group}" is not in server_groups; add the group or set null` });
    }
    if (server.series) {
      withSeries++;
      const { cpu_cores: cpu, memory_mb: memory, step_s: step } = server.series;
      if (cpu.length !== memory.length) issues.push({ path: `${path}.series`, message: `cpu_cores has ${cpu.length} samples and memory_mb ${memory.length}; they must be equally long` });
      seriesShape ??= { length: cpu.length, step };
      if (cpu.length !== seriesShape.length || step !== seriesShape.step) {
        issues.push({ path: `${path}.series`, message: `every server's series must have the same step_s and length (${seriesShape.step} s x ${seriesShape.length})` });
      }
    }
    if (issues.length > 50) return;
  });
  if (withSeries > 0 && withSeries !== snapshot.servers.length) {
    issues.push({ path: 'servers', message: `usage series on ${withSeries} of ${snapshot.servers.length} servers: give every server a series or none` });
  }
  if (snapshot.target) {
    for (const [serverId, hostName] of Object.entries(snapshot.target)) {
      if (!serverIds.has(serverId)) issues.push({ path: `target.${serverId}`, message: 'is not a server of the snapshot' });
      else if (!hostNames.has(hostName)) issues.push({ path: `target.${serverId}`, message: `"${hostName}" is not one of the snapshot's hosts` });
    }
  }
  return issues;
}

/** Checks that the hosts a policy names exist in the snapshot. */
export function policyReferenceIssues(policy: Policy, snapshot: Snapshot, prefix = 'policy'): Issue[] {
  const hostNames = new Set(snapshot.hosts.map((host) => host.name));
  const issues: Issue[] = [];
  (policy.drain_hosts ?? []).forEach((name, index) => {
    if (!hostNames.has(name)) issues.push({ path: `${prefix}.drain_hosts[${index}]`, message: `"${name}" is not one of the snapshot's hosts` });
  });
  issues.push(...scopeReferenceIssues(policy, snapshot, prefix));
  if (policy.goal === 'reach_target' && !snapshot.target) {
    issues.push({ path: 'target', message: 'is required for goal "reach_target": map each server id to the host it should end on' });
  }
  return issues;
}

/**
 * The hosts, aggregates and zones a scope names exist in the snapshot (a typo would silently
 * plan nothing, or everything), and the scope leaves at least one host in.
 */
function scopeReferenceIssues(policy: Policy, snapshot: Snapshot, prefix: string): Issue[] {
  const scope = policy.scope;
  if (!scope || !scopeIsSet(scope)) return [];
  const issues: Issue[] = [];
  const hostNames = new Set(snapshot.hosts.map((host) => host.name));
  const aggregates = new Set(snapshot.hosts.flatMap((host) => host.aggregates ?? []));
  const zones = new Set(snapshot.hosts.map((host) => host.availability_zone).filter((zone): zone is string => typeof zone === 'string'));
  const known = (path: string, names: string[] | undefined, set: Set<string>, what: string, fix: string) => {
    (names ?? []).forEach((name, index) => {
      if (!set.has(name)) issues.push({ path: `${prefix}.scope.${path}[${index}]`, message: `"${name}" is not ${what} of the snapshot; ${fix}` });
    });
  };
  const listOf = (set: Set<string>) => [...set].sort().slice(0, 5).join(', ') || 'none';
  known('availability_zones', scope.availability_zones, zones, 'an availability zone', `its zones are ${listOf(zones)}`);
  known('aggregates', scope.aggregates, aggregates, 'a host aggregate', `its aggregates include ${listOf(aggregates)}`);
  known('hosts', scope.hosts, hostNames, 'a host', 'name hypervisor hosts as Nova lists them');
  known('exclude.hosts', scope.exclude?.hosts, hostNames, 'a host', 'name hypervisor hosts as Nova lists them');
  known('exclude.aggregates', scope.exclude?.aggregates, aggregates, 'a host aggregate', `its aggregates include ${listOf(aggregates)}`);
  if (issues.length === 0 && snapshot.hosts.every((host) => hostOutsideScope(scope, host) !== null)) {
    issues.push({ path: `${prefix}.scope`, message: 'leaves no host of the snapshot in scope; widen the zones, aggregates or hosts, or exclude fewer' });
  }
  return issues;
}
