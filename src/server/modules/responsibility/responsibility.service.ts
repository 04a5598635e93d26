/**
 * The responsibility list (责任清单): for each category subtree and each part
 * of the grid tree, which level handles a case, which unit leads (主办), who
 * assists (协办) and the deadlines (时限). The most specific entry wins (deepest
 * node, then most specific category: src/domain/routing.ts); with no entry,
 * the category's own defaults apply.
 *
 * Scope: an entry is visible when its node lies in the caller's subtree or
 * above it (entries at the city apply to every grid below). It may be changed
 * only where the caller holds `responsibility.manage` over its node: visible
 * but above → 403, elsewhere → 404. Cases copy their route at dispatch, so
 * nothing here ever touches a case.
 *
 * Also here: `routeFor` (the case service's routing call), the working
 * calendar with its local overrides (`loadCalendar`), and the explain endpoint.
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/db.js';
import { AppError, fieldError, type FieldError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import { WorkCalendar } from '../../../domain/calendar.js';
import { deadlineProblems } from '../../../domain/category-catalogue.js';
import { DEPARTMENT_KINDS } from '../../../domain/departments.js';
import { toWgs84, type Crs } from '../../../domain/geo.js';
import { can, ROLE_PERMISSIONS, scopePaths, type Actor } from '../../../domain/permissions.js';
import { resolveRoute, RoutingTieError, type Deadlines, type HandlingLevel, type LeadUnit, type ResponsibilityEntry } from '../../../domain/routing.js';
import { depthOf, isWithin } from '../../../domain/tree.js';
import * as categories from '../categories/categories.repository.js';
import * as locate from '../locate/locate.repository.js';
import { holdsCityWide } from '../categories/categories.service.js';
import * as repo from './responsibility.repository.js';
import type { CalendarQuery, CreateEntryBody, ExplainQuery, LeadInput, ListEntriesQuery, PutCalendarBody, UpdateEntryBody } from './responsibility.schemas.js';

// ---------------------------------------------------------------- routing

/** Where a case goes and why: what the case service copies onto the case at dispatch. */
export interface RouteResult {
  source: 'entry' | 'category_default';
  entryId: number | null;
  handlingLevel: HandlingLevel;
  /** The node at the handling level on the case's path ('' when the case has no node). */
  handlingNodeCode: string;
  lead: LeadUnit;
  /** The active department of the lead's kind at the handling node or the nearest above it; null when none (or no department lead). */
  leadDepartmentId: number | null;
  coHandlers: string[];
  deadlines: Deadlines;
  autoDispatch: boolean;
  explanation: string;
}

interface Resolution {
  route: RouteResult;
  leadDepartment: { id: number; name: string; nodeCode: string } | null;
  alsoMatchedIds: number[];
}

const lastLabel = (path: string) => path.split('.').pop() || '(no node)';

/**
 * Resolves a route. Throws VALIDATION_FAILED naming `categoryField` for an
 * unknown or inactive category, CONFLICT if two entries tie (impossible while
 * the (city, node, category) key is unique).
 */
async function resolve(ex: Executor, categoryCode: string, nodePath: string, categoryField = 'categoryCode'): Promise<Resolution> {
  const inputs = await repo.routeInputs(ex, categoryCode, nodePath);
  if (!inputs) throw fieldError(categoryField, `no category ${categoryCode}`);
  if (!inputs.active) throw fieldError(categoryField, `the category ${categoryCode} is inactive`);
  let decision: ReturnType<typeof resolveRoute>;
  try {
    decision = resolveRoute(inputs.entries, inputs.path, nodePath);
  } catch (err) {
    if (!(err instanceof RoutingTieError)) throw err;
    throw new AppError('CONFLICT', `Responsibility entries ${err.entries.map((e) => `#${e.id}`).join(', ')} are equally specific; remove one.`, undefined, {
      entryIds: err.entries.map((e) => e.id),
    });
  }
  const labels = nodePath ? nodePath.split('.') : [];
  const level = decision ? decision.entry.handlingLevel : inputs.default_level;
  const handlingDepth = Math.min(depthOf(level), labels.length);
  const handlingNodeCode = labels[handlingDepth - 1] ?? '';
  const kind = inputs.default_department_kind;
  const lead: LeadUnit = decision
    ? decision.entry.lead
    : kind
      ? { type: 'department', departmentKind: kind }
      : level === 'grid'
        ? { type: 'grid_worker' }
        : { type: 'node_office' };
  let explanation = decision
    ? decision.explanation
    : `No responsibility entry covers category ${inputs.path} at node ${lastLabel(nodePath)}; the category's defaults apply. Handling level ${level} → node ${handlingNodeCode || '(none)'}.`;
  if (labels.length && labels.length < depthOf(level)) explanation += ` The case is placed above the ${level} level, so its own node handles it.`;
  let leadDepartment: Resolution['leadDepartment'] = null;
  if (lead.type === 'department' && handlingNodeCode) {
    // The deepest department of the kind on the path from the handling node up; the lowest id among equals.
    const onPath = new Set(labels.slice(0, handlingDepth));
    const d = inputs.departments
      .filter((x) => x.kind === lead.departmentKind && onPath.has(x.nodeCode))
      .sort((a, b) => b.nodeCode.length - a.nodeCode.length || a.id - b.id)[0];
    leadDepartment = d ? { id: d.id, name: d.name, nodeCode: d.nodeCode } : null;
    explanation += d
      ? ` Lead: ${d.name} (department #${d.id}, ${lead.departmentKind}) at node ${d.nodeCode}${d.nodeCode === handlingNodeCode ? '' : ', the nearest above the handling node'}.`
      : ` No active ${lead.departmentKind} department at or above node ${handlingNodeCode}: a dispatcher must choose the unit.`;
  }
  return {
    route: {
      source: decision ? 'entry' : 'category_default',
      entryId: decision ? decision.entry.id : null,
      handlingLevel: level,
      handlingNodeCode,
      lead,
      leadDepartmentId: leadDepartment?.id ?? null,
      coHandlers: decision ? decision.entry.coHandlers : [],
      deadlines: decision ? decision.entry.deadlines : inputs.default_deadlines,
      autoDispatch: decision ? decision.entry.autoDispatch : false,
      explanation,
    },
    leadDepartment,
    alsoMatchedIds: decision ? decision.alsoMatched.map((e: ResponsibilityEntry) => e.id) : [],
  };
}

/**
 * Where a case of `categoryCode` at `nodePath` (the ltree path of its grid or
 * node; '' when it has none yet) goes: the most specific responsibility entry
 * (deepest node, then most specific category), else the category's defaults
 * (default level; lead = a department of the default kind, else the grid
 * worker at grid level, else the node's office; default deadlines; no
 * automatic dispatch). Runs on the executor given (a transaction or the pool).
 * Throws VALIDATION_FAILED naming `categoryCode` for an unknown or inactive category.
 */
export async function routeFor(ex: Executor, categoryCode: string, nodePath: string): Promise<RouteResult> {
  return (await resolve(ex, categoryCode, nodePath)).route;
}

// ---------------------------------------------------------------- calendar

const CALENDAR_TTL_MS = 60_000;
let calendarCache: { at: number; calendar: WorkCalendar } | undefined;

/**
 * The working calendar: the official one (npm chinese-days) with this
 * installation's overrides on top. Cached in-process for 60 s; another
 * process sees an override change within that time.
 */
export async function loadCalendar(ex: Executor): Promise<WorkCalendar> {
  if (calendarCache && Date.now() - calendarCache.at < CALENDAR_TTL_MS) return calendarCache.calendar;
  const rows = await repo.listOverrides(ex);
  const calendar = new WorkCalendar(new Map(rows.map((r) => [r.day, r.is_workday])));
  calendarCache = { at: Date.now(), calendar };
  return calendar;
}

/** Drops the cached calendar (after an override change in this process). */
export function invalidateCalendar(): void {
  calendarCache = undefined;
}

const presentOverride = (r: repo.OverrideRow) => ({ day: r.day, isWorkday: r.is_workday, name: r.name });

export async function listCalendarOverrides(ctx: Pick<Ctx, 'db'>, q: CalendarQuery) {
  return { items: (await repo.listOverrides(ctx.db, q.from, q.to)).map(presentOverride) };
}

function isRealDay(day: string): boolean {
  const t = Date.parse(day + 'T00:00:00Z');
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === day;
}

/**
 * Sets and removes calendar overrides (a year the package does not know yet,
 * a local holiday). The calendar is shared by the installation, so this needs
 * `responsibility.manage` at city level or above. Throws FORBIDDEN, VALIDATION_FAILED.
 */
export async function putCalendarOverrides(ctx: Ctx, input: PutCalendarBody) {
  if (!holdsCityWide(ctx.actor, 'responsibility.manage')) throw new AppError('FORBIDDEN', 'Only an administrator at city level or above may change the working calendar.');
  const set = input.set ?? [];
  const remove = input.remove ?? [];
  const problems: FieldError[] = [];
  const seen = new Set<string>();
  set.forEach((s, i) => {
    if (!isRealDay(s.day)) problems.push({ field: `set.${i}.day`, reason: 'is not a date' });
    else if (seen.has(s.day)) problems.push({ field: `set.${i}.day`, reason: 'appears twice' });
    seen.add(s.day);
  });
  remove.forEach((d, i) => {
    if (!isRealDay(d)) problems.push({ field: `remove.${i}`, reason: 'is not a date' });
    else if (seen.has(d)) problems.push({ field: `remove.${i}`, reason: 'is also being set' });
  });
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  await ctx.db.transaction(async (trx) => {
    for (const s of set) await repo.upsertOverride(trx, { day: s.day, is_workday: s.isWorkday, name: s.name ?? null });
    const removed: string[] = [];
    for (const d of remove) if (await repo.deleteOverride(trx, d)) removed.push(d);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'calendar.update', resource: 'calendar_overrides', result: 'ok', detail: { set, removed } });
  });
  invalidateCalendar();
  return listCalendarOverrides(ctx, {});
}

// ---------------------------------------------------------------- the list

/** Grants that may read the list; their tops are the caller's scope. */
function readScope(actor: Actor): string[] | null {
  const tops = scopePaths({ ...actor, grants: actor.grants.filter((g) => ROLE_PERMISSIONS[g.role].includes('responsibility.read')) });
  return tops.includes('') ? null : tops;
}

/** Visible: at, under or above one of the caller's readable subtrees. */
function isVisible(actor: Actor, path: string): boolean {
  const scope = readScope(actor);
  return scope === null || scope.some((s) => isWithin(path, s) || isWithin(s, path));
}

function isInReadScope(actor: Actor, path: string): boolean {
  const scope = readScope(actor);
  return scope === null || scope.some((s) => isWithin(path, s));
}

export function presentEntry(r: repo.EntryRow, actor: Actor) {
  return {
    id: r.id,
    nodeCode: r.node_code,
    nodeName: r.node_name,
    categoryCode: r.category_code,
    categoryNameZh: r.category_name_zh,
    categoryNameEn: r.category_name_en,
    handlingLevel: r.handling_level,
    lead: r.lead,
    coHandlers: r.co_handlers,
    deadlines: r.deadlines,
    autoDispatch: r.auto_dispatch,
    note: r.note,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    updatedBy: r.updated_by,
    /** The caller may change or delete this entry (the UI shows exactly that). */
    canManage: can(actor, 'responsibility.manage', r.node_path),
  };
}
export type EntryDto = ReturnType<typeof presentEntry>;

/** Entries bearing on the caller's part of the tree, filtered by node and category. Throws NODE_NOT_FOUND, VALIDATION_FAILED. */
export async function listEntries(ctx: Ctx, q: ListEntriesQuery) {
  let nodePath: string | undefined;
  if (q.node) {
    const n = await repo.findNode(ctx.db, q.node);
    if (!n || !isVisible(ctx.actor, n.path)) throw fieldError('node', 'no such node in your part of the tree', 'NODE_NOT_FOUND');
    nodePath = n.path;
  }
  let categoryPath: string | undefined;
  if (q.category) {
    const c = await categories.findCategory(ctx.db, q.category);
    if (!c) throw fieldError('category', 'no such category');
    categoryPath = c.path;
  }
  const { rows, total } = await repo.listEntries(ctx.db, { scope: readScope(ctx.actor), nodePath, categoryPath, limit: q.limit, offset: q.offset });
  return { items: rows.map((r) => presentEntry(r, ctx.actor)), total };
}

/** An entry the caller may see, authorized for `responsibility.manage`. Throws NOT_FOUND (404), FORBIDDEN (403). */
async function loadForManage(ctx: Ctx, id: number): Promise<repo.EntryRow> {
  const e = await repo.findEntry(ctx.db, id);
  if (!e || !isVisible(ctx.actor, e.node_path)) throw new AppError('NOT_FOUND', `No responsibility entry #${id} in your part of the tree.`);
  if (!can(ctx.actor, 'responsibility.manage', e.node_path)) throw new AppError('FORBIDDEN', `Entry #${id} is set at node ${e.node_code}, above your part of the tree.`);
  return e;
}

export async function getEntry(ctx: Ctx, id: number): Promise<EntryDto> {
  const e = await repo.findEntry(ctx.db, id);
  if (!e || !isVisible(ctx.actor, e.node_path)) throw new AppError('NOT_FOUND', `No responsibility entry #${id} in your part of the tree.`);
  return presentEntry(e, ctx.actor);
}

/** Field problems of a (level, lead, co-handlers) combination; the lead as stored. */
function checkUnits(level: HandlingLevel, lead: LeadInput, coHandlers: string[]): { lead: LeadUnit; problems: FieldError[] } {
  const problems: FieldError[] = [];
  let unit: LeadUnit = { type: 'node_office' };
  if (lead.type === 'department') {
    if (!lead.departmentKind) problems.push({ field: 'lead.departmentKind', reason: 'is required for a department lead' });
    else if (!(DEPARTMENT_KINDS as readonly string[]).includes(lead.departmentKind))
      problems.push({ field: 'lead.departmentKind', reason: `is not a known department kind (${DEPARTMENT_KINDS.join(', ')})` });
    else unit = { type: 'department', departmentKind: lead.departmentKind };
    if (lead.departmentKind && coHandlers.includes(lead.departmentKind)) problems.push({ field: 'coHandlers', reason: 'must not include the lead department kind' });
  } else {
    if (lead.departmentKind !== undefined) problems.push({ field: 'lead.departmentKind', reason: `is only for a department lead, not ${lead.type}` });
    if (lead.type === 'grid_worker' && level !== 'grid') problems.push({ field: 'lead.type', reason: 'a grid worker leads only at handling level grid' });
    unit = { type: lead.type };
  }
  return { lead: unit, problems };
}

function failIfProblems(problems: FieldError[]): void {
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

const audit = (ctx: Ctx, action: string, id: number, cityCode: string, detail: Record<string, unknown>) => ({
  actorId: ctx.actor.userId,
  actorName: ctx.actor.name,
  ip: ctx.ip,
  action,
  resource: 'responsibility_entries',
  resourceId: String(id),
  cityCode,
  result: 'ok' as const,
  detail,
});

/**
 * Adds an entry for (node, category). Throws NODE_NOT_FOUND (404, nodeCode),
 * FORBIDDEN, NODE_RETIRED, VALIDATION_FAILED (categoryCode, lead…, deadlines…),
 * DUPLICATE (409, naming the existing entry in details.existingEntryId).
 */
export async function createEntry(ctx: Ctx, input: CreateEntryBody): Promise<EntryDto> {
  const node = await repo.findNode(ctx.db, input.nodeCode);
  if (!node || !isInReadScope(ctx.actor, node.path)) throw fieldError('nodeCode', 'no such node in your part of the tree', 'NODE_NOT_FOUND');
  if (!can(ctx.actor, 'responsibility.manage', node.path)) throw new AppError('FORBIDDEN', `You may not change the responsibility list at ${node.code}.`);
  if (node.status !== 'active') throw fieldError('nodeCode', 'the node is retired', 'NODE_RETIRED');
  const category = await categories.findCategory(ctx.db, input.categoryCode);
  if (!category) throw fieldError('categoryCode', 'no such category');
  if (!category.active) throw fieldError('categoryCode', 'the category is inactive');
  const coHandlers = input.coHandlers ?? [];
  const { lead, problems } = checkUnits(input.handlingLevel, input.lead, coHandlers);
  const deadlines = input.deadlines ?? category.default_deadlines;
  failIfProblems([...problems, ...deadlineProblems(deadlines, 'deadlines')]);
  const row: repo.NewEntry = {
    cityCode: node.city_code,
    nodeCode: node.code,
    nodePath: node.path,
    categoryCode: category.code,
    categoryPath: category.path,
    handlingLevel: input.handlingLevel,
    lead,
    coHandlers,
    deadlines,
    autoDispatch: input.autoDispatch ?? false,
    note: input.note ?? null,
    updatedBy: ctx.actor.userId,
  };
  const id = await ctx.db.transaction(async (trx) => {
    const newId = await repo.insertEntry(trx, row);
    if (newId === undefined) {
      const existing = await repo.findEntryId(trx, row.cityCode, row.nodeCode, row.categoryCode);
      throw new AppError(
        'DUPLICATE',
        `Entry #${existing} already covers category ${row.categoryCode} at node ${row.nodeCode}; change that entry instead.`,
        [{ field: 'categoryCode', reason: `entry #${existing} exists for this node and category` }],
        { existingEntryId: existing },
      );
    }
    await writeAudit(trx, audit(ctx, 'responsibility.create', newId, row.cityCode, { ...row }));
    return newId;
  });
  return getEntry(ctx, id);
}

/** Changes an entry's level, units, deadlines, automatic dispatch or note. Throws NOT_FOUND, FORBIDDEN, VALIDATION_FAILED. */
export async function updateEntry(ctx: Ctx, id: number, input: UpdateEntryBody): Promise<EntryDto> {
  const e = await loadForManage(ctx, id);
  const level = input.handlingLevel ?? e.handling_level;
  const coHandlers = input.coHandlers ?? e.co_handlers;
  const leadInput: LeadInput = input.lead ?? (e.lead.type === 'department' ? { type: 'department', departmentKind: e.lead.departmentKind } : { type: e.lead.type });
  const { lead, problems } = checkUnits(level, leadInput, coHandlers);
  const deadlines = input.deadlines ?? e.deadlines;
  failIfProblems([...problems, ...deadlineProblems(deadlines, 'deadlines')]);
  const changes: repo.EntryChanges = {
    handlingLevel: level,
    lead,
    coHandlers,
    deadlines,
    autoDispatch: input.autoDispatch ?? e.auto_dispatch,
    note: input.note !== undefined ? input.note : e.note,
    updatedBy: ctx.actor.userId,
  };
  await ctx.db.transaction(async (trx) => {
    if (!(await repo.updateEntry(trx, id, changes))) throw new AppError('NOT_FOUND', `Responsibility entry #${id} was deleted meanwhile.`);
    const before = { handlingLevel: e.handling_level, lead: e.lead, coHandlers: e.co_handlers, deadlines: e.deadlines, autoDispatch: e.auto_dispatch, note: e.note };
    await writeAudit(trx, audit(ctx, 'responsibility.update', id, e.city_code, { before, after: changes }));
  });
  return getEntry(ctx, id);
}

/** Removes an entry; cases already dispatched keep the route they copied. Throws NOT_FOUND, FORBIDDEN. */
export async function deleteEntry(ctx: Ctx, id: number): Promise<void> {
  const e = await loadForManage(ctx, id);
  await ctx.db.transaction(async (trx) => {
    if (!(await repo.deleteEntry(trx, id))) throw new AppError('NOT_FOUND', `Responsibility entry #${id} was deleted meanwhile.`);
    await writeAudit(trx, audit(ctx, 'responsibility.delete', id, e.city_code, { entry: presentEntry(e, ctx.actor) }));
  });
}

// ---------------------------------------------------------------- explain

/**
 * Where a case of `category` at a node (or a point) would go and why. The
 * place must lie in the caller's part of the tree. Throws VALIDATION_FAILED
 * (category, node, lng, lat), NODE_NOT_FOUND (404: node or point outside the
 * caller's part of the tree).
 */
export async function explainRoute(ctx: Ctx, q: ExplainQuery) {
  const hasPoint = q.lng !== undefined || q.lat !== undefined;
  if (q.node && hasPoint) throw fieldError('node', 'give either node or lng and lat, not both');
  if (!q.node && !hasPoint) throw fieldError('node', 'give node, or lng and lat');
  if (hasPoint && q.lng === undefined) throw fieldError('lng', 'is required with lat');
  if (hasPoint && q.lat === undefined) throw fieldError('lat', 'is required with lng');
  let place: repo.NodeRow | undefined;
  if (q.node) {
    place = await repo.findNode(ctx.db, q.node);
    if (!place || !isInReadScope(ctx.actor, place.path)) throw fieldError('node', 'no such node in your part of the tree', 'NODE_NOT_FOUND');
  } else {
    const p = toWgs84({ lng: q.lng!, lat: q.lat! }, q.crs as Crs);
    // The locate module's rule (grids first, then divisions; deepest active node), then the node's row for its path.
    const hit = await locate.locatePoint(ctx.db, p.lng, p.lat);
    place = hit ? await repo.findNode(ctx.db, hit.code) : undefined;
    if (!place || !isInReadScope(ctx.actor, place.path)) throw fieldError('lng', 'no node in your part of the tree contains this point', 'NODE_NOT_FOUND');
  }
  const r = await resolve(ctx.db, q.category, place.path, 'category');
  const ids = [...(r.route.entryId ? [r.route.entryId] : []), ...r.alsoMatchedIds];
  const rows = new Map((await repo.findEntries(ctx.db, ids)).map((e) => [e.id, presentEntry(e, ctx.actor)]));
  const names = await repo.nodeNames(ctx.db, [r.route.handlingNodeCode]);
  return {
    categoryCode: q.category,
    node: { code: place.code, name: place.name, level: place.level },
    source: r.route.source,
    entry: r.route.entryId ? (rows.get(r.route.entryId) ?? null) : null,
    handlingLevel: r.route.handlingLevel,
    handlingNodeCode: r.route.handlingNodeCode,
    handlingNodeName: names.get(r.route.handlingNodeCode) ?? null,
    lead: r.route.lead,
    leadDepartment: r.leadDepartment ? { id: r.leadDepartment.id, name: r.leadDepartment.name, nodeCode: r.leadDepartment.nodeCode } : null,
    coHandlers: r.route.coHandlers,
    deadlines: r.route.deadlines,
    autoDispatch: r.route.autoDispatch,
    alsoMatched: r.alsoMatchedIds.map((id) => rows.get(id)).filter((e): e is EntryDto => !!e),
    explanation: r.route.explanation,
  };
}
