/**
 * The command centre (指挥中心) use cases: overview, overdue list, rankings, map
 * data. Scope: the caller's subtree (404 outside it, 403 without measure.read
 * there), resolved like the measures. Rates come from src/domain/measures.ts
 * through the measures' roll-ups.
 */
import { CODE_LENGTH, childLevel, type Level } from '../../../domain/tree.js';
import { measuresOf, type MeasureKey } from '../../../domain/measures.js';
import { TERMINAL_STATUSES, type CaseStatus } from '../../../domain/case-lifecycle.js';
import type { Ctx } from '../../context.js';
import { fieldError } from '../../errors.js';
import * as mrepo from '../measures/measures.repository.js';
import { countScope, figuresOf, nodeFilter, periodOf, resolveNode, today, totalOf } from '../measures/measures.service.js';
import * as repo from './dashboard.repository.js';

const nodeRef = (n: mrepo.NodeRow | null) => (n ? { code: n.code, name: n.name, level: n.level, path: n.path } : { code: '', name: '全部', level: 'root', path: '' });

/** Midnight (UTC+8) of a YYYY-MM-DD day as an instant. */
const startOf = (day: string) => new Date(`${day}T00:00:00+08:00`);

/** GET /api/dashboard/overview. Throws NODE_NOT_FOUND (404), FORBIDDEN (403). */
export async function getOverview(ctx: Ctx, q: { node?: string }) {
  const n = await resolveNode(ctx.db, ctx.actor, q.node);
  const now = new Date();
  const t = today(now);
  const month = periodOf({}, now);
  const base = nodeFilter(n);
  const [states, clocks, monthCounts, todayCounts, cats, chans] = [
    await repo.countByState(ctx.db, n, startOf(month.from), startOf(t)),
    await repo.countClocks(ctx.db, n),
    await countScope(ctx.db, { ...base, ...month }),
    await countScope(ctx.db, { ...base, from: t, to: t }),
    await countScope(ctx.db, { ...base, ...month, nodeCode: undefined }, 'category_top'),
    await countScope(ctx.db, { ...base, ...month, nodeCode: undefined }, 'channel'),
  ];
  const period = (key: 'today' | 'month', from: string, resolved: number) => {
    const byState: Partial<Record<CaseStatus, number>> = {};
    let total = 0;
    let open = 0;
    for (const s of states) {
      const v = s[key];
      if (!v) continue;
      byState[s.status as CaseStatus] = v;
      total += v;
      if (!TERMINAL_STATUSES.includes(s.status as CaseStatus)) open += v;
    }
    return { from, to: t, byState, total, open, resolved };
  };
  const names = await repo.categoryNames(ctx.db, cats.rows.map((r) => r.bucket));
  const m = totalOf(monthCounts.rows);
  return {
    node: nodeRef(n),
    at: now.toISOString(),
    today: period('today', t, totalOf(todayCounts.rows).resolved),
    month: period('month', month.from, m.resolved),
    ...figuresOf(m),
    categories: cats.rows
      .filter((r) => r.reported > 0)
      .map((r) => ({ code: r.bucket, nameZh: names.get(r.bucket)?.name_zh ?? r.bucket, nameEn: names.get(r.bucket)?.name_en ?? r.bucket, count: r.reported }))
      .sort((a, b) => b.count - a.count),
    channels: chans.rows.filter((r) => r.reported > 0).map((r) => ({ channel: r.bucket, count: r.reported })).sort((a, b) => b.count - a.count),
    clocks: { green: 0, yellow: 0, red: 0, ...Object.fromEntries(clocks.map((c) => [c.clock_colour, c.n])) },
  };
}

/** GET /api/dashboard/overdue: overdue open cases, longest overdue first. */
export async function getOverdue(ctx: Ctx, q: { node?: string; limit?: number }) {
  const n = await resolveNode(ctx.db, ctx.actor, q.node);
  const now = new Date();
  const { total, rows } = await repo.listOverdue(ctx.db, n, q.limit ?? 50);
  return {
    node: nodeRef(n),
    at: now.toISOString(),
    total,
    items: rows.map((r) => ({
      id: Number(r.id),
      number: r.number,
      status: r.status,
      category: { code: r.category_code, nameZh: r.name_zh, nameEn: r.name_en },
      description: r.description,
      node: r.node_code ? { code: r.node_code, name: r.node_name } : null,
      handler: r.handler_type ? { type: r.handler_type, name: r.handler_name, departmentId: r.handler_department_id === null ? null : Number(r.handler_department_id), nodeCode: r.handler_node_code } : null,
      urgent: r.urgent,
      dueAt: r.due_at.toISOString(),
      overdueMinutes: Math.max(0, Math.floor((+now - +r.due_at) / 60_000)),
      supervised: r.supervised_at !== null,
    })),
  };
}

export type RankingBy = 'grid' | 'community' | 'street' | 'district' | 'child' | 'department';

/** GET /api/dashboard/rankings: nodes at a level under the node (or departments) by one measure. */
export async function getRankings(ctx: Ctx, q: { node?: string; by: RankingBy; measure: MeasureKey; order?: 'desc' | 'asc'; from?: string; to?: string; limit?: number }) {
  const n = await resolveNode(ctx.db, ctx.actor, q.node);
  const period = periodOf(q);
  const f: mrepo.MeasureFilter = { ...nodeFilter(n), ...period };
  const order = q.order ?? 'desc';
  let rows: mrepo.GroupedCounters[];
  // Names are looked up for the ranked few only (a city has thousands of grids).
  let namesFor: (keys: string[]) => Promise<Map<string, { name: string; level?: string }>>;
  if (q.by === 'department') {
    // A city's or a district's departments from their roll-ups; below a district, a scan of the subtree's cases.
    rows = f.nodePath === undefined && f.cityCode !== undefined ? await mrepo.sumDepartmentRollup(ctx.db, f) : await mrepo.sumScanByDepartment(ctx.db, f);
    namesFor = async (keys) => new Map([...(await repo.departmentNames(ctx.db, keys.map(Number)))].map(([id, name]) => [String(id), { name }]));
  } else {
    const nodeLevel = (n?.level ?? 'root') as Level | 'root';
    const level = q.by === 'child' ? (nodeLevel === 'root' ? 'province' : childLevel(nodeLevel)) : q.by;
    if (!level || (nodeLevel !== 'root' && CODE_LENGTH[level] <= CODE_LENGTH[nodeLevel])) throw fieldError('by', `must be a level below the node (${nodeLevel})`);
    const len = CODE_LENGTH[level];
    const city = f.cityCode;
    const whole = mrepo.canUseGridRollup({ ...f, nodeCode: n?.code ?? '', cityCode: city ?? '' });
    if (level === 'district' && city !== undefined && f.districtCode === undefined) {
      // Districts of a city: the day roll-up has them as a key, exact for any range.
      rows = (await mrepo.sumRollup(ctx.db, f, 'district_code')).filter((r) => r.bucket !== '');
    } else if (whole && city) {
      rows = await mrepo.sumGridRollup(ctx.db, { cityCode: city, prefix: n!.code, from: period.from, to: period.to }, { keyLength: len });
    } else {
      rows = await mrepo.sumScanByNode(ctx.db, f, len);
    }
    rows = rows.filter((r) => r.bucket.length === len);
    namesFor = (keys) => repo.namesOf(ctx.db, keys);
  }
  const ranked = rows
    .map((r) => ({ key: r.bucket, ...measuresOf(r)[q.measure] }))
    .filter((r) => r.denominator > 0)
    .sort((a, b) => (order === 'desc' ? b.rate! - a.rate! : a.rate! - b.rate!) || b.denominator - a.denominator || a.key.localeCompare(b.key))
    .slice(0, q.limit ?? 20);
  const names = await namesFor(ranked.map((r) => r.key));
  const items = ranked.map((r, i) => ({ rank: i + 1, key: r.key, name: names.get(r.key)?.name ?? r.key, ...(names.get(r.key)?.level ? { level: names.get(r.key)!.level } : {}), rate: r.rate, numerator: r.numerator, denominator: r.denominator }));
  return { node: nodeRef(n), by: q.by, measure: q.measure, order, from: period.from, to: period.to, items };
}

/** GET /api/dashboard/map/points: case points in a bbox coloured by clock. */
export async function getPoints(ctx: Ctx, q: { node?: string; bbox: string; open?: boolean; from?: string; to?: string; limit?: number }) {
  const parts = q.bbox.split(',').map(Number);
  if (parts.length !== 4 || parts.some((x) => !Number.isFinite(x))) throw fieldError('bbox', 'must be minLng,minLat,maxLng,maxLat');
  const [minLng, minLat, maxLng, maxLat] = parts as [number, number, number, number];
  if (minLng < -180 || maxLng > 180 || minLat < -90 || maxLat > 90 || minLng >= maxLng || minLat >= maxLat) throw fieldError('bbox', 'must be minLng,minLat,maxLng,maxLat within WGS-84 bounds, min below max');
  const n = await resolveNode(ctx.db, ctx.actor, q.node);
  const limit = q.limit ?? 2000;
  let fromTs: Date | undefined;
  let toTs: Date | undefined;
  if (q.from !== undefined || q.to !== undefined) {
    const p = periodOf(q);
    fromTs = startOf(p.from);
    toTs = new Date(+startOf(p.to) + 86_400_000);
  }
  const rows = await repo.listPoints(ctx.db, n, { bbox: [minLng, minLat, maxLng, maxLat], open: q.open ?? true, fromTs, toTs, limit });
  return {
    type: 'FeatureCollection' as const,
    truncated: rows.length > limit,
    limit,
    features: rows.slice(0, limit).map((r) => ({
      type: 'Feature' as const,
      geometry: { type: 'Point' as const, coordinates: [r.lng, r.lat] },
      properties: { id: Number(r.id), number: r.number, status: r.status, clockColour: r.clock_colour, categoryCode: r.category_code, urgent: r.urgent, createdAt: r.created_at.toISOString() },
    })),
  };
}

/** GET /api/dashboard/map/density: per child node the period's reported cases and the open/overdue now, with polygons. */
export async function getDensity(ctx: Ctx, q: { node?: string; from?: string; to?: string }) {
  const n = await resolveNode(ctx.db, ctx.actor, q.node);
  const period = periodOf(q);
  const level = n ? childLevel(n.level as Level) : 'province';
  if (!level) throw fieldError('node', 'has no child level');
  const len = CODE_LENGTH[level];
  const [children, open] = [await repo.childrenWithShapes(ctx.db, n?.code ?? null), await repo.openByChild(ctx.db, n, len)];
  // A city's districts: the reported counts are the district roll-up's (same definition: merged duplicates and cancelled
  // reports left out, by the day in China); elsewhere a count of the subtree's cases of the period.
  const reported =
    n?.level === 'city'
      ? (await mrepo.sumRollup(ctx.db, { cityCode: n.code, ...period }, 'district_code')).map((r) => ({ code: r.bucket, n: r.reported }))
      : await repo.reportedByChild(ctx.db, n, len, startOf(period.from), new Date(+startOf(period.to) + 86_400_000));
  const rep = new Map(reported.map((r) => [r.code, r.n]));
  const op = new Map(open.map((r) => [r.code, r]));
  const props = (c: repo.ChildRow) => {
    const count = rep.get(c.code) ?? 0;
    return {
      code: c.code,
      name: c.name,
      level: c.level,
      count,
      open: op.get(c.code)?.open ?? 0,
      overdue: op.get(c.code)?.overdue ?? 0,
      per100Households: c.households ? Math.round((count / c.households) * 10000) / 100 : null,
    };
  };
  return {
    type: 'FeatureCollection' as const,
    node: nodeRef(n),
    from: period.from,
    to: period.to,
    features: children.filter((c) => c.geometry).map((c) => ({ type: 'Feature' as const, geometry: c.geometry, properties: props(c) })),
    unmapped: children.filter((c) => !c.geometry).map(props),
  };
}

