// The calendar's week: seven days from Monday 00:00 in a time zone (23 or 25 hours long across a
// change of daylight saving time), and each entry (a window's opening, a maintenance) cut into
// the days it covers, placed as fractions of its day, side by side where entries overlap. Pure.

export interface CalendarEntry {
  kind: 'window' | 'maintenance';
  /** Unique in the week: "window ID@opening". */
  key: string;
  title: string;
  /** One line for people and the block's title text. */
  detail: string;
  start: number;
  end: number;
}

export interface CalendarPiece {
  entry: CalendarEntry;
  /** Where the piece starts and how tall it is, as fractions of its day. */
  top: number;
  height: number;
  /** Its lane among the overlapping pieces of the day, and how many lanes they need. */
  lane: number;
  lanes: number;
  /** The entry began the day before / goes on the next day. */
  continuesBefore: boolean;
  continuesAfter: boolean;
}

export interface CalendarDay {
  /** YYYY-MM-DD in the week's time zone. */
  date: string;
  start: number;
  end: number;
  pieces: CalendarPiece[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let found = formatters.get(timezone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formatters.set(timezone, found);
  }
  return found;
}

/** The wall clock of an instant in a time zone. */
export function wallClock(epochMs: number, timezone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  const parts = Object.fromEntries(formatter(timezone).formatToParts(epochMs).map((part) => [part.type, part.value]));
  const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second), weekday: weekdays.indexOf(parts.weekday) };
}

/** The instant a wall-clock time has in a time zone (days past the month's end roll over). */
export function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, timezone: string): number {
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  const offsetAt = (instant: number) => {
    const clock = wallClock(instant, timezone);
    return Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second) - Math.floor(instant / 1000) * 1000;
  };
  const first = wanted - offsetAt(wanted);
  // Near a change of daylight saving time the offset at the answer may differ from the guess's.
  const second = wanted - offsetAt(first);
  return second;
}

/** Monday 00:00 of the week holding the instant, in the time zone. */
export function startOfWeek(epochMs: number, timezone: string): number {
  const clock = wallClock(epochMs, timezone);
  return zonedInstant(clock.year, clock.month, clock.day - clock.weekday, 0, 0, timezone);
}

/** The seven days from a week's start (as `startOfWeek` gives it), `weeks` weeks later. */
export function weekDays(weekStart: number, timezone: string, weeks = 0): Array<{ date: string; start: number; end: number }> {
  const monday = wallClock(weekStart, timezone);
  return Array.from({ length: 7 }, (_, index) => {
    const day = monday.day + weeks * 7 + index;
    const start = zonedInstant(monday.year, monday.month, day, 0, 0, timezone);
    const end = zonedInstant(monday.year, monday.month, day + 1, 0, 0, timezone);
    const clock = wallClock(start, timezone);
    return { date: `${clock.year}-${String(clock.month).padStart(2, '0')}-${String(clock.day).padStart(2, '0')}`, start, end };
  });
}

/** Each entry cut into the days it covers; overlapping pieces of a day get lanes side by side. */
export function layoutWeek(entries: readonly CalendarEntry[], days: ReadonlyArray<{ date: string; start: number; end: number }>): CalendarDay[] {
  return days.map((day) => {
    const length = day.end - day.start;
    const inDay = entries
      .filter((entry) => entry.start < day.end && entry.end > day.start && entry.end > entry.start)
      .sort((a, b) => a.start - b.start || b.end - a.end || a.key.localeCompare(b.key));
    const pieces: CalendarPiece[] = [];
    /** Lanes' ends, and the group of pieces that overlap one another (they share a lane count). */
    let laneEnds: number[] = [];
    let group: CalendarPiece[] = [];
    const closeGroup = () => { for (const piece of group) piece.lanes = laneEnds.length; group = []; laneEnds = []; };
    for (const entry of inDay) {
      const start = Math.max(entry.start, day.start);
      const end = Math.min(entry.end, day.end);
      if (group.length && laneEnds.every((laneEnd) => laneEnd <= start)) closeGroup();
      let lane = laneEnds.findIndex((laneEnd) => laneEnd <= start);
      if (lane < 0) { lane = laneEnds.length; laneEnds.push(end); } else laneEnds[lane] = end;
      const piece: CalendarPiece = { entry, top: (start - day.start) / length, height: (end - start) / length, lane, lanes: 1, continuesBefore: entry.start < day.start, continuesAfter: entry.end > day.end };
      pieces.push(piece);
      group.push(piece);
    }
    closeGroup();
    return { ...day, pieces };
  });
}
