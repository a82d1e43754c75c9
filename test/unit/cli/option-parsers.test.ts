// The operator's words on the command line become typed values, or usage errors that name the
// option: `--not-during "08:00-18:00 mon-fri Europe/Berlin"`, durations, fractions, days.
import assert from 'node:assert/strict';
import { ValidationError } from '../../../core/validation.js';
import {
  compactDays, formatTimeWindow, parseDate, parseDayList, parseDays, parseDurationMinutes, parseFraction, parseTimeWindow,
} from '../../../cli/option-parsers.js';

/** The usage error a call throws: its paths and messages. */
function issuesOf(call: () => unknown): { path: string; message: string }[] {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    return error.issues;
  }
  assert.fail('expected a usage error');
}

describe('CLI option parsing', () => {
  describe('--not-during, the short form of a time window', () => {
    const cases: Array<[string, object]> = [
      ['08:00-18:00 mon-fri Europe/Berlin', { start: '08:00', end: '18:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], timezone: 'Europe/Berlin' }],
      ['08:00-18:00 Europe/Berlin mon-fri', { start: '08:00', end: '18:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], timezone: 'Europe/Berlin' }],
      ['22:00-06:00', { start: '22:00', end: '06:00' }],
      ['8:30-17:00 sat,sun', { start: '08:30', end: '17:00', days: ['sat', 'sun'] }],
      ['sat,sun', { start: '00:00', end: '24:00', days: ['sat', 'sun'] }],
      ['00:00-24:00 weekends UTC', { start: '00:00', end: '24:00', days: ['sat', 'sun'], timezone: 'UTC' }],
      ['09:00-12:00 fri-mon America/New_York', { start: '09:00', end: '12:00', days: ['mon', 'fri', 'sat', 'sun'], timezone: 'America/New_York' }],
      ['09:00-12:00 daily', { start: '09:00', end: '12:00' }],
      ['09:00-12:00 Monday,Wednesday', { start: '09:00', end: '12:00', days: ['mon', 'wed'] }],
    ];
    for (const [text, expected] of cases) {
      it(`reads "${text}"`, () => assert.deepEqual(parseTimeWindow('--not-during', text), expected));
    }

    const wrong: Array<[string, RegExp]> = [
      ['25:00-18:00', /"25:00" is not a time of day/],
      ['08:00-08:00', /starts and ends at the same time/],
      ['08:00 mon-fri', /"08:00" is not a time range/],
      ['08:00-18:00 funday', /neither days .* nor a time zone/],
      ['08:00-18:00 Mars/Olympus', /"Mars\/Olympus" is not an IANA time zone/],
      ['08:00-18:00 mon-fri sat', /given twice/],
      ['', /is empty/],
    ];
    for (const [text, message] of wrong) {
      it(`refuses "${text}", naming the option`, () => {
        const [issue] = issuesOf(() => parseTimeWindow('--not-during[1]', text));
        assert.equal(issue.path, '--not-during[1]');
        assert.match(issue.message, message);
      });
    }

    it('prints a window back in the same short form', () => {
      assert.equal(formatTimeWindow(parseTimeWindow('x', '08:00-18:00 mon-fri Europe/Berlin')), '08:00-18:00 mon-fri Europe/Berlin');
      assert.equal(formatTimeWindow({ start: '00:00', end: '24:00', days: ['sat', 'sun'] }), 'all day sat,sun UTC');
      assert.equal(compactDays(['mon', 'tue', 'wed', 'fri', 'sun']), 'mon-wed,fri,sun');
    });
  });

  describe('durations, fractions, days and dates', () => {
    it('reads durations in minutes or with units', () => {
      assert.equal(parseDurationMinutes('--duration', '660'), 660);
      assert.equal(parseDurationMinutes('--duration', '11h'), 660);
      assert.equal(parseDurationMinutes('--duration', '1h30m'), 90);
      assert.equal(parseDurationMinutes('--duration', '2d'), 2880);
      assert.equal(issuesOf(() => parseDurationMinutes('--duration', 'soon'))[0].path, '--duration');
      assert.equal(issuesOf(() => parseDurationMinutes('--duration', ''))[0].path, '--duration');
    });

    it('reads fractions as 0.8 or 80%, and refuses what is not in (0, 1]', () => {
      assert.equal(parseFraction('--max-host-cpu', '0.8'), 0.8);
      assert.equal(parseFraction('--max-host-cpu', '80%'), 0.8);
      assert.equal(parseFraction('--max-host-cpu', '1'), 1);
      for (const bad of ['0', '1.5', '120%', 'lots', '-0.5']) {
        const [issue] = issuesOf(() => parseFraction('--max-host-cpu', bad));
        assert.equal(issue.path, '--max-host-cpu');
        assert.match(issue.message, /use e\.g\. 0\.8 or 80%/);
      }
    });

    it('reads days, ranges (wrapping past Sunday) and named sets', () => {
      assert.deepEqual(parseDays('weekdays'), ['mon', 'tue', 'wed', 'thu', 'fri']);
      assert.deepEqual(parseDays('sat-mon'), ['mon', 'sat', 'sun']);
      assert.equal(parseDays('someday'), undefined);
      assert.deepEqual(parseDayList('--off-day', ['sat', 'sun,sat']), ['sat', 'sun']);
      assert.equal(issuesOf(() => parseDayList('--off-day', ['holiday']))[0].path, '--off-day');
    });

    it('refuses dates that do not exist', () => {
      assert.equal(parseDate('--holiday[0]', '2026-12-24'), '2026-12-24');
      assert.equal(issuesOf(() => parseDate('--holiday[1]', '2026-02-30'))[0].path, '--holiday[1]');
    });
  });
});
