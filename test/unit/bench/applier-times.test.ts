// The applier speed report's arithmetic on a hand-made plan times file: the run's median live
// migration, each plan's bound and ratio, and the verdict per plan kind against 1.3×.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyse, formatReport, main, median, parsePlanTimes } from '../../bench/applier-times.js';
import { PLAN_TIMES_FORMAT, type PlanTimesRecord } from '../../support/plan-times.js';

function plan(id: string, kind: string, fields: Partial<PlanTimesRecord>): PlanTimesRecord {
  const migrations = fields.migration_seconds ?? [];
  return {
    format: PLAN_TIMES_FORMAT, recorded_at: '2026-12-06T10:00:00.000Z', plan: id, kind, goal: kind === 'rebalance' ? 'reach_target' : kind,
    state: 'SUCCEEDED', policy: 'ad hoc', live_migrations: migrations.length, waves: 1, migrations_per_wave: migrations.length ? [migrations.length] : [],
    parallelism: 2, applier_max_parallel_migrations: 2, policy_max_parallel_migrations: null, max_per_source_host: 1, poll_interval_seconds: 2,
    wall_seconds: 0, migration_seconds: migrations, host_actions: [], ...fields,
  };
}

// Ten migrations over the run: sorted 4,4,4,4,5,5,6,6,6,8: median (5 + 5) / 2 = 5 s.
const RUN = [
  // 5 migrations, parallelism 2: bound ⌈5/2⌉ × 5 = 15 s; 18 s is 1.2×. In waves of 1, 1 and 3
  // migrations from different hosts, the waves alone need ⌈1/2⌉ + ⌈1/2⌉ + ⌈3/2⌉ = 4 rounds: 20 s.
  plan('consolidate-1', 'consolidate', { migration_seconds: [4, 4, 5, 5, 6], wall_seconds: 18, waves: 3, migrations_per_wave: [1, 1, 3], busiest_source_per_wave: [1, 1, 1] }),
  // 3 migrations, parallelism min(2, policy 1) = 1: bound 15 s; 30 s is 2×.
  plan('drain-1', 'drain', { migration_seconds: [6, 6, 8], wall_seconds: 30, parallelism: 1, policy_max_parallel_migrations: 1, busiest_source_per_wave: [3] }),
  // 2 migrations, parallelism 2: bound 5 s; 6 s is 1.2×. The drain kind's median ratio is 1.6×.
  // Both leave the same host, which sends one at a time: the shape allows 2 rounds, 10 s.
  plan('drain-2', 'drain', { migration_seconds: [4, 4], wall_seconds: 6, busiest_source_per_wave: [2] }),
  // A failed plan is listed, but not in its kind's verdict.
  plan('consolidate-failed', 'consolidate', { state: 'FAILED', migration_seconds: [], live_migrations: 0, wall_seconds: 160 }),
  plan('restore-1', 'restore', {
    wall_seconds: 42, waves: 1,
    host_actions: [
      { type: 'power_on', host: 'cmp-01', state: 'SUCCEEDED', seconds: 30 }, { type: 'power_on', host: 'cmp-02', state: 'SUCCEEDED', seconds: 40 },
      { type: 'enable_compute', host: 'cmp-01', state: 'SUCCEEDED', seconds: 1 },
    ],
  }),
];

describe('applier speed report (test/bench/applier-times.ts)', () => {
  const file = () => RUN.map((record) => JSON.stringify(record)).join('\n') + '\n';

  it('takes the median over an odd and an even number of values', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([10, 1, 3, 2]), 2.5);
    assert.equal(median([]), null);
  });

  it('takes the median live migration over every migration of the run, not per plan', () => {
    const times = analyse(parsePlanTimes(file(), 'hand-made'));
    assert.equal(times.migrations, 10);
    assert.equal(times.medianMigrationSeconds, 5);
  });

  it('bounds each plan by ⌈live migrations ÷ parallelism⌉ × the median and divides its wall time by it', () => {
    const plans = new Map(analyse(parsePlanTimes(file(), 'hand-made')).plans.map((result) => [result.record.plan, result]));
    assert.equal(plans.get('consolidate-1')!.bound, 15);
    assert.ok(Math.abs(plans.get('consolidate-1')!.ratio! - 1.2) < 1e-9);
    assert.equal(plans.get('drain-1')!.bound, 15);
    assert.equal(plans.get('drain-1')!.ratio, 2);
    assert.equal(plans.get('drain-2')!.bound, 5);
  });

  it('bounds each plan by its shape too: its waves one after the other, a source host\'s migrations one at a time', () => {
    const plans = new Map(analyse(parsePlanTimes(file(), 'hand-made')).plans.map((result) => [result.record.plan, result]));
    assert.equal(plans.get('consolidate-1')!.shapeBound, 20);
    assert.equal(plans.get('drain-1')!.shapeBound, 15);
    assert.equal(plans.get('drain-2')!.shapeBound, 10);
    assert.equal(analyse([{ ...RUN[2], max_per_source_host: 2 }, ...RUN.slice(0, 2)]).plans[0].shapeBound, 5, 'two at a time out of one host: one round');
  });

  it('divides each plan\'s wall time by its own moves too: ⌈live migrations ÷ parallelism⌉ × the plan\'s own median migration', () => {
    const times = analyse(parsePlanTimes(file(), 'hand-made'));
    const plans = new Map(times.plans.map((result) => [result.record.plan, result]));
    // consolidate-1: its own median is 5 s, as the run's: 18 ÷ 15. drain-1: 30 ÷ (3 × 6). drain-2: 6 ÷ (1 × 4).
    assert.ok(Math.abs(plans.get('consolidate-1')!.ownRatio! - 1.2) < 1e-9);
    assert.ok(Math.abs(plans.get('drain-1')!.ownRatio! - 30 / 18) < 1e-9);
    assert.equal(plans.get('drain-2')!.ownRatio, 1.5);
    assert.equal(plans.get('restore-1')!.ownRatio, null);
    assert.ok(Math.abs(times.kinds.find((kind) => kind.kind === 'drain')!.medianOwnRatio! - (30 / 18 + 1.5) / 2) < 1e-9);
  });

  it('reports a plan without live migrations with bound 0 and no ratio, and its host actions\' median times', () => {
    const times = analyse(parsePlanTimes(file(), 'hand-made'));
    const restore = times.plans.find((result) => result.record.plan === 'restore-1')!;
    assert.equal(restore.bound, 0);
    assert.equal(restore.ratio, null);
    const kind = times.kinds.find((entry) => entry.kind === 'restore')!;
    assert.equal(kind.verdict, 'n/a');
    assert.equal(kind.medianWallSeconds, 42);
    assert.deepEqual(kind.hostActionMedians, { enable_compute: 1, power_on: 35 });
  });

  it('flags a kind whose median ratio is over 1.3× and passes one within it; failed plans do not count', () => {
    const kinds = new Map(analyse(parsePlanTimes(file(), 'hand-made')).kinds.map((kind) => [kind.kind, kind]));
    assert.equal(kinds.get('consolidate')!.verdict, 'within');
    assert.equal(kinds.get('consolidate')!.plans, 2);
    assert.equal(kinds.get('consolidate')!.measured, 1);
    assert.equal(kinds.get('drain')!.verdict, 'OVER');
    assert.ok(Math.abs(kinds.get('drain')!.medianRatio! - 1.6) < 1e-9);
    assert.equal(kinds.get('drain')!.worstRatio, 2);
    assert.ok(!kinds.has('rebalance'), 'a kind without plans has no row');
  });

  it('leaves a plan resumed after its applier was killed out of the median and the verdict, and marks it', () => {
    // Its migration held the kill and the takeover: 40 s, and a wall time of 60 s for 1 migration.
    const killed = plan('drain-killed', 'drain', { migration_seconds: [40], wall_seconds: 60, resumptions: 1 });
    const times = analyse(parsePlanTimes([...RUN, killed].map((record) => JSON.stringify(record)).join('\n'), 'hand-made'));
    assert.equal(times.medianMigrationSeconds, 5);
    assert.equal(times.migrations, 10);
    const drain = times.kinds.find((kind) => kind.kind === 'drain')!;
    assert.equal(drain.plans, 3);
    assert.equal(drain.measured, 2);
    assert.ok(Math.abs(drain.medianRatio! - 1.6) < 1e-9);
    assert.match(formatReport(times, 'hand-made'), /SUCCEEDED \(resumed 1×\)/);
    assert.throws(() => parsePlanTimes(JSON.stringify({ ...killed, resumptions: -1 }), 'bad'), /resumptions: expected a whole number/);
  });

  it('prints one row per kind and one line per plan, with the verdict and the run it came from', () => {
    const text = formatReport(analyse(parsePlanTimes(file(), 'hand-made')), 'hand-made');
    assert.match(text, /hand-made: 5 plan\(s\) recorded 2026-12-06T10:00:00\.000Z/);
    assert.match(text, /Median live migration: 5\.0 s over 10 live migration\(s\)/);
    assert.match(text, /│ drain +│ 2 +│ 2 +│ 1\.60× +│ 2\.00× +│ OVER +│ 1\.58× /);
    assert.match(text, /│ drain-1 +│ drain .*│ 2\.00× over /);
    assert.match(text, /│ restore-\S* +│ restore .*│ n\/a .*power_on 35\.0 s/);
  });

  it('names the line and the field of a bad record', () => {
    assert.throws(() => parsePlanTimes(`${JSON.stringify(RUN[0])}\n{"format":"ulm-plan-times/1","plan":"x"}\n`, 'times.jsonl'), /times\.jsonl line 2: kind: expected a string/);
    assert.throws(() => parsePlanTimes('{"format":"other"}', 'times.jsonl'), /times\.jsonl line 1: format: expected "ulm-plan-times\/1"/);
    assert.throws(() => parsePlanTimes(JSON.stringify({ ...RUN[0], parallelism: 0 }), 'times.jsonl'), /line 1: parallelism: expected a number >= 1/);
  });

  it('says so, without failing, when no functional run was recorded; a bad file exits 2', () => {
    const directory = mkdtempSync(join(tmpdir(), 'ulm-applier-times-'));
    const printed: string[] = [];
    const { log, error } = console;
    console.log = (text: string) => printed.push(text);
    console.error = (text: string) => printed.push(text);
    try {
      assert.equal(main([join(directory, 'missing.jsonl')]), 0);
      assert.match(printed.join('\n'), /no functional run recorded/);
      writeFileSync(join(directory, 'bad.jsonl'), 'not json\n');
      assert.equal(main([join(directory, 'bad.jsonl')]), 2);
      assert.match(printed.join('\n'), /bad\.jsonl line 1: not JSON/);
    } finally {
      console.log = log;
      console.error = error;
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
