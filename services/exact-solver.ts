// Loads the planner's exact-step solver (npm `highs`: HiGHS compiled to WebAssembly) once per process, for the edges that call plan().
import type { ExactSolver, ExactSolverOptions, ExactSolverResult } from '../core/planner/exact-consolidation.js';

/** What ulm uses of the package: its loader, and the one-shot solve of a CPLEX LP model. */
interface HighsPackage {
  default: () => Promise<{ solve(model: string, options: ExactSolverOptions): ExactSolverResult }>;
}

let loading: Promise<ExactSolver> | null = null;

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
    return { solve: (model, options) => solver.solve(model, options) };
  });
  return loading;
}
