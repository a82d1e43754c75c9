// Runs the independent scorer (score.mjs of the shared bench) on a snapshot and a plan.
// The shared folder is ../shared beside the repository, or $ULM_SHARED; both files are written
// to a temp dir and scored by one node process, the way the benchmark does it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/support/scorer.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared folder beside the repository; `ULM_SHARED` overrides it. */
export function sharedDir(): string {
  return process.env.ULM_SHARED ? resolve(process.env.ULM_SHARED) : resolve(REPO_ROOT, '..', 'shared');
}

export function scorerPath(): string {
  const path = join(sharedDir(), 'bench', 'score.mjs');
  if (!existsSync(path)) throw new Error(`score.mjs not found at ${path}: set ULM_SHARED to the shared folder`);
  return path;
}

/** What score.mjs prints (the fields the tests read; it prints more). */
export interface ScoreResult {
  valid: boolean;
  error?: { phase: string; action_index: number | null; wave: number | null; reason: string };
  goal_met?: boolean;
  active_hosts_before?: number;
  active_hosts_after?: number;
  hosts_freed?: number;
  hosts_emptied?: number;
  hosts_disabled_by_plan?: number;
  hosts_powered_off?: number;
  migrations?: number;
  servers_migrated?: number;
  waves?: number;
  migration_waves?: number;
  n_plus_k_ok?: boolean;
  soft_group_violations?: number;
  soft_group_violations_before?: number;
  drain?: { hosts: number; servers_left_on_drain_hosts: number; drain_hosts_disabled: number };
  target?: { servers_in_target: number; servers_not_on_target: number };
  [field: string]: unknown;
}

/**
 * The scorer's environment: ours without NODE_OPTIONS (tsx's loader is not needed) and without
 * NODE_EXTRA_CA_CERTS, whose loading triples node's start-up time; the scorer does no TLS.
 */
function scorerEnvironment(): NodeJS.ProcessEnv {
  const environment = { ...process.env };
  delete environment.NODE_OPTIONS;
  delete environment.NODE_EXTRA_CA_CERTS;
  return environment;
}

/** Scores `plan` on `instance`; throws when the scorer refuses the instance itself (exit 2). */
export function score(instance: unknown, plan: unknown): ScoreResult {
  const dir = mkdtempSync(join(tmpdir(), 'ulm-score-'));
  try {
    const instanceFile = join(dir, 'instance.json');
    const planFile = join(dir, 'plan.json');
    writeFileSync(instanceFile, JSON.stringify(instance));
    writeFileSync(planFile, JSON.stringify(plan));
    const run = spawnSync(process.execPath, [scorerPath(), instanceFile, planFile], { encoding: 'utf8', env: scorerEnvironment() });
    if (run.status !== 0 && run.status !== 1) {
      throw new Error(`score.mjs exited ${run.status}: ${run.stderr || run.error?.message}`);
    }
    return JSON.parse(run.stdout) as ScoreResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
