// The proven optima of the public instances (shared/bench/OPTIMUM.md), read from its table so that the bench prints them beside each plan.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProvenOptimum {
  /** The fewest active hosts any valid final placement has (proven by the solver's bound). */
  active_hosts: number;
  /** The fewest migrations found at that number of active hosts. */
  migrations: number;
  /** The solver's lower bound on those migrations. */
  migrations_lower_bound: number;
  /**
   * The policy asks for N+k spare capacity, which the exact model leaves out: the optimum is
   * then only a lower bound that a plan keeping N+k may not reach.
   */
  spare_capacity_not_modelled: boolean;
}

/**
 * The optimum per instance name, from the table of OPTIMUM.md in `benchDir` (empty when the
 * file is not there). Rows look like
 * `| fragmented-s | consolidate | 12 | 200 | 12 | 4 | 79 | 79 |`; the instance cell may carry a
 * remark in parentheses, such as "(N+1 not modelled)".
 */
export function readOptima(benchDir: string): Map<string, ProvenOptimum> {
  const file = join(benchDir, 'OPTIMUM.md');
  const optima = new Map<string, ProvenOptimum>();
  if (!existsSync(file)) return optima;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (cells.length !== 8) continue;
    const numbers = cells.slice(2).map(Number);
    if (!numbers.every(Number.isInteger)) continue;
    const [, , , optimum, migrations, lowerBound] = numbers;
    const remark = /\((.*)\)/.exec(cells[0]);
    const name = cells[0].replace(/\(.*\)/, '').trim();
    optima.set(name, {
      active_hosts: optimum,
      migrations,
      migrations_lower_bound: lowerBound,
      spare_capacity_not_modelled: remark !== null && /not modelled/.test(remark[1]),
    });
  }
  return optima;
}
