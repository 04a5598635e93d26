/**
 * Deadlines (时限) in natural hours or Chinese working days. The official
 * calendar (public holidays and the adjusted workdays, 调休) comes from the npm
 * package `chinese-days`; a deployment can override single days (a year the
 * package does not know yet, a local holiday) without a code change.
 *
 * All day arithmetic is in China Standard Time (UTC+8, no daylight saving).
 */
import chineseDays from 'chinese-days';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const CST = 8 * HOUR;

export type DeadlineUnit = 'hours' | 'workdays';

export interface DeadlineSpec {
  amount: number;
  unit: DeadlineUnit;
}

/** 'YYYY-MM-DD' of the China date that contains instant `t`. */
export function chinaDate(t: Date | number): string {
  return new Date(+t + CST).toISOString().slice(0, 10);
}

/** The instant China's day `date` begins. */
export function startOfChinaDay(date: string): Date {
  return new Date(Date.parse(date + 'T00:00:00Z') - CST);
}

function addDays(date: string, n: number): string {
  return new Date(Date.parse(date + 'T00:00:00Z') + n * DAY).toISOString().slice(0, 10);
}

export class WorkCalendar {
  /**
   * @param overrides date → true (a workday) / false (a day off), taking
   * precedence over the official calendar.
   */
  constructor(private readonly overrides: ReadonlyMap<string, boolean> = new Map()) {}

  isWorkday(date: string): boolean {
    const o = this.overrides.get(date);
    if (o !== undefined) return o;
    return chineseDays.isWorkday(date);
  }

  /**
   * The deadline `spec` after `start`. Natural hours are plain elapsed time.
   * Working days do not count the day of `start` (当日不计): the deadline is
   * the end of the Nth working day after it.
   */
  addDeadline(start: Date, spec: DeadlineSpec): Date {
    if (spec.unit === 'hours') return new Date(+start + spec.amount * HOUR);
    let date = chinaDate(start);
    let left = spec.amount;
    let guard = 0;
    while (left > 0) {
      date = addDays(date, 1);
      if (this.isWorkday(date)) left--;
      if (++guard > 3660) throw new Error('no working days found within ten years');
    }
    return new Date(+startOfChinaDay(addDays(date, 1)) - 1);
  }

  /** Milliseconds of working-day time between a and b (time on days off does not count). */
  workingMsBetween(a: Date, b: Date): number {
    if (+b <= +a) return 0;
    let total = 0;
    let cursor = +a;
    while (cursor < +b) {
      const date = chinaDate(cursor);
      const dayEnd = +startOfChinaDay(addDays(date, 1));
      const until = Math.min(dayEnd, +b);
      if (this.isWorkday(date)) total += until - cursor;
      cursor = until;
    }
    return total;
  }

  /**
   * The instant at which `share` of the time from `start` to `due` is used,
   * on the clock the deadline runs on (working time only, for working days).
   */
  shareReachedAt(start: Date, due: Date, unit: DeadlineUnit, share: number): Date {
    if (unit === 'hours') return new Date(+start + share * (+due - +start));
    let left = share * this.workingMsBetween(start, due);
    let cursor = +start;
    while (cursor < +due) {
      const date = chinaDate(cursor);
      const dayEnd = Math.min(+startOfChinaDay(addDays(date, 1)), +due);
      if (this.isWorkday(date)) {
        if (dayEnd - cursor >= left) return new Date(cursor + left);
        left -= dayEnd - cursor;
      }
      cursor = dayEnd;
    }
    return due;
  }

  /** Share of the allowed time used at `now` (0 at start, 1 at the deadline), on the clock the spec runs on. */
  elapsedShare(start: Date, due: Date, now: Date, unit: DeadlineUnit): number {
    if (+now >= +due) return +now === +due ? 1 : Math.max(1, this.ratio(start, due, now, unit));
    return this.ratio(start, due, now, unit);
  }

  private ratio(start: Date, due: Date, now: Date, unit: DeadlineUnit): number {
    if (unit === 'hours') return (+now - +start) / Math.max(1, +due - +start);
    const total = this.workingMsBetween(start, due);
    return total === 0 ? 1 : this.workingMsBetween(start, now) / total;
  }
}

/** 时限 colours: green, yellow from a share of the time (default 80%), red when overdue. */
export type ClockColour = 'green' | 'yellow' | 'red';

export function clockColour(share: number, now: Date, due: Date, yellowShare = 0.8): ClockColour {
  if (+now > +due) return 'red';
  return share >= yellowShare ? 'yellow' : 'green';
}
