// A power-saving window's openings over a span of time, for the calendar: its schedule ("weekdays
// 20:00" or cron) in its own time zone, read with croner as the scheduler reads it, and each
// opening's close (a duration, or the next "closes" time that is not on a holiday or an off day).

import { friendlyOpening } from '../../../core/policy/opening-pattern.js';
import { wallClock } from './week.js';
import { Cron } from '../vendor/croner.js';

/** What the calendar reads of a window (the API's record has more). */
export interface WindowSchedule {
  opens: string;
  closes?: string;
  duration_minutes?: number;
  timezone?: string;
  holidays?: string[];
  off_days?: string[];
}

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** Enough for a week of openings every hour: a calendar of more would be unreadable anyway. */
const MOST_OPENINGS = 200;

function closeAfter(window: WindowSchedule, opensAt: number): number {
  if (window.duration_minutes !== undefined) return opensAt + window.duration_minutes * 60_000;
  const timezone = window.timezone ?? 'UTC';
  const [hour, minute] = (window.closes ?? '00:00').split(':').map(Number);
  const close = new Cron(`${minute} ${hour} * * *`, { timezone, paused: true });
  let closesAt = close.nextRun(new Date(opensAt))?.getTime() ?? opensAt;
  // As the scheduler does: the window stays open through holidays and off days.
  const holidays = new Set(window.holidays ?? []);
  const offDays = new Set(window.off_days ?? []);
  for (let guard = 0; guard < 400; guard++) {
    const clock = wallClock(closesAt, timezone);
    const date = `${clock.year}-${String(clock.month).padStart(2, '0')}-${String(clock.day).padStart(2, '0')}`;
    if (!holidays.has(date) && !offDays.has(DAY_NAMES[clock.weekday])) break;
    closesAt = close.nextRun(new Date(closesAt))?.getTime() ?? closesAt;
  }
  return closesAt;
}

/** The openings (and their closes) that overlap [from, to). Throws when the schedule is not one. */
export function windowOpenings(window: WindowSchedule, from: number, to: number): Array<{ opensAt: number; closesAt: number }> {
  const pattern = friendlyOpening(window.opens) ?? window.opens.trim().toLowerCase();
  const opening = new Cron(pattern, { timezone: window.timezone ?? 'UTC', paused: true });
  // An opening up to a week (or the window's duration) before `from` may still be open then.
  const lookBack = Math.max(7 * 86_400_000, (window.duration_minutes ?? 0) * 60_000);
  const found: Array<{ opensAt: number; closesAt: number }> = [];
  for (const run of opening.nextRuns(MOST_OPENINGS, new Date(from - lookBack))) {
    const opensAt = run.getTime();
    if (opensAt >= to) break;
    const closesAt = closeAfter(window, opensAt);
    if (closesAt > from) found.push({ opensAt, closesAt });
  }
  return found;
}
