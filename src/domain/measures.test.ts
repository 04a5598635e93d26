import { describe, expect, it } from 'vitest';
import {
  bucketsOf,
  caseContributions,
  countCases,
  dayOf,
  isDay,
  levelSharesOf,
  measuresOf,
  type CaseFacts,
} from './measures.js';

const t = (s: string) => new Date(s);

/** A case reported at 2026-03-02 10:00 CST (02:00Z), with a 2-hour acceptance deadline. */
function base(over: Partial<CaseFacts> = {}): CaseFacts {
  return {
    status: 'reported',
    createdAt: t('2026-03-02T02:00:00Z'),
    acceptDueAt: t('2026-03-02T04:00:00Z'),
    respondedAt: null,
    acceptedAt: null,
    dispatchedAt: null,
    resolvedAt: null,
    resolvedLevel: null,
    resolvedOnTime: null,
    rating: null,
    ratedAt: null,
    closedAt: null,
    mergedIntoId: null,
    reworkCount: 0,
    returnCount: 0,
    ...over,
  };
}

const accepted = (over: Partial<CaseFacts> = {}) =>
  base({ status: 'accepted', respondedAt: t('2026-03-02T03:00:00Z'), acceptedAt: t('2026-03-02T03:00:00Z'), ...over });
const dispatched = (over: Partial<CaseFacts> = {}) => accepted({ status: 'dispatched', dispatchedAt: t('2026-03-02T03:30:00Z'), ...over });
const resolved = (over: Partial<CaseFacts> = {}) =>
  dispatched({ status: 'resolved', resolvedAt: t('2026-03-03T03:00:00Z'), resolvedLevel: 'community', resolvedOnTime: true, ...over });
const closedRated = (rating: string, over: Partial<CaseFacts> = {}) =>
  resolved({ status: 'closed', rating, ratedAt: t('2026-03-04T03:00:00Z'), closedAt: t('2026-03-04T03:00:00Z'), ...over });

describe('days in China Standard Time', () => {
  it('puts 16:30Z on the next CST day', () => {
    expect(dayOf(t('2026-03-01T15:59:59Z'))).toBe('2026-03-01');
    expect(dayOf(t('2026-03-01T16:00:00Z'))).toBe('2026-03-02');
  });
  it('checks calendar days', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('2026-2-3')).toBe(false);
  });
  it('cuts weeks on Monday and months on the 1st, clipped to the range', () => {
    expect(bucketsOf('2026-03-04', '2026-03-17', 'week')).toEqual([
      { start: '2026-03-02', first: '2026-03-04', end: '2026-03-08' },
      { start: '2026-03-09', first: '2026-03-09', end: '2026-03-15' },
      { start: '2026-03-16', first: '2026-03-16', end: '2026-03-17' },
    ]);
    expect(bucketsOf('2025-12-20', '2026-01-05', 'month').map((b) => [b.start, b.end])).toEqual([
      ['2025-12-01', '2025-12-31'],
      ['2026-01-01', '2026-01-05'],
    ]);
    expect(bucketsOf('2026-03-01', '2026-03-03', 'day')).toHaveLength(3);
  });
});

describe('measures over hand-computed fixtures', () => {
  // Ten cases, March 2026, counted by hand:
  const cases: CaseFacts[] = [
    base(), // 1 waiting for a response: reported, not responded
    base({ status: 'rejected', respondedAt: t('2026-03-02T05:00:00Z') }), // 2 rejected late (after the 04:00Z deadline)
    accepted(), // 3 accepted on time
    dispatched({ status: 'returned', returnCount: 1 }), // 4 returned once
    resolved({ resolvedOnTime: false, reworkCount: 1, resolvedLevel: 'street' }), // 5 resolved late after a rework
    closedRated('satisfied'), // 6 closed satisfied
    closedRated('basically_satisfied', { resolvedLevel: 'grid' }), // 7 closed basically satisfied
    resolved({ status: 'closed', closedAt: t('2026-03-10T03:00:00Z') }), // 8 closed NOT rated
    // 9 reopened: rated unsatisfied, resolution cleared, dispatched again on the 5th, returned meanwhile
    dispatched({ status: 'dispatched', rating: 'unsatisfied', ratedAt: t('2026-03-04T03:00:00Z'), dispatchedAt: t('2026-03-05T03:00:00Z') }),
    base({ status: 'merged', mergedIntoId: 6, respondedAt: t('2026-03-02T03:00:00Z') }), // 10 merged duplicate: counts nowhere
    base({ status: 'cancelled' }), // 11 cancelled by the reporter: counts nowhere
    base({ status: 'rejected', mergedIntoId: 6, respondedAt: t('2026-03-02T03:00:00Z') }), // 12 rejected as a duplicate: nowhere
  ];
  const c = countCases(cases, '2026-03-01', '2026-03-31');

  it('counts each fact once, by its own date', () => {
    expect(c.reported).toBe(9); // 1–9
    expect(c.respondedOnTime).toBe(7); // 3–9 (1 pending, 2 late)
    expect(c.accepted).toBe(7); // 3–9
    expect(c.acceptedClosed).toBe(3); // 6, 7, 8
    expect(c.resolved).toBe(4); // 5, 6, 7, 8 (9's resolution was cleared by the reopening)
    expect(c.resolvedOnTime).toBe(3); // 6, 7, 8
    expect(c.reworked).toBe(1); // 5
    expect(c.dispatched).toBe(6); // 4–9 (3 is not dispatched yet)
    expect(c.returned).toBe(1); // 4
    expect(c.rated).toBe(3); // 6, 7 and 9's unsatisfied verdict (8 was never rated)
    expect(c.satisfied).toBe(2); // 6, 7
    expect([c.lvlGrid, c.lvlCommunity, c.lvlStreet, c.lvlDistrict, c.lvlCity]).toEqual([1, 2, 1, 0, 0]);
  });

  it('gives the rates with their counts', () => {
    const m = measuresOf(c);
    expect(m.response).toEqual({ rate: 7 / 9, numerator: 7, denominator: 9 });
    expect(m.resolution).toEqual({ rate: 3 / 7, numerator: 3, denominator: 7 });
    expect(m.onTime).toEqual({ rate: 3 / 4, numerator: 3, denominator: 4 });
    expect(m.satisfaction).toEqual({ rate: 2 / 3, numerator: 2, denominator: 3 });
    expect(m.rework).toEqual({ rate: 1 / 4, numerator: 1, denominator: 4 });
    expect(m.return).toEqual({ rate: 1 / 6, numerator: 1, denominator: 6 });
    const l = levelSharesOf(c);
    expect(l.grid).toEqual({ rate: 0.25, numerator: 1, denominator: 4 });
    expect(l.community.rate).toBe(0.5);
    expect(l.city).toEqual({ rate: 0, numerator: 0, denominator: 4 });
  });

  it('answers null rates, not NaN, over an empty period', () => {
    const e = countCases(cases, '2027-01-01', '2027-01-31');
    expect(measuresOf(e).response).toEqual({ rate: null, numerator: 0, denominator: 0 });
  });
});

describe('period semantics', () => {
  it('puts a February report resolved in March into February for response and March for resolution', () => {
    const c = closedRated('satisfied', {
      createdAt: t('2026-02-27T02:00:00Z'),
      acceptDueAt: t('2026-02-27T04:00:00Z'),
      respondedAt: t('2026-02-27T03:00:00Z'),
      acceptedAt: t('2026-02-27T03:00:00Z'),
      dispatchedAt: t('2026-02-27T03:30:00Z'),
    });
    const feb = countCases([c], '2026-02-01', '2026-02-28');
    const mar = countCases([c], '2026-03-01', '2026-03-31');
    expect([feb.reported, feb.accepted, feb.acceptedClosed, feb.dispatched, feb.resolved, feb.rated]).toEqual([1, 1, 1, 1, 0, 0]);
    expect([mar.reported, mar.accepted, mar.dispatched, mar.resolved, mar.rated, mar.satisfied]).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('counts a case self-resolved on the spot as accepted and resolved at grid level on report', () => {
    const at = t('2026-03-02T02:00:00Z');
    const c = base({ status: 'awaiting_rating', respondedAt: at, resolvedAt: at, resolvedLevel: 'grid', resolvedOnTime: true });
    const n = countCases([c], '2026-03-02', '2026-03-02');
    expect([n.reported, n.respondedOnTime, n.accepted, n.acceptedClosed, n.resolved, n.lvlGrid, n.dispatched]).toEqual([1, 1, 1, 0, 1, 1, 0]);
  });

  it('replaces a reopened case\'s unsatisfied verdict by the later one, in the later period', () => {
    const before = dispatched({ rating: 'unsatisfied', ratedAt: t('2026-03-04T03:00:00Z') });
    const after = closedRated('satisfied', { reworkCount: 0, ratedAt: t('2026-04-02T03:00:00Z'), closedAt: t('2026-04-02T03:00:00Z'), resolvedAt: t('2026-04-01T03:00:00Z') });
    expect(countCases([before], '2026-03-01', '2026-03-31')).toMatchObject({ rated: 1, satisfied: 0 });
    expect(countCases([after], '2026-03-01', '2026-03-31')).toMatchObject({ rated: 0, satisfied: 0, resolved: 0 });
    expect(countCases([after], '2026-04-01', '2026-04-30')).toMatchObject({ rated: 1, satisfied: 1, resolved: 1 });
  });

  it('gives a merged duplicate no contribution at all', () => {
    expect(caseContributions(base({ status: 'merged', mergedIntoId: 1 }))).toEqual([]);
  });
});
