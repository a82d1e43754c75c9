// Tests of the policy's scope: for every goal, servers outside it never move and hosts outside it
// never receive, are never emptied, disabled or powered off; exclusions by host, aggregate,
// project and server; the validation of a scope against its snapshot; and a property over random
// clusters and random scopes, every plan checked by score.mjs.
import { strict as assert } from 'node:assert';
import { Command } from 'commander';
import fc from 'fast-check';
import { policyDocumentFrom, withPolicyFieldOptions, type PolicyFieldOptions } from '../../../cli/policy-options.js';
import type { PlanDocument } from '../../../core/plan/format.js';
import { validatePolicy, type Policy, type Scope } from '../../../core/policy/schema.js';
import { hostOutsideScope, serverExcludedByScope } from '../../../core/policy/scope.js';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { ValidationError } from '../../../core/validation.js';
import { scopedForScorer, snapshot, type SnapshotBuilder } from '../../support/builders.js';
import { blockedBy, checkedPlan, hostsWith, migrations, movedServers, planFor } from '../../support/planning.js';
import { randomCluster } from '../../support/random-clusters.js';
import { score } from '../../support/scorer.js';

/**
 * Five lightly loaded hosts in two zones and two hardware aggregates, cmp-2 also in rack-2:
 * without a scope a consolidation packs them onto the big cmp-1 and cmp-4.
 *   az-1 / gen-a: cmp-1 (big), cmp-2 (rack-2), cmp-3     az-2 / gen-b: cmp-4 (big), cmp-5
 */
function cloud(policy: Partial<Policy>): SnapshotBuilder {
  const big = { vcpus: 64, memory_mb: 131072 };
  return snapshot().policy({ goal: 'consolidate', ...policy })
    .host('cmp-1', { ...big, availability_zone: 'az-1', aggregates: ['gen-a'] })
    .host('cmp-2', { availability_zone: 'az-1', aggregates: ['gen-a', 'rack-2'] })
    .host('cmp-3', { availability_zone: 'az-1', aggregates: ['gen-a'] })
    .host('cmp-4', { ...big, availability_zone: 'az-2', aggregates: ['gen-b'] })
    .host('cmp-5', { availability_zone: 'az-2', aggregates: ['gen-b'] })
    .server('web-1', { on: 'cmp-1' })
    .server('web-2', { on: 'cmp-2' })
    .server('billing-db', { on: 'cmp-2', name: 'billing-db-0', project_id: 'billing' })
    .server('web-3', { on: 'cmp-3' })
    .server('billing-app', { on: 'cmp-3', metadata: { project: 'billing' } })
    .server('web-4', { on: 'cmp-4' })
    .server('web-5', { on: 'cmp-5' })
    .server('batch-5', { on: 'cmp-5' });
}

/** Hosts and servers the scope leaves alone, as the planner's own rule computes them. */
function outside(cluster: Snapshot, scope: Scope): { hosts: Set<string>; servers: Set<string> } {
  const hosts = new Set(cluster.hosts.filter((host) => hostOutsideScope(scope, host) !== null).map((host) => host.name));
  const servers = new Set(cluster.servers.filter((server) => hosts.has(server.host) || serverExcludedByScope(scope, server) !== null).map((server) => server.id));
  return { hosts, servers };
}

/** No server outside the scope moves; no host outside it receives, is disabled or powered off. */
function assertRespectsScope(cluster: Snapshot, plan: PlanDocument, scope: Scope): void {
  const out = outside(cluster, scope);
  for (const move of migrations(plan)) {
    assert.ok(!out.servers.has(move.server), `${move.server} is outside the scope but moves (${move.source} -> ${move.destination})`);
    assert.ok(!out.hosts.has(move.destination), `${move.server} moves to ${move.destination}, a host outside the scope`);
  }
  for (const host of [...hostsWith(plan, 'disable_compute'), ...hostsWith(plan, 'power_off')]) {
    assert.ok(!out.hosts.has(host), `${host} is outside the scope but the plan puts it into maintenance`);
  }
}

function scoped(scope: Scope, policy: Partial<Policy> = {}): { cluster: Snapshot; plan: PlanDocument } {
  const cluster = cloud({ ...policy, scope }).build();
  const plan = planFor(cluster);
  assertRespectsScope(cluster, plan, scope);
  const result = score(scopedForScorer(cluster), plan);
  assert.ok(result.valid, `score.mjs rejects the plan: ${JSON.stringify(result.error)}`);
  return { cluster, plan };
}

describe('scope', () => {
  describe('consolidate', () => {
    it('without a scope, servers of both zones move (the scopes below change that)', () => {
      const { plan } = checkedPlan(cloud({}).build());
      const sources = new Set(migrations(plan).map((move) => move.source));
      assert.ok(sources.has('cmp-5') && (sources.has('cmp-2') || sources.has('cmp-3')), `moves from ${[...sources].join(', ')}`);
    });

    // Light servers: each scope's hosts fit on one of them, so all but one of its active hosts are freed.
    const cases: { behaviour: string; scope: Scope; freed: number }[] = [
      { behaviour: 'limited to an availability zone, it empties hosts of that zone only', scope: { availability_zones: ['az-1'] }, freed: 2 },
      { behaviour: 'limited to an aggregate, it empties hosts of that aggregate only', scope: { aggregates: ['gen-b'] }, freed: 1 },
      { behaviour: 'limited to named hosts, it moves between them only', scope: { hosts: ['cmp-1', 'cmp-3'] }, freed: 1 },
      { behaviour: 'zones, aggregates and hosts add up (a host named by any list is in)', scope: { availability_zones: ['az-2'], hosts: ['cmp-3'] }, freed: 2 },
      { behaviour: 'an excluded host neither receives nor is emptied', scope: { exclude: { hosts: ['cmp-1', 'cmp-4'] } }, freed: 2 },
      { behaviour: 'an excluded aggregate takes its hosts out of the scope', scope: { availability_zones: ['az-1'], exclude: { aggregates: ['rack-2'] } }, freed: 1 },
    ];
    for (const { behaviour, scope, freed } of cases) {
      it(behaviour, () => {
        const { plan } = scoped(scope);
        assert.equal(hostsWith(plan, 'disable_compute').length, freed, `disabled: ${hostsWith(plan, 'disable_compute').join(', ')}`);
      });
    }

    it('servers of an excluded project never move (Nova\'s project_id, or metadata.project), and their hosts stay on', () => {
      const { plan } = scoped({ exclude: { projects: ['billing'] } });
      const moved = movedServers(plan);
      assert.ok(!moved.includes('billing-db') && !moved.includes('billing-app'), `moved: ${moved.join(', ')}`);
      assert.ok(moved.length > 0, 'the rest of the cloud is still consolidated');
      assert.deepEqual(hostsWith(plan, 'disable_compute').filter((host) => host === 'cmp-2' || host === 'cmp-3'), []);
    });

    it('servers excluded by id or by name never move', () => {
      for (const name of ['billing-db', 'billing-db-0']) {
        const { plan } = scoped({ availability_zones: ['az-1'], exclude: { servers: [name, 'web-3'] } });
        assert.deepEqual(movedServers(plan).filter((server) => server === 'billing-db' || server === 'web-3'), []);
      }
    });

    it('hosts outside the scope are not explained as blocked: they are simply not part of the plan', () => {
      const { plan } = scoped({ availability_zones: ['az-1'] });
      assert.deepEqual(plan.meta.blocked.filter((entry) => entry.host === 'cmp-4' || entry.host === 'cmp-5'), []);
    });

    it('an empty host outside the scope is not put into maintenance (one inside is)', () => {
      const withIdle = (scope?: Scope) => cloud(scope ? { scope } : {})
        .host('cmp-6', { availability_zone: 'az-2', aggregates: ['gen-b'] })
        .host('cmp-7', { availability_zone: 'az-1', aggregates: ['gen-a'] })
        .build();
      const unscoped = planFor(withIdle());
      assert.ok(hostsWith(unscoped, 'disable_compute').includes('cmp-6'), 'without a scope the idle host is disabled too');
      const scope: Scope = { availability_zones: ['az-1'] };
      const cluster = withIdle(scope);
      const plan = planFor(cluster);
      assertRespectsScope(cluster, plan, scope);
      assert.ok(hostsWith(plan, 'disable_compute').includes('cmp-7'));
    });

    it('metrics stay cloud-wide: every active host counts, in scope or not', () => {
      const { plan } = scoped({ availability_zones: ['az-1'] });
      assert.equal(plan.meta.metrics.active_hosts_before, 5);
      assert.equal(plan.meta.metrics.active_hosts_after, 3);
    });

    it('N+k counts the hosts in scope only: hosts outside it neither fail nor take servers', () => {
      // cmp-4 holds more than the whole of az-1 could take: cloud-wide, N+1 holds with no plan at all.
      const build = (scope?: Scope) => snapshot().policy({ goal: 'consolidate', spare_capacity_hosts: 1, ...(scope ? { scope } : {}) })
        .hosts(['cmp-1', 'cmp-2', 'cmp-3'], { availability_zone: 'az-1' })
        .host('cmp-4', { vcpus: 256, memory_mb: 1048576, availability_zone: 'az-2' })
        .servers(['a-1', 'a-2'], { on: 'cmp-1', flavor: { memory_mb: 8192 } })
        .servers(['b-1', 'b-2'], { on: 'cmp-2', flavor: { memory_mb: 8192 } })
        .servers(['c-1'], { on: 'cmp-3', flavor: { memory_mb: 8192 } })
        .servers(['d-1', 'd-2', 'd-3', 'd-4'], { on: 'cmp-4', flavor: { memory_mb: 196608, vcpus: 16 } })
        .build();
      const { plan } = checkedPlan(build({ availability_zones: ['az-1'] }));
      // 5 servers of 8 GiB on three 64 GiB hosts: one host holds them all, a second stays for N+1.
      const disabled = hostsWith(plan, 'disable_compute');
      assert.equal(disabled.length, 1, `disabled: ${disabled.join(', ')}`);
      assert.ok(!disabled.includes('cmp-4'));
      assert.deepEqual(migrations(plan).filter((move) => move.destination === 'cmp-4'), []);
    });
  });

  describe('drain', () => {
    it('a drained host\'s server outside the scope stays, blocked as out_of_scope; the others leave to hosts in scope', () => {
      const scope: Scope = { availability_zones: ['az-1'], exclude: { projects: ['billing'] } };
      const { plan } = scoped(scope, { goal: 'drain', drain_hosts: ['cmp-2'] });
      assert.deepEqual(movedServers(plan), ['web-2']);
      assert.equal(blockedBy(plan)['billing-db'], 'out_of_scope');
      assert.match(plan.meta.blocked.find((entry) => entry.server === 'billing-db')!.detail, /project billing is excluded/);
      assert.deepEqual(hostsWith(plan, 'disable_compute'), []);
    });

    it('a drain host outside the scope is left as it is, each of its servers blocked as out_of_scope', () => {
      const { plan } = scoped({ availability_zones: ['az-1'] }, { goal: 'drain', drain_hosts: ['cmp-5'] });
      assert.deepEqual(movedServers(plan), []);
      assert.deepEqual(blockedBy(plan), { 'web-5': 'out_of_scope', 'batch-5': 'out_of_scope' });
      assert.deepEqual(hostsWith(plan, 'disable_compute'), []);
    });
  });

  describe('balance', () => {
    /** cmp-2 (in az-1) and cmp-5 (in az-2) over max_host_cpu. */
    function hot(scope: Scope): Snapshot {
      return snapshot().policy({ goal: 'balance', max_host_cpu: 0.5, scope })
        .host('cmp-1', { availability_zone: 'az-1' })
        .host('cmp-2', { availability_zone: 'az-1' })
        .host('cmp-4', { availability_zone: 'az-2' })
        .host('cmp-5', { availability_zone: 'az-2' })
        .servers(['hot-2a', 'hot-2b'], { on: 'cmp-2', flavor: { vcpus: 8 }, usage: { cpu_cores: 10 } })
        .servers(['hot-5a', 'hot-5b'], { on: 'cmp-5', flavor: { vcpus: 8 }, usage: { cpu_cores: 10 } })
        .build();
    }

    it('relieves the hot host in scope onto hosts in scope, and leaves the one outside alone', () => {
      const scope: Scope = { availability_zones: ['az-1'] };
      const cluster = hot(scope);
      const plan = planFor(cluster);
      assertRespectsScope(cluster, plan, scope);
      assert.deepEqual(migrations(plan).map((move) => [move.source, move.destination]), [['cmp-2', 'cmp-1']]);
      assert.deepEqual(plan.meta.blocked, []);
      // The goal is met inside the scope; the metrics still count cmp-5, cloud-wide.
      assert.equal(plan.meta.status, 'complete');
      assert.equal(plan.meta.metrics.hosts_over_limits_after, 1);
    });

    it('a hot host in scope with no room left in the scope stays hot, and the plan says it is partial', () => {
      const scope: Scope = { hosts: ['cmp-2', 'cmp-5'] };
      const cluster = hot(scope);
      const plan = planFor(cluster);
      assertRespectsScope(cluster, plan, scope);
      assert.deepEqual(migrations(plan), []);
      assert.equal(plan.meta.status, 'partial');
      assert.ok(plan.meta.blocked.some((entry) => entry.host === 'cmp-2'), JSON.stringify(plan.meta.blocked));
    });
  });

  describe('reach_target', () => {
    it('a server whose target is outside the scope, or which is itself outside, is blocked as out_of_scope; the rest of the target is reached', () => {
      const scope: Scope = { exclude: { hosts: ['cmp-4'] } };
      const cluster = cloud({ goal: 'reach_target', partial_target: true, scope })
        .target({ 'web-2': 'cmp-3', 'web-3': 'cmp-4', 'web-4': 'cmp-5' })
        .build();
      const { plan } = checkedPlan(cluster);
      assertRespectsScope(cluster, plan, scope);
      assert.deepEqual(movedServers(plan), ['web-2']);
      assert.equal(blockedBy(plan)['web-3'], 'out_of_scope');
      assert.equal(blockedBy(plan)['web-4'], 'out_of_scope');
      assert.match(plan.meta.blocked.find((entry) => entry.server === 'web-3')!.detail, /target cmp-4: host cmp-4 is excluded/);
    });
  });

  describe('validation', () => {
    const issuesOf = (action: () => unknown): { path: string; message: string }[] => {
      try {
        action();
      } catch (error) {
        if (error instanceof ValidationError) return error.issues;
        throw error;
      }
      assert.fail('expected a ValidationError');
    };
    const planWith = (scope: unknown) => planFor(cloud({}).build(), { policy: { goal: 'consolidate', scope } as Policy });

    it('a host the snapshot does not have is named with its index and the fix', () => {
      const issues = issuesOf(() => planWith({ hosts: ['cmp-1', 'cmp-99'] }));
      assert.equal(issues[0].path, 'policy.scope.hosts[1]');
      assert.match(issues[0].message, /^"cmp-99" is not a host of the snapshot/);
    });

    it('unknown zones, aggregates and excluded hosts are named too', () => {
      const issues = issuesOf(() => planWith({ availability_zones: ['az-9'], aggregates: ['gen-z'], exclude: { hosts: ['cmp-0'], aggregates: ['rack-9'] } }));
      assert.deepEqual(issues.map((issue) => issue.path), ['policy.scope.availability_zones[0]', 'policy.scope.aggregates[0]', 'policy.scope.exclude.hosts[0]', 'policy.scope.exclude.aggregates[0]']);
      assert.match(issues[0].message, /its zones are az-1, az-2/);
    });

    it('a scope that leaves no host in is refused', () => {
      const issues = issuesOf(() => planWith({ availability_zones: ['az-1'], exclude: { aggregates: ['gen-a'] } }));
      assert.deepEqual(issues.map((issue) => issue.path), ['policy.scope']);
      assert.match(issues[0].message, /leaves no host/);
    });

    it('the schema refuses empty lists and unknown fields, naming them', () => {
      assert.match(issuesOf(() => validatePolicy({ goal: 'consolidate', scope: { hosts: [] } })).map((issue) => issue.path).join(), /policy\.scope\.hosts/);
      assert.match(issuesOf(() => validatePolicy({ goal: 'consolidate', scope: { exclude: { project: ['x'] } } })).map((issue) => issue.path).join(), /policy\.scope\.exclude/);
    });
  });

  describe('CLI options', () => {
    const parsed = (args: string[]) => withPolicyFieldOptions(new Command().exitOverride(), { file: false }).parse(args, { from: 'user' }).opts<PolicyFieldOptions>();

    it('--scope-* and --exclude-* (repeatable) fill policy.scope, a valid scope', () => {
      const document = policyDocumentFrom(parsed([
        '--goal', 'consolidate', '--scope-az', 'az-1', '--scope-az', 'az-2', '--scope-aggregate', 'gen-a', '--scope-host', 'cmp-9',
        '--exclude-host', 'cmp-1', '--exclude-aggregate', 'gpu', '--exclude-project', 'p-1', '--exclude-server', 'db-0', '--exclude-server', 'db-1',
      ]));
      assert.deepEqual(document.scope, {
        availability_zones: ['az-1', 'az-2'], aggregates: ['gen-a'], hosts: ['cmp-9'],
        exclude: { hosts: ['cmp-1'], aggregates: ['gpu'], projects: ['p-1'], servers: ['db-0', 'db-1'] },
      });
      assert.deepEqual(validatePolicy(document).scope, document.scope);
    });

    it('a list given as an option replaces the stored one; the others stay', () => {
      const base = { goal: 'consolidate', scope: { availability_zones: ['az-1'], exclude: { projects: ['p-1'], servers: ['db-0'] } } };
      const document = policyDocumentFrom(parsed(['--exclude-server', 'db-9']), base);
      assert.deepEqual(document.scope, { availability_zones: ['az-1'], exclude: { projects: ['p-1'], servers: ['db-9'] } });
    });
  });

  describe('property: random clusters, random scopes', function () {
    this.timeout(120_000);
    const GOALS = ['consolidate', 'balance', 'drain', 'reach_target'] as const;
    const PROJECTS = ['p-1', 'p-2', 'p-3'];

    /** The random cluster with projects and aggregates, and a scope drawn from what it has. */
    const scopedCluster = fc.constantFrom(...GOALS).chain((goal) => randomCluster(goal)).chain(({ snapshot: base }) => {
      const hostNames = base.hosts.map((host) => host.name);
      const serverIds = base.servers.map((server) => server.id);
      const some = <T>(values: T[]) => (values.length ? fc.option(fc.subarray(values, { minLength: 1 }), { nil: undefined }) : fc.constant(undefined));
      const scope: fc.Arbitrary<Scope> = fc.record({
        availability_zones: some(['az-1', 'az-2']),
        aggregates: some(['even', 'odd']),
        hosts: some(hostNames),
        exclude: fc.option(fc.record({
          hosts: some(hostNames), aggregates: some(['even', 'odd']), projects: some(PROJECTS), servers: some(serverIds),
        }, { requiredKeys: [] }), { nil: undefined }),
      }, { requiredKeys: [] });
      return fc.tuple(scope, fc.array(fc.constantFrom(...PROJECTS), { minLength: base.servers.length, maxLength: base.servers.length })).map(([drawn, projects]) => {
        const cluster = structuredClone(base);
        cluster.hosts.forEach((host, index) => { host.aggregates = [index % 2 ? 'odd' : 'even']; });
        cluster.servers.forEach((server, index) => { server.project_id = projects[index]; });
        // Only what the cluster has (the reader refuses unknown names), and at least one host in.
        const zones = new Set(cluster.hosts.map((host) => host.availability_zone));
        const aggregates = new Set(cluster.hosts.flatMap((host) => host.aggregates ?? []));
        const known = (names: string[] | undefined, set: Set<unknown>) => {
          const kept = names?.filter((name) => set.has(name));
          return kept?.length ? kept : undefined;
        };
        const withoutUndefined = (value: Scope) => JSON.parse(JSON.stringify(value)) as Scope;
        const scope = withoutUndefined({
          ...drawn,
          availability_zones: known(drawn.availability_zones, zones),
          aggregates: known(drawn.aggregates, aggregates),
          ...(drawn.exclude ? { exclude: { ...drawn.exclude, aggregates: known(drawn.exclude.aggregates, aggregates) } } : {}),
        });
        if (cluster.hosts.every((host) => hostOutsideScope(scope, host) !== null)) delete scope.exclude;
        cluster.policy = { ...(cluster.policy as object), partial_target: true, scope };
        return { cluster, scope };
      });
    }).filter(({ cluster, scope }) => cluster.hosts.some((host) => hostOutsideScope(scope, host) === null));

    it('every plan respects its scope and is valid', () => {
      fc.assert(fc.property(scopedCluster, ({ cluster, scope }) => {
        const plan = planFor(cluster);
        assertRespectsScope(cluster, plan, scope);
        const out = outside(cluster, scope);
        // Consolidation and relief leave hosts outside the scope out of the explanation too.
        const goal = (cluster.policy as Policy).goal;
        if (goal === 'consolidate' || goal === 'balance') {
          assert.deepEqual(plan.meta.blocked.filter((entry) => out.hosts.has(entry.host)), [], 'blocked entries on hosts outside the scope');
        }
        const result = score(scopedForScorer(cluster), plan);
        if (result.valid) return;
        // The scorer holds every host to the usage limits. A host outside the scope is not the
        // plan's to relieve; one inside may lack receivers the scope took away, and then the plan
        // must say that it is partial.
        const violations = (result.error as { violations?: { host: string }[] } | undefined)?.violations ?? [];
        assert.ok(result.error?.phase === 'final' && violations.length > 0, `score.mjs rejects the plan: ${JSON.stringify(result.error)}`);
        for (const { host } of violations) {
          if (!out.hosts.has(host)) assert.equal(plan.meta.status, 'partial', `${host} stays over its limits in a ${plan.meta.status} plan`);
        }
      }), { numRuns: 30, interruptAfterTimeLimit: 60_000 });
    });
  });

});
