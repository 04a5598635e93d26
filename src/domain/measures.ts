/**
 * The measures (考核指标) — THE one definition of every rate the platform
 * reports (domain.md, "Measures"). Each rate is a numerator over a denominator
 * counted from facts on the case row; every count belongs to a period by ONE
 * date of the case, named below. The SQL in migrations/0021_measures_rollups.sql
 * (`case_measure_rows`) mirrors `caseContributions` exactly, and tests hold the
 * two together (src/server/modules/measures/measures.rollup.test.ts).
 *
 * | measure      | 中文        | numerator ÷ denominator                                  | period by     |
 * |--------------|-------------|----------------------------------------------------------|---------------|
 * | response     | 响应率       | responded (accepted/rejected) by the acceptance deadline ÷ reported | created_at |
 * | resolution   | 办结率       | closed (rated, or not rated when the period ran out) ÷ accepted | accepted_at |
 * | onTime       | 按期办结率    | resolved by the handling deadline ÷ resolved               | resolved_at   |
 * | satisfaction | 满意率       | (满意 + 基本满意) ÷ rated                                   | rated_at      |
 * | rework       | 返工率       | resolved cases reworked at least once ÷ resolved           | resolved_at   |
 * | return       | 退件率       | dispatched cases returned at least once ÷ dispatched        | dispatched_at |
 * | level shares | 小事不出格率… | resolved at grid / community / street / district / city ÷ resolved | resolved_at |
 *
 * Edge cases, decided:
 * - Merged duplicates (合并; also a rejection that names the original: `merged_into_id` set) and
 *   reports the reporter cancelled before acceptance count nowhere: not reported, not in any
 *   denominator. Their original carries the matter.
 * - Reopened cases (重办, after "不满意"): a case counts once, by its LATEST state. The unsatisfied
 *   rating counts as a rating (unsatisfied) from the moment it is given until the resident rates
 *   the redone work, which then replaces it (period moves to the new rated_at). Reopening clears
 *   the resolution, so the case leaves "resolved" until it is resolved again (then on-time is
 *   judged against the new deadline and the level is the new handling level).
 * - Rework (返工): a failed check clears the resolution; the case is "resolved" again at its next
 *   resolution, and counts as reworked (rework_count > 0).
 * - Closures not rated (评价期满未评价): closed, so they count for the resolution rate; they were
 *   never rated, so they are NOT in the satisfaction denominator.
 * - Self-resolved on the spot (自处置) at report: accepted and resolved at the report time, at grid level.
 * - Cases moved between grids: every count follows the case's CURRENT node (where it ended), so a
 *   subtree's figures are those of the cases that are now in it; a move shifts all of a case's counts
 *   at once (the roll-up subtracts them from the old place and adds them to the new one).
 * - Department figures: the case's current lead handler (主办) department. A return (退回) clears the
 *   handler, so a department's return rate counts the returned cases later dispatched to it, not the
 *   ones it returned itself (that needs the timeline; not done yet).
 * - Cases still waiting for a response are in the response denominator and not (yet) the numerator.
 *
 * Days are calendar days in China Standard Time (UTC+8, no daylight saving), like src/domain/calendar.ts.
 */

export const MEASURE_KEYS = ['response', 'resolution', 'onTime', 'satisfaction', 'rework', 'return'] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];

export const HANDLING_LEVELS = ['grid', 'community', 'street', 'district', 'city'] as const;
export type HandlingLevel = (typeof HANDLING_LEVELS)[number];

/** The counters every rate is built from. Names match the roll-up columns (snake_case there). */
export const COUNTERS = [
  'reported',
  'respondedOnTime',
  'accepted',
  'acceptedClosed',
  'resolved',
  'resolvedOnTime',
  'reworked',
  'dispatched',
  'returned',
  'rated',
  'satisfied',
  'lvlGrid',
  'lvlCommunity',
  'lvlStreet',
  'lvlDistrict',
  'lvlCity',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Record<Counter, number>;

/** The snake_case column of each counter in SQL. */
export const COUNTER_COLUMNS: Record<Counter, string> = Object.fromEntries(
  COUNTERS.map((c) => [c, c.replace(/[A-Z]/g, (m) => '_' + m.toLowerCase())]),
) as Record<Counter, string>;

const LEVEL_COUNTER: Record<HandlingLevel, Counter> = {
  grid: 'lvlGrid',
  community: 'lvlCommunity',
  street: 'lvlStreet',
  district: 'lvlDistrict',
  city: 'lvlCity',
};

/** The facts of a case row that the measures read. */
export interface CaseFacts {
  status: string;
  createdAt: Date;
  acceptDueAt: Date | null;
  respondedAt: Date | null;
  acceptedAt: Date | null;
  dispatchedAt: Date | null;
  resolvedAt: Date | null;
  resolvedLevel: string | null;
  resolvedOnTime: boolean | null;
  rating: string | null;
  ratedAt: Date | null;
  closedAt: Date | null;
  mergedIntoId: number | null;
  reworkCount: number;
  returnCount: number;
}

/** A case's contribution to one day: the counters it adds there. */
export interface Contribution {
  day: string;
  counts: Partial<Counters>;
}

const CST_MS = 8 * 3_600_000;

/** The China Standard Time calendar day (YYYY-MM-DD) of an instant. */
export function dayOf(at: Date): string {
  return new Date(+at + CST_MS).toISOString().slice(0, 10);
}

/** True for a case that counts nowhere: a merged duplicate or a report cancelled by its reporter. */
export function isExcluded(c: Pick<CaseFacts, 'status' | 'mergedIntoId'>): boolean {
  return c.mergedIntoId !== null || c.status === 'merged' || c.status === 'cancelled';
}

/** When the case counts as accepted: accepted_at, or the report itself for a case self-resolved on the spot. */
export function acceptedAtOf(c: CaseFacts): Date | null {
  if (c.status === 'rejected') return null;
  return c.acceptedAt ?? (c.resolvedAt && c.respondedAt ? c.respondedAt : null);
}

/**
 * What one case adds to the counters, grouped by the day each count belongs to
 * (see the table above). Excluded cases add nothing.
 */
export function caseContributions(c: CaseFacts): Contribution[] {
  if (isExcluded(c)) return [];
  const out: Contribution[] = [];
  const respondedOnTime = c.respondedAt !== null && (c.acceptDueAt === null || c.respondedAt <= c.acceptDueAt);
  out.push({ day: dayOf(c.createdAt), counts: { reported: 1, respondedOnTime: respondedOnTime ? 1 : 0 } });
  const acceptedAt = acceptedAtOf(c);
  if (acceptedAt) out.push({ day: dayOf(acceptedAt), counts: { accepted: 1, acceptedClosed: c.closedAt ? 1 : 0 } });
  if (c.resolvedAt) {
    const counts: Partial<Counters> = { resolved: 1, resolvedOnTime: c.resolvedOnTime ? 1 : 0, reworked: c.reworkCount > 0 ? 1 : 0 };
    const lvl = LEVEL_COUNTER[c.resolvedLevel as HandlingLevel];
    if (lvl) counts[lvl] = 1;
    out.push({ day: dayOf(c.resolvedAt), counts });
  }
  if (c.dispatchedAt) out.push({ day: dayOf(c.dispatchedAt), counts: { dispatched: 1, returned: c.returnCount > 0 ? 1 : 0 } });
  if (c.ratedAt && c.rating) {
    out.push({ day: dayOf(c.ratedAt), counts: { rated: 1, satisfied: c.rating === 'satisfied' || c.rating === 'basically_satisfied' ? 1 : 0 } });
  }
  return out;
}

export function emptyCounters(): Counters {
  return Object.fromEntries(COUNTERS.map((k) => [k, 0])) as Counters;
}

/** Adds `b` into `a` (in place) and returns `a`. */
export function addCounters(a: Counters, b: Partial<Counters>): Counters {
  for (const k of COUNTERS) a[k] += b[k] ?? 0;
  return a;
}

/** The counters of a set of cases over the days `from`..`to` (inclusive, YYYY-MM-DD). */
export function countCases(cases: Iterable<CaseFacts>, from: string, to: string): Counters {
  const total = emptyCounters();
  for (const c of cases) for (const x of caseContributions(c)) if (x.day >= from && x.day <= to) addCounters(total, x.counts);
  return total;
}

export interface Rate {
  /** numerator ÷ denominator, null when nothing was counted. */
  rate: number | null;
  numerator: number;
  denominator: number;
}

export function rateOf(numerator: number, denominator: number): Rate {
  return { rate: denominator > 0 ? numerator / denominator : null, numerator, denominator };
}

/** The six rates from the counters. */
export function measuresOf(c: Counters): Record<MeasureKey, Rate> {
  return {
    response: rateOf(c.respondedOnTime, c.reported),
    resolution: rateOf(c.acceptedClosed, c.accepted),
    onTime: rateOf(c.resolvedOnTime, c.resolved),
    satisfaction: rateOf(c.satisfied, c.rated),
    rework: rateOf(c.reworked, c.resolved),
    return: rateOf(c.returned, c.dispatched),
  };
}

/** 小事不出格率 …: the share of the resolved cases resolved at each level. */
export function levelSharesOf(c: Counters): Record<HandlingLevel, Rate> {
  return Object.fromEntries(HANDLING_LEVELS.map((l) => [l, rateOf(c[LEVEL_COUNTER[l]], c.resolved)])) as Record<HandlingLevel, Rate>;
}

/** The counts in the API's shape (levels grouped). */
export function publicCounts(c: Counters) {
  return {
    reported: c.reported,
    respondedOnTime: c.respondedOnTime,
    accepted: c.accepted,
    acceptedClosed: c.acceptedClosed,
    resolved: c.resolved,
    resolvedOnTime: c.resolvedOnTime,
    reworked: c.reworked,
    dispatched: c.dispatched,
    returned: c.returned,
    rated: c.rated,
    satisfied: c.satisfied,
    resolvedByLevel: Object.fromEntries(HANDLING_LEVELS.map((l) => [l, c[LEVEL_COUNTER[l]]])) as Record<HandlingLevel, number>,
  };
}

/** Days as YYYY-MM-DD: parse and check a calendar day. */
export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(s + 'T00:00:00Z');
  return !Number.isNaN(+d) && d.toISOString().slice(0, 10) === s;
}

/** Adds whole days to a YYYY-MM-DD day. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(day + 'T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10);
}

export type Bucket = 'day' | 'week' | 'month';

/** The first day of the bucket holding `day` (weeks start on Monday, as on Chinese calendars). */
export function bucketStart(day: string, bucket: Bucket): string {
  if (bucket === 'day') return day;
  if (bucket === 'month') return day.slice(0, 8) + '01';
  const dow = new Date(day + 'T00:00:00Z').getUTCDay(); // 0 = Sunday
  return addDays(day, -((dow + 6) % 7));
}

/** The next bucket's first day after `start`. */
export function nextBucket(start: string, bucket: Bucket): string {
  if (bucket === 'day') return addDays(start, 1);
  if (bucket === 'week') return addDays(start, 7);
  const y = Number(start.slice(0, 4));
  const m = Number(start.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** The buckets covering from..to: each bucket's own first day, and the days it counts (clipped to the range). */
export function bucketsOf(from: string, to: string, bucket: Bucket): { start: string; first: string; end: string }[] {
  const out: { start: string; first: string; end: string }[] = [];
  for (let s = bucketStart(from, bucket); s <= to; s = nextBucket(s, bucket)) {
    const end = addDays(nextBucket(s, bucket), -1);
    out.push({ start: s, first: s < from ? from : s, end: end > to ? to : end });
  }
  return out;
}
