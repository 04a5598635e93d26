import { describe, expect, it } from 'vitest';
import { chinaDate, clockColour, startOfChinaDay, WorkCalendar } from './calendar.js';

const cal = new WorkCalendar();
/** An instant given in China time. */
const cst = (s: string) => new Date(s + '+08:00');

describe('working calendar', () => {
  it('knows the 2025 National Day week and its make-up workdays', () => {
    // 2025: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are workdays.
    expect(cal.isWorkday('2025-09-28')).toBe(true);
    expect(cal.isWorkday('2025-10-01')).toBe(false);
    expect(cal.isWorkday('2025-10-08')).toBe(false);
    expect(cal.isWorkday('2025-10-09')).toBe(true);
    expect(cal.isWorkday('2025-10-11')).toBe(true);
    expect(cal.isWorkday('2025-10-12')).toBe(false);
  });

  it('3 working days from Tue 30 Sep 2025 skip the holiday week: Thu 9, Fri 10, Sat 11 (make-up day)', () => {
    const due = cal.addDeadline(cst('2025-09-30T10:00:00'), { amount: 3, unit: 'workdays' });
    expect(due.toISOString()).toBe(cst('2025-10-11T23:59:59.999').toISOString());
  });

  it('counts the make-up Sunday before the holiday', () => {
    // From Fri 26 Sep 2025: Sun 28 (make-up), Mon 29, Tue 30.
    const due = cal.addDeadline(cst('2025-09-26T16:00:00'), { amount: 3, unit: 'workdays' });
    expect(chinaDate(due)).toBe('2025-09-30');
  });

  it('2026 National Day: 1 working day from Wed 30 Sep is Thu 8 Oct; Sat 10 Oct is a make-up workday', () => {
    expect(chinaDate(cal.addDeadline(cst('2026-09-30T09:00:00'), { amount: 1, unit: 'workdays' }))).toBe('2026-10-08');
    expect(cal.isWorkday('2026-10-10')).toBe(true);
  });

  it('natural hours are plain elapsed time, holidays or not', () => {
    const due = cal.addDeadline(cst('2025-09-30T10:00:00'), { amount: 72, unit: 'hours' });
    expect(due.toISOString()).toBe(cst('2025-10-03T10:00:00').toISOString());
  });

  it('a start on a day off counts from the next working day', () => {
    expect(chinaDate(cal.addDeadline(cst('2025-10-04T12:00:00'), { amount: 1, unit: 'workdays' }))).toBe('2025-10-09');
  });

  it('day boundaries are China time, not UTC', () => {
    // 23:30 China time on Thu 9 Oct is 15:30 UTC the same day; 00:30 on the 10th is 16:30 UTC on the 9th.
    expect(chinaDate(cst('2025-10-10T00:30:00'))).toBe('2025-10-10');
    expect(startOfChinaDay('2025-10-10').toISOString()).toBe('2025-10-09T16:00:00.000Z');
  });

  it('overrides win over the package (e.g. a year it does not know yet)', () => {
    const c = new WorkCalendar(new Map([['2027-10-01', false], ['2027-10-09', true]]));
    expect(c.isWorkday('2027-10-01')).toBe(false);
    expect(c.isWorkday('2027-10-09')).toBe(true);
  });

  it('working time between two instants skips days off', () => {
    const ms = cal.workingMsBetween(cst('2025-09-30T12:00:00'), cst('2025-10-09T12:00:00'));
    expect(ms / 3_600_000).toBe(12 + 12); // the afternoon of 30 Sep and the morning of 9 Oct
  });

  it('elapsed share and clock colours', () => {
    const start = cst('2025-03-03T09:00:00');
    const due = cal.addDeadline(start, { amount: 10, unit: 'hours' });
    expect(cal.elapsedShare(start, due, cst('2025-03-03T14:00:00'), 'hours')).toBeCloseTo(0.5);
    expect(clockColour(0.5, cst('2025-03-03T14:00:00'), due)).toBe('green');
    expect(clockColour(0.85, cst('2025-03-03T17:30:00'), due)).toBe('yellow');
    expect(clockColour(1.2, cst('2025-03-03T20:00:00'), due)).toBe('red');
    expect(clockColour(0.7, cst('2025-03-03T16:00:00'), due, 0.6)).toBe('yellow');
    const wdue = cal.addDeadline(cst('2025-09-30T00:00:00'), { amount: 2, unit: 'workdays' });
    // Over the holiday the working clock stands still: on 5 Oct only Sep 30 has been used of 3 working days (30, 9, 10).
    expect(cal.elapsedShare(cst('2025-09-30T00:00:00'), wdue, cst('2025-10-05T12:00:00'), 'workdays')).toBeCloseTo(1 / 3, 2);
  });

  it('finds when a share of the time is reached, on the working clock', () => {
    const start = cst('2025-03-03T09:00:00');
    expect(cal.shareReachedAt(start, new Date(+start + 10 * 3_600_000), 'hours', 0.8).toISOString()).toBe(cst('2025-03-03T17:00:00').toISOString());
    // 2 working days from Tue 30 Sep 00:00: Sep 30 and Oct 9 (end of day) → 48 working hours; 80% = 38.4 h → Oct 9, 14:24.
    const wdue = cal.addDeadline(cst('2025-09-30T00:00:00'), { amount: 1, unit: 'workdays' });
    expect(chinaDate(wdue)).toBe('2025-10-09');
    const at = cal.shareReachedAt(cst('2025-09-30T00:00:00'), wdue, 'workdays', 0.8);
    expect(Math.abs(+at - +cst('2025-10-09T14:24:00'))).toBeLessThan(5);
  });
});
