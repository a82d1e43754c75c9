// Turning the operator's command-line words into typed values: fractions, counts, durations,
// day lists and the short time-window form `08:00-18:00 mon-fri Europe/Berlin`. Every mistake
// is a usage error (exit 2) that names the option and shows a value that works.
import type { TimeWindow } from '../core/policy/schema.js';
import { DAY_NAMES, isKnownTimeZone } from '../core/policy/windows.js';
import { ValidationError } from '../core/validation.js';

export type DayName = (typeof DAY_NAMES)[number];

/** Throws the usage error for one option. */
export function badOption(option: string, message: string): never {
  throw new ValidationError('invalid option', [{ path: option, message }]);
}

/** For repeatable options: commander's collector. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `0.8` or `80%` -> 0.8; must lie in (0, 1]. */
export function parseFraction(option: string, text: string): number {
  const trimmed = text.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed);
  const value = percent ? Number(percent[1]) / 100 : /^\d*\.?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    badOption(option, `"${text}" is not a fraction of capacity above 0 and at most 1; use e.g. 0.8 or 80%`);
  }
  return value;
}

/** A whole number >= `minimum`. */
export function parseCount(option: string, text: string, minimum = 0): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < minimum) {
    badOption(option, `"${text}" is not a whole number${minimum > 0 ? ` of at least ${minimum}` : ''}; use e.g. ${Math.max(minimum, 2)}`);
  }
  return Number(text);
}

/** A number >= 0 (minutes of cooldown). */
export function parseNonNegative(option: string, text: string): number {
  if (!/^\d*\.?\d+$/.test(text.trim())) badOption(option, `"${text}" is not a number of at least 0; use e.g. 60`);
  return Number(text);
}

/** `90`, `90m`, `11h`, `1h30m`, `2d` -> minutes. A bare number is minutes. */
export function parseDurationMinutes(option: string, text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = /^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?$/.exec(trimmed);
  if (!trimmed || !match || match.slice(1).every((part) => part === undefined)) {
    badOption(option, `"${text}" is not a duration; use minutes (660) or units, e.g. 11h, 1h30m, 2d`);
  }
  const [, days, hours, minutes] = match;
  return Number(days ?? 0) * 1440 + Number(hours ?? 0) * 60 + Number(minutes ?? 0);
}

/** `HH:MM`, with `24:00` allowed where the schema allows it (ends of windows). */
export function parseTimeOfDay(option: string, text: string, { allowMidnightEnd = false } = {}): string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  const hours = match ? Number(match[1]) : NaN;
  const minutes = match ? Number(match[2]) : NaN;
  const end = allowMidnightEnd && hours === 24 && minutes === 0;
  if (!match || ((hours > 23 || minutes > 59) && !end)) badOption(option, `"${text}" is not a time of day; use HH:MM, e.g. 07:00`);
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

const DAY_SETS: Record<string, readonly DayName[]> = {
  daily: DAY_NAMES, everyday: DAY_NAMES,
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  weekends: ['sat', 'sun'],
};

const FULL_DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** `mon` or `monday` (any case) -> `mon`. */
function dayName(word: string): DayName | undefined {
  const lower = word.toLowerCase();
  const index = (DAY_NAMES as readonly string[]).indexOf(lower) >= 0 ? (DAY_NAMES as readonly string[]).indexOf(lower) : FULL_DAY_NAMES.indexOf(lower);
  return index >= 0 ? DAY_NAMES[index] : undefined;
}

/** `mon-fri`, `sat,sun`, `weekdays`, `fri-mon` (wraps) -> days in week order; undefined if not days at all. */
export function parseDays(text: string): DayName[] | undefined {
  const lower = text.trim().toLowerCase();
  if (DAY_SETS[lower]) return [...DAY_SETS[lower]];
  const days = new Set<DayName>();
  for (const part of lower.split(',')) {
    if (DAY_SETS[part]) { for (const day of DAY_SETS[part]) days.add(day); continue; }
    const range = part.split('-');
    const ends = range.map(dayName);
    if (range.length > 2 || ends.some((day) => day === undefined)) return undefined;
    if (ends.length === 1) { days.add(ends[0]!); continue; }
    const first = DAY_NAMES.indexOf(ends[0]!);
    const last = DAY_NAMES.indexOf(ends[1]!);
    for (let index = first; ; index = (index + 1) % 7) {
      days.add(DAY_NAMES[index]);
      if (index === last) break;
    }
  }
  return DAY_NAMES.filter((day) => days.has(day));
}

/** A repeatable day option (`--off-day sat --off-day sun`, or `--off-day sat,sun`). */
export function parseDayList(option: string, values: string[]): DayName[] {
  const days = new Set<DayName>();
  for (const value of values) {
    const parsed = parseDays(value);
    if (!parsed) badOption(option, `"${value}" is not a day or a range of days; use e.g. sat, sat,sun, mon-fri or weekends`);
    for (const day of parsed) days.add(day);
  }
  return DAY_NAMES.filter((day) => days.has(day));
}

/**
 * The short form of a weekly time window: `08:00-18:00 mon-fri Europe/Berlin`. The time range
 * comes first (absent: all day); days and time zone follow in either order (absent: every
 * day, UTC). `18:00-08:00` runs past midnight, as the policy schema reads it.
 */
export function parseTimeWindow(option: string, text: string): TimeWindow {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (!words.length) badOption(option, 'is empty; use e.g. "08:00-18:00 mon-fri Europe/Berlin"');
  const window: Partial<TimeWindow> = {};
  let rest = words;
  const range = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(words[0]);
  if (range) {
    window.start = parseTimeOfDay(option, range[1]);
    window.end = parseTimeOfDay(option, range[2], { allowMidnightEnd: true });
    if (window.start === window.end) badOption(option, `"${words[0]}" starts and ends at the same time; use e.g. 08:00-18:00, or leave the range out for all day`);
    rest = words.slice(1);
  } else if (/^\d/.test(words[0])) {
    badOption(option, `"${words[0]}" is not a time range; use HH:MM-HH:MM, e.g. 08:00-18:00`);
  } else {
    window.start = '00:00';
    window.end = '24:00';
  }
  for (const word of rest) {
    const days = parseDays(word);
    if (days && !window.days) {
      window.days = days;
    } else if (!days && !window.timezone && (word.includes('/') || /^(utc|gmt)$/i.test(word))) {
      const zone = /^(utc|gmt)$/i.test(word) ? word.toUpperCase() : word;
      if (!isKnownTimeZone(zone)) badOption(option, `"${word}" is not an IANA time zone; use a name such as Europe/Berlin or UTC`);
      window.timezone = zone;
    } else {
      badOption(option, `"${word}" in "${text}" is neither days (mon-fri, sat,sun, weekdays) nor a time zone (Europe/Berlin), or is given twice; the form is "08:00-18:00 mon-fri Europe/Berlin"`);
    }
  }
  // Every day is what the schema assumes without days: say nothing rather than all seven.
  if (window.days?.length === 7) delete window.days;
  return window as TimeWindow;
}

/** `08:00-18:00 mon-fri Europe/Berlin`: the short form back, for lists. */
export function formatTimeWindow(window: TimeWindow): string {
  const parts = [window.start === '00:00' && window.end === '24:00' ? 'all day' : `${window.start}-${window.end}`];
  if (window.days?.length) parts.push(compactDays(window.days));
  parts.push(window.timezone ?? 'UTC');
  return parts.join(' ');
}

/** `['mon','tue','wed','thu','fri']` -> `mon-fri`. */
export function compactDays(days: readonly string[]): string {
  const indexes = DAY_NAMES.map((day, index) => (days.includes(day) ? index : -1)).filter((index) => index >= 0);
  const runs: string[] = [];
  for (let start = 0; start < indexes.length;) {
    let end = start;
    while (end + 1 < indexes.length && indexes[end + 1] === indexes[end] + 1) end++;
    runs.push(end - start >= 2 ? `${DAY_NAMES[indexes[start]]}-${DAY_NAMES[indexes[end]]}` : indexes.slice(start, end + 1).map((index) => DAY_NAMES[index]).join(','));
    start = end + 1;
  }
  return runs.join(',');
}

/** `2026-12-24` (a real date). */
export function parseDate(option: string, text: string): string {
  const trimmed = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(trimmed) || Number.isNaN(Date.parse(`${trimmed}T00:00:00Z`)) || new Date(`${trimmed}T00:00:00Z`).toISOString().slice(0, 10) !== trimmed) {
    badOption(option, `"${text}" is not a date; use YYYY-MM-DD, e.g. 2026-12-24`);
  }
  return trimmed;
}

/** An ISO 8601 instant or date (for --since). */
export function parseInstant(option: string, text: string): string {
  const trimmed = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed) || !Number.isFinite(Date.parse(trimmed))) {
    badOption(option, `"${text}" is not a date or ISO 8601 instant; use e.g. 2026-11-01 or 2026-11-01T00:00:00Z`);
  }
  return new Date(Date.parse(trimmed)).toISOString();
}

/** Comma-separated or repeated values, flattened: `--state ONGOING,FAILED --state SUCCEEDED`. */
export function splitList(values: string[]): string[] {
  return values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
}
