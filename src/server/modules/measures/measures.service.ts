/**
 * Measures use cases: resolve the caller's scope (node subtree, department),
 * then answer from the roll-up when it can (city, province, district, top-level
 * category) or from a scan of the subtree's cases otherwise. The definitions are
 * src/domain/measures.ts; this file decides only where the counts come from.
 */
import { can, isInScope, scopePaths, type Actor } from '../../../domain/permissions.js';
import {
  addCounters,
  bucketsOf,
  dayOf,
  emptyCounters,
  isDay,
  levelSharesOf,
  measuresOf,
  publicCounts,
  type Bucket,
  type Counters,
} from '../../../domain/measures.js';
import type { Executor } from '../../db/db.js';
import type { Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import * as repo from './measures.repository.js';

export interface MeasureQuery {
  node?: string;
  department?: number;
  category?: string;
  channel?: string;
  from?: string;
  to?: string;
}

export interface NodeRef {
  code: string;
  name: string;
  level: string;
  path: string;
}

/** A resolved scope: which node (null = the whole tree), which department, and the filter to count with. */
export interface MeasureScope {
  node: NodeRef | null;
  department: { id: number; name: string } | null;
  filter: repo.MeasureFilter;
}

/** Today in China Standard Time. */
export function today(now = new Date()): string {
  return dayOf(now);
}

/** The period of a query: default the current month up to today; checked (400 naming the field). */
export function periodOf(q: { from?: string; to?: string }, now = new Date()): { from: string; to: string } {
  const t = today(now);
  const from = q.from ?? t.slice(0, 8) + '01';
  const to = q.to ?? t;
  if (!isDay(from)) throw fieldError('from', 'must be a calendar day YYYY-MM-DD');
  if (!isDay(to)) throw fieldError('to', 'must be a calendar day YYYY-MM-DD');
  if (from > to) throw fieldError('from', 'must not be after to');
  return { from, to };
}

/**
 * The node a request is about: `code`, or the caller's single scope root.
 * Throws NODE_NOT_FOUND (404: missing or out of scope), FORBIDDEN (403: no
 * measure.read there), VALIDATION_FAILED (node required with several roots).
 */
export async function resolveNode(ex: Executor, actor: Actor, code: string | undefined, perm: 'measure.read' = 'measure.read'): Promise<repo.NodeRow | null> {
  if (code === undefined) {
    const tops = scopePaths({ ...actor, grants: actor.grants.filter((g) => can({ ...actor, grants: [g] }, perm)) });
    if (tops.length !== 1) throw fieldError('node', 'is required: you hold roles in several parts of the tree');
    if (tops[0] === '') return null;
    code = tops[0]!.split('.').pop()!;
  }
  const n = await repo.findNode(ex, code);
  if (!n || !isInScope(actor, n.path)) throw new AppError('NODE_NOT_FOUND', `No node ${code} in your part of the tree.`);
  if (!can(actor, perm, n.path)) throw new AppError('FORBIDDEN', `You may not read the measures of ${code}.`);
  return n;
}

/** The count filter of a node: the roll-up's keys down to district, a path below. */
export function nodeFilter(n: repo.NodeRow | null): Pick<repo.MeasureFilter, 'provinceCode' | 'cityCode' | 'districtCode' | 'nodePath' | 'nodeCode'> {
  if (!n) return {};
  if (n.level === 'province') return { provinceCode: n.code };
  if (n.level === 'city') return { cityCode: n.code };
  if (n.level === 'district') return { cityCode: n.city_code, districtCode: n.code };
  return { cityCode: n.city_code, nodePath: n.path, nodeCode: n.code };
}

/**
 * Department staff (职能部门) see their own department's figures only; others may
 * ask for a department within their part of the tree.
 */
async function resolveDepartment(ex: Executor, actor: Actor, id: number | undefined): Promise<{ id: number; name: string } | null> {
  const readers = actor.grants.filter((g) => can({ ...actor, grants: [g] }, 'measure.read'));
  const onlyDepartment = readers.length > 0 && readers.every((g) => g.role === 'department_staff' && g.departmentId != null);
  if (onlyDepartment) {
    const own = readers.map((g) => g.departmentId as number);
    const want = id ?? own[0]!;
    if (!own.includes(want)) throw new AppError('FORBIDDEN', 'Department staff see their own department\'s figures only.');
    id = want;
  }
  if (id === undefined) return null;
  const d = await repo.findDepartment(ex, id);
  if (!d || !isInScope(actor, d.path)) throw new AppError('DEPARTMENT_NOT_FOUND', `No department ${id} in your part of the tree.`);
  return { id: d.id, name: d.name };
}

/** Resolves node, department, category, channel and period into one filter. */
export async function resolveScope(ctx: Ctx, q: MeasureQuery): Promise<MeasureScope> {
  const period = periodOf(q);
  const n = await resolveNode(ctx.db, ctx.actor, q.node);
  const department = await resolveDepartment(ctx.db, ctx.actor, q.department);
  const filter: repo.MeasureFilter = { ...nodeFilter(n), ...period };
  if (department) filter.departmentId = department.id;
  if (q.category !== undefined) {
    const cat = await repo.findCategory(ctx.db, q.category);
    if (!cat) throw fieldError('category', 'no such category');
    filter.categoryPath = cat.path;
    if (!cat.path.includes('.')) filter.categoryTop = cat.path;
  }
  if (q.channel !== undefined) filter.channel = q.channel;
  return { node: n ? { code: n.code, name: n.name, level: n.level, path: n.path } : null, department, filter };
}

/** Counters for a scope, per bucket when given; says which source answered. */
export async function countScope(ex: Executor, f: repo.MeasureFilter, bucket?: repo.Grouping): Promise<{ source: 'rollup' | 'scan'; rows: repo.GroupedCounters[] }> {
  if ((bucket === undefined || bucket === 'month') && repo.canUseGridRollup(f, bucket)) {
    return { source: 'rollup', rows: await repo.sumGridRollup(ex, { cityCode: f.cityCode!, prefix: f.nodeCode!, from: f.from, to: f.to }, { byMonth: bucket === 'month' }) };
  }
  if (repo.canUseRollup(f)) return { source: 'rollup', rows: await repo.sumRollup(ex, f, bucket) };
  return { source: 'scan', rows: await repo.sumScan(ex, f, bucket) };
}

function total(rows: repo.GroupedCounters[]): Counters {
  const t = emptyCounters();
  for (const r of rows) addCounters(t, r);
  return t;
}

/** The rates, level shares and counts in the API's shape. */
export function totalOf(rows: repo.GroupedCounters[]): Counters {
  return total(rows);
}

export function figuresOf(c: Counters) {
  return { measures: measuresOf(c), levelShares: levelSharesOf(c), counts: publicCounts(c) };
}

/**
 * GET /api/measures. Throws NODE_NOT_FOUND / DEPARTMENT_NOT_FOUND (404),
 * FORBIDDEN (403), VALIDATION_FAILED (400).
 */
export async function getMeasures(ctx: Ctx, q: MeasureQuery) {
  const s = await resolveScope(ctx, q);
  const { source, rows } = await countScope(ctx.db, s.filter);
  return {
    node: s.node,
    department: s.department,
    category: q.category ?? null,
    channel: q.channel ?? null,
    from: s.filter.from,
    to: s.filter.to,
    source,
    ...figuresOf(total(rows)),
  };
}

/** GET /api/measures/trend: the same per day, week (from Monday) or month. */
export async function getTrend(ctx: Ctx, q: MeasureQuery & { bucket: Bucket }) {
  const s = await resolveScope(ctx, q);
  const buckets = bucketsOf(s.filter.from, s.filter.to, q.bucket);
  if (buckets.length > 400) throw fieldError('from', `too many ${q.bucket}s (${buckets.length}); at most 400 points`);
  const { source, rows } = await countScope(ctx.db, s.filter, q.bucket);
  const byStart = new Map(rows.map((r) => [r.bucket, r]));
  return {
    node: s.node,
    department: s.department,
    bucket: q.bucket,
    from: s.filter.from,
    to: s.filter.to,
    source,
    points: buckets.map((b) => ({ start: b.start, end: b.end, ...figuresOf(byStart.get(b.start) ?? emptyCounters()) })),
  };
}
