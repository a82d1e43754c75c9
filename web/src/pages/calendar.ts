// Calendar: the power-saving windows (recurring, each in its own time zone) and the scheduled
// maintenances (dated) on one week, days by hours, in the browser's time zone; week by week.

import { describeFailure, get } from '../api/client.js';
import type { MaintenanceView, WindowView } from '../api/records.js';
import { layoutWeek, startOfWeek, wallClock, weekDays, type CalendarDay, type CalendarEntry } from '../calendar/week.js';
import { windowOpenings, type WindowSchedule } from '../calendar/window-openings.js';
import { element, replaceChildren } from '../dom.js';
import { when } from '../format.js';
import { legend } from '../ui/colours.js';
import { pageHeader } from '../ui/widgets.js';
import type { Page } from './page.js';

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

function clockText(epochMs: number, timezone: string): string {
  const clock = wallClock(epochMs, timezone);
  return `${String(clock.hour).padStart(2, '0')}:${String(clock.minute).padStart(2, '0')}`;
}

function dayLabel(day: { start: number }, timezone: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone: timezone, weekday: 'short', day: 'numeric', month: 'short' }).format(day.start);
}

/** Each window's openings in the span; a window whose schedule cannot be read is named in `problems`. */
function windowEntries(windows: WindowView[], from: number, to: number, problems: string[]): CalendarEntry[] {
  return windows.filter((window) => window.window.enabled !== false).flatMap((window) => {
    const schedule = window.window as WindowSchedule;
    try {
      return windowOpenings(schedule, from, to).map(({ opensAt, closesAt }) => ({
        kind: 'window' as const,
        key: `${window.id}@${opensAt}`,
        title: window.window.name,
        detail: `Window "${window.window.name}" (policy ${window.policy_name}): opens ${when(new Date(opensAt).toISOString())}, closes ${when(new Date(closesAt).toISOString())} (${schedule.opens} in ${schedule.timezone ?? 'UTC'})`,
        start: opensAt,
        end: closesAt,
      }));
    } catch (error) {
      problems.push(`window "${window.window.name}": ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  });
}

/** A maintenance from the start of its drain to its end (to the week's end when it has none). */
function maintenanceEntries(maintenances: MaintenanceView[], weekEnd: number): CalendarEntry[] {
  return maintenances.filter((view) => view.state !== 'CANCELLED' && view.state !== 'DONE').map((view) => {
    const start = Date.parse(view.drain_starts_at ?? view.at);
    const end = view.until ? Date.parse(view.until) : Math.max(weekEnd, Date.parse(view.at) + 3_600_000);
    const hosts = view.hosts.join(', ');
    return {
      kind: 'maintenance' as const,
      key: `${view.id}`,
      title: `Maintenance of ${hosts}`,
      detail: `Maintenance of ${hosts}: drain from ${when(view.drain_starts_at)}, out of service by ${when(view.at)}, back ${view.until ? when(view.until) : 'when undrained by hand'}${view.power_off ? ', powered off' : ''}`,
      start,
      end,
    };
  });
}

export function calendarPage(): Page {
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  let weeks = 0;
  let windows: WindowView[] = [];
  let maintenances: MaintenanceView[] = [];
  const title = element('h2', { className: 'calendar-title', attributes: { 'aria-live': 'polite' } });
  const grid = element('div', { className: 'calendar-grid' });
  const notes = element('div', {});
  const move = (by: number | null) => () => { weeks = by === null ? 0 : weeks + by; render(); };
  const root = element('div', { className: 'calendar-page' },
    pageHeader('Calendar'),
    element('p', { className: 'help-block', text: `Power-saving windows (each opens in its own time zone) and scheduled maintenances, shown in your time zone (${timezone}).` }),
    element('div', { className: 'calendar-toolbar' },
      element('div', { className: 'btn-group' },
        element('button', { className: 'btn btn-default', text: '‹ Previous week', attributes: { type: 'button' }, on: { click: move(-1) } }),
        element('button', { className: 'btn btn-default', text: 'This week', attributes: { type: 'button' }, on: { click: move(null) } }),
        element('button', { className: 'btn btn-default', text: 'Next week ›', attributes: { type: 'button' }, on: { click: move(1) } })),
      title,
      legend('Calendar', [['window', 'power-saving window'], ['scheduled-maintenance', 'scheduled maintenance (from the start of its drain)']])),
    notes,
    grid);

  function render(): void {
    const days = weekDays(startOfWeek(Date.now(), timezone), timezone, weeks);
    const from = days[0].start;
    const to = days[6].end;
    title.textContent = `Week of ${dayLabel(days[0], timezone)} to ${dayLabel(days[6], timezone)}`;
    const problems: string[] = [];
    const laid = layoutWeek([...windowEntries(windows, from, to, problems), ...maintenanceEntries(maintenances, to)], days);
    replaceChildren(notes, ...problems.map((problem) => element('div', { className: 'alert alert-warning', text: `Not on the calendar: ${problem}` })));
    replaceChildren(grid,
      element('div', { className: 'calendar-hours', attributes: { 'aria-hidden': 'true' } }, element('div', { className: 'calendar-day-heading' }), ...HOURS.map((hour) => element('div', { className: 'calendar-hour', text: `${String(hour).padStart(2, '0')}:00` }))),
      ...laid.map((day) => dayColumn(day)));
  }

  function dayColumn(day: CalendarDay): HTMLElement {
    const today = Date.now() >= day.start && Date.now() < day.end;
    const label = dayLabel(day, timezone);
    const body = element('ul', { className: 'calendar-day-body', attributes: { 'aria-label': label } },
      ...day.pieces.map((piece) => {
        const block = element('li', {
          className: `calendar-block calendar-${piece.entry.kind} colour-${piece.entry.kind === 'window' ? 'window' : 'scheduled-maintenance'}`,
          attributes: { title: piece.entry.detail, 'data-kind': piece.entry.kind },
        },
        element('strong', { text: piece.entry.title }),
        ` ${piece.continuesBefore ? '…' : clockText(Math.max(piece.entry.start, day.start), timezone)}–${piece.continuesAfter ? '…' : clockText(piece.entry.end, timezone)}`,
        element('span', { className: 'visually-hidden', text: `. ${piece.entry.detail}` }));
        // CSSOM, not a style attribute: the place of each block is computed.
        block.style.top = `${(piece.top * 100).toFixed(3)}%`;
        block.style.height = `${(piece.height * 100).toFixed(3)}%`;
        block.style.left = `${(100 * piece.lane / piece.lanes).toFixed(3)}%`;
        block.style.width = `${(100 / piece.lanes).toFixed(3)}%`;
        return block;
      }));
    return element('div', { className: today ? 'calendar-day today' : 'calendar-day', attributes: { 'data-date': day.date } },
      element('div', { className: 'calendar-day-heading', text: label, attributes: { 'aria-current': today ? 'date' : null } }),
      body);
  }

  async function load(): Promise<void> {
    try {
      const [windowAnswer, maintenanceAnswer] = await Promise.all([
        get<{ windows: WindowView[] }>('v1/windows'),
        get<{ maintenances: MaintenanceView[] }>('v1/maintenances?active=true'),
      ]);
      windows = windowAnswer.windows;
      maintenances = maintenanceAnswer.maintenances;
      root.setAttribute('data-loaded', 'true');
    } catch (error) {
      replaceChildren(notes, element('div', { className: 'alert alert-error', attributes: { role: 'alert' }, text: `Cannot load the windows and maintenances: ${describeFailure(error)}` }));
    }
    render();
  }

  render();
  void load();
  return { element: root };
}
