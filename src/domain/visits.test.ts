import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDue, countByStatus, dueList, intervalFor, visitDue } from './visits.js';

const DAY = 86_400_000;
const FREQ = { elderly_alone: 7, community_correction: 30, disabled: 30, veteran: null } as const;
const now = new Date('2026-11-22T08:00:00Z');

describe('intervalFor', () => {
  it('takes the most demanding tag; tags without a frequency need no visits', () => {
    expect(intervalFor(['disabled', 'elderly_alone'], FREQ)).toEqual({ everyDays: 7, tags: ['elderly_alone'] });
    expect(intervalFor(['disabled', 'community_correction'], new Map(Object.entries(FREQ)))).toEqual({ everyDays: 30, tags: ['disabled', 'community_correction'] });
    expect(intervalFor(['veteran'], FREQ)).toBeNull();
    expect(intervalFor(['unknown'], FREQ)).toBeNull();
    expect(intervalFor([], FREQ)).toBeNull();
  });
});

describe('visitDue', () => {
  it('counts from the last visit, or from registration', () => {
    const reg = new Date(now.getTime() - 40 * DAY);
    const never = visitDue({ residentId: 1, tags: ['elderly_alone'], registeredAt: reg, lastVisitAt: null }, FREQ, now)!;
    expect(never).toMatchObject({ status: 'overdue', everyDays: 7, daysOverdue: 33 });
    const recent = visitDue({ residentId: 1, tags: ['elderly_alone'], registeredAt: reg, lastVisitAt: new Date(now.getTime() - 1 * DAY) }, FREQ, now)!;
    expect(recent.status).toBe('done');
    expect(recent.dueAt.getTime()).toBe(now.getTime() + 6 * DAY);
    const soon = visitDue({ residentId: 1, tags: ['elderly_alone'], registeredAt: reg, lastVisitAt: new Date(now.getTime() - 5 * DAY) }, FREQ, now)!;
    expect(soon).toMatchObject({ status: 'due', daysOverdue: 0 });
    expect(visitDue({ residentId: 1, tags: ['veteran'], registeredAt: reg, lastVisitAt: null }, FREQ, now)).toBeNull();
  });

  it('status follows the clock: done, then due, then overdue, never back without a visit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), (every, a, b) => {
        const freq = { t: every };
        const last = new Date('2026-01-01T00:00:00Z');
        const s = { residentId: 1, tags: ['t'], registeredAt: last, lastVisitAt: last };
        const [t1, t2] = [Math.min(a, b), Math.max(a, b)].map((d) => new Date(last.getTime() + d * DAY / 2));
        const rank = { done: 0, due: 1, overdue: 2 };
        const s1 = visitDue(s, freq, t1!)!;
        const s2 = visitDue(s, freq, t2!)!;
        expect(rank[s2.status]).toBeGreaterThanOrEqual(rank[s1.status]);
        expect(s1.status === 'overdue').toBe(t1!.getTime() > last.getTime() + every * DAY);
      }),
    );
  });
});

describe('dueList and counts', () => {
  it('puts overdue first (longest overdue first), then due, then done; counts add up', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ tags: fc.subarray(Object.keys(FREQ)), ago: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }) }), { maxLength: 60 }),
        (rows) => {
          const subjects = rows.map((r, i) => ({ residentId: i + 1, tags: r.tags, registeredAt: new Date(now.getTime() - 100 * DAY), lastVisitAt: r.ago === null ? null : new Date(now.getTime() - r.ago * DAY) }));
          const list = dueList(subjects, FREQ, now);
          expect(list.length).toBe(subjects.filter((s) => s.tags.some((t) => FREQ[t as keyof typeof FREQ])).length);
          for (let i = 1; i < list.length; i++) expect(compareDue(list[i - 1]!, list[i]!)).toBeLessThanOrEqual(0);
          const overdue = list.filter((d) => d.status === 'overdue');
          expect(list.slice(0, overdue.length)).toEqual(overdue);
          const c = countByStatus(list);
          expect(c.overdue + c.due + c.done).toBe(c.total);
          expect(c.total).toBe(list.length);
        },
      ),
    );
  });
});
