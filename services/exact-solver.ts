// Loads the planner's exact-step solver (npm `highs`: HiGHS compiled to WebAssembly) once per process, for the edges that call plan().
import type { PlanDocument } from '../core/plan/format.js';
import type { ExactSolver, ExactSolverOptions, ExactSolverResult } from '../core/planner/exact-consolidation.js';
import { exactSolverMayImprove, kindGuideMayServe, plan, type PlanRequest } from '../core/planner/index.js';

/** What ulm uses of the package: its loader, and the one-shot solve of a CPLEX LP model. */
interface HighsPackage {
  default: () => Promise<{ solve(model: string, options: ExactSolverOptions): ExactSolverResult }>;
}

let loading: Promise<ExactSolver> | null = null;

const WARM_UP_MODEL = 'Minimize\n obj: x + y + z\nSubject To\n c1: x + 2 y >= 4\n c2: 3 x + y + z >= 5\n c3: x - z <= 2\nBounds\n 0 <= x <= 10\nEnd\n';

/**
 * The solver, loaded on first use (the WebAssembly module is compiled: a few tenths of a second)
 * and shared afterwards; each solve makes a fresh native instance, so sharing it is safe.
 * Imported only when asked for, so that commands which do not plan start no slower.
 */
export function loadExactSolver(): Promise<ExactSolver> {
  // The package's types describe its CommonJS build; Node's import gives its ES module, whose
  // loader is the namespace's `default`.
  loading ??= (import('highs') as unknown as Promise<HighsPackage>).then(async (highs) => {
    const solver = await highs.default();
    // The first solve in a process compiles HiGHS's simplex code (0.2-0.4 s on a busy small
    // machine): paid here, at load time, with a three-row program, not by the first plan.
    solver.solve(WARM_UP_MODEL, { output_flag: false });
    return { solve: (model, options) => solver.solve(model, options) };
  });
  return loading;
}

/**
 * plan(), with the exact step where it may serve: planned first without the solver, and again
 * with it (loaded then) when the exact model covers the cluster and the plan is above the lower
 * bound; or with it from the start where the kind guide serves. Most plans never load it, so
 * `ulm plan` and audits stay as quick as before.
 */
export async function planWithExactStep(request: PlanRequest): Promise<PlanDocument> {
  // Large clusters of unlike hosts use it on every plan (the kind guide): loaded first, planned once.
  if (kindGuideMayServe(request)) return plan({ ...request, exactSolver: await loadExactSolver() });
  const document = plan(request);
  if (!exactSolverMayImprove(request, document)) return document;
  return plan({ ...request, exactSolver: await loadExactSolver() });
}
