// Power-saving windows: when ulm may consolidate and put hosts into maintenance, in the
// operator's time zone (DST-safe), with holidays and off days on which the window stays open,
// and the instants at which it stops starting new waves and restores hosts before it closes.
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Cron } from 'croner';
import { check, ValidationError, type Issue } from '../validation.js';
import { friendlyOpening } from './opening-pattern.js';
import { DAY_NAMES, isKnownTimeZone } from './windows.js';

const TIME = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

export const PowerSavingWindowSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255, description: 'the window\'s name, unique within its policy' }),
  opens: Type.String({ minLength: 1, description: 'when the window opens: "weekdays 20:00", "daily 22:30", "sat,sun 00:00", "mon-thu 19:00", or a 5-field cron expression such as "0 20 * * 1-5"', hint: 'e.g. "weekdays 20:00"' }),
  closes: Type.Optional(Type.String({ pattern: TIME, expected: 'a time (HH:MM)', description: 'local time the window closes, the next time it comes after opening (e.g. 07:00)' })),
  duration_minutes: Type.Optional(Type.Integer({ minimum: 15, maximum: 10080, description: 'how long the window stays open (instead of closes)' })),
  timezone: Type.Optional(Type.String({ minLength: 1, description: 'IANA time zone of opens/closes (default UTC)' })),
  holidays: Type.Optional(Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', expected: 'a date (YYYY-MM-DD)' }), { description: 'dates on which the window stays open all day' })),
  off_days: Type.Optional(Type.Array(Type.Union(DAY_NAMES.map((day) => Type.Literal(day))), { description: 'days of the week on which the window stays open all day (e.g. ["sat", "sun"])' })),
  auto_apply: Type.Optional(Type.Boolean({ description: 'apply the plan without waiting for approval (default false: the plan waits as RECOMMENDED)' })),
  stop_new_waves_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440, description: 'no new wave starts this long before restoring begins (default 30)' })),
  restore_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440, description: 'restoring (power on, wait for nova-compute, enable) starts this long before the close (default 30)' })),
  rebalance_on_restore: Type.Optional(Type.Boolean({ description: 'after restoring, spread load back over the restored hosts (default false)' })),
  missed: Type.Optional(Type.Union([Type.Literal('catch_up'), Type.Literal('skip')], { description: 'a window whose opening was missed while the scheduler was down: catch_up (run it if still open, default) or skip' })),
  enabled: Type.Optional(Type.Boolean({ description: 'default true' })),
}, { additionalProperties: false });
export type PowerSavingWindow = Static<typeof PowerSavingWindowSchema>;

const compiledWindow = TypeCompiler.Compile(PowerSavingWindowSchema);

/** `weekdays 20:00` -> `0 20 * * 1-5`; a 5-field cron expression is taken as it is. */
export function openingPattern(opens: string): string {
  const friendly = friendlyOpening(opens);
  if (friendly) return friendly;
  const text = opens.trim().toLowerCase();
  if (text.split(/\s+/).length === 5) {
    new Cron(text, { paused: true }); // throws on a bad field
    return text;
  }
  throw new Error('expected "<days> HH:MM" (days: daily, weekdays, weekends, mon,tue, mon-fri) or a 5-field cron expression');
}

/** Validates a window: the schema, then the schedule, time zone and close. */
export function validatePowerSavingWindow(value: unknown, prefix = 'window'): PowerSavingWindow {
  const window = check<PowerSavingWindow>(compiledWindow, value, 'invalid power-saving window', prefix);
  const issues: Issue[] = [];
  try { openingPattern(window.opens); } catch (error) {
    issues.push({ path: `${prefix}.opens`, message: `"${window.opens}" is not a schedule: ${(error as Error).message.replace(/^CronPattern: /, '')}` });
  }
  if (window.timezone !== undefined && !isKnownTimeZone(window.timezone)) {
    issues.push({ path: `${prefix}.timezone`, message: `"${window.timezone}" is not an IANA time zone; use a name such as "Europe/Berlin" or "UTC"` });
  }
  if ((window.closes === undefined) === (window.duration_minutes === undefined)) {
    issues.push({ path: `${prefix}.closes`, message: 'give exactly one of closes (a local time, e.g. "07:00") or duration_minutes' });
  }
  if ((window.stop_new_waves_minutes ?? 30) + (window.restore_minutes ?? 30) >= (window.duration_minutes ?? Infinity)) {
    issues.push({ path: `${prefix}.duration_minutes`, message: 'is too short: it must exceed stop_new_waves_minutes + restore_minutes' });
  }
  if (issues.length) throw new ValidationError('invalid power-saving window', issues);
  return window;
}

/** One opening of a window, as instants (milliseconds since the epoch). */
export interface WindowOccurrence {
  /** Identifies the occurrence: the same opening is never run twice. */
  key: string;
  opensAt: number;
  /** No new wave starts from here on. */
  stopNewWavesAt: number;
  /** Restoring hosts starts here, so that they are back before the close. */
  restoreAt: number;
  closesAt: number;
}

function localDate(epochMs: number, timezone: string): { date: string; weekday: string } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' }).formatToParts(epochMs);
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, weekday: part('weekday').toLowerCase().slice(0, 3) };
}

function closeAfter(window: PowerSavingWindow, opensAt: number): number {
  const timezone = window.timezone ?? 'UTC';
  if (window.duration_minutes !== undefined) return opensAt + window.duration_minutes * 60_000;
  const [hour, minute] = window.closes!.split(':').map(Number);
  const close = new Cron(`${minute} ${hour} * * *`, { timezone, paused: true });
  let closesAt = close.nextRun(new Date(opensAt))!.getTime();
  // The window stays open through holidays and off days: it closes on the next working day.
  const holidays = new Set(window.holidays ?? []);
  const offDays = new Set(window.off_days ?? []);
  for (let guard = 0; guard < 400; guard++) {
    const { date, weekday } = localDate(closesAt, timezone);
    if (!holidays.has(date) && !offDays.has(weekday as (typeof DAY_NAMES)[number])) break;
    closesAt = close.nextRun(new Date(closesAt))!.getTime();
  }
  return closesAt;
}

function occurrence(window: PowerSavingWindow, opensAt: number): WindowOccurrence {
  const closesAt = closeAfter(window, opensAt);
  const restoreAt = Math.max(opensAt, closesAt - (window.restore_minutes ?? 30) * 60_000);
  const stopNewWavesAt = Math.max(opensAt, restoreAt - (window.stop_new_waves_minutes ?? 30) * 60_000);
  return { key: `${window.name}@${new Date(opensAt).toISOString()}`, opensAt, stopNewWavesAt, restoreAt, closesAt };
}

/** The occurrence open at `epochMs`, or null. */
export function occurrenceAt(window: PowerSavingWindow, epochMs: number): WindowOccurrence | null {
  const opening = new Cron(openingPattern(window.opens), { timezone: window.timezone ?? 'UTC', paused: true });
  // The latest opening at or before the instant (openings a week back at most matter).
  const previous = opening.previousRuns(1, new Date(epochMs + 1))[0];
  if (!previous) return null;
  const found = occurrence(window, previous.getTime());
  return epochMs < found.closesAt ? found : null;
}

/** The next occurrence that opens after `epochMs`. */
export function nextOccurrence(window: PowerSavingWindow, epochMs: number): WindowOccurrence | null {
  const opening = new Cron(openingPattern(window.opens), { timezone: window.timezone ?? 'UTC', paused: true });
  const next = opening.nextRun(new Date(epochMs));
  return next ? occurrence(window, next.getTime()) : null;
}
