/**
 * The monthly review of recurring problems (每月研判) for a node: the top
 * categories and places, hot spots (reports clustered by place and time) and
 * groups of similar reports within a category; a leader marks a group to be
 * solved at the source (源头治理) and follows it: its status, notes, and the
 * later reports of the same problem.
 *
 * A report counts in the month (China time) it was reported; merged
 * duplicates and cancelled reports are left out. The analysis is computed on
 * request from the cases (it is read once a month, not a hot path); only the
 * follow-up items are stored.
 */
import type { Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { can, isInScope, ROLE_PERMISSIONS, type Actor } from '../../../domain/permissions.js';
import { isWithin } from '../../../domain/tree.js';
import { startOfChinaDay } from '../../../domain/calendar.js';
import { DEFAULT_MIN_GROUP_SIZE, DEFAULT_THRESHOLD, groupSimilar, keywordsOf, matchesAny } from '../../../domain/similarity.js';
import { circleOf, splitByTime } from '../../../domain/hotspots.js';
import { whereInScope } from '../../lib/scope.js';
import { writeAudit } from '../../plugins/audit.js';
import { analysisWorkbook } from './analysis.export.js';
import * as repo from './analysis.repository.js';
import type { CaseRef, CreateItemBody, Item, ItemDetail, ItemsQuery, MonthlyAnalysis, MonthlyQuery, UpdateItemBody } from './analysis.schemas.js';

/** Reports compared by text at once (the most recent of the month when there are more). */
export const MAX_ANALYSED = 50_000;
/** Located reports clustered at once. */
export const MAX_CLUSTERED = 100_000;
const TOP = 10;
const EXAMPLES = 3;
/** Sample texts kept per follow-up item, and later reports examined per item. */
const MAX_SAMPLES = 200;
const MAX_LATER = 2000;

/** The month `YYYY-MM` in China time: [from, to), and the start of the month before. */
export function monthWindow(month: string): { prevFrom: Date; from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const iso = (yy: number, mm: number) => `${yy + Math.floor((mm - 1) / 12)}-${String(((((mm - 1) % 12) + 12) % 12) + 1).padStart(2, '0')}-01`;
  return { prevFrom: startOfChinaDay(iso(y, m - 1)), from: startOfChinaDay(iso(y, m)), to: startOfChinaDay(iso(y, m + 1)) };
}

/**
 * May the actor read the analysis at `path`? Figures for a part of the tree
 * belong to those who hold measure.read there through a role at a node:
 * department staff see their department's figures elsewhere, not the
 * reports of a whole area.
 */
export function canReadAnalysis(actor: Actor, path: string): boolean {
  return actor.grants.some((g) => g.role !== 'department_staff' && g.role !== 'resident' && ROLE_PERMISSIONS[g.role].includes('measure.read') && isWithin(path, g.nodePath));
}

/** Loads a node the actor may analyse. Throws NODE_NOT_FOUND (404, also out of scope), FORBIDDEN (403). */
async function nodeFor(ctx: Ctx, code: string, field = 'node'): Promise<repo.NodeRow> {
  const n = await repo.findNode(ctx.db, code);
  if (!n || !isInScope(ctx.actor, n.path)) throw new AppError('NODE_NOT_FOUND', `${field}: no such node in your part of the tree`, [{ field, reason: 'no such node in your part of the tree' }]);
  if (!canReadAnalysis(ctx.actor, n.path)) throw new AppError('FORBIDDEN', 'You may not read the analysis of this part of the tree.');
  return n;
}

function caseRef(r: repo.CaseTextRow): CaseRef {
  return {
    id: r.id,
    number: r.number,
    description: r.description,
    address: r.address,
    status: r.status,
    categoryCode: r.category_code,
    nodeCode: r.node_code,
    nodeName: r.node_name,
    createdAt: r.created_at.toISOString(),
  };
}

const byCountThenCode = <T extends { count: number; code: string }>(a: T, b: T) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/** Counts members per key, most first, ties by key. */
function tally<T>(items: readonly T[], key: (x: T) => string | null): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of items) {
    const k = key(x);
    if (k !== null) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return new Map([...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

/**
 * The monthly analysis of a node's subtree. Throws NODE_NOT_FOUND (404),
 * FORBIDDEN (403).
 */
export async function monthlyAnalysis(ctx: Ctx, q: MonthlyQuery): Promise<MonthlyAnalysis> {
  const node = await nodeFor(ctx, q.node);
  const params = {
    threshold: q.threshold ?? DEFAULT_THRESHOLD,
    minGroupSize: q.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE,
    radiusM: q.radiusM ?? 100,
    minCases: q.minCases ?? 3,
    gapDays: q.gapDays ?? 7,
  };
  const win = { city: node.city_code, path: node.path, ...monthWindow(q.month) };
  // Reads run one after another: PGlite is one connection, and on PostgreSQL they are short.
  const byCategory = await repo.countByCategory(ctx.db, win);
  const byNode = await repo.countByNode(ctx.db, win);
  const addresses = await repo.topAddresses(ctx.db, win, TOP);
  const rows = await repo.monthCases(ctx.db, win, MAX_ANALYSED);
  const clustered = await repo.spatialClusters(ctx.db, win, params.radiusM, params.minCases, MAX_CLUSTERED);

  const total = byCategory.reduce((s, r) => s + r.count, 0);
  const categoryNames = new Map(byCategory.map((r) => [r.code, { code: r.code, nameZh: r.name_zh, nameEn: r.name_en }]));
  const byId = new Map(rows.map((r) => [r.id, r]));

  // Hot spots: each spatial cluster split into bursts in time.
  const clusters = new Map<number, repo.ClusterRow[]>();
  for (const r of clustered) {
    const list = clusters.get(r.cluster);
    if (list) list.push(r);
    else clusters.set(r.cluster, [r]);
  }
  const hotSpots: MonthlyAnalysis['hotSpots'] = [];
  const missing = new Set<number>();
  const bursts = [...clusters.values()].flatMap((members) =>
    splitByTime(
      members.map((m) => ({ id: m.id, lng: m.lng, lat: m.lat, at: m.created_at })),
      { gapHours: params.gapDays * 24, minPoints: params.minCases },
    ),
  );
  for (const b of bursts) for (const p of b) if (!byId.has(p.id)) missing.add(p.id);
  // Located reports older than the texts loaded (only when the month is truncated).
  for (const r of await repo.casesByIds(ctx.db, node.city_code, [...missing])) byId.set(r.id, r);
  for (const b of bursts) {
    const circle = circleOf(b);
    const cases = b.map((p) => byId.get(p.id)!).filter(Boolean);
    hotSpots.push({
      lng: circle.lng,
      lat: circle.lat,
      radiusM: Math.round(circle.radiusM * 10) / 10,
      count: b.length,
      from: b[0]!.at.toISOString(),
      to: b[b.length - 1]!.at.toISOString(),
      categories: [...tally(cases, (c) => c.category_code)].map(([code, count]) => ({ ...(categoryNames.get(code) ?? { code, nameZh: code, nameEn: code }), count })),
      nodes: [...tally(cases, (c) => c.node_code)].map(([code, count]) => ({ code, name: cases.find((c) => c.node_code === code)?.node_name ?? code, count })),
      caseIds: b.map((p) => p.id),
      examples: cases.slice(-EXAMPLES).reverse().map(caseRef),
    });
  }
  hotSpots.sort((a, b) => b.count - a.count || (a.from < b.from ? -1 : 1));

  // Similar reports, within each category.
  const perCategory = new Map<string, repo.CaseTextRow[]>();
  for (const r of rows) {
    const list = perCategory.get(r.category_code);
    if (list) list.push(r);
    else perCategory.set(r.category_code, [r]);
  }
  const groups: MonthlyAnalysis['groups'] = [];
  for (const [code, list] of perCategory) {
    for (const g of groupSimilar(list.map((r) => ({ id: r.id, text: r.description })), { threshold: params.threshold, minSize: params.minGroupSize })) {
      const members = g.ids.map((id) => byId.get(id)!);
      const rep = byId.get(g.representative)!;
      const latest = members.filter((m) => m.id !== rep.id).slice(-(EXAMPLES - 1)).reverse();
      groups.push({
        key: `${code}:${g.ids[0]}`,
        category: categoryNames.get(code) ?? { code, nameZh: code, nameEn: code },
        count: g.ids.length,
        keywords: g.keywords,
        cohesion: Math.round(g.cohesion * 1000) / 1000,
        caseIds: g.ids,
        examples: [rep, ...latest].map(caseRef),
        places: [...tally(members, (m) => m.node_code)].slice(0, 5).map(([c, count]) => ({ code: c, name: members.find((m) => m.node_code === c)?.node_name ?? c, count })),
        tracked: null,
      });
    }
  }
  groups.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
  const items = await repo.itemsWithCases(ctx.db, node.city_code, groups.flatMap((g) => g.caseIds));
  for (const g of groups) {
    const ids = new Set(g.caseIds);
    const it = items.find((i) => i.status !== 'dropped' && i.case_ids.some((c) => ids.has(c))) ?? items.find((i) => i.case_ids.some((c) => ids.has(c)));
    if (it) g.tracked = { id: it.id, status: it.status, title: it.title };
  }

  return {
    node: { code: node.code, name: node.name, level: node.level },
    month: q.month,
    from: win.from.toISOString(),
    to: win.to.toISOString(),
    params,
    totals: {
      cases: total,
      previousMonth: byCategory.reduce((s, r) => s + r.previous_count, 0),
      located: rows[0]?.located ?? 0,
      analysed: rows.length,
    },
    truncated: (rows[0]?.total ?? 0) > rows.length,
    topCategories: byCategory
      .filter((r) => r.count > 0)
      .map((r) => ({ code: r.code, nameZh: r.name_zh, nameEn: r.name_en, count: r.count, previousCount: r.previous_count, share: total ? r.count / total : 0 }))
      .sort(byCountThenCode)
      .slice(0, TOP),
    topPlaces: byNode
      .filter((r) => r.count > 0)
      .map((r) => ({ code: r.code, name: r.name, level: r.level, count: r.count, previousCount: r.previous_count }))
      .sort(byCountThenCode)
      .slice(0, TOP),
    topAddresses: addresses,
    hotSpots,
    groups,
  };
}

// ---------------------------------------------------------------- follow-up items (源头治理)

function abilities(actor: Actor, it: repo.ItemRow): string[] {
  return can(actor, 'analysis.manage', it.node_path) ? ['update'] : [];
}

/** Later reports of the item's problem: same category and subtree, after the analysed month, similar to its samples. */
async function laterMatches(ctx: Ctx, it: repo.ItemRow): Promise<(repo.CaseTextRow & { similarity: number })[]> {
  const { to } = monthWindow(it.month);
  const candidates = await repo.laterCases(ctx.db, it, to, MAX_LATER);
  const out: (repo.CaseTextRow & { similarity: number })[] = [];
  for (const c of candidates) {
    const m = matchesAny(c.description, it.samples, it.threshold);
    if (m.matched) out.push({ ...c, similarity: Math.round(m.similarity * 1000) / 1000 });
  }
  return out;
}

async function present(ctx: Ctx, it: repo.ItemRow, later?: Awaited<ReturnType<typeof laterMatches>>): Promise<Item> {
  later ??= await laterMatches(ctx, it);
  return {
    id: it.id,
    node: { code: it.node_code, name: it.node_name, level: it.node_level },
    month: it.month,
    category: { code: it.category_code, nameZh: it.category_name_zh, nameEn: it.category_name_en },
    title: it.title,
    keywords: it.keywords,
    status: it.status,
    threshold: Math.round(it.threshold * 1000) / 1000,
    caseCount: it.case_ids.length,
    newCaseCount: later.length,
    lastNewCaseAt: later[0]?.created_at.toISOString() ?? null,
    createdBy: it.created_by_name,
    createdAt: it.created_at.toISOString(),
    updatedAt: it.updated_at.toISOString(),
    closedAt: it.closed_at?.toISOString() ?? null,
    abilities: abilities(ctx.actor, it),
  };
}

/** Loads an item the actor may read. Throws ANALYSIS_ITEM_NOT_FOUND (404, also out of scope), FORBIDDEN (403). */
async function itemFor(ctx: Ctx, id: number): Promise<repo.ItemRow> {
  const it = await repo.findItem(ctx.db, id);
  if (!it || !isInScope(ctx.actor, it.node_path)) throw new AppError('ANALYSIS_ITEM_NOT_FOUND', 'No such follow-up item in your part of the tree.');
  if (!canReadAnalysis(ctx.actor, it.node_path)) throw new AppError('FORBIDDEN', 'You may not read the analysis of this part of the tree.');
  return it;
}

/**
 * Marks a group of similar reports to be solved at the source. The reports
 * must be of the node's subtree, the category and the month (400 naming
 * caseIds otherwise). Throws NODE_NOT_FOUND (404), FORBIDDEN (403),
 * VALIDATION_FAILED (400), DUPLICATE (409: already followed).
 */
export async function createItem(ctx: Ctx, body: CreateItemBody): Promise<ItemDetail> {
  const node = await nodeFor(ctx, body.nodeCode, 'nodeCode');
  if (!can(ctx.actor, 'analysis.manage', node.path)) throw new AppError('FORBIDDEN', 'Marking problems for solving at the source needs analysis.manage here.');
  const [category] = await repo.categories(ctx.db, [body.categoryCode]);
  if (!category) throw fieldError('categoryCode', 'no such category');
  const win = { city: node.city_code, path: node.path, ...monthWindow(body.month) };
  const found = new Map((await repo.monthCases(ctx.db, win, body.caseIds.length, { categoryCode: body.categoryCode, ids: body.caseIds })).map((c) => [c.id, c]));
  const bad = body.caseIds.filter((id) => !found.has(id));
  if (bad.length) throw fieldError('caseIds', `not reports of this node, category and month: ${bad.slice(0, 10).join(', ')}`);
  const existing = (await repo.itemsWithCases(ctx.db, node.city_code, body.caseIds)).find((i) => i.status !== 'dropped');
  if (existing) throw new AppError('DUPLICATE', `These reports are already followed as item ${existing.id} (${existing.title}).`, undefined, { itemId: existing.id });

  const texts = body.caseIds.map((id) => found.get(id)!.description);
  const corpus = await repo.monthCases(ctx.db, win, MAX_ANALYSED, { categoryCode: body.categoryCode });
  const keywords = keywordsOf(texts, corpus.map((c) => c.description));
  const title = body.title ?? `${category.name_zh}：${keywords.slice(0, 3).join('、') || texts[0]!.slice(0, 20)}`;
  const id = await ctx.db.transaction(async (trx) => {
    const id = await repo.insertItem(trx, {
      city: node.city_code,
      nodeCode: node.code,
      nodePath: node.path,
      month: body.month,
      categoryCode: body.categoryCode,
      title,
      keywords,
      caseIds: body.caseIds,
      samples: texts.slice(0, MAX_SAMPLES),
      threshold: body.threshold ?? DEFAULT_THRESHOLD,
      actorId: ctx.actor.userId,
      actorName: ctx.actor.name,
    });
    await repo.appendNote(trx, { city: node.city_code, itemId: id, seq: 1, actorId: ctx.actor.userId, actorName: ctx.actor.name, from: null, to: 'open', note: body.note ?? null });
    await repo.setNoteSeq(trx, node.city_code, id, 1);
    await writeAudit(trx, {
      actorId: ctx.actor.userId,
      actorName: ctx.actor.name,
      ip: ctx.ip,
      action: 'analysis.item.create',
      resource: 'analysis_items',
      resourceId: String(id),
      result: 'ok',
      cityCode: node.city_code,
      detail: { nodeCode: node.code, month: body.month, categoryCode: body.categoryCode, cases: body.caseIds.length },
    });
    return id;
  });
  return getItem(ctx, id);
}

/** Follow-up items in the actor's part of the tree (under `node` when given), newest first. */
export async function listItems(ctx: Ctx, q: ItemsQuery): Promise<{ items: Item[] }> {
  const params: unknown[] = [];
  const where = [whereInScope(ctx.actor, 'i.node_path', params)];
  if (q.node) {
    const node = await nodeFor(ctx, q.node);
    params.push(node.path);
    where.push(`i.node_path <@ $${params.length}::ltree`);
  }
  if (q.status) {
    params.push(q.status.split(','));
    where.push(`i.status = ANY($${params.length}::text[])`);
  }
  const rows = (await repo.listItems(ctx.db, where.join(' AND '), params)).filter((it) => canReadAnalysis(ctx.actor, it.node_path));
  const items: Item[] = [];
  for (const it of rows) items.push(await present(ctx, it));
  return { items };
}

/** One item with its history, its reports and the later reports of the same problem. Throws ANALYSIS_ITEM_NOT_FOUND, FORBIDDEN. */
export async function getItem(ctx: Ctx, id: number): Promise<ItemDetail> {
  const it = await itemFor(ctx, id);
  const later = await laterMatches(ctx, it);
  const base = await present(ctx, it, later);
  const notes = await repo.notes(ctx.db, it.city_code, it.id);
  const cases = await repo.casesByIds(ctx.db, it.city_code, it.case_ids);
  return {
    ...base,
    notes: notes.map((n) => ({ seq: n.seq, at: n.at.toISOString(), actorName: n.actor_name, fromStatus: n.from_status, toStatus: n.to_status, note: n.note })),
    cases: cases.map(caseRef),
    newCases: later.slice(0, 200).map((c) => ({ ...caseRef(c), similarity: c.similarity })),
  };
}

/**
 * Changes an item's status or title and/or adds a progress note (one
 * history entry). Solving or dropping needs a note. Throws
 * ANALYSIS_ITEM_NOT_FOUND (404), FORBIDDEN (403), VALIDATION_FAILED (400),
 * CONFLICT (409: changed meanwhile).
 */
export async function updateItem(ctx: Ctx, id: number, body: UpdateItemBody): Promise<ItemDetail> {
  const it = await itemFor(ctx, id);
  if (!can(ctx.actor, 'analysis.manage', it.node_path)) throw new AppError('FORBIDDEN', 'Following problems at the source needs analysis.manage here.');
  const status = body.status !== undefined && body.status !== it.status ? body.status : undefined;
  if ((status === 'solved' || status === 'dropped') && !body.note) throw fieldError('note', `say what was done (or why it is dropped) when the status becomes ${status}`);
  if (status === undefined && body.title === undefined && body.note === undefined) throw fieldError('status', `the item is already ${it.status}`);
  await ctx.db.transaction(async (trx) => {
    const seq = await repo.updateItem(trx, it, { status, title: body.title, note: body.note, actorId: ctx.actor.userId, actorName: ctx.actor.name });
    if (seq === undefined) throw new AppError('CONFLICT', 'The item was changed meanwhile; reload and try again.');
    await writeAudit(trx, {
      actorId: ctx.actor.userId,
      actorName: ctx.actor.name,
      ip: ctx.ip,
      action: 'analysis.item.update',
      resource: 'analysis_items',
      resourceId: String(id),
      result: 'ok',
      cityCode: it.city_code,
      detail: { from: it.status, to: status ?? it.status, title: body.title ?? null, noted: !!body.note },
    });
  });
  return getItem(ctx, id);
}

/**
 * The monthly review as an .xlsx workbook, with the node's followed problems.
 * Exporting needs case.export at the node (it carries report texts).
 * Throws NODE_NOT_FOUND (404), FORBIDDEN (403).
 */
export async function exportMonthly(ctx: Ctx, q: MonthlyQuery): Promise<Buffer> {
  const analysis = await monthlyAnalysis(ctx, q);
  const node = (await repo.findNode(ctx.db, q.node))!;
  if (!can(ctx.actor, 'case.export', node.path)) throw new AppError('FORBIDDEN', 'Exporting needs case.export here.');
  const { items } = await listItems(ctx, { node: q.node });
  return analysisWorkbook(analysis, items);
}
