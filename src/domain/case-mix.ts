/**
 * The synthetic case mix (演示与压测数据): which categories, channels and
 * handling levels generated cases get, and how one case's life unfolds, as
 * pure functions of a seeded random source. The demo city and the benchmarks
 * use it through src/server/demo/case-generator.ts; the rules live here so
 * they can be tested without a database.
 *
 * A case is planned whole ("its destiny": report → accept → dispatch → sign →
 * resolve → check → rate → close, with the detours the sources report —
 * rejections, merges, returns, escalations, rework, reopening after an
 * unsatisfied rating, supervision of overdue work, closing unrated), every
 * step through `nextStatus` so the timeline is a valid walk of the lifecycle
 * table. Then everything after `now` is cut off and the case's columns are
 * replayed from the steps that remain, so an old case is closed and a recent
 * one is wherever its steps have reached, with its clock colour as the clock
 * sweep would have left it.
 *
 * Target figures (domain.md): Langfang — response 100 %, solved 97.6 %,
 * satisfied 97.8 %; Jiaxing — over 90 % solved at village or grid level
 * ("小事不出格"); Rongcheng — handled within 72 hours.
 */
import { chinaDate, type ClockColour, type DeadlineSpec, type DeadlineUnit } from './calendar.js';
import { nextStatus, type CaseAction, type CaseStatus, type Rating } from './case-lifecycle.js';
import { HANDLING_LEVELS, levelAbove, type Deadlines, type HandlingLevel } from './routing.js';

// ---------------------------------------------------------------- random source

/** A random number in [0, 1). */
export type Rng = () => number;

/** mulberry32: small, fast and deterministic for a seed. */
export function rngFrom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index drawn from cumulative weights (binary search). */
export function pickCumulative(cum: ArrayLike<number>, r: number): number {
  const x = r * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let s = 0;
  weights.forEach((w, i) => {
    s += Math.max(0, w);
    out[i] = s;
  });
  return out;
}

// ---------------------------------------------------------------- deadlines, fast

/**
 * The deadline maths of WorkCalendar (addDeadline, shareReachedAt) on day
 * numbers instead of date strings, with each day's working status looked up
 * once: planning a million cases calls these millions of times. A unit test
 * holds it equal to WorkCalendar.
 */
export interface DeadlineClock {
  addDeadline(start: number, spec: DeadlineSpec): number;
  shareReachedAt(start: number, due: number, unit: DeadlineUnit, share: number): number;
}

const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;

export function fastCalendar(isWorkday: (date: string) => boolean): DeadlineClock {
  const memo = new Map<number, boolean>();
  const work = (day: number): boolean => {
    let v = memo.get(day);
    if (v === undefined) {
      v = isWorkday(chinaDate(day * DAY_MS - CST_MS));
      memo.set(day, v);
    }
    return v;
  };
  const dayOf = (t: number) => Math.floor((t + CST_MS) / DAY_MS);
  const dayStart = (day: number) => day * DAY_MS - CST_MS;
  const workingMsBetween = (a: number, b: number): number => {
    let total = 0;
    let cursor = a;
    while (cursor < b) {
      const day = dayOf(cursor);
      const until = Math.min(dayStart(day + 1), b);
      if (work(day)) total += until - cursor;
      cursor = until;
    }
    return total;
  };
  return {
    addDeadline(start, spec) {
      if (spec.unit === 'hours') return start + spec.amount * 3_600_000;
      let day = dayOf(start);
      let left = spec.amount;
      let guard = 0;
      while (left > 0) {
        day++;
        if (work(day)) left--;
        if (++guard > 3660) throw new Error('no working days found within ten years');
      }
      return dayStart(day + 1) - 1;
    },
    shareReachedAt(start, due, unit, share) {
      if (unit === 'hours') return start + share * (due - start);
      let left = share * workingMsBetween(start, due);
      let cursor = start;
      while (cursor < due) {
        const day = dayOf(cursor);
        const dayEnd = Math.min(dayStart(day + 1), due);
        if (work(day)) {
          if (dayEnd - cursor >= left) return cursor + left;
          left -= dayEnd - cursor;
        }
        cursor = dayEnd;
      }
      return due;
    },
  };
}

// ---------------------------------------------------------------- the mix

/** Channels generated cases come in by (the partner and import channels need a partner system, so none here). */
export const MIX_CHANNELS = ['h5', 'resident_app', 'hotline', 'patrol', 'station', 'linkage', 'console'] as const;
export type MixChannel = (typeof MIX_CHANNELS)[number];

/** Residents' own reports ~35 %, the 12345 hotline ~30 %, grid workers' patrols ~25 %, the rest offline and by groups. */
export const CHANNEL_WEIGHTS: Record<MixChannel, number> = {
  h5: 0.2,
  resident_app: 0.15,
  hotline: 0.3,
  patrol: 0.25,
  station: 0.04,
  linkage: 0.04,
  console: 0.02,
};

/**
 * Share of cases by top-level category. Urban management (GB/T 30428: city
 * appearance, street order, facilities …) is the bulk, about 70 %; disputes
 * and livelihood requests lead social governance.
 */
export const GROUP_WEIGHTS: Record<string, number> = {
  city_env: 0.2,
  street_order: 0.15,
  facility: 0.12,
  advertising: 0.06,
  road_traffic: 0.05,
  greenery: 0.04,
  construction: 0.04,
  housing_land: 0.02,
  emergency: 0.02,
  other: 0.01,
  dispute: 0.1,
  livelihood: 0.08,
  safety: 0.04,
  security: 0.03,
  care: 0.02,
  suggestion: 0.015,
  wish: 0.005,
};
/** Weight of a top-level group the table above does not know (a category an administrator added). */
const UNKNOWN_GROUP_WEIGHT = 0.005;

export interface MixCategory {
  code: string;
  kind: string;
  defaultLevel: HandlingLevel;
  deadlines: Deadlines;
  departmentKind: string | null;
}

/**
 * Weights of the categories given: each group's share split evenly among its
 * leaves (categories without active children). Parents get 0: reporters and
 * dispatchers pick the most specific category.
 */
export function categoryWeights(codes: readonly string[]): number[] {
  const set = new Set(codes);
  const isLeaf = (c: string) => ![...set].some((o) => o.startsWith(c + '.'));
  const leavesPerGroup = new Map<string, number>();
  for (const c of codes) if (isLeaf(c)) leavesPerGroup.set(c.split('.')[0]!, (leavesPerGroup.get(c.split('.')[0]!) ?? 0) + 1);
  return codes.map((c) => {
    if (!isLeaf(c)) return 0;
    const g = c.split('.')[0]!;
    return (GROUP_WEIGHTS[g] ?? UNKNOWN_GROUP_WEIGHT) / leavesPerGroup.get(g)!;
  });
}

/**
 * Handling level by the category's default level: most cases stay at the grid
 * or community (Jiaxing: over 90 %), the district's departments take the
 * matters only they can solve. Order: grid, community, street, district, city.
 */
export const LEVEL_MIX: Record<HandlingLevel, readonly number[]> = {
  grid: [0.92, 0.07, 0.01, 0, 0],
  community: [0.66, 0.3, 0.04, 0, 0],
  street: [0.62, 0.27, 0.1, 0.01, 0],
  district: [0.5, 0.24, 0.12, 0.12, 0.02],
  city: [0.3, 0.2, 0.2, 0.2, 0.1],
};

/** Shares of the outcomes and detours (of the cases each applies to). */
export const RATES = {
  /** Urgent at intake (高位联动): overall about 1 %, mostly emergencies and hazards. */
  urgentHazard: 0.05,
  urgentOther: 0.003,
  /** Patrol findings the grid worker solves on the spot (自处置). */
  selfResolvePatrol: 0.5,
  cancel: 0.004,
  reject: 0.015,
  merge: 0.01,
  /** Accepted after the acceptance deadline (response rate ≈ 99.8 %). */
  acceptLate: 0.002,
  signLate: 0.02,
  /** Resolved after the handling deadline (on-time rate ≈ 95 %). */
  resolveLate: 0.045,
  /** Department returns a case that is not its own (退回). */
  returnDepartment: 0.06,
  /** Handler escalates one level up (上报). */
  escalate: 0.03,
  /** Check on site fails (返工). */
  rework: 0.03,
  progressNote: 0.25,
  /** Rating period runs out (未评价结案). */
  notRated: 0.03,
};

/** First ratings: satisfied + basically satisfied ≈ 97.8 % (Langfang). */
export const RATING_MIX: Record<Rating, number> = { satisfied: 0.9, basically_satisfied: 0.078, unsatisfied: 0.022 };

/** Reports by hour of the China day: quiet at night, busy through the working day. */
export const HOUR_WEIGHTS = [0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.8, 1.2, 1.5, 1.5, 1.35, 1.0, 1.1, 1.4, 1.45, 1.4, 1.25, 1.0, 0.95, 0.85, 0.7, 0.45, 0.25];
const MAX_HOUR_WEIGHT = Math.max(...HOUR_WEIGHTS);

const HOUR = 3_600_000;
const MINUTE = 60_000;
const CST = 8 * HOUR;

/** A report instant in [from, to), following HOUR_WEIGHTS (rejection sampling). */
export function reportInstant(rnd: Rng, from: number, to: number): number {
  for (;;) {
    const t = from + rnd() * (to - from);
    const hour = Math.floor(((t + CST) % 86_400_000) / HOUR);
    if (rnd() * MAX_HOUR_WEIGHT < HOUR_WEIGHTS[hour]!) return t;
  }
}

export function pickChannel(rnd: Rng): MixChannel {
  const r = rnd();
  let s = 0;
  for (const c of MIX_CHANNELS) {
    s += CHANNEL_WEIGHTS[c];
    if (r < s) return c;
  }
  return 'h5';
}

export function pickLevel(rnd: Rng, defaultLevel: HandlingLevel): HandlingLevel {
  const mix = LEVEL_MIX[defaultLevel];
  const r = rnd();
  let s = 0;
  for (let i = 0; i < HANDLING_LEVELS.length; i++) {
    s += mix[i]!;
    if (r < s) return HANDLING_LEVELS[i]!;
  }
  return 'grid';
}

// ---------------------------------------------------------------- one case

/** A unit that handles cases: a grid worker, a node's office, or a department. */
export interface Unit {
  type: 'grid_worker' | 'node_office' | 'department';
  nodeCode: string;
  departmentId: number | null;
  level: HandlingLevel;
  name: string;
}

/** Who takes a step; the generator turns these into users or named units. */
export type ActorKind = 'reporter' | 'dispatcher' | 'grid_worker' | 'unit' | 'system';

/** Why a note is written; the generator picks the words. */
export type NoteKind = 'description' | 'reject' | 'cancel' | 'merge' | 'return' | 'escalate' | 'progress' | 'resolve' | 'check_pass' | 'check_fail' | 'rating' | 'supervise' | 'unrated' | 'self_resolve';

/** The columns of a case that its steps change (times in epoch ms). */
export interface CaseState {
  status: CaseStatus;
  handlingLevel: HandlingLevel;
  handler: Unit | null;
  deadlineUnit: DeadlineUnit;
  acceptDueAt: number | null;
  signDueAt: number | null;
  handleDueAt: number | null;
  clockStartedAt: number | null;
  yellowAt: number | null;
  clockColour: ClockColour;
  ratingDueAt: number | null;
  supervisedAt: number | null;
  acceptedAt: number | null;
  respondedAt: number | null;
  dispatchedAt: number | null;
  signedAt: number | null;
  resolvedAt: number | null;
  resolvedLevel: HandlingLevel | null;
  resolvedOnTime: boolean | null;
  rating: Rating | null;
  ratedAt: number | null;
  closedAt: number | null;
  closeReason: 'rated' | 'not_rated' | null;
  merged: boolean;
  rejected: boolean;
  reopenCount: number;
  reworkCount: number;
  returnCount: number;
  escalationCount: number;
}

type Counter = 'reopenCount' | 'reworkCount' | 'returnCount' | 'escalationCount';

/** One planned step: the timeline entry plus what it changes on the case. */
export interface PlannedEvent {
  at: number;
  action: CaseAction | 'report';
  from: CaseStatus | null;
  to: CaseStatus;
  actor: ActorKind;
  /** The acting or receiving unit (dispatch, escalate, reopen: the new handler; sign, resolve …: the handler). */
  unit: Unit | null;
  note: NoteKind | null;
  data: Record<string, unknown> | null;
  /** New deadlines set by this step (dispatch, escalate, reopen, rework). */
  signDueAt: number | null;
  handleDueAt: number | null;
  patch: Partial<Omit<CaseState, 'status' | Counter>>;
  inc?: Counter;
}

export interface PlanInput {
  reportedAt: number;
  now: number;
  category: MixCategory;
  channel: MixChannel;
  /** Units this case can reach, by level (the grid's worker, its community's office …). */
  units: Partial<Record<HandlingLevel, Unit>>;
  calendar: DeadlineClock;
  ratingDays: number;
  yellowShare: number;
  autoEscalateHours: number;
  /** An earlier case it may be merged into (else a would-be merge is rejected as a duplicate). */
  canMerge: boolean;
}

export interface CasePlan {
  urgent: boolean;
  /** The level the case was first routed to (the route at intake). */
  level0: HandlingLevel;
  /** Every planned step, including those after `now`. */
  planned: PlannedEvent[];
  /** The steps up to `now`: the case's timeline. */
  events: PlannedEvent[];
  state: CaseState;
}

const HAZARD_KINDS = new Set(['hazard']);
const LEVEL_PACE: Record<HandlingLevel, number> = { grid: 0.3, community: 0.45, street: 0.6, district: 0.75, city: 0.75 };
const RUNNING: ReadonlySet<CaseStatus> = new Set(['reported', 'dispatched', 'in_progress']);
const COLOUR_RANK: Record<ClockColour, number> = { green: 0, yellow: 1, red: 2 };

function unitData(u: Unit) {
  return { type: u.type, departmentId: u.departmentId, nodeCode: u.nodeCode, level: u.level, name: u.name };
}

/** Builds the walk, step by step through the lifecycle table. */
class Walk {
  status: CaseStatus | null = null;
  readonly events: PlannedEvent[] = [];
  last = -Infinity;

  add(at: number, action: CaseAction | 'report', e: Partial<Omit<PlannedEvent, 'at' | 'action' | 'from' | 'to'>> & { actor: ActorKind }): PlannedEvent {
    // Strictly increasing times: every step follows the one before it.
    const t = Math.max(Math.round(at), this.last + 1000);
    const from = this.status;
    const to = action === 'report' ? 'reported' : nextStatus(from!, action);
    const ev: PlannedEvent = { at: t, action, from, to, unit: null, note: null, data: null, signDueAt: null, handleDueAt: null, patch: {}, ...e };
    this.events.push(ev);
    this.status = to;
    this.last = t;
    return ev;
  }
}

/**
 * Plans one case from report to its end and cuts it at `now`. Every step's
 * state change comes from `nextStatus`, so an invalid walk throws here.
 */
export function planCase(rnd: Rng, p: PlanInput): CasePlan {
  return new Planner(rnd, p).plan();
}

/** One case's planning (a class, not closures: a million cases would build a million sets of them). */
class Planner {
  private readonly w = new Walk();
  private readonly dl: Deadlines;
  private readonly cal: DeadlineClock;
  private readonly level0: HandlingLevel;
  private readonly urgent: boolean;
  private readonly reporterActor: ActorKind;
  private readonly ratingBy: ActorKind;

  constructor(
    private readonly rnd: Rng,
    private readonly p: PlanInput,
  ) {
    const cat = p.category;
    this.dl = cat.deadlines;
    this.cal = p.calendar;
    this.urgent = rnd() < (HAZARD_KINDS.has(cat.kind) || cat.code.startsWith('emergency') ? RATES.urgentHazard : RATES.urgentOther);
    this.level0 = pickLevel(rnd, cat.defaultLevel);
    this.reporterActor = p.channel === 'h5' || p.channel === 'resident_app' ? 'reporter' : p.channel === 'patrol' || p.channel === 'linkage' ? 'grid_worker' : 'dispatcher';
    this.ratingBy = this.reporterActor === 'reporter' ? 'reporter' : 'dispatcher';
  }

  plan(): CasePlan {
    const { p, w, rnd, dl } = this;
    const cat = p.category;
    const t0 = Math.round(p.reportedAt);
    const selfResolve = p.channel === 'patrol' && cat.defaultLevel !== 'district' && cat.defaultLevel !== 'city' && !!p.units.grid && rnd() < RATES.selfResolvePatrol;
    if (selfResolve) {
      const grid = p.units.grid!;
      w.add(t0, 'report', {
        actor: 'grid_worker',
        note: 'description',
        data: { channel: p.channel, placedBy: 'location', nodeCode: grid.nodeCode },
        patch: { handlingLevel: 'grid', deadlineUnit: dl.handle.unit },
      });
      const at = t0 + 1000;
      w.add(at, 'self_resolve', {
        actor: 'grid_worker',
        unit: grid,
        note: 'self_resolve',
        patch: {
          handler: grid, handlingLevel: 'grid', respondedAt: at, resolvedAt: at, resolvedLevel: 'grid', resolvedOnTime: true,
          ratingDueAt: at + p.ratingDays * DAY_MS, clockColour: 'green',
        },
      });
      if (this.rate(w.last, grid)) this.checkAndRate(grid, this.work(grid, this.sign(grid)));
      return this.finish();
    }

    const acceptDue = this.cal.addDeadline(t0, dl.accept);
    w.add(t0, 'report', {
      actor: this.reporterActor,
      note: 'description',
      data: { channel: p.channel, placedBy: 'location', nodeCode: p.units.grid?.nodeCode ?? null },
      patch: { handlingLevel: this.level0, deadlineUnit: dl.handle.unit, acceptDueAt: acceptDue, yellowAt: this.yellow(t0, acceptDue, dl.accept.unit), clockColour: 'green' },
    });
    const acceptSpan = acceptDue - t0;
    const acceptAt = rnd() < RATES.acceptLate ? acceptDue + acceptSpan * (0.05 + rnd()) : t0 + Math.max(MINUTE, acceptSpan * 0.9 * rnd() ** 2);
    const roll = rnd();
    if (roll < RATES.cancel) {
      w.add(t0 + (acceptAt - t0) * rnd(), 'cancel', { actor: this.reporterActor, note: 'cancel' });
      return this.finish();
    }
    if (roll < RATES.cancel + RATES.reject + (p.canMerge ? 0 : RATES.merge)) {
      w.add(acceptAt, 'reject', { actor: 'dispatcher', note: 'reject', patch: { respondedAt: Math.max(Math.round(acceptAt), w.last + 1000), rejected: true } });
      return this.finish();
    }
    if (roll < RATES.cancel + RATES.reject + RATES.merge) {
      w.add(acceptAt, 'merge', { actor: 'dispatcher', note: 'merge', patch: { respondedAt: Math.max(Math.round(acceptAt), w.last + 1000), merged: true } });
      return this.finish();
    }
    const acceptedAt = Math.max(Math.round(acceptAt), w.last + 1000);
    w.add(acceptedAt, 'accept', { actor: 'dispatcher', data: { respondedOnTime: acceptedAt <= acceptDue }, patch: { acceptedAt, respondedAt: acceptedAt, yellowAt: null, clockColour: 'green' } });

    let unit = this.unitAt(this.level0);
    let t = this.assign(acceptedAt + MINUTE * (1 + 20 * rnd()), 'dispatch', unit, 'dispatcher');
    // A department may say the case is not its own; the dispatcher then designates the street office (指定).
    if (unit.type === 'department' && rnd() < RATES.returnDepartment) {
      const signSpan = w.events[w.events.length - 1]!.signDueAt! - t;
      w.add(t + Math.max(MINUTE, signSpan * 0.8 * rnd()), 'return', {
        actor: 'unit', unit, note: 'return', inc: 'returnCount',
        data: { from: { type: unit.type, departmentId: unit.departmentId, nodeCode: unit.nodeCode } },
        patch: { handler: null, signDueAt: null, handleDueAt: null, yellowAt: null, clockColour: 'green' },
      });
      unit = this.unitAt('street');
      t = this.assign(w.last + MINUTE * (20 + 200 * rnd()), 'dispatch', unit, 'dispatcher', { mode: 'designate' });
    }
    t = this.sign(unit);
    const up = levelAbove(unit.level);
    if (up && up !== 'city' && rnd() < RATES.escalate) {
      const upper = this.unitAt(up);
      if (upper !== unit) {
        t = this.assign(t + (this.currentDue('handleDueAt') - t) * 0.15 * rnd() + MINUTE, 'escalate', upper, 'unit', undefined, unit);
        unit = upper;
        t = this.sign(unit);
      }
    }
    this.checkAndRate(unit, this.work(unit, t));
    return this.finish();
  }

  private yellow(start: number, due: number, unit: DeadlineUnit): number {
    return this.cal.shareReachedAt(start, due, unit, this.p.yellowShare);
  }

  /** The nearest reachable unit at or below the wanted level. */
  private unitAt(level: HandlingLevel): Unit {
    for (let i = HANDLING_LEVELS.indexOf(level); i >= 0; i--) {
      const u = this.p.units[HANDLING_LEVELS[i]!];
      if (u) return u;
    }
    throw new Error('no unit can handle this case: give at least the grid');
  }

  /** 核查 on site (rework once in a while), then the rating; a reopened case is handled and checked again. */
  private checkAndRate(u: Unit, resolvedAt: number): void {
    const { w, rnd, dl, p } = this;
    let t = resolvedAt;
    let reworked = false;
    for (;;) {
      const checkAt = Math.max(Math.round(t + HOUR * (0.25 + 24 * rnd() ** 3)), w.last + 1000);
      if (!reworked && rnd() < RATES.rework) {
        reworked = true;
        const due = this.cal.addDeadline(checkAt, dl.handle);
        w.add(checkAt, 'check_fail', {
          actor: 'grid_worker', note: 'check_fail', inc: 'reworkCount', handleDueAt: due,
          patch: { handleDueAt: due, clockStartedAt: checkAt, yellowAt: this.yellow(checkAt, due, dl.handle.unit), clockColour: 'green', supervisedAt: null, resolvedAt: null, resolvedLevel: null, resolvedOnTime: null },
        });
        t = this.work(u, w.last);
        continue;
      }
      w.add(checkAt, 'check_pass', { actor: 'grid_worker', note: 'check_pass', patch: { ratingDueAt: checkAt + p.ratingDays * DAY_MS, yellowAt: null, clockColour: 'green' } });
      if (!this.rate(w.last, u)) return;
      t = this.work(u, this.sign(u));
    }
  }

  /** 派遣 / 上报 / 重办: a new handler with new deadlines from `at`. */
  private assign(at: number, action: 'dispatch' | 'escalate' | 'rate_unsatisfied', u: Unit, actor: ActorKind, extra?: Record<string, unknown>, by?: Unit): number {
    const { w, dl } = this;
    const start = Math.max(Math.round(at), w.last + 1000);
    const signDue = this.cal.addDeadline(start, dl.sign);
    const handleDue = this.cal.addDeadline(start, dl.handle);
    const data =
      action === 'dispatch'
        ? { handler: unitData(u), routeSource: 'category_default', ...extra }
        : action === 'escalate'
          ? { to: unitData(u), auto: false }
          : { rating: 'unsatisfied', byCallback: this.ratingBy !== 'reporter', reopenedTo: unitData(u) };
    w.add(start, action, {
      actor,
      unit: by ?? u,
      note: action === 'escalate' ? 'escalate' : action === 'rate_unsatisfied' ? 'rating' : null,
      data,
      signDueAt: signDue,
      handleDueAt: handleDue,
      inc: action === 'escalate' ? 'escalationCount' : action === 'rate_unsatisfied' ? 'reopenCount' : undefined,
      patch: {
        handler: u, handlingLevel: u.level, dispatchedAt: start, signDueAt: signDue, handleDueAt: handleDue, deadlineUnit: dl.handle.unit,
        clockStartedAt: start, yellowAt: this.yellow(start, handleDue, dl.handle.unit), clockColour: 'green', supervisedAt: null, signedAt: null,
        ...(action === 'rate_unsatisfied' ? { rating: 'unsatisfied' as const, ratedAt: start, resolvedAt: null, resolvedLevel: null, resolvedOnTime: null } : {}),
      },
    });
    return start;
  }

  /** The deadline the latest assignment (or rework) set. */
  private currentDue(which: 'signDueAt' | 'handleDueAt'): number {
    const ev = this.w.events;
    for (let i = ev.length - 1; i >= 0; i--) {
      const v = ev[i]![which];
      if (v !== null) return v;
    }
    return this.w.last + (which === 'signDueAt' ? 4 : 72) * HOUR;
  }

  private sign(u: Unit): number {
    const { w, rnd } = this;
    const start = w.last;
    const signDue = this.currentDue('signDueAt');
    const handleDue = this.currentDue('handleDueAt');
    const span = Math.max(MINUTE, signDue - start);
    let at = rnd() < RATES.signLate ? signDue + span * 0.5 * rnd() : start + Math.max(MINUTE, span * 0.85 * rnd() ** 2);
    at = Math.max(Math.round(Math.min(at, start + (handleDue - start) * 0.5)), w.last + 1000);
    w.add(at, 'sign', { actor: 'unit', unit: u, data: { signedOnTime: at <= signDue }, patch: { signedAt: at } });
    return w.last;
  }

  /** Handling after sign-for (or rework): a progress note now and then, supervision when late, the result. */
  private work(u: Unit, from: number): number {
    const { w, rnd, p } = this;
    const due = this.currentDue('handleDueAt');
    const span = Math.max(MINUTE, due - from);
    const late = rnd() < RATES.resolveLate;
    // Late work ends before the sweep would escalate it automatically (autoEscalateHours after the deadline).
    const resolveAt = late
      ? due + Math.min(p.autoEscalateHours * HOUR, span) * (0.05 + 0.85 * rnd())
      : from + Math.max(5 * MINUTE, span * LEVEL_PACE[u.level] * rnd() ** 1.5 * 1.6);
    const noteAt = rnd() < RATES.progressNote ? from + (resolveAt - from) * (0.3 + 0.4 * rnd()) : null;
    // The clock sweep supervises (督办) a case the moment it turns red.
    const superviseAt = resolveAt > due ? due : null;
    const note = () => w.add(noteAt!, 'note', { actor: 'unit', unit: u, note: 'progress' });
    const supervise = () => {
      const at = Math.max(Math.round(superviseAt!), w.last + 1000);
      w.add(at, 'supervise', { actor: 'system', unit: u, note: 'supervise', patch: { supervisedAt: at } });
    };
    if (noteAt !== null && superviseAt !== null && superviseAt < noteAt) {
      supervise();
      note();
    } else {
      if (noteAt !== null) note();
      if (superviseAt !== null) supervise();
    }
    const at = Math.max(Math.round(resolveAt), w.last + 1000);
    w.add(at, 'resolve', { actor: 'unit', unit: u, note: 'resolve', data: { onTime: at <= due, level: u.level }, patch: { resolvedAt: at, resolvedLevel: u.level, resolvedOnTime: at <= due } });
    return w.last;
  }

  /** The resident's verdict, or the period running out. Returns true when the case was reopened (重办). */
  private rate(after: number, u: Unit): boolean {
    const { w, rnd, p } = this;
    const ratingDue = after + p.ratingDays * DAY_MS;
    if (rnd() < RATES.notRated) {
      w.add(ratingDue, 'close_unrated', { actor: 'system', note: 'unrated', patch: { closedAt: ratingDue, closeReason: 'not_rated' } });
      return false;
    }
    const at = Math.max(Math.round(Math.min(after + HOUR * (0.1 + 72 * rnd() ** 2.5), ratingDue - MINUTE)), w.last + 1000);
    const secondTime = w.events.some((e) => e.action === 'rate_unsatisfied');
    const r = rnd();
    const rating: Rating = secondTime
      ? r < 0.8 ? 'satisfied' : 'basically_satisfied'
      : r < RATING_MIX.unsatisfied ? 'unsatisfied' : r < RATING_MIX.unsatisfied + RATING_MIX.satisfied ? 'satisfied' : 'basically_satisfied';
    if (rating === 'unsatisfied') {
      // Back to the same handler; never closed over the resident's head.
      this.assign(at, 'rate_unsatisfied', u, this.ratingBy);
      return true;
    }
    const action: CaseAction = rating === 'satisfied' ? 'rate_satisfied' : 'rate_basically_satisfied';
    w.add(at, action, { actor: this.ratingBy, note: 'rating', data: { rating, byCallback: this.ratingBy !== 'reporter' }, patch: { rating, ratedAt: at, closedAt: at, closeReason: 'rated' } });
    return false;
  }

  private events0Level(): HandlingLevel {
    return this.w.events[0]?.patch.handlingLevel ?? this.level0;
  }

  private finish(): CasePlan {
    const now = this.p.now;
    const events = this.w.events.filter((e) => e.at <= now);
    return { urgent: this.urgent, level0: this.events0Level(), planned: this.w.events, events, state: replay(events, now, this.level0, this.dl.handle.unit) };
  }
}

/**
 * The case's columns after `events`, as the services and the clock sweep
 * would have left them at `now`: each step's patch in order; a running clock
 * (reported: acceptance; dispatched, in progress: handling) turns yellow at
 * yellow_at and red at its deadline, and keeps its colour when it stops.
 */
export function replay(events: readonly PlannedEvent[], now: number, level0: HandlingLevel, unit: DeadlineUnit): CaseState {
  const s: CaseState = {
    status: 'reported', handlingLevel: level0, handler: null, deadlineUnit: unit, acceptDueAt: null, signDueAt: null, handleDueAt: null,
    clockStartedAt: null, yellowAt: null, clockColour: 'green', ratingDueAt: null, supervisedAt: null, acceptedAt: null, respondedAt: null,
    dispatchedAt: null, signedAt: null, resolvedAt: null, resolvedLevel: null, resolvedOnTime: null, rating: null, ratedAt: null, closedAt: null,
    closeReason: null, merged: false, rejected: false, reopenCount: 0, reworkCount: 0, returnCount: 0, escalationCount: 0,
  };
  const sweep = (t: number) => {
    if (!RUNNING.has(s.status)) return;
    const due = s.status === 'reported' ? s.acceptDueAt : s.handleDueAt;
    const c: ClockColour = due !== null && due <= t ? 'red' : s.yellowAt !== null && s.yellowAt <= t ? 'yellow' : 'green';
    if (COLOUR_RANK[c] > COLOUR_RANK[s.clockColour]) s.clockColour = c;
  };
  for (const e of events) {
    sweep(e.at);
    Object.assign(s, e.patch);
    if (e.inc) s[e.inc]++;
    s.status = e.to;
  }
  sweep(now);
  return s;
}

/** Case number suffix helpers and other small shared bits. */
export const MINUTE_MS = MINUTE;
export const HOUR_MS = HOUR;
