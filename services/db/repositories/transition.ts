// A state change that only one process can win: read the state, check the life cycle, then
// UPDATE ... WHERE id = ? AND state = <the state read>. If another process changed the state in
// between, no row matches and the loser gets a StateConflict naming the state it lost to.
import { NotFound } from '../errors.js';
import { changed, type Executor, type Row } from '../rows.js';

export interface Transition<State extends string> {
  executor: Executor;
  table: string;
  kind: string;
  id: string;
  to: State;
  /** The life cycle's rule, from core/plan/states.ts for plans and actions. */
  allowed(from: State, to: State): boolean;
  /** Only from these states (a caller's precondition, narrower than the life cycle). */
  from?: readonly State[];
  /** Columns written with the new state, given the state left. */
  changes(from: State): Row;
  conflict(from: string, to: State): Error;
}

/** Applies the transition; returns the state left. */
export async function transition<State extends string>(step: Transition<State>): Promise<State> {
  const row = await step.executor(step.table).where({ id: step.id }).first('state');
  if (!row) throw new NotFound(step.kind, step.id);
  const from = row.state as State;
  if ((step.from && !step.from.includes(from)) || !step.allowed(from, step.to)) throw step.conflict(from, step.to);
  const count = changed(await step.executor(step.table).where({ id: step.id, state: from }).update({ ...step.changes(from), state: step.to }));
  if (count !== 1) {
    const now = await step.executor(step.table).where({ id: step.id }).first('state');
    throw step.conflict(now ? String(now.state) : 'deleted', step.to);
  }
  return from;
}
