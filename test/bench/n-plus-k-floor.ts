// The N+k floor: how many hosts a baseline's plan frees when cut at its last wave boundary that still passes the scorer's N+k check; ulm is held to at least that.
//
// The cut plans are judged by score.mjs itself (its `valid` and `n_plus_k_ok`), run in worker
// threads (score-worker.mjs) so that a plan of hundreds of waves costs no process per cut.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ScoreOutput } from './results.js';

/** A worker loads score.mjs once per plan and modules are never unloaded: start afresh now and then. */
const RUNS_PER_WORKER = 200;

interface Pending { resolve: (output: ScoreOutput) => void; reject: (error: Error) => void }

class ScorerWorker {
  private worker: Worker;
  private runs = 0;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly scorer: string) {
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./score-worker.mjs', import.meta.url), { workerData: { scorer: this.scorer }, stdout: true });
    worker.on('message', ({ id, output, error }: { id: number; output?: string; error?: string }) => {
      const waiting = this.pending.get(id);
      if (!waiting) return;
      this.pending.delete(id);
      if (error !== undefined) { waiting.reject(new Error(`score.mjs: ${error}`)); return; }
      try { waiting.resolve(JSON.parse(output ?? '') as ScoreOutput); } catch { waiting.reject(new Error(`score.mjs printed no JSON: ${(output ?? '').slice(0, 200)}`)); }
    });
    worker.on('error', (error) => { for (const waiting of this.pending.values()) waiting.reject(error); this.pending.clear(); });
    return worker;
  }

  async score(instance: string, plan: string): Promise<ScoreOutput> {
    if (this.runs >= RUNS_PER_WORKER && this.pending.size === 0) {
      await this.worker.terminate();
      this.worker = this.start();
      this.runs = 0;
    }
    this.runs++;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, instance, plan });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/** score.mjs in a few worker threads; each call takes a free one (callers run at most `size` at a time). */
export class ScorerPool {
  private readonly idle: ScorerWorker[];
  private readonly all: ScorerWorker[];
  private readonly waiting: ((worker: ScorerWorker) => void)[] = [];

  constructor(scorer: string, size: number) {
    this.all = Array.from({ length: Math.max(1, size) }, () => new ScorerWorker(scorer));
    this.idle = [...this.all];
  }

  async score(instance: string, plan: string): Promise<ScoreOutput> {
    const worker = this.idle.pop() ?? await new Promise<ScorerWorker>((resolve) => this.waiting.push(resolve));
    try {
      return await worker.score(instance, plan);
    } finally {
      const next = this.waiting.shift();
      if (next) next(worker); else this.idle.push(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((worker) => worker.close()));
  }
}

/** A baseline plan cut at its last N+k-safe wave boundary. */
export interface NPlusKCut {
  /** Actions of waves before this one are kept; null: the whole plan passes. */
  cut_before_wave: number | null;
  waves_kept: number;
  waves_in_plan: number;
  hosts_freed: number;
  migrations: number;
  /** Cut plans scored to find it. */
  checks: number;
}

interface PlanDocument { actions: { wave: number }[] }

/**
 * Scores the plan cut before each of its waves, longest first, and returns the first cut that
 * score.mjs finds valid with `n_plus_k_ok`: the longest such prefix. Null when none passes (not
 * even the empty plan, whose N+k is the cluster's as it stands).
 */
export async function longestNPlusKPrefix(scorer: ScorerPool, instancePath: string, planPath: string, workFile: string): Promise<NPlusKCut | null> {
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as PlanDocument;
  const waves = [...new Set(plan.actions.map((action) => action.wave))].sort((a, b) => a - b);
  mkdirSync(join(workFile, '..'), { recursive: true });
  let checks = 0;
  try {
    for (let kept = waves.length; kept >= 0; kept--) {
      const before = kept === waves.length ? null : waves[kept];
      const cut = before === null ? plan : { ...plan, actions: plan.actions.filter((action) => action.wave < before) };
      writeFileSync(workFile, JSON.stringify(cut));
      const score = await scorer.score(instancePath, workFile);
      checks++;
      if (score.valid && score.n_plus_k_ok) {
        return { cut_before_wave: before, waves_kept: kept, waves_in_plan: waves.length, hosts_freed: score.hosts_freed ?? 0, migrations: score.migrations ?? 0, checks };
      }
    }
    return null;
  } finally {
    rmSync(workFile, { force: true });
  }
}

/** The floor for ulm: the most hosts any baseline's N+k-safe cut frees (null: no baseline gives one). */
export function nPlusKFloor(cuts: (NPlusKCut | null | undefined)[]): number | null {
  const freed = cuts.filter((cut): cut is NPlusKCut => !!cut).map((cut) => cut.hosts_freed);
  return freed.length ? Math.max(...freed) : null;
}
