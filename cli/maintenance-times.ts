// The times of `ulm host drain --at TIME --until TIME`: ISO 8601 with an offset, or
// `YYYY-MM-DD HH:MM` in this machine's time zone; a time in the past or an end not after the
// start is a usage error (exit 2) naming the option and the fix.
import { badOption } from './option-parsers.js';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/;

/** Epoch milliseconds of the operator's TIME, or a usage error naming `option`. */
export function parseMaintenanceTime(option: string, text: string): number {
  const trimmed = text.trim();
  if (ISO_WITH_OFFSET.test(trimmed) && !Number.isNaN(Date.parse(trimmed))) return Date.parse(trimmed);
  const local = LOCAL.exec(trimmed);
  if (local) {
    const [year, month, day, hours, minutes] = local.slice(1).map(Number);
    const date = new Date(year, month - 1, day, hours, minutes);
    // 2026-02-30 rolls over to March: refuse rather than guess.
    if (date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day && date.getHours() === hours && date.getMinutes() === minutes) return date.getTime();
  }
  return badOption(option, `"${text}" is not a time; use ISO 8601 with an offset (2026-12-01T22:00+01:00) or "YYYY-MM-DD HH:MM" in this machine's time zone (${localZone()})`);
}

/** --at and --until checked together against now; ISO 8601 UTC texts for the API. */
export function maintenanceTimes(atText: string, untilText: string | undefined, now: number): { at: string; until: string | null } {
  const at = parseMaintenanceTime('--at', atText);
  if (at <= now) badOption('--at', `${atText} is in the past (now is ${new Date(now).toISOString()}); give a later time`);
  if (untilText === undefined) return { at: new Date(at).toISOString(), until: null };
  const until = parseMaintenanceTime('--until', untilText);
  if (until <= at) badOption('--until', `${untilText} is not after --at ${atText}; give a later end, or leave --until out to bring the hosts back by hand`);
  return { at: new Date(at).toISOString(), until: new Date(until).toISOString() };
}

export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
