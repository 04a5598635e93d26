/**
 * Care visits (走访): residents with tags that need regular visits (elderly
 * living alone weekly, community correction monthly …) fall due every
 * `visit_every_days` of their most demanding tag, counted from the last visit
 * (or from registration when never visited). Pure: the server and the H5 list
 * use the same rules.
 */

const DAY_MS = 86_400_000;

/** How often each tag needs a visit; null = no visits for that tag. */
export type TagFrequencies = ReadonlyMap<string, number | null> | Readonly<Record<string, number | null>>;

export type VisitStatus = 'overdue' | 'due' | 'done';

export interface VisitSubject {
  residentId: number;
  tags: readonly string[];
  /** When the resident was registered (the clock starts then if never visited). */
  registeredAt: Date;
  lastVisitAt: Date | null;
}

export interface VisitDue {
  residentId: number;
  /** The shortest interval among the resident's tags, in days. */
  everyDays: number;
  /** The tags that set it. */
  tags: string[];
  dueAt: Date;
  status: VisitStatus;
  /** Whole days past the due date (0 unless overdue). */
  daysOverdue: number;
}

/** How far ahead a visit counts as due (not yet overdue) — capped at the interval itself. */
export const DUE_SOON_DAYS = 3;

function frequencyOf(freq: TagFrequencies, tag: string): number | null | undefined {
  return freq instanceof Map ? freq.get(tag) : (freq as Record<string, number | null>)[tag];
}

/** The visit interval for a set of tags: the smallest positive frequency, or null when none needs visits. */
export function intervalFor(tags: readonly string[], freq: TagFrequencies): { everyDays: number; tags: string[] } | null {
  let best: number | null = null;
  for (const t of tags) {
    const f = frequencyOf(freq, t);
    if (typeof f === 'number' && f > 0 && (best === null || f < best)) best = f;
  }
  if (best === null) return null;
  return { everyDays: best, tags: tags.filter((t) => frequencyOf(freq, t) === best) };
}

/**
 * When the subject's next visit falls due and where it stands at `now`:
 * overdue once the due time has passed; due within `dueSoonDays` of it
 * (never more than the interval); otherwise done for this cycle. Null when no
 * tag needs visits.
 */
export function visitDue(s: VisitSubject, freq: TagFrequencies, now: Date, dueSoonDays = DUE_SOON_DAYS): VisitDue | null {
  const iv = intervalFor(s.tags, freq);
  if (!iv) return null;
  const from = s.lastVisitAt ?? s.registeredAt;
  const dueAt = new Date(from.getTime() + iv.everyDays * DAY_MS);
  const left = dueAt.getTime() - now.getTime();
  const soon = Math.min(dueSoonDays, iv.everyDays) * DAY_MS;
  const status: VisitStatus = left < 0 ? 'overdue' : left <= soon ? 'due' : 'done';
  const daysOverdue = left < 0 ? Math.floor(-left / DAY_MS) : 0;
  return { residentId: s.residentId, everyDays: iv.everyDays, tags: iv.tags, dueAt, status, daysOverdue };
}

const RANK: Record<VisitStatus, number> = { overdue: 0, due: 1, done: 2 };

/** The due list order: overdue first (longest overdue first), then due, then done, each by due time. */
export function compareDue(a: VisitDue, b: VisitDue): number {
  return RANK[a.status] - RANK[b.status] || a.dueAt.getTime() - b.dueAt.getTime() || a.residentId - b.residentId;
}

/** A due list for many subjects, sorted; subjects whose tags need no visits are left out. */
export function dueList(subjects: readonly VisitSubject[], freq: TagFrequencies, now: Date, dueSoonDays = DUE_SOON_DAYS): VisitDue[] {
  const out: VisitDue[] = [];
  for (const s of subjects) {
    const d = visitDue(s, freq, now, dueSoonDays);
    if (d) out.push(d);
  }
  return out.sort(compareDue);
}

export interface VisitCounts {
  /** Residents needing visits. */
  total: number;
  overdue: number;
  due: number;
  done: number;
}

/** Counts by status (the figures that feed the grid's assessment). */
export function countByStatus(items: readonly Pick<VisitDue, 'status'>[]): VisitCounts {
  const c: VisitCounts = { total: items.length, overdue: 0, due: 0, done: 0 };
  for (const i of items) c[i.status]++;
  return c;
}
