// Where the benchmark finds its inputs (the shared bench folder) and writes its work (test-output/bench).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives in <repo>/test/bench/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shared bench folder (FORMAT.md, gen.mjs, score.mjs, instances/, baselines/). It sits
 * next to the repository (`<repo>/../shared/bench`); ULM_SHARED points elsewhere (the folder
 * that holds `bench/`), for checkouts that do not live beside it.
 */
export function sharedBenchDir(): string {
  const shared = process.env.ULM_SHARED ? resolve(process.env.ULM_SHARED) : resolve(REPO_ROOT, '..', 'shared');
  const bench = join(shared, 'bench');
  if (!existsSync(join(bench, 'score.mjs'))) {
    throw new Error(`no shared bench folder at ${bench} (expected score.mjs there); set ULM_SHARED to the folder that contains bench/`);
  }
  return bench;
}

/** Work folder: generated instances, plans, scores, results.json. test-output/ is git-ignored. */
export const WORK_DIR = join(REPO_ROOT, 'test-output', 'bench');
export const GENERATED_DIR = join(WORK_DIR, 'instances');
export const PLANS_DIR = join(WORK_DIR, 'plans');
export const RESULTS_FILE = join(WORK_DIR, 'results.json');
/** plan-one.ts and what it imports (core/, services/version.ts), compiled by tsc as dist/ is (tsconfig.plan-one.json). */
export const RUNNER_BUILD_DIR = join(WORK_DIR, 'build');
export const COMPILED_RUNNER = join(RUNNER_BUILD_DIR, 'test', 'bench', 'plan-one.js');
