// A power-saving window's friendly opening ("weekdays 20:00", "sat,sun 00:00") as the 5-field
// cron expression it stands for. No library and no I/O: the panel's calendar runs it in the browser.

const DAY_SETS: Record<string, string> = { daily: '*', everyday: '*', weekdays: '1-5', weekends: '0,6' };
const CRON_DAY: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** `weekdays 20:00` -> `0 20 * * 1-5`; null when `opens` is not of that form (a cron expression). Throws on a bad day. */
export function friendlyOpening(opens: string): string | null {
  const friendly = /^([a-z,-]+)\s+([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(opens.trim().toLowerCase());
  if (!friendly) return null;
  const [, days, hour, minute] = friendly;
  return `${Number(minute)} ${Number(hour)} * * ${cronDays(days)}`;
}

function cronDays(days: string): string {
  if (DAY_SETS[days]) return DAY_SETS[days];
  const numbers = new Set<number>();
  for (const part of days.split(',')) {
    const range = part.split('-');
    if (range.some((day) => CRON_DAY[day] === undefined) || range.length > 2) throw new Error(`"${part}" is not a day or a range of days (mon, tue, ..., sun)`);
    if (range.length === 1) numbers.add(CRON_DAY[range[0]]);
    else for (let day = CRON_DAY[range[0]]; ; day = (day + 1) % 7) { numbers.add(day); if (day === CRON_DAY[range[1]]) break; }
  }
  return [...numbers].sort((a, b) => a - b).join(',');
}
