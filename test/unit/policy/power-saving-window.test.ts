// Power-saving windows open and close at the operator's local times, across DST, holidays and off days.
import assert from 'node:assert/strict';
import { nextOccurrence, occurrenceAt, openingPattern, validatePowerSavingWindow } from '../../../core/policy/power-saving-window.js';
import { ValidationError } from '../../../core/validation.js';

const nights = validatePowerSavingWindow({
  name: 'nights', opens: 'weekdays 20:00', closes: '07:00', timezone: 'Europe/Berlin',
  off_days: ['sat', 'sun'], holidays: ['2026-12-25'],
});
const iso = (epochMs: number) => new Date(epochMs).toISOString();

describe('power-saving windows', () => {
  it('reads friendly schedules and cron expressions', () => {
    assert.equal(openingPattern('weekdays 20:00'), '0 20 * * 1-5');
    assert.equal(openingPattern('mon-thu 19:30'), '30 19 * * 1,2,3,4');
    assert.equal(openingPattern('sat,sun 00:00'), '0 0 * * 0,6');
    assert.equal(openingPattern('0 22 * * *'), '0 22 * * *');
  });

  it('is open on a weekday evening, local time, and closed at noon', () => {
    const open = occurrenceAt(nights, Date.parse('2026-11-24T21:00:00Z'));
    assert.ok(open);
    assert.equal(iso(open.opensAt), '2026-11-24T19:00:00.000Z');
    assert.equal(iso(open.closesAt), '2026-11-25T06:00:00.000Z');
    assert.equal(occurrenceAt(nights, Date.parse('2026-11-25T11:00:00Z')), null);
  });

  it('stays open over the off days until the next working morning', () => {
    const weekend = occurrenceAt(nights, Date.parse('2026-11-28T11:00:00Z'));
    assert.ok(weekend);
    assert.equal(iso(weekend.opensAt), '2026-11-27T19:00:00.000Z');
    assert.equal(iso(weekend.closesAt), '2026-11-30T06:00:00.000Z');
  });

  it('follows the switch to summer time: closes at 07:00 CEST', () => {
    const spring = nextOccurrence(nights, Date.parse('2026-03-27T12:00:00Z'));
    assert.ok(spring);
    assert.equal(iso(spring.opensAt), '2026-03-27T19:00:00.000Z');
    assert.equal(iso(spring.closesAt), '2026-03-30T05:00:00.000Z');
  });

  it('stays open over a holiday', () => {
    const christmas = nextOccurrence(nights, Date.parse('2026-12-24T12:00:00Z'));
    assert.ok(christmas);
    assert.equal(iso(christmas.closesAt), '2026-12-28T06:00:00.000Z');
  });

  it('stops new waves, then restores, before it closes', () => {
    const open = occurrenceAt(nights, Date.parse('2026-11-24T21:00:00Z'))!;
    assert.equal(open.closesAt - open.restoreAt, 30 * 60_000);
    assert.equal(open.restoreAt - open.stopNewWavesAt, 30 * 60_000);
  });

  it('names one key per opening, so that an opening is never run twice', () => {
    const a = occurrenceAt(nights, Date.parse('2026-11-24T21:00:00Z'))!;
    const b = occurrenceAt(nights, Date.parse('2026-11-25T03:00:00Z'))!;
    assert.equal(a.key, b.key);
  });

  it('refuses bad schedules, time zones and closes, naming the field', () => {
    const invalid = (value: unknown, path: string) => assert.throws(() => validatePowerSavingWindow(value), (error: unknown) =>
      error instanceof ValidationError && error.issues.some((issue) => issue.path === path));
    invalid({ name: 'x', opens: 'weekdayz 20:00', closes: '07:00' }, 'window.opens');
    invalid({ name: 'x', opens: '0 25 * * *', closes: '07:00' }, 'window.opens');
    invalid({ name: 'x', opens: 'daily 20:00', closes: '07:00', timezone: 'Nowhere/City' }, 'window.timezone');
    invalid({ name: 'x', opens: 'daily 20:00' }, 'window.closes');
    invalid({ name: 'x', opens: 'daily 20:00', closes: '25:00' }, 'window.closes');
  });
});
