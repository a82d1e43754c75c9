// The applier's speed on the real cloud: each plan the functional tier ran, its wall time against
// ⌈live migrations ÷ parallelism⌉ × the run's median live migration, per plan kind (issue 9).
// Run: npx tsx test/bench/applier-times.ts [FILE]   (default: ULM_PLAN_TIMES_FILE or the temp dir's)
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import Table from 'cli-table3';
import { PLAN_KINDS, PLAN_TIMES_FORMAT, planTimesFile, type PlanTimesRecord } from '../support/plan-times.js';

/** Wall time may be this many times the bound (issue 9). */
export const TARGET_RATIO = 1.3;

/** Plans that ran to their end without a failure: the ones the verdict counts. */
const COUNTED_STATES = new Set(['SUCCEEDED', 'PARTIAL']);

export interface PlanResult {
  record: PlanTimesRecord;
  /** ⌈live migrations ÷ parallelism⌉ × the run's median live migration; 0 without migrations. */
  bound: number;
  /**
   * What the plan's shape allows: Σ over waves of max(⌈migrations of the wave ÷ parallelism⌉,
   * ⌈most of them out of one host ÷ max_per_source_host⌉) × median. A wave waits for its
   * slowest migration, and a host sends one migration at a time unless Nova is set otherwise.
   */
  shapeBound: number;
  /** wall ÷ bound; null when the bound is 0. */
  ratio: number | null;
  /**
   * wall ÷ (⌈live migrations ÷ parallelism⌉ × the plan's own median migration): what the applier
   * adds around the plan's moves, apart from how fast Nova moved servers in that minute.
   */
  ownRatio: number | null;
}

export interface KindResult {
  kind: string;
  plans: number;
  /** Of them, SUCCEEDED (or PARTIAL) plans with live migrations: the ones the verdict counts. */
  measured: number;
  medianRatio: number | null;
  worstRatio: number | null;
  /** Median of the measured plans' ratios to their own moves. */
  medianOwnRatio: number | null;
  verdict: 'within' | 'OVER' | 'n/a';
  medianWallSeconds: number;
  /** Median duration of each kind of host action its plans ran (power_on, enable_compute, ...). */
  hostActionMedians: Record<string, number>;
}

export interface ApplierTimes {
  /** Over every succeeded live migration of the run; null when there was none. */
  medianMigrationSeconds: number | null;
  migrations: number;
  plans: PlanResult[];
  kinds: KindResult[];
  firstRecordedAt: string | null;
  lastRecordedAt: string | null;
}

export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isSeconds = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** The records of a plan times file; a line that is not one names the line, the field and what is expected. */
export function parsePlanTimes(text: string, source: string): PlanTimesRecord[] {
  const records: PlanTimesRecord[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    const where = `${source} line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: not JSON (${(error as Error).message}); each line is one ${PLAN_TIMES_FORMAT} record`, { cause: error });
    }
    if (!isObject(value) || value.format !== PLAN_TIMES_FORMAT) throw new Error(`${where}: format: expected "${PLAN_TIMES_FORMAT}"; the file is written by test/support/plan-times.ts`);
    for (const field of ['plan', 'kind', 'state', 'recorded_at'] as const) {
      if (typeof value[field] !== 'string') throw new Error(`${where}: ${field}: expected a string, got ${JSON.stringify(value[field])}`);
    }
    for (const field of ['wall_seconds', 'live_migrations', 'waves'] as const) {
      if (!isSeconds(value[field])) throw new Error(`${where}: ${field}: expected a number >= 0, got ${JSON.stringify(value[field])}`);
    }
    for (const field of ['parallelism', 'max_per_source_host'] as const) {
      if (!(typeof value[field] === 'number' && value[field] >= 1)) throw new Error(`${where}: ${field}: expected a number >= 1, got ${JSON.stringify(value[field])}`);
    }
    if (!Array.isArray(value.migration_seconds) || !value.migration_seconds.every(isSeconds)) throw new Error(`${where}: migration_seconds: expected an array of seconds`);
    if (!Array.isArray(value.migrations_per_wave) || !value.migrations_per_wave.every(isSeconds)) throw new Error(`${where}: migrations_per_wave: expected an array of counts`);
    if (value.idle_seconds !== undefined && !isSeconds(value.idle_seconds)) throw new Error(`${where}: idle_seconds: expected a number >= 0, got ${JSON.stringify(value.idle_seconds)}`);
    if (value.resumptions !== undefined && !(Number.isInteger(value.resumptions) && (value.resumptions as number) >= 0)) throw new Error(`${where}: resumptions: expected a whole number >= 0, got ${JSON.stringify(value.resumptions)}`);
    if (value.busiest_source_per_wave !== undefined && !(Array.isArray(value.busiest_source_per_wave) && value.busiest_source_per_wave.every(isSeconds))) {
      throw new Error(`${where}: busiest_source_per_wave: expected an array of counts`);
    }
    if (!Array.isArray(value.host_actions) || !value.host_actions.every((action) => isObject(action) && typeof action.type === 'string' && isSeconds(action.seconds))) {
      throw new Error(`${where}: host_actions: expected an array of { type, seconds }`);
    }
    records.push(value as unknown as PlanTimesRecord);
  });
  return records;
}

function hostActionMedians(records: readonly PlanTimesRecord[]): Record<string, number> {
  const byType = new Map<string, number[]>();
  for (const action of records.flatMap((record) => record.host_actions)) {
    if (action.state !== 'SUCCEEDED') continue;
    byType.set(action.type, [...(byType.get(action.type) ?? []), action.seconds]);
  }
  return Object.fromEntries([...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, values]) => [type, median(values)!]));
}

/** The report's figures: bounds, ratios and the verdict per kind (on plans that ended without a failure, with migrations). */
/** A plan an applier resumed after the one running it was killed: its times hold the kill and the takeover. */
const resumed = (record: PlanTimesRecord) => (record.resumptions ?? 0) > 0;

export function analyse(records: readonly PlanTimesRecord[], target = TARGET_RATIO): ApplierTimes {
  const all = records.filter((record) => !resumed(record)).flatMap((record) => record.migration_seconds);
  const medianMigration = median(all);
  const plans = records.map((record): PlanResult => {
    const unit = medianMigration ?? 0;
    const bound = Math.ceil(record.live_migrations / record.parallelism) * unit;
    const perHost = record.max_per_source_host;
    const shapeBound = record.migrations_per_wave.reduce((sum, count, index) => {
      const busiest = record.busiest_source_per_wave?.[index] ?? 0;
      return sum + Math.max(Math.ceil(count / record.parallelism), Math.ceil(busiest / perHost)) * unit;
    }, 0);
    const ownBound = Math.ceil(record.live_migrations / record.parallelism) * (median(record.migration_seconds) ?? 0);
    return { record, bound, shapeBound, ratio: bound > 0 ? record.wall_seconds / bound : null, ownRatio: ownBound > 0 ? record.wall_seconds / ownBound : null };
  });
  const kinds = [...new Set([...PLAN_KINDS, ...records.map((record) => record.kind)])]
    .map((kind): KindResult | null => {
      const ofKind = plans.filter((plan) => plan.record.kind === kind);
      if (!ofKind.length) return null;
      const measured = ofKind.filter((plan) => COUNTED_STATES.has(plan.record.state) && !resumed(plan.record) && plan.ratio !== null);
      const ratios = measured.map((plan) => plan.ratio!);
      const medianRatio = median(ratios);
      return {
        kind, plans: ofKind.length, measured: ratios.length, medianRatio, worstRatio: ratios.length ? Math.max(...ratios) : null,
        medianOwnRatio: median(measured.flatMap((plan) => plan.ownRatio ?? [])),
        verdict: medianRatio === null ? 'n/a' : medianRatio <= target ? 'within' : 'OVER',
        medianWallSeconds: median(ofKind.map((plan) => plan.record.wall_seconds))!,
        hostActionMedians: hostActionMedians(ofKind.map((plan) => plan.record)),
      };
    })
    .filter((kind): kind is KindResult => kind !== null);
  const recorded = records.map((record) => record.recorded_at).sort();
  return { medianMigrationSeconds: medianMigration, migrations: all.length, plans, kinds, firstRecordedAt: recorded[0] ?? null, lastRecordedAt: recorded.at(-1) ?? null };
}

const secondsText = (value: number | null) => value === null ? 'n/a' : value.toFixed(1);
const ratioText = (value: number | null) => value === null ? 'n/a' : `${value.toFixed(2)}×`;
// One line per row: the plan table is long.
const plainTable = (head: string[]) => new Table({ head, style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
const hostActionsText = (medians: Record<string, number>) => Object.entries(medians).map(([type, value]) => `${type} ${value.toFixed(1)} s`).join(', ') || '-';

export function formatReport(times: ApplierTimes, source: string, target = TARGET_RATIO): string {
  const lines: string[] = [];
  lines.push(`Applier speed on the functional tier's cloud (${source}: ${times.plans.length} plan(s) recorded ${times.firstRecordedAt ?? '-'} to ${times.lastRecordedAt ?? '-'})`);
  lines.push(`Median live migration: ${secondsText(times.medianMigrationSeconds)} s over ${times.migrations} live migration(s). `
    + `Bound = ⌈live migrations ÷ parallelism⌉ × median; parallelism = min([applier] max_parallel_migrations, the policy's max_parallel_migrations). `
    + `Verdict on the median ratio of SUCCEEDED or PARTIAL plans with live migrations that ran in one go; target ≤ ${target}×. `
    + 'A plan resumed after its applier was killed (state marked "resumed") is listed but left out of the median and the verdict: its times hold the kill. '
    + 'Ratio to own moves = wall ÷ (⌈live migrations ÷ parallelism⌉ × the plan\'s own median migration): the applier\'s part, apart from Nova\'s speed in that minute.');
  const kinds = plainTable(['kind', 'plans', 'measured', 'median ratio', 'worst ratio', 'verdict', 'median ratio to own moves', 'median wall s', 'median host actions']);
  for (const kind of times.kinds) {
    kinds.push([kind.kind, kind.plans, kind.measured, ratioText(kind.medianRatio), ratioText(kind.worstRatio), kind.verdict, ratioText(kind.medianOwnRatio), secondsText(kind.medianWallSeconds), hostActionsText(kind.hostActionMedians)]);
  }
  lines.push(kinds.toString());
  const plans = plainTable(['plan', 'kind', 'state', 'policy', 'migrations', 'waves', 'parallelism', 'wall s', 'idle s', 'bound s', 'ratio', 'shape bound s', 'median migration s', 'ratio to own moves', 'host actions']);
  const order = (kind: string) => { const rank = times.kinds.findIndex((entry) => entry.kind === kind); return rank < 0 ? times.kinds.length : rank; };
  for (const plan of [...times.plans].sort((a, b) => order(a.record.kind) - order(b.record.kind) || a.record.recorded_at.localeCompare(b.record.recorded_at))) {
    const { record } = plan;
    const over = plan.ratio !== null && plan.ratio > target ? ' over' : '';
    plans.push([
      record.plan.slice(0, 8), record.kind, resumed(record) ? `${record.state} (resumed ${record.resumptions}×)` : record.state, record.policy ?? '-', record.live_migrations, record.waves,
      `${record.parallelism} (applier ${record.applier_max_parallel_migrations}, policy ${record.policy_max_parallel_migrations ?? '-'})`,
      secondsText(record.wall_seconds), record.idle_seconds === undefined ? '-' : secondsText(record.idle_seconds), plan.bound > 0 ? secondsText(plan.bound) : '0', `${ratioText(plan.ratio)}${over}`,
      plan.shapeBound > 0 ? secondsText(plan.shapeBound) : '0', secondsText(median(record.migration_seconds)), ratioText(plan.ownRatio),
      hostActionsText(hostActionMedians([record])),
    ]);
  }
  lines.push(plans.toString());
  return `${lines.join('\n')}\n`;
}

/** Prints the report of `file`; a missing or empty file is said, not an error (exit 0). Bad lines exit 2. */
export function main(argv: string[]): number {
  const file = argv[0] ?? planTimesFile();
  if (!existsSync(file)) {
    console.log(`Applier speed: no functional run recorded (${file} does not exist); npm run test:functional records one.`);
    return 0;
  }
  let records: PlanTimesRecord[];
  try {
    records = parsePlanTimes(readFileSync(file, 'utf8'), file);
  } catch (error) {
    console.error(`applier-times: ${(error as Error).message}`);
    return 2;
  }
  if (!records.length) {
    console.log(`Applier speed: ${file} holds no finished plan (the last functional run ran none, or is still running).`);
    return 0;
  }
  process.stdout.write(formatReport(analyse(records), file));
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
