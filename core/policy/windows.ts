// Weekly time windows in IANA time zones, evaluated at a given instant (DST-safe through Intl).
import { DAY_NAMES } from './calendar.js';
import type { TimeWindow } from './schema.js';

export { DAY_NAMES, isKnownTimeZone } from './calendar.js';

export interface LocalTime {
  /** 0 = Monday ... 6 = Sunday */
  weekday: number;
  /** minutes since local midnight */
  minutes: number;
}

const WEEKDAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** Local weekday and time of day of the instant `epochMs` in `timezone`. */
export function localTime(epochMs: number, timezone = 'UTC'): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(epochMs);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return { weekday: WEEKDAY_INDEX[part('weekday')], minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
}

/**
 * True when the instant lies inside the window. A window whose end is not after its start runs
 * past midnight: `days` names the day it opens on.
 */
export function isInsideWindow(window: TimeWindow, epochMs: number): boolean {
  const { weekday, minutes } = localTime(epochMs, window.timezone ?? 'UTC');
  const days = new Set((window.days ?? DAY_NAMES).map((day) => DAY_NAMES.indexOf(day)));
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (end > start) return days.has(weekday) && minutes >= start && minutes < end;
  const yesterday = (weekday + 6) % 7;
  return (days.has(weekday) && minutes >= start) || (days.has(yesterday) && minutes < end);
}

/** `08:00-18:00 mon,tue Europe/Berlin`: how a window reads in tables and reasons. */
export function describeWindow(window: TimeWindow): string {
  const days = window.days ? ` ${window.days.join(',')}` : '';
  return `${window.start}-${window.end}${days} ${window.timezone ?? 'UTC'}`;
}
