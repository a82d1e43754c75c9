// The shape of the benchmark's results (results.json), shared by the runner, the table and the targets.
import type { InstanceFacts, SizeClass } from './instances.js';
import type { HostCountBoundRecord } from './host-count-bound-bench.js';
import type { NPlusKCut } from './n-plus-k-floor.js';
import type { ProvenOptimum } from './optimum.js';

export const PLANNERS = ['ulm', 'bfd', 'ulm-spec-naive'] as const;
export type PlannerName = (typeof PLANNERS)[number];

/** The subset of score.mjs's output the benchmark reads (it keeps the whole object). */
export interface ScoreOutput {
  valid: boolean;
  goal_met?: boolean;
  error?: { phase: string; action_index: number | null; wave: number | null; reason: string };
  active_hosts_before: number;
  active_hosts_after?: number;
  hosts_freed?: number;
  lower_bound_active_hosts: number;
  gap_to_lower_bound?: number;
  migrations?: number;
  waves?: number;
  n_plus_k_ok?: boolean;
  overload_steps?: number;
  replay?: { overload_steps_before: number };
  drain?: { hosts: number; servers_left_on_drain_hosts: number; drain_hosts_disabled: number };
  target?: { servers_in_target: number; servers_not_on_target: number };
  [field: string]: unknown;
}

/**
 * Plans are made "as of" a fixed instant so they are deterministic and repeatable runs give
 * the same bytes (the instant only matters to exemption windows and cooldowns).
 */
export const DEFAULT_PLAN_INSTANT = '2026-11-22T20:00:00Z';

/** What test/bench/plan-one.ts prints (one JSON line) for one ulm run. */
export interface PlanOneReport {
  ok: boolean;
  /** Crash or validation error, with its stack, when `ok` is false. */
  error?: string;
  phase?: 'read' | 'validate' | 'plan' | 'write';
  read_seconds?: number;
  parse_seconds?: number;
  validate_seconds?: number;
  plan_seconds?: number;
  /** CPU time (user + system) of the process during plan(): less sensitive than wall time to other load on the machine. */
  plan_cpu_seconds?: number;
  write_seconds?: number;
  total_seconds?: number;
  /** Loading the exact step's solver (npm `highs`, WebAssembly) before the instance is read: not in any figure above. */
  solver_load_seconds?: number;
  /** process.resourceUsage().maxRSS, in MiB: the whole process, snapshot text and objects included. */
  peak_rss_mib: number;
  /** RSS when planning starts: what the parsed snapshot alone costs. */
  rss_before_plan_mib?: number;
  status?: string;
  actions?: number;
}

export type RunStatus = 'ok' | 'crash' | 'timeout';

export interface PlannerRun {
  instance: string;
  family: string;
  size: SizeClass;
  planner: PlannerName;
  status: RunStatus;
  /** Why the planner produced no plan (crash message, time limit). */
  error?: string;
  plan_file?: string;
  /** Planning alone: ulm's plan() call; a baseline's own meta.plan_seconds (also without reading the instance). */
  plan_seconds?: number;
  /** ulm: CPU seconds during plan() (see PlanOneReport). */
  plan_cpu_seconds?: number;
  /** ulm: the 1-minute load average just before the (first) run: how busy the machine was. */
  load_average_1m?: number;
  /** ulm: reading + parsing + validating the snapshot. */
  read_seconds?: number;
  /** ulm: read + plan + write inside the child; baselines: the whole process, wall clock. */
  total_seconds?: number;
  peak_rss_mib?: number;
  /** ulm: RSS once the snapshot is read and validated, before plan(): the part of the peak that is the instance, not the planner. */
  rss_before_plan_mib?: number;
  /** With --repeat N: every run's plan seconds (the figures above are medians). */
  repeat_plan_seconds?: number[];
  /** With --repeat N: false if a repeated run wrote different plan bytes. */
  deterministic?: boolean;
  score?: ScoreOutput;
  /** The scorer could not score the plan (exit 2, crash): its message. */
  score_error?: string;
  score_seconds?: number;
  score_peak_rss_mib?: number;
  /**
   * Baselines on instances with spare_capacity_hosts: the plan cut at its last wave after which
   * score.mjs still finds N+k (null: no cut passes); what ulm is held to (n-plus-k-floor.ts).
   */
  n_plus_k_cut?: NPlusKCut | null;
}

export interface InstanceRecord {
  name: string;
  family: string;
  size: SizeClass;
  path: string;
  facts: InstanceFacts;
  /** The proven optimum of OPTIMUM.md, for the public instances that have one. */
  optimum?: ProvenOptimum;
}

export interface TargetCheck {
  target: string;
  pass: boolean | null;
  /** One line: the criterion and the figures behind the verdict. */
  summary: string;
  /** Per-instance figures. */
  details: string[];
}

export interface BenchResults {
  started_at: string;
  finished_at: string;
  wall_seconds: number;
  options: Record<string, unknown>;
  machine: { node: string; cpus: number; load_average_at_start: number[]; platform: string };
  baseline_timeout_seconds: number;
  /** Wall seconds per phase: instances (generation, facts), compile, ulm, baselines and scoring. */
  phase_seconds: Record<string, number>;
  instances: InstanceRecord[];
  runs: PlannerRun[];
  targets: TargetCheck[];
  /** The configuration-LP host-count bound, where the bench computed it (host-count-bound-bench.ts). */
  host_count_bounds?: HostCountBoundRecord[];
}
