// Named points in the applier where the functional tests kill the process (SIGKILL) to prove
// that a restart neither repeats nor loses work. Inert unless ULM_TEST_CRASH_AT names the point:
// `ULM_TEST_CRASH_AT=migration.after-call` (first time), or `...:3` (the third time it is reached).
const wanted = process.env.ULM_TEST_CRASH_AT ?? '';
const [wantedPoint, wantedCount] = wanted.split(':');
let reached = 0;

export const CRASH_POINTS = [
  'migration.before-call', // the floor is journaled, os-migrateLive not yet sent
  'migration.after-call', // Nova answered 202; its migration record may not exist yet
  'migration.polling', // following a migration Nova is running
  'migration.completed', // Nova completed it; the journal does not say so yet
  'maintenance.after-disable', // a host disabled, its power-off not yet run
  'restore.after-power-on', // a restore plan: a host powered on, not yet enabled
  'restore.after-enable', // a restore plan: a host enabled, the journal does not say so yet
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export function crashPoint(point: CrashPoint): void {
  if (!wanted || point !== wantedPoint) return;
  reached++;
  if (reached < Number(wantedCount || 1)) return;
  process.stderr.write(`ulm: ULM_TEST_CRASH_AT=${wanted}: killing this process at ${point}\n`);
  process.kill(process.pid, 'SIGKILL');
}
