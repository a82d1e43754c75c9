// The bench's report of the configuration-LP bound (host-count-bound.ts) beside score.mjs's bound and ulm's active hosts, cached per instance.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hostCountBound, type BoundInstance, type HostCountBound, type LinearSolver } from './host-count-bound.js';
import type { PlannerRun } from './results.js';

/** One instance's figures, as results.json keeps them. */
export interface HostCountBoundRecord {
  instance: string;
  /** score.mjs's per-resource bound. */
  scorer_bound: number;
  /** The configuration LP's bound (rounded up). */
  bound: number;
  /** Its value before rounding, and the last master LP's optimum. */
  value: number;
  master_value: number;
  converged: boolean;
  iterations: number;
  seconds: number;
  /** ulm's active hosts after its plan, and the gap to this bound. */
  ulm_active?: number;
  ulm_gap?: number;
}

/** The families the bench computes the bound for by default: mixed hardware, where score.mjs's bound is far off. */
export const BOUND_FAMILIES_BY_DEFAULT = ['heterogeneous'];

/** The cache stays valid while neither the instance nor the bound's code changes. */
function stamp(instancePath: string): string {
  const code = readFileSync(fileURLToPath(new URL('./host-count-bound.ts', import.meta.url)));
  const hash = createHash('sha256').update(code).update(readFileSync(instancePath)).digest('hex');
  return hash;
}

interface Cached { stamp: string; bound: HostCountBound; seconds: number }

/** The bound of one instance, from the cache beside it or computed (tens of seconds on L and XL). */
export function boundOf(instancePath: string, solver: LinearSolver): { bound: HostCountBound; seconds: number } {
  const cacheFile = `${instancePath}.host-count-bound.json`;
  const currentStamp = stamp(instancePath);
  if (existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as Cached;
    if (cached.stamp === currentStamp) return cached;
  }
  const instance = JSON.parse(readFileSync(instancePath, 'utf8')) as BoundInstance;
  const started = performance.now();
  const bound = hostCountBound(instance, solver);
  const seconds = (performance.now() - started) / 1000;
  // Public instances live in the shared folder: never written there.
  if (!instancePath.includes('/shared/')) writeFileSync(cacheFile, `${JSON.stringify({ stamp: currentStamp, bound, seconds })}\n`);
  return { bound, seconds };
}

/** npm `highs`, loaded in the bench's own process. */
export async function loadLinearSolver(): Promise<LinearSolver> {
  const highs = (await import('highs')) as unknown as { default: () => Promise<LinearSolver> };
  return highs.default();
}

export function boundRecord(instance: string, computed: { bound: HostCountBound; seconds: number }, ulmRun: PlannerRun | undefined): HostCountBoundRecord {
  const score = ulmRun?.score;
  const record: HostCountBoundRecord = {
    instance, scorer_bound: score?.lower_bound_active_hosts ?? NaN, bound: computed.bound.activeHosts, value: computed.bound.value,
    master_value: computed.bound.masterValue, converged: computed.bound.converged, iterations: computed.bound.iterations, seconds: computed.seconds,
  };
  if (score?.valid && score.active_hosts_after !== undefined) {
    record.ulm_active = score.active_hosts_after;
    record.ulm_gap = score.active_hosts_after - computed.bound.activeHosts;
  }
  return record;
}

export function renderBounds(records: HostCountBoundRecord[]): string {
  if (records.length === 0) return '';
  const lines = ['Host-count lower bound by configuration LP (test/bench/host-count-bound.ts; valid for every plan):'];
  for (const record of records) {
    lines.push(`  ${record.instance}: LP bound ${record.bound} (value ${record.value.toFixed(2)}, ${record.converged ? 'converged' : 'not converged'} in ${record.iterations} rounds, ${record.seconds.toFixed(1)} s)`
      + `, score.mjs bound ${record.scorer_bound}; ulm ${record.ulm_active ?? '-'} active, gap ${record.ulm_gap ?? '-'} to the LP bound`
      + `${record.ulm_active !== undefined ? ` (${record.ulm_active - record.scorer_bound} to score.mjs's)` : ''}`);
  }
  return lines.join('\n');
}
