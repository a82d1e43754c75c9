// The panel's calendar week: Monday 00:00 in a time zone, days of 23 and 25 hours across daylight
// saving time, and entries cut into the days they cover, side by side where they overlap.
import { strict as assert } from 'node:assert';
import { layoutWeek, startOfWeek, weekDays, zonedInstant, type CalendarEntry } from '../../../web/src/calendar/week.js';

const at = (iso: string) => Date.parse(iso);
const entry = (key: string, start: string, end: string): CalendarEntry => ({ kind: 'window', key, title: key, detail: key, start: at(start), end: at(end) });

describe('the calendar\'s week', () => {
  it('starts on Monday 00:00 in the time zone asked for', () => {
    // Sunday 6 December 2026, 23:30 UTC is already Monday 00:30 in Berlin.
    assert.equal(new Date(startOfWeek(at('2026-12-06T23:30:00Z'), 'UTC')).toISOString(), '2026-11-30T00:00:00.000Z');
    assert.equal(new Date(startOfWeek(at('2026-12-06T23:30:00Z'), 'Europe/Berlin')).toISOString(), '2026-12-06T23:00:00.000Z');
  });

  it('finds the instant of a wall-clock time in a zone, in summer and winter', () => {
    assert.equal(new Date(zonedInstant(2026, 7, 1, 20, 0, 'Europe/Berlin')).toISOString(), '2026-07-01T18:00:00.000Z');
    assert.equal(new Date(zonedInstant(2026, 12, 1, 20, 0, 'Europe/Berlin')).toISOString(), '2026-12-01T19:00:00.000Z');
    assert.equal(new Date(zonedInstant(2026, 12, 31 + 1, 0, 0, 'UTC')).toISOString(), '2027-01-01T00:00:00.000Z', 'a day past the month rolls over');
    // The night summer time starts (01:00 UTC): 01:30 is still winter time, an hour before UTC.
    assert.equal(new Date(zonedInstant(2026, 3, 29, 1, 30, 'Europe/Berlin')).toISOString(), '2026-03-29T00:30:00.000Z');
  });

  it('has seven days, the one with the change to summer time 23 hours long, and moves week by week', () => {
    const days = weekDays(startOfWeek(at('2026-03-25T12:00:00Z'), 'Europe/Berlin'), 'Europe/Berlin');
    assert.deepEqual(days.map((day) => day.date), ['2026-03-23', '2026-03-24', '2026-03-25', '2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29']);
    assert.deepEqual(days.map((day) => (day.end - day.start) / 3_600_000), [24, 24, 24, 24, 24, 24, 23]);
    const next = weekDays(startOfWeek(at('2026-03-25T12:00:00Z'), 'Europe/Berlin'), 'Europe/Berlin', 1);
    assert.equal(next[0].date, '2026-03-30');
    assert.equal(new Date(next[0].start).toISOString(), '2026-03-29T22:00:00.000Z');
  });

  it('cuts an entry over midnight into two days, marking where it goes on', () => {
    const days = weekDays(startOfWeek(at('2026-12-02T12:00:00Z'), 'UTC'), 'UTC');
    const [monday, tuesday] = layoutWeek([entry('night', '2026-11-30T20:00:00Z', '2026-12-01T06:00:00Z')], days);
    assert.deepEqual(monday.pieces.map(({ top, height, continuesBefore, continuesAfter }) => ({ top, height, continuesBefore, continuesAfter })), [{ top: 20 / 24, height: 4 / 24, continuesBefore: false, continuesAfter: true }]);
    assert.deepEqual(tuesday.pieces.map(({ top, height, continuesBefore, continuesAfter }) => ({ top, height, continuesBefore, continuesAfter })), [{ top: 0, height: 6 / 24, continuesBefore: true, continuesAfter: false }]);
  });

  it('puts overlapping entries side by side, and the next one alone again', () => {
    const days = weekDays(startOfWeek(at('2026-12-02T12:00:00Z'), 'UTC'), 'UTC');
    const [monday] = layoutWeek([
      entry('a', '2026-11-30T08:00:00Z', '2026-11-30T12:00:00Z'),
      entry('b', '2026-11-30T10:00:00Z', '2026-11-30T14:00:00Z'),
      entry('c', '2026-11-30T12:00:00Z', '2026-11-30T13:00:00Z'),
      entry('d', '2026-11-30T18:00:00Z', '2026-11-30T19:00:00Z'),
    ], days);
    assert.deepEqual(monday.pieces.map((piece) => [piece.entry.key, piece.lane, piece.lanes]), [['a', 0, 2], ['b', 1, 2], ['c', 0, 2], ['d', 0, 1]]);
  });

  it('leaves out entries of other weeks', () => {
    const days = weekDays(startOfWeek(at('2026-12-02T12:00:00Z'), 'UTC'), 'UTC');
    assert.deepEqual(layoutWeek([entry('before', '2026-11-20T08:00:00Z', '2026-11-20T09:00:00Z')], days).flatMap((day) => day.pieces), []);
  });
});
