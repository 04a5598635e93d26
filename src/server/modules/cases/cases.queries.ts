/**
 * Reading cases: the queue (scoped, filtered, paged), one case with its
 * timeline and the caller's abilities, counts by state, a caller's history.
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/db.js';
import { AppError, fieldError } from '../../errors.js';
import { abilitiesOf, canReadCase } from '../../../domain/case-abilities.js';
import { OPEN_STATUSES, type CaseStatus } from '../../../domain/case-lifecycle.js';
import { ROLE_PERMISSIONS, type Actor } from '../../../domain/permissions.js';
import { isWithin } from '../../../domain/tree.js';
import * as repo from './cases.repository.js';
import { factsOf } from './cases.actions.js';
import { findDuplicates } from './cases.intake.js';

export interface QueueQuery {
  status?: string;
  category?: string;
  clock?: 'green' | 'yellow' | 'red';
  handler?: string;
  node?: string;
  channel?: string;
  urgent?: boolean;
  q?: string;
  mine?: 'handling' | 'reported';
  sort?: 'newest' | 'oldest' | 'due';
  page: number;
  pageSize: number;
}

const CLOSED = `('closed','rejected','cancelled','merged')`;

/**
 * The one scope condition for case lists: cases in or handled in the caller's
 * subtrees, cases of the caller's departments (lead or co-handler), and the
 * caller's own reports. Written so the indexes serve it: a grant at a city (or
 * province) is a city_code test, a deeper one the node-code test of underNode
 * (one ordered index per level) or a scalar ltree containment for the handler
 * (an ltree[] parameter would defeat the GiST index).
 */
export function caseScope(actor: Actor, params: unknown[]): string {
  const arms = caseScopeArms(actor, params);
  return arms ? `(${arms.join(' OR ')})` : 'TRUE';
}

/** The scope as its alternatives (joined by OR), or null when the caller reads every case. */
function caseScopeArms(actor: Actor, params: unknown[], form: NodeTestForm = 'level'): string[] | null {
  const ors: string[] = [];
  // Residents read only their own reports; department staff only their departments' cases.
  const paths = [...new Set(actor.grants.filter((g) => g.role !== 'department_staff' && g.role !== 'resident' && ROLE_PERMISSIONS[g.role].includes('case.read')).map((g) => g.nodePath))];
  if (paths.includes('')) return null;
  for (const p of paths) {
    ors.push(underNode(p, params, form));
    if (p.split('.').length > 2) {
      params.push(p);
      ors.push(`c.handler_node_path <@ $${params.length}::ltree`);
    }
  }
  const depts = actor.grants.filter((g) => g.role === 'department_staff' && g.departmentId).map((g) => g.departmentId!);
  if (depts.length) {
    // One test per department: `= ANY(array)` would keep the index from returning its rows in order.
    for (const d of depts) {
      params.push(d);
      ors.push(`c.handler_department_id = $${params.length}::bigint`);
    }
    params.push(depts);
    ors.push(`c.id IN (SELECT case_id FROM case_assignments WHERE department_id = ANY($${params.length}::bigint[]))`);
  }
  // Residents see their own reports. Staff report only inside their own part of the tree (intake refuses
  // the rest), so for them this test adds nothing but an OR that keeps the planner off the indexes.
  if (!ors.length || actor.grants.some((g) => g.role === 'resident')) {
    params.push(actor.userId);
    ors.push(`c.reporter_id = $${params.length}`);
  }
  return ors;
}

/**
 * How a node test is written: 'level' as left(node_code, n) = code, which the
 * per-level indexes answer in created_at order (the queue's pages); 'prefix' as
 * a node_code range, which the prefix indexes answer (counts, and the open
 * queue, whose few open cases are cheaper sorted than walked past).
 */
export type NodeTestForm = 'level' | 'prefix';

/** Code lengths with their own ordered index (migration 0026): district, street, community, grid. */
const INDEXED_CODE_LENGTHS = new Set([6, 9, 12, 15]);

/**
 * Cases located under the node at `path`, as index-friendly tests: codes nest
 * (a grid's code begins with its community's), so below a city this is
 * left(node_code, <the node's code length>) = <its code> within the city, which
 * that level's index answers in created_at order; otherwise a prefix range.
 */
export function underNode(path: string, params: unknown[], form: NodeTestForm = 'level'): string {
  const labels = path.split('.');
  if (labels.length === 1) {
    params.push(`${labels[0]}%`);
    return `c.city_code LIKE $${params.length}`;
  }
  params.push(labels[1]);
  if (labels.length === 2) return `c.city_code = $${params.length}`;
  const code = labels[labels.length - 1]!;
  if (form === 'level' && INDEXED_CODE_LENGTHS.has(code.length)) {
    params.push(code);
    return `(c.city_code = $${params.length - 1} AND left(c.node_code, ${code.length}) = $${params.length})`;
  }
  // The prefix as a range in the prefix index's own operators (text_pattern_ops): unlike LIKE $n it stays an index
  // range in a generic plan, which PGlite's prepared statements come to use.
  const last = code.charCodeAt(code.length - 1);
  params.push(code, code.slice(0, -1) + String.fromCharCode(last + 1));
  return `(c.city_code = $${params.length - 2} AND c.node_code ~>=~ $${params.length - 1} AND c.node_code ~<~ $${params.length})`;
}

/** True when the node lies inside a part of the tree where the actor reads every case (so its scope test is redundant). */
function coversNode(actor: Actor, path: string): boolean {
  return actor.grants.some((g) => g.role !== 'department_staff' && g.role !== 'resident' && ROLE_PERMISSIONS[g.role].includes('case.read') && isWithin(path, g.nodePath));
}

/**
 * The queue's columns. Names come from scalar subqueries rather than joins:
 * PostgreSQL plans a five-way join in about 1 ms, these in a tenth of that, and
 * the queue's whole database time is a few milliseconds.
 */
const LIST_COLUMNS = `c.id, c.number, c.status, c.category_code,
  (SELECT k.name_zh FROM categories k WHERE k.code = c.category_code) AS category_name_zh,
  (SELECT k.name_en FROM categories k WHERE k.code = c.category_code) AS category_name_en,
  left(c.description, 140) AS description, c.address, c.node_code,
  (SELECT n.name FROM nodes n WHERE n.city_code = c.city_code AND n.code = c.node_code) AS node_name,
  c.channel, c.urgent, c.clock_colour, c.handle_due_at, c.accept_due_at, c.handler_type, c.handler_node_code,
  (SELECT hn.name FROM nodes hn WHERE hn.city_code = c.city_code AND hn.code = c.handler_node_code) AS handler_node_name,
  c.handler_department_id, (SELECT d.name FROM departments d WHERE d.id = c.handler_department_id) AS handler_department_name,
  c.reopen_count, c.created_at, c.updated_at`;

interface ListRow {
  id: number;
  number: string;
  status: CaseStatus;
  category_code: string;
  category_name_zh: string;
  category_name_en: string;
  description: string;
  address: string | null;
  node_code: string | null;
  node_name: string | null;
  channel: string;
  urgent: boolean;
  clock_colour: string;
  handle_due_at: Date | null;
  accept_due_at: Date | null;
  handler_type: string | null;
  handler_node_code: string | null;
  handler_node_name: string | null;
  handler_department_id: number | null;
  handler_department_name: string | null;
  reopen_count: number;
  created_at: Date;
  updated_at: Date;
}

function presentListRow(r: ListRow) {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    category: { code: r.category_code, nameZh: r.category_name_zh, nameEn: r.category_name_en },
    description: r.description,
    address: r.address,
    node: r.node_code ? { code: r.node_code, name: r.node_name } : null,
    channel: r.channel,
    urgent: r.urgent,
    clockColour: r.clock_colour,
    handleDueAt: r.handle_due_at?.toISOString() ?? null,
    acceptDueAt: r.accept_due_at?.toISOString() ?? null,
    handler: r.handler_type
      ? { type: r.handler_type, nodeCode: r.handler_node_code, name: r.handler_department_name ?? r.handler_node_name, departmentId: r.handler_department_id }
      : null,
    reopenCount: r.reopen_count,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

async function nodePathFor(ex: Executor, actor: Actor, code: string, field: string): Promise<string> {
  const [n] = await ex.query<{ path: string }>('SELECT path::text AS path FROM nodes WHERE code = $1', [code]);
  if (!n || !actor.grants.some((g) => isWithin(n.path, g.nodePath) || isWithin(g.nodePath, n.path))) throw fieldError(field, 'no such node in your part of the tree', 'NODE_NOT_FOUND');
  return n.path;
}

/** The case queue: filters, sort, paging; `hasMore` instead of a total (counts come from /counts). */
export async function listCases(ctx: Ctx, q: QueueQuery) {
  const { where, params, split } = await queueConditions(ctx, q);
  const keys = q.sort === 'oldest' ? ['created_at ASC', 'id ASC'] : q.sort === 'due' ? ['handle_due_at ASC NULLS LAST', 'id ASC'] : ['created_at DESC', 'id DESC'];
  const order = (alias: string) => keys.map((k) => `${alias}.${k}`).join(', ');
  // Limit and offset written into the statement (validated integers): as parameters, a generic plan (PGlite's
  // prepared statements) guesses a large limit and sorts instead of walking the index.
  const limit = Math.trunc(q.pageSize) + 1;
  const offset = Math.trunc(q.page - 1) * Math.trunc(q.pageSize);
  // The page first (index order, no joins), then the names for those rows only. A scope made of
  // alternatives (a department's own cases or those it co-handles; a grid and what its worker handles) is
  // read one alternative at a time, each from its own ordered index, and the first pages merged: an OR
  // across them would make PostgreSQL read and sort every matching case.
  const page = split
    ? `SELECT u.* FROM (${disjointArms(where, split)
        .map((w) => `(SELECT c.* FROM cases c WHERE ${w.join(' AND ')} ORDER BY ${order('c')} LIMIT ${limit + offset})`)
        .join(' UNION ALL ')}) u ORDER BY ${order('u')} LIMIT ${limit} OFFSET ${offset}`
    : `SELECT c.* FROM cases c WHERE ${where.join(' AND ')} ORDER BY ${order('c')} LIMIT ${limit} OFFSET ${offset}`;
  const rows = await ctx.db.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM (${page}) c ORDER BY ${order('c')}`, params);
  return { items: rows.slice(0, q.pageSize).map(presentListRow), page: q.page, pageSize: q.pageSize, hasMore: rows.length > q.pageSize };
}

/** A condition of `where` (at `index`) that is a disjunction of `arms`, to be read one arm at a time. */
interface Split {
  index: number;
  arms: string[];
}

/**
 * The conditions once per arm of the split disjunction, each arm also excluding
 * the earlier ones, so the arms' rows are disjoint and their union is exactly
 * the rows of the whole condition (IS NOT TRUE: an arm that is NULL is not true).
 */
function disjointArms(where: string[], split: Split): string[][] {
  return split.arms.map((arm, i) => {
    const w = [...where];
    w[split.index] = i === 0 ? arm : `${arm} AND (${split.arms.slice(0, i).join(' OR ')}) IS NOT TRUE`;
    return w;
  });
}

/**
 * The queue's scope and filters as SQL conditions on `cases c` (joined by AND),
 * with their parameters; shared by the queue and the ledger export so both
 * select exactly the same cases. Throws 400 naming a bad filter.
 */
export async function queueConditions(
  ctx: Ctx,
  q: Omit<QueueQuery, 'page' | 'pageSize' | 'sort'>,
): Promise<{ where: string[]; params: unknown[]; split?: Split }> {
  const params: unknown[] = [];
  const nodePath = q.node ? await nodePathFor(ctx.db, ctx.actor, q.node, 'node') : undefined;
  // One's own reports are always one's own; a node inside the caller's reach needs no scope test besides itself.
  const where: string[] = [];
  let split: Split | undefined;
  const form: NodeTestForm = q.status === 'open' ? 'prefix' : 'level';
  if (!(q.mine === 'reported' || (nodePath !== undefined && coversNode(ctx.actor, nodePath)))) {
    const arms = caseScopeArms(ctx.actor, params, form);
    if (arms) {
      where.push(`(${arms.join(' OR ')})`);
      if (arms.length > 1) split = { index: 0, arms };
    }
  }
  if (nodePath !== undefined) where.push(underNode(nodePath, params, form));
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (q.status === 'open') where.push(`c.status NOT IN ${CLOSED}`); // the partial index's own predicate
  else if (q.status) add('c.status = ANY(?::text[])', q.status.split(','));
  if (q.category) {
    const [k] = await ctx.db.query<{ path: string }>('SELECT path::text AS path FROM categories WHERE code = $1', [q.category]);
    if (!k) throw fieldError('category', 'no such category');
    add('c.category_path <@ ?::ltree', k.path);
  }
  if (q.clock) add('c.clock_colour = ?', q.clock);
  if (q.channel) add('c.channel = ?', q.channel);
  if (q.urgent !== undefined) add('c.urgent = ?', q.urgent);
  if (q.handler) {
    const [kind, value] = q.handler.split(':');
    if (kind === 'department' && /^\d+$/.test(value ?? '')) add('c.handler_department_id = ?', Number(value));
    else if (kind === 'node' && value) add('c.handler_node_code = ?', value);
    else throw fieldError('handler', 'use department:<id> or node:<code>');
  }
  if (q.mine === 'reported') add('c.reporter_id = ?', ctx.actor.userId);
  if (q.mine === 'handling') {
    const depts = ctx.actor.grants.filter((g) => g.role === 'department_staff' && g.departmentId).map((g) => g.departmentId!);
    const nodes = ctx.actor.grants.filter((g) => g.role !== 'department_staff' && g.nodeCode && ROLE_PERMISSIONS[g.role].includes('case.handle')).map((g) => g.nodeCode!);
    const arms: string[] = [];
    if (depts.length) {
      for (const d of depts) {
        params.push(d);
        arms.push(`c.handler_department_id = $${params.length}::bigint`);
      }
      params.push(depts);
      arms.push(`c.id IN (SELECT case_id FROM case_assignments WHERE status = 'pending' AND department_id = ANY($${params.length}::bigint[]))`);
    }
    if (nodes.length) {
      params.push(nodes);
      arms.push(`c.handler_node_code = ANY($${params.length}::text[])`);
    }
    where.push(arms.length ? `(${arms.join(' OR ')})` : 'FALSE');
    // What the caller handles is the narrower alternative: read it arm by arm, the scope as a plain filter.
    if (arms.length > 1) split = { index: where.length - 1, arms };
  }
  if (q.q) {
    const term = q.q.trim();
    if (/^\d{8,}$/.test(term)) add('c.number = ?', term);
    else add(`c.description ILIKE '%' || ? || '%'`, term.replace(/[\\%_]/g, (m) => '\\' + m));
  }
  if (!where.length) where.push('TRUE');
  return { where, params, split };
}

/** Counts by state and by clock colour for the caller's scope, optionally under one node. */
export async function countCases(ctx: Ctx, node?: string) {
  const params: unknown[] = [];
  const nodePath = node ? await nodePathFor(ctx.db, ctx.actor, node, 'node') : undefined;
  const covered = nodePath !== undefined && coversNode(ctx.actor, nodePath);
  const arms = covered ? null : caseScopeArms(ctx.actor, params, 'prefix');
  const where = arms ? [`(${arms.join(' OR ')})`] : [];
  if (nodePath !== undefined) where.push(underNode(nodePath, params, 'prefix'));
  if (!where.length) where.push('TRUE');
  // A scope of alternatives is counted arm by arm (disjoint), as the queue reads it.
  const sources = arms && arms.length > 1 ? disjointArms(where, { index: 0, arms }) : [where];
  const rows = await ctx.db.query<{ status: string; clock_colour: string; n: number }>(
    `SELECT status, clock_colour, count(*) AS n FROM (${sources.map((w) => `SELECT c.status, c.clock_colour FROM cases c WHERE ${w.join(' AND ')}`).join(' UNION ALL ')}) x
      GROUP BY 1, 2`,
    params,
  );
  const byStatus: Record<string, number> = {};
  const byClock: Record<string, number> = { green: 0, yellow: 0, red: 0 };
  for (const r of rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + r.n;
    if ((OPEN_STATUSES as readonly string[]).includes(r.status)) byClock[r.clock_colour] = (byClock[r.clock_colour] ?? 0) + r.n;
  }
  return { byStatus, openByClock: byClock, total: rows.reduce((s, r) => s + r.n, 0) };
}

/** One case as its page shows it: details, timeline, photos, co-handlers, and what the caller may do. */
export async function getCase(ctx: Ctx, id: number) {
  const c = await repo.findCaseDetail(ctx.db, id);
  if (!c || !(canReadCase(ctx.actor, factsOf(c)) || c.followers.includes(ctx.actor.userId))) throw new AppError('CASE_NOT_FOUND', 'No such case in your part of the tree.');
  const abilities = abilitiesOf(ctx.actor, factsOf(c));
  // Duplicate suggestions only for whoever can merge: the search is not free.
  const duplicates = abilities.includes('merge') ? await findDuplicates(ctx.db, c) : [];
  return {
    id: c.id,
    number: c.number,
    status: c.status,
    suspendedFrom: c.suspended_from,
    channel: c.channel,
    category: { code: c.category_code, nameZh: c.category_zh, nameEn: c.category_en },
    description: c.description,
    address: c.address,
    location: c.lng !== null && c.lat !== null ? { lng: c.lng, lat: c.lat } : null,
    node: c.node_code ? { code: c.node_code, name: c.node_name, pathNames: c.path_names } : null,
    placedBy: c.placed_by,
    urgent: c.urgent,
    reporter: { name: c.reporter_name, phone: c.reporter_phone_masked, isMe: c.reporter_id === ctx.actor.userId },
    handlingLevel: c.handling_level,
    handler: c.handler_type ? { type: c.handler_type, nodeCode: c.handler_node_code, departmentId: c.handler_department_id, name: c.department_name ?? c.handler_node_name } : null,
    coHandlers: c.co_list.map((x) => ({ departmentId: x.department_id, name: x.name, status: x.status, report: x.report, reportedAt: x.reported_at ? new Date(x.reported_at).toISOString() : null })),
    route: c.route,
    clock: {
      colour: c.clock_colour,
      acceptDueAt: c.accept_due_at?.toISOString() ?? null,
      signDueAt: c.sign_due_at?.toISOString() ?? null,
      handleDueAt: c.handle_due_at?.toISOString() ?? null,
      unit: c.deadline_unit,
      supervisedAt: c.supervised_at?.toISOString() ?? null,
    },
    pendingExtension: c.pending_extension,
    pendingSuspension: c.pending_suspension,
    counts: { reopen: c.reopen_count, rework: c.rework_count, return: c.return_count, escalation: c.escalation_count },
    outcome: {
      resolvedAt: c.resolved_at?.toISOString() ?? null,
      resolvedLevel: c.resolved_level,
      resolvedOnTime: c.resolved_on_time,
      rating: c.rating,
      ratingComment: c.rating_comment,
      closedAt: c.closed_at?.toISOString() ?? null,
      closeReason: c.close_reason,
      mergedInto: c.merged_into_id,
      rejectedReason: c.rejected_reason,
    },
    photos: c.photo_list.map((p) => ({ sha256: p.sha256, mime: p.mime, stage: p.stage, url: `/api/cases/${c.id}/photos/${p.sha256}` })),
    timeline: c.timeline.map((e) => ({
      seq: e.seq,
      at: new Date(e.at).toISOString(),
      actor: { id: e.actor_id, name: e.actor_name, role: e.actor_role, unit: e.actor_unit },
      action: e.action,
      from: e.from_status,
      to: e.to_status,
      note: e.note,
      photos: e.photos,
      clock: e.clock,
      data: e.data,
    })),
    duplicates: duplicates.map((d) => ({ id: d.id, number: d.number, status: d.status, description: d.description.slice(0, 140), createdAt: d.created_at.toISOString(), distanceM: d.distance_m === null ? null : Math.round(d.distance_m) })),
    abilities,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}

/** A hotline caller's earlier cases, by the keyed hash of their number (no plaintext search). */
export async function casesByPhone(ctx: Ctx, phone: string) {
  const params: unknown[] = [];
  const scope = caseScope(ctx.actor, params);
  params.push(ctx.pd.hash(phone));
  const rows = await ctx.db.query<ListRow>(
    `SELECT ${LIST_COLUMNS} FROM cases c WHERE ${scope} AND c.reporter_phone_hash = $${params.length} ORDER BY c.created_at DESC LIMIT 50`,
    params,
  );
  return { items: rows.map(presentListRow) };
}
