import chineseDays from 'chinese-days';
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from './calendar.js';
import {
  categoryWeights,
  cumulative,
  fastCalendar,
  pickChannel,
  pickCumulative,
  planCase,
  reportInstant,
  rngFrom,
  type CasePlan,
  type MixCategory,
  type Unit,
} from './case-mix.js';
import { nextStatus, type CaseStatus } from './case-lifecycle.js';
import { DEFAULT_CATALOGUE } from './category-catalogue.js';

const NOW = Date.parse('2026-02-01T04:00:00Z');
const FROM = NOW - 90 * 86_400_000;
const cats: MixCategory[] = DEFAULT_CATALOGUE.map((c) => ({ code: c.code, kind: c.kind, defaultLevel: c.defaultLevel, deadlines: c.defaultDeadlines, departmentKind: c.defaultDepartmentKind }));
const unit = (type: Unit['type'], level: Unit['level'], nodeCode: string, departmentId: number | null = null): Unit => ({ type, level, nodeCode, departmentId, name: nodeCode });
const UNITS = {
  grid: unit('grid_worker', 'grid', '441302001001001'),
  community: unit('node_office', 'community', '441302001001'),
  street: unit('node_office', 'street', '441302001'),
  district: unit('department', 'district', '441302', 7),
  city: unit('node_office', 'city', '4413'),
};

function plans(n: number, seed: number, now = NOW): CasePlan[] {
  const rnd = rngFrom(seed);
  const cum = cumulative(categoryWeights(cats.map((c) => c.code)));
  const calendar = fastCalendar((d) => chineseDays.isWorkday(d));
  return Array.from({ length: n }, () =>
    planCase(rnd, {
      reportedAt: reportInstant(rnd, FROM, now),
      now,
      category: cats[pickCumulative(cum, rnd())]!,
      channel: pickChannel(rnd),
      units: UNITS,
      calendar,
      ratingDays: 7,
      yellowShare: 0.8,
      autoEscalateHours: 24,
      canMerge: true,
    }),
  );
}

const share = (xs: CasePlan[], f: (p: CasePlan) => boolean) => xs.filter(f).length / xs.length;

describe('fastCalendar', () => {
  it('gives the same deadlines and yellow instants as WorkCalendar, across the National Day week and its make-up days', () => {
    const slow = new WorkCalendar(new Map([['2025-10-09', false]]));
    const fast = fastCalendar((d) => (d === '2025-10-09' ? false : chineseDays.isWorkday(d)));
    const rnd = rngFrom(3);
    for (let i = 0; i < 400; i++) {
      const start = Math.round(Date.parse('2025-09-20T00:00:00Z') + rnd() * 40 * 86_400_000);
      for (const spec of [{ amount: 1 + Math.floor(rnd() * 15), unit: 'workdays' as const }, { amount: Math.ceil(rnd() * 200) / 2, unit: 'hours' as const }]) {
        const due = +slow.addDeadline(new Date(start), spec);
        expect(fast.addDeadline(start, spec)).toBe(due);
        expect(Math.abs(fast.shareReachedAt(start, due, spec.unit, 0.8) - +slow.shareReachedAt(new Date(start), new Date(due), spec.unit, 0.8))).toBeLessThan(1);
      }
    }
  });
});

describe('the mix', () => {
  it('weights only leaf categories, urban management the bulk', () => {
    const w = categoryWeights(cats.map((c) => c.code));
    const byGroup = (g: string) => cats.reduce((s, c, i) => s + (c.code.split('.')[0] === g ? w[i]! : 0), 0);
    cats.forEach((c, i) => {
      if (cats.some((o) => o.code.startsWith(c.code + '.'))) expect(w[i], c.code).toBe(0);
    });
    const urban = ['city_env', 'street_order', 'facility', 'advertising', 'road_traffic', 'greenery', 'construction', 'housing_land', 'emergency', 'other'];
    const total = w.reduce((a, b) => a + b, 0);
    expect(urban.reduce((s, g) => s + byGroup(g), 0) / total).toBeGreaterThan(0.6);
    expect(byGroup('dispute') / total).toBeGreaterThan(byGroup('wish') / total);
  });

  it('draws channels at their shares and report times inside the period', () => {
    const rnd = rngFrom(9);
    const n = 20_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const ch = pickChannel(rnd);
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    const c = (k: string) => (counts.get(k) ?? 0) / n;
    expect(c('h5') + c('resident_app')).toBeGreaterThan(0.3);
    expect(c('hotline')).toBeGreaterThan(0.26);
    expect(c('patrol')).toBeGreaterThan(0.21);
    for (let i = 0; i < 1000; i++) {
      const t = reportInstant(rnd, FROM, NOW);
      expect(t).toBeGreaterThanOrEqual(FROM);
      expect(t).toBeLessThan(NOW);
    }
  });
});

describe('planCase', () => {
  const all = plans(6000, 42);

  it('every timeline is a valid walk of the lifecycle table with strictly increasing times, none after now', () => {
    for (const p of all) {
      let s: CaseStatus | null = null;
      let last = -Infinity;
      for (const e of p.planned) {
        expect(e.from).toBe(s);
        expect(e.to).toBe(e.action === 'report' ? 'reported' : nextStatus(s!, e.action));
        expect(e.at).toBeGreaterThan(last);
        last = e.at;
        s = e.to;
      }
      expect(p.events.every((e) => e.at <= NOW)).toBe(true);
      expect(p.events[0]!.action).toBe('report');
      expect(p.state.status).toBe(p.events[p.events.length - 1]!.to);
    }
  });

  it('old cases are finished; recent ones spread over the open states', () => {
    const old = all.filter((p) => p.events[0]!.at < NOW - 30 * 86_400_000);
    expect(share(old, (p) => ['closed', 'rejected', 'merged', 'cancelled'].includes(p.state.status))).toBe(1);
    const recent = all.filter((p) => p.events[0]!.at > NOW - 3 * 86_400_000);
    const open = new Set(recent.map((p) => p.state.status));
    for (const s of ['in_progress', 'awaiting_rating', 'closed']) expect(open.has(s as CaseStatus), s).toBe(true);
  });

  it('clock colours agree with now and the deadlines', () => {
    for (const { state: s } of all) {
      if (s.status === 'reported') {
        expect(s.clockColour).toBe(s.acceptDueAt! <= NOW ? 'red' : s.yellowAt! <= NOW ? 'yellow' : 'green');
      } else if (s.status === 'dispatched' || s.status === 'in_progress') {
        expect(s.clockColour).toBe(s.handleDueAt! <= NOW ? 'red' : s.yellowAt! <= NOW ? 'yellow' : 'green');
        // The sweep supervises a red case at once and escalates it after 24 hours overdue: neither is pending.
        if (s.clockColour === 'red') {
          expect(s.supervisedAt).not.toBeNull();
          expect(NOW - s.handleDueAt!).toBeLessThan(24 * 3_600_000);
        }
      } else if (s.status === 'awaiting_rating') {
        expect(s.ratingDueAt!).toBeGreaterThan(NOW);
        expect(s.clockColour).toBe('green');
      }
    }
  });

  it('hits the source cities\' figures: response, on time, satisfaction, level shares, urgent', () => {
    const events = all.flatMap((p) => p.events);
    const accepts = events.filter((e) => e.action === 'accept');
    expect(share(all, (p) => p.events.some((e) => e.action === 'accept' && (e.data as { respondedOnTime: boolean }).respondedOnTime) || !p.events.some((e) => e.action === 'accept')))
      .toBeGreaterThan(0.99);
    expect(accepts.length).toBeGreaterThan(0.8 * all.length);
    const resolves = events.filter((e) => e.action === 'resolve');
    const onTime = resolves.filter((e) => (e.data as { onTime: boolean }).onTime).length / resolves.length;
    expect(onTime).toBeGreaterThan(0.92);
    expect(onTime).toBeLessThan(0.98);
    const ratings = events.filter((e) => e.action.startsWith('rate_'));
    const satisfied = ratings.filter((e) => e.action !== 'rate_unsatisfied').length / ratings.length;
    expect(satisfied).toBeGreaterThan(0.96);
    expect(satisfied).toBeLessThan(0.995);
    expect(ratings.filter((e) => e.action === 'rate_satisfied').length / ratings.length).toBeGreaterThan(0.85);
    const resolved = all.filter((p) => p.state.resolvedLevel);
    const lvl = (l: string) => share(resolved, (p) => p.state.resolvedLevel === l);
    expect(lvl('grid')).toBeGreaterThan(0.5);
    expect(lvl('grid')).toBeLessThan(0.7);
    expect(lvl('grid') + lvl('community')).toBeGreaterThan(0.8);
    expect(lvl('district') + lvl('city')).toBeGreaterThan(0.02);
    expect(lvl('district') + lvl('city')).toBeLessThan(0.1);
    const urgent = share(all, (p) => p.urgent);
    expect(urgent).toBeGreaterThan(0.003);
    expect(urgent).toBeLessThan(0.03);
    for (const a of ['reject', 'merge', 'cancel', 'return', 'escalate', 'check_fail', 'rate_unsatisfied', 'close_unrated', 'self_resolve', 'supervise']) {
      const n = events.filter((e) => e.action === a).length / all.length;
      expect(n, a).toBeGreaterThan(0);
      expect(n, a).toBeLessThan(0.12);
    }
    // Unsatisfied reopens the case; a case closed by a rating after that carries the later, better verdict.
    const reopened = all.filter((x) => x.state.reopenCount > 0);
    expect(reopened.length).toBeGreaterThan(0);
    for (const p of reopened.filter((x) => x.state.closeReason === 'rated')) expect(p.state.rating).not.toBe('unsatisfied');
    for (const p of reopened.filter((x) => x.state.status !== 'closed')) expect(['dispatched', 'in_progress', 'resolved', 'awaiting_rating']).toContain(p.state.status);
  });

  it('is deterministic for a seed', () => {
    const a = plans(300, 5);
    const b = plans(300, 5);
    expect(b.map((p) => p.events.map((e) => [e.at, e.action]))).toEqual(a.map((p) => p.events.map((e) => [e.at, e.action])));
    const c = plans(300, 6);
    expect(c.map((p) => p.events[0]!.at)).not.toEqual(a.map((p) => p.events[0]!.at));
  });
});
