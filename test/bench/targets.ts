// Checks the planner's targets (validity, consolidation, drain, balance, replay, reach_target, speed) against scored runs.
import type { InstanceFacts } from './instances.js';
import { nPlusKFloor } from './n-plus-k-floor.js';
import type { InstanceRecord, PlannerName, PlannerRun, TargetCheck } from './results.js';

export const SPEED_LIMIT_SECONDS: Record<'L' | 'XL', number> = { L: 1, XL: 10 };
export const MEMORY_LIMIT_MIB = 1024;
/** XL has 5x the hosts and servers of L. */
export const SIZE_RATIO_XL_TO_L = 5;
/**
 * plan() does no I/O, so wall time well above CPU time means the process was waiting for a
 * CPU: the machine was busy with other work and the wall figure overstates the planner.
 */
export const DISTURBED_WALL_TO_CPU = 1.5;
/** reach_target: at most this many migrations per misplaced server (temporary moves included). */
export const REACH_TARGET_MIGRATION_FACTOR = 1.2;

const BASELINES: PlannerName[] = ['bfd', 'ulm-spec-naive'];

type RunIndex = (instance: string, planner: PlannerName) => PlannerRun | undefined;

function indexRuns(runs: PlannerRun[]): RunIndex {
  const byKey = new Map(runs.map((run) => [`${run.instance}\u0000${run.planner}`, run]));
  return (instance, planner) => byKey.get(`${instance}\u0000${planner}`);
}

/** Migrations per freed host; Infinity when moves freed nothing, null when nothing moved and nothing was freed. */
export function migrationsPerFreedHost(run: PlannerRun | undefined): number | null {
  const score = run?.score;
  if (!score?.valid || score.migrations === undefined || score.hosts_freed === undefined) return null;
  if (score.hosts_freed > 0) return score.migrations / score.hosts_freed;
  return score.migrations > 0 ? Infinity : null;
}

const fixed = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined ? '-' : Number.isFinite(value) ? value.toFixed(digits) : 'inf';

/** Why a run cannot be used as a valid plan, or null when it can. */
function unusable(run: PlannerRun | undefined): string | null {
  if (!run) return 'not run';
  if (run.status !== 'ok') return run.status === 'timeout' ? 'timeout' : `crashed: ${firstLine(run.error)}`;
  if (run.score_error) return `not scored: ${firstLine(run.score_error)}`;
  if (!run.score?.valid) return `invalid: ${run.score?.error?.reason ?? 'rejected'}`;
  return null;
}

const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0];

/** Baselines with a valid plan on this instance; the others are named with the reason they are left out. */
function comparableBaselines(index: RunIndex, instance: string): { valid: PlannerRun[]; skipped: string[] } {
  const valid: PlannerRun[] = [];
  const skipped: string[] = [];
  for (const baseline of BASELINES) {
    const run = index(instance, baseline);
    if (!run) continue;
    const reason = unusable(run);
    if (reason) skipped.push(`${baseline} ${reason} (not compared)`);
    else valid.push(run);
  }
  return { valid, skipped };
}

/** Whether the goal can be met at all, judged from the instance and the scorer's lower bound. */
function goalAttainable(record: InstanceRecord, lowerBound: number): { attainable: boolean; why?: string } {
  const facts = record.facts;
  if (facts.drain && facts.drain.unmigratable + facts.drain.held_by_affinity > 0) {
    return { attainable: false, why: `${facts.drain.unmigratable} unmigratable + ${facts.drain.held_by_affinity} affinity-held servers on drain hosts` };
  }
  if (lowerBound > facts.hosts_that_can_hold_servers) {
    return { attainable: false, why: `lower bound ${lowerBound} > ${facts.hosts_that_can_hold_servers} hosts that may hold servers` };
  }
  return { attainable: true };
}

/**
 * Why fewer migrations per freed host than `baselineRatio` cannot go with freeing at least
 * `hosts`, or null when the instance allows it. Every server on an emptied host moves, so n
 * freed hosts cost at least the n smallest host populations; their average only grows with n.
 */
export function ratioUnreachable(facts: InstanceFacts, hosts: number, baselineRatio: number): string | null {
  if (hosts <= 0 || hosts > facts.servers_on_emptiable_hosts.length) return null;
  let floor = 0;
  for (let index = 0; index < hosts; index++) floor += facts.servers_on_emptiable_hosts[index];
  if (floor / hosts < baselineRatio) return null;
  return `freeing the best baseline's ${hosts} hosts moves at least ${floor} servers (${fixed(floor / hosts)} per host), not fewer than ${fixed(baselineRatio)}`;
}

function verdict(passes: boolean[]): boolean | null {
  return passes.length === 0 ? null : passes.every(Boolean);
}

function countLine(passes: boolean[]): string {
  return `${passes.filter(Boolean).length}/${passes.length}`;
}

export function checkTargets(instances: InstanceRecord[], runs: PlannerRun[], baselinesRun: boolean): TargetCheck[] {
  const index = indexRuns(runs);
  const ulmRun = (record: InstanceRecord) => index(record.name, 'ulm');
  const checks: TargetCheck[] = [];

  // 1. Every ulm plan valid; goal met where the lower bound allows it.
  {
    const details: string[] = [];
    const validPasses: boolean[] = [];
    const goalPasses: boolean[] = [];
    let unattainable = 0;
    for (const record of instances) {
      const run = ulmRun(record);
      const reason = unusable(run);
      validPasses.push(reason === null);
      if (reason) { details.push(`FAIL ${record.name}: ${reason}`); continue; }
      const score = run!.score!;
      const { attainable, why } = goalAttainable(record, score.lower_bound_active_hosts);
      if (!attainable) unattainable++;
      const goalOk = score.goal_met === true || !attainable;
      goalPasses.push(goalOk);
      if (!goalOk) details.push(`FAIL ${record.name}: goal ${record.facts.goal} not met${goalDetail(run!)}`);
      else if (!attainable) details.push(`note ${record.name}: goal not attainable (${why}); goal_met ${score.goal_met}`);
    }
    checks.push({
      target: 'valid plans, goal met',
      pass: verdict([...validPasses, ...goalPasses]),
      summary: `ulm plans valid under score.mjs: ${countLine(validPasses)}; goal met where attainable: ${countLine(goalPasses)}${unattainable ? ` (${unattainable} not attainable)` : ''}`,
      details,
    });
  }

  // 2. Consolidation against the baselines.
  const consolidateInstances = instances.filter((record) => record.facts.goal === 'consolidate');
  if (!baselinesRun) {
    checks.push({ target: 'consolidate: hosts freed vs baselines', pass: null, summary: 'n/a (--no-baselines)', details: [] });
    checks.push({ target: 'consolidate: migrations per freed host', pass: null, summary: 'n/a (--no-baselines)', details: [] });
  } else {
    const freedDetails: string[] = [];
    const atLeastPasses: boolean[] = [];
    const strictPasses: boolean[] = [];
    const ratioDetails: string[] = [];
    const ratioPasses: boolean[] = [];
    let ratioUnreachableCount = 0;
    for (const record of consolidateInstances) {
      const run = ulmRun(record);
      const reason = unusable(run);
      const { valid: baselines, skipped } = comparableBaselines(index, record.name);
      const skippedNote = skipped.length ? `; ${skipped.join('; ')}` : '';
      if (reason) {
        atLeastPasses.push(false);
        ratioPasses.push(false);
        freedDetails.push(`FAIL ${record.name}: ulm ${reason}`);
        ratioDetails.push(`FAIL ${record.name}: ulm ${reason}`);
        continue;
      }
      const score = run!.score!;
      const freed = score.hosts_freed ?? 0;
      const bestBaseline = Math.max(0, ...baselines.map((baseline) => baseline.score!.hosts_freed ?? 0));
      const atLeast = freed >= bestBaseline;
      atLeastPasses.push(atLeast);
      const strictFailures: string[] = [];
      for (const baseline of baselines) {
        if ((baseline.score!.gap_to_lower_bound ?? 0) > 1) {
          const strict = freed > (baseline.score!.hosts_freed ?? 0);
          strictPasses.push(strict);
          if (!strict) strictFailures.push(baseline.planner);
        }
      }
      const figures = baselines.map((baseline) => `${baseline.planner} ${baseline.score!.hosts_freed} (gap ${baseline.score!.gap_to_lower_bound})`).join(', ');
      const ok = atLeast && strictFailures.length === 0;
      freedDetails.push(`${ok ? 'ok  ' : 'FAIL'} ${record.name}: ulm freed ${freed} (gap ${score.gap_to_lower_bound}) vs ${figures || 'no baseline'}`
        + `${atLeast ? '' : '; fewer than the best baseline'}${strictFailures.length ? `; not strictly more than ${strictFailures.join(', ')} (gap > 1)` : ''}${skippedNote}`);

      const ratio = migrationsPerFreedHost(run);
      const ratioFailures: string[] = [];
      for (const baseline of baselines) {
        const baselineRatio = migrationsPerFreedHost(baseline);
        // A baseline that moved nothing and freed nothing has no ratio: nothing to undercut.
        if (baselineRatio === null) continue;
        const fewer = ratio !== null && ratio < baselineRatio;
        if (!fewer) ratioFailures.push(`${baseline.planner} ${fixed(baselineRatio)}`);
      }
      const ratioFigures = baselines.map((baseline) => `${baseline.planner} ${fixed(migrationsPerFreedHost(baseline))}`).join(', ');
      // Both targets at once may be out of reach: then the instance is reported, not counted.
      const lowestRatio = Math.min(...baselines.map((baseline) => migrationsPerFreedHost(baseline) ?? Infinity));
      const unreachable = ratioFailures.length && Number.isFinite(lowestRatio) ? ratioUnreachable(record.facts, bestBaseline, lowestRatio) : null;
      if (unreachable) {
        ratioUnreachableCount++;
        ratioDetails.push(`n/a  ${record.name}: ulm ${fixed(ratio)} (${score.migrations} / ${freed}) vs ${ratioFigures}; out of reach: ${unreachable}${skippedNote}`);
        continue;
      }
      // ulm moving nothing and freeing nothing: no ratio; it fails only if a baseline did free hosts.
      ratioPasses.push(ratioFailures.length === 0);
      ratioDetails.push(`${ratioFailures.length ? 'FAIL' : 'ok  '} ${record.name}: ulm ${fixed(ratio)} (${score.migrations} / ${freed}) vs ${ratioFigures || 'no baseline'}`
        + `${ratioFailures.length ? `; not fewer than ${ratioFailures.join(', ')}` : ''}${skippedNote}`);
    }
    checks.push({
      target: 'consolidate: hosts freed vs baselines',
      pass: verdict([...atLeastPasses, ...strictPasses]),
      summary: `ulm frees >= the best baseline on ${countLine(atLeastPasses)} consolidate instances; strictly more than a baseline more than 1 host above the lower bound in ${countLine(strictPasses)} cases`,
      details: freedDetails,
    });
    checks.push({
      target: 'consolidate: migrations per freed host',
      pass: verdict(ratioPasses),
      summary: `ulm needs fewer migrations per freed host than every baseline on ${countLine(ratioPasses)} consolidate instances`
        + (ratioUnreachableCount ? `; ${ratioUnreachableCount} more where no plan freeing as many hosts as the best baseline can (n/a)` : ''),
      details: ratioDetails,
    });
  }
  {
    const gaps: { name: string; gap: number; bound: number }[] = [];
    for (const record of consolidateInstances) {
      const score = ulmRun(record)?.score;
      if (score?.valid && score.gap_to_lower_bound !== undefined) gaps.push({ name: record.name, gap: score.gap_to_lower_bound, bound: score.lower_bound_active_hosts });
    }
    const atBound = gaps.filter((entry) => entry.gap === 0).length;
    const worst = [...gaps].sort((a, b) => b.gap / Math.max(1, b.bound) - a.gap / Math.max(1, a.bound))[0];
    checks.push({
      target: 'consolidate: gap to lower bound (report)',
      pass: null,
      summary: gaps.length === 0 ? 'no valid ulm consolidate plan' : `ulm at the lower bound on ${atBound}/${gaps.length}; total gap ${gaps.reduce((sum, entry) => sum + entry.gap, 0)} hosts; largest relative gap ${worst.name}: ${worst.gap} over a bound of ${worst.bound} (${(100 * worst.gap / Math.max(1, worst.bound)).toFixed(1)}%)`,
      details: gaps.map((entry) => `${entry.name}: gap ${entry.gap} (lower bound ${entry.bound})`),
    });
  }

  // Issue 10's L and XL targets: the gap to the lower bound at least halved from the planner's
  // figures of 2026-12-05 (fragmented-L 60, heterogeneous-L 62, fragmented-XL 237,
  // heterogeneous-XL 314, anti-affinity-XL 27).
  {
    const limits: Record<string, number> = { 'fragmented-L': 30, 'heterogeneous-L': 31, 'fragmented-XL': 118, 'heterogeneous-XL': 157, 'anti-affinity-XL': 13 };
    const details: string[] = [];
    const passes: boolean[] = [];
    for (const [name, limit] of Object.entries(limits)) {
      const record = consolidateInstances.find((candidate) => candidate.name === name);
      if (!record) continue;
      const score = ulmRun(record)?.score;
      const gap = score?.valid ? score.gap_to_lower_bound : undefined;
      const ok = gap !== undefined && gap <= limit;
      passes.push(ok);
      details.push(`${ok ? 'ok  ' : 'FAIL'} ${name}: gap ${gap ?? 'n/a (no valid plan)'}, target <= ${limit}`);
    }
    if (passes.length) checks.push({ target: 'consolidate: L/XL gap halved', pass: verdict(passes), summary: `gap at most half the 2026-12-05 figure on ${countLine(passes)} L/XL instances`, details });
  }

  // The proven optimum (OPTIMUM.md): its active hosts on every instance that has one. Where
  // OPTIMUM.md leaves the policy's N+k out, the optimum is a lower bound only: reported, not held.
  {
    const details: string[] = [];
    const passes: boolean[] = [];
    for (const record of consolidateInstances) {
      const optimum = record.optimum;
      if (!optimum) continue;
      const run = ulmRun(record);
      const reason = unusable(run);
      const heldTo = !optimum.spare_capacity_not_modelled;
      if (reason) {
        if (heldTo) passes.push(false);
        details.push(`${heldTo ? 'FAIL' : 'info'} ${record.name}: ulm ${reason}`);
        continue;
      }
      const score = run!.score!;
      const active = score.active_hosts_after ?? NaN;
      const reached = active <= optimum.active_hosts;
      if (heldTo) passes.push(reached);
      const mark = !heldTo ? 'info' : reached ? 'ok  ' : 'FAIL';
      details.push(`${mark} ${record.name}: ulm ${active} active hosts, ${score.migrations} migrations; optimum ${optimum.active_hosts} active hosts, ${optimum.migrations} migrations (lower bound ${optimum.migrations_lower_bound})`
        + (heldTo ? '' : '; N+k not modelled in OPTIMUM.md: a lower bound only, not held'));
    }
    if (details.length) {
      checks.push({
        target: 'consolidate: proven optimum (OPTIMUM.md)',
        pass: verdict(passes),
        summary: `ulm reaches the optimum's active hosts on ${countLine(passes)} instances that have one (N+k instances reported only)`,
        details,
      });
    }
  }

  // 3. Drain: empties the drain hosts with exactly the moves it needs.
  {
    const details: string[] = [];
    const passes: boolean[] = [];
    for (const record of instances.filter((entry) => entry.facts.goal === 'drain')) {
      const run = ulmRun(record);
      const reason = unusable(run);
      if (reason) { passes.push(false); details.push(`FAIL ${record.name}: ulm ${reason}`); continue; }
      const drain = record.facts.drain!;
      const score = run!.score!;
      const left = score.drain?.servers_left_on_drain_hosts ?? NaN;
      const unmovable = drain.unmigratable + drain.held_by_affinity;
      const emptied = left <= unmovable;
      const exactMoves = score.migrations === drain.movable;
      passes.push(emptied && exactMoves);
      details.push(`${emptied && exactMoves ? 'ok  ' : 'FAIL'} ${record.name}: ${drain.hosts} drain hosts, ${drain.servers} servers on them (${drain.movable} movable, ${drain.unmigratable} unmigratable, ${drain.held_by_affinity} affinity-held); `
        + `left ${left}${emptied ? '' : ` > ${unmovable} unmovable`}; migrations ${score.migrations}${exactMoves ? ' = movable' : ` != ${drain.movable} movable`}`);
    }
    checks.push({ target: 'drain', pass: verdict(passes), summary: `drain hosts emptied (but for unmovable servers) with migrations = movable servers on ${countLine(passes)} drain instances`, details });
  }

  // 4. Balance: every host under the limits, with fewer migrations than the baselines.
  {
    const details: string[] = [];
    const passes: boolean[] = [];
    let ties = 0;
    let unbeatable = 0;
    for (const record of instances.filter((entry) => entry.facts.goal === 'balance')) {
      const run = ulmRun(record);
      const reason = unusable(run);
      if (reason) { passes.push(false); details.push(`FAIL ${record.name}: ulm ${reason}`); continue; }
      const migrations = run!.score!.migrations ?? 0;
      const floor = record.facts.balance_migration_floor;
      const comparisons: string[] = [];
      let ok = true;
      let equal = false;
      let atFloor = false;
      for (const baseline of BASELINES) {
        const baselineRun = index(record.name, baseline);
        if (!baselineRun) continue;
        const baselineReason = unusable(baselineRun);
        if (baselineReason) { comparisons.push(`${baseline} ${baselineReason.split(':')[0]} (ulm valid)`); continue; }
        const theirs = baselineRun.score!.migrations ?? 0;
        if (migrations < theirs) comparisons.push(`${baseline} ${theirs}`);
        else if (migrations === theirs && theirs === floor) {
          // Both at the floor: no valid plan moves fewer, so there is nothing to undercut.
          atFloor = true;
          comparisons.push(`${baseline} ${theirs} (EQUAL, both at the floor)`);
        } else {
          // "Fewer" is the criterion, so a tie above the floor fails.
          ok = false;
          if (migrations === theirs) equal = true;
          comparisons.push(migrations === theirs ? `${baseline} ${theirs} (EQUAL)` : `${baseline} ${theirs} (fewer than ulm)`);
        }
      }
      const floorNote = floor === null ? '' : `; floor ${floor} (servers the hosts over the limits must shed, largest first)`;
      if (ok && atFloor) {
        unbeatable++;
        details.push(`n/a  ${record.name}: valid, ulm ${migrations} migrations vs ${comparisons.join(', ')}${floorNote}`);
        continue;
      }
      passes.push(ok);
      if (equal) ties++;
      details.push(`${ok ? 'ok  ' : 'FAIL'} ${record.name}: valid, ulm ${migrations} migrations vs ${comparisons.join(', ') || 'no baseline'}${floorNote}`);
    }
    const unbeatableNote = unbeatable ? `; ${unbeatable} more where ulm and a baseline both move the fewest servers any valid plan can (n/a)` : '';
    checks.push({ target: 'balance', pass: baselinesRun ? verdict(passes) : null, summary: `valid with fewer migrations than every valid baseline on ${countLine(passes)} balance instances${ties ? `; equal to a baseline on ${ties}` : ''}${unbeatableNote}${baselinesRun ? '' : ' (n/a: --no-baselines; validity is in the first target)'}`, details });
  }

  // 5. Replay: no overload steps introduced.
  {
    const details: string[] = [];
    const passes: boolean[] = [];
    for (const record of instances.filter((entry) => entry.facts.has_series)) {
      const run = ulmRun(record);
      const reason = unusable(run);
      if (reason) { passes.push(false); details.push(`FAIL ${record.name}: ulm ${reason}`); continue; }
      const score = run!.score!;
      const before = score.replay?.overload_steps_before ?? NaN;
      const after = score.overload_steps ?? NaN;
      const ok = after <= before;
      passes.push(ok);
      details.push(`${ok ? 'ok  ' : 'FAIL'} ${record.name}: overload_steps ${after} after vs ${before} in the initial placement`);
    }
    checks.push({ target: 'replay', pass: verdict(passes), summary: `no overload steps introduced on ${countLine(passes)} instances with series`, details });
  }

  // 6. reach_target: goal met with few migrations beyond the misplaced servers.
  {
    const details: string[] = [];
    const passes: boolean[] = [];
    for (const record of instances.filter((entry) => entry.facts.goal === 'reach_target')) {
      const run = ulmRun(record);
      const reason = unusable(run);
      if (reason) { passes.push(false); details.push(`FAIL ${record.name}: ulm ${reason}`); continue; }
      const score = run!.score!;
      const misplaced = record.facts.misplaced ?? 0;
      const limit = REACH_TARGET_MIGRATION_FACTOR * misplaced;
      const migrations = score.migrations ?? 0;
      const ok = score.goal_met === true && migrations <= limit;
      passes.push(ok);
      details.push(`${ok ? 'ok  ' : 'FAIL'} ${record.name}: goal met ${score.goal_met}${score.target ? ` (${score.target.servers_not_on_target} not on target)` : ''}; migrations ${migrations} vs ${misplaced} misplaced (${(migrations / Math.max(1, misplaced)).toFixed(3)}x, limit ${REACH_TARGET_MIGRATION_FACTOR}x = ${limit.toFixed(1)})`);
    }
    checks.push({ target: 'reach_target', pass: verdict(passes), summary: `goal met with migrations <= ${REACH_TARGET_MIGRATION_FACTOR} x misplaced on ${countLine(passes)} reach_target instances`, details });
  }

  // 7. Speed and memory on the large sizes, and how time grows from L to XL.
  for (const size of ['L', 'XL'] as const) {
    const details: string[] = [];
    const passes: boolean[] = [];
    const limit = SPEED_LIMIT_SECONDS[size];
    let disturbedRuns = 0;
    for (const record of instances.filter((entry) => entry.size === size)) {
      const run = ulmRun(record);
      if (!run || run.status !== 'ok') { passes.push(false); details.push(`FAIL ${record.name}: ${run ? run.status : 'not run'}${run?.error ? `: ${firstLine(run.error)}` : ''}`); continue; }
      const fast = (run.plan_seconds ?? Infinity) <= limit;
      const small = (run.peak_rss_mib ?? Infinity) < MEMORY_LIMIT_MIB;
      const disturbed = (run.plan_seconds ?? 0) > DISTURBED_WALL_TO_CPU * (run.plan_cpu_seconds ?? Infinity);
      if (disturbed) disturbedRuns++;
      passes.push(fast && small);
      details.push(`${fast && small ? 'ok  ' : 'FAIL'} ${record.name}: plan ${fixed(run.plan_seconds, 3)} s${fast ? '' : ` > ${limit} s`} (cpu ${fixed(run.plan_cpu_seconds, 3)} s, load ${fixed(run.load_average_1m, 1)}${disturbed ? ', DISTURBED: wall > 1.5x cpu' : ''}), peak ${fixed(run.peak_rss_mib, 0)} MiB${small ? '' : ` >= ${MEMORY_LIMIT_MIB} MiB`}${run.rss_before_plan_mib === undefined ? '' : ` (${fixed(run.rss_before_plan_mib, 0)} MiB before plan())`} (read+validate ${fixed(run.read_seconds, 3)} s, total ${fixed(run.total_seconds, 3)} s)`);
    }
    checks.push({
      target: `speed ${size}`,
      pass: verdict(passes),
      summary: `${size} planned in <= ${limit} s (plan seconds) under ${MEMORY_LIMIT_MIB} MiB peak on ${countLine(passes)} instances${disturbedRuns ? `; ${disturbedRuns} run(s) disturbed by other load (wall > ${DISTURBED_WALL_TO_CPU}x cpu): rerun on a quiet machine or with --repeat` : ''}`,
      details,
    });
  }
  {
    const details: string[] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const families = [...new Set(instances.filter((record) => record.size === 'XL').map((record) => record.family))];
    for (const family of families) {
      const large = ulmRun({ name: `${family}-L` } as InstanceRecord);
      const extraLarge = ulmRun({ name: `${family}-XL` } as InstanceRecord);
      if (large?.status !== 'ok' || extraLarge?.status !== 'ok' || !large.plan_seconds || !extraLarge.plan_seconds) continue;
      const ratio = extraLarge.plan_seconds / large.plan_seconds;
      ratios.push(ratio);
      // exponent k in time ~ size^k: 1 linear, 2 quadratic.
      const exponent = Math.log(ratio) / Math.log(SIZE_RATIO_XL_TO_L);
      // The same ratio in CPU seconds: steadier than wall time when the machine is shared.
      const cpuRatio = large.plan_cpu_seconds && extraLarge.plan_cpu_seconds ? extraLarge.plan_cpu_seconds / large.plan_cpu_seconds : null;
      if (cpuRatio !== null) cpuRatios.push(cpuRatio);
      details.push(`${family}: L ${fixed(large.plan_seconds, 3)} s -> XL ${fixed(extraLarge.plan_seconds, 3)} s = ${ratio.toFixed(1)}x for ${SIZE_RATIO_XL_TO_L}x the size (time ~ size^${exponent.toFixed(2)})`
        + `${cpuRatio === null ? '' : `; cpu ${fixed(large.plan_cpu_seconds, 3)} s -> ${fixed(extraLarge.plan_cpu_seconds, 3)} s = ${cpuRatio.toFixed(1)}x (size^${(Math.log(cpuRatio) / Math.log(SIZE_RATIO_XL_TO_L)).toFixed(2)})`}`);
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    const median = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
    const sortedCpu = [...cpuRatios].sort((a, b) => a - b);
    const medianCpu = sortedCpu.length ? sortedCpu[Math.floor((sortedCpu.length - 1) / 2)] : null;
    checks.push({
      target: 'growth L -> XL (report)',
      pass: null,
      summary: median === null ? 'n/a (needs both L and XL runs)' : `plan time XL/L: median ${median.toFixed(1)}x, range ${sorted[0].toFixed(1)}x-${sorted[sorted.length - 1].toFixed(1)}x, for ${SIZE_RATIO_XL_TO_L}x the hosts and servers (median exponent ${(Math.log(median) / Math.log(SIZE_RATIO_XL_TO_L)).toFixed(2)}; 1 = linear)${medianCpu === null ? '' : `; in CPU seconds: median ${medianCpu.toFixed(1)}x, range ${sortedCpu[0].toFixed(1)}x-${sortedCpu[sortedCpu.length - 1].toFixed(1)}x (exponent ${(Math.log(medianCpu) / Math.log(SIZE_RATIO_XL_TO_L)).toFixed(2)})`}`,
      details,
    });
  }
  // N+k floor: on instances with spare_capacity_hosts, ulm frees at least as many hosts as any
  // baseline cut at its last N+k-safe wave (bench.ts computes the cuts with score.mjs).
  {
    const details: string[] = [];
    const passes: boolean[] = [];
    for (const record of instances) {
      const cuts = BASELINES.map((planner) => ({ planner, run: index(record.name, planner) })).filter(({ run }) => run?.n_plus_k_cut !== undefined);
      if (!cuts.length) continue;
      const run = ulmRun(record);
      const floor = nPlusKFloor(cuts.map(({ run }) => run!.n_plus_k_cut));
      const freed = run?.score?.valid ? run.score.hosts_freed ?? 0 : null;
      const pass = freed !== null && run!.score!.n_plus_k_ok === true && (floor === null || freed >= floor);
      passes.push(pass);
      const described = cuts.map(({ planner, run: baseline }) => {
        const cut = baseline!.n_plus_k_cut;
        if (!cut) return `${planner}: no N+k-safe cut`;
        return `${planner} ${cut.cut_before_wave === null ? `whole plan (${cut.waves_in_plan} waves)` : `cut before wave ${cut.cut_before_wave} (${cut.waves_kept} of ${cut.waves_in_plan} waves)`}: ${cut.hosts_freed} freed, ${cut.migrations} migrations`;
      }).join('; ');
      details.push(`${pass ? 'ok  ' : 'FAIL'} ${record.name}: ulm frees ${freed ?? 'no valid plan'}${run?.score?.valid && run.score.n_plus_k_ok !== true ? ' (N+k NOT met)' : ''}, floor ${floor ?? 'none'} (${described})`);
    }
    checks.push({
      target: 'N+k floor',
      pass: passes.length ? verdict(passes) : null,
      summary: passes.length ? `ulm keeps N+k and frees at least the hosts of every baseline cut at its last N+k-safe wave on ${countLine(passes)} instances with spare_capacity_hosts` : 'n/a (no instance with spare_capacity_hosts and baselines run)',
      details,
    });
  }
  return checks;
}

function goalDetail(run: PlannerRun): string {
  const score = run.score!;
  if (score.drain) return ` (${score.drain.servers_left_on_drain_hosts} servers left on drain hosts)`;
  if (score.target) return ` (${score.target.servers_not_on_target} servers not on target)`;
  return '';
}
