/**
 * Care visits (走访): the grid worker's due list, recording a visit (with an
 * optional case), visit history and the due/done/overdue counts per grid.
 * Out of the caller's part of the tree → 404; in it without the permission → 403.
 */
import { can, isInScope } from '../../../domain/permissions.js';
import { coordinateProblem, toWgs84 } from '../../../domain/geo.js';
import { countByStatus, dueList, visitDue, type VisitDue } from '../../../domain/visits.js';
import type { Ctx } from '../../context.js';
import type { Transaction } from '../../db/db.js';
import { AppError, fieldError } from '../../errors.js';
import { whereInScope } from '../../lib/scope.js';
import { writeAudit } from '../../plugins/audit.js';
import { createCase, resolvePhotos } from '../cases/cases.intake.js';
import * as repo from './visits.repository.js';
import type { CountsQuery, DueQuery, ListVisitsQuery, RecordVisitBody } from './visits.schemas.js';

/** The node in scope, or 404. */
export async function nodeInScope(ctx: Ctx, code: string) {
  const n = await repo.findNode(ctx.db, code);
  if (!n || !isInScope(ctx.actor, n.path)) throw new AppError('NODE_NOT_FOUND', `no node ${code} in your area`);
  return n;
}

/** The SQL condition on r.node_path: under the node given, or the caller's whole scope. */
async function scopeCondition(ctx: Ctx, column: string, nodeCode: string | undefined, params: unknown[]): Promise<string> {
  if (nodeCode) {
    const n = await nodeInScope(ctx, nodeCode);
    params.push(n.path);
    return `${column} <@ $${params.length}::ltree`;
  }
  return whereInScope(ctx.actor, column, params);
}

function presentDue(d: VisitDue, r: repo.CareSubjectRow) {
  return {
    residentId: Number(r.id),
    name: r.name,
    householdId: r.household_id === null ? null : Number(r.household_id),
    address: r.address,
    nodeCode: r.node_code,
    tags: d.tags,
    everyDays: d.everyDays,
    lastVisitAt: r.last_visit_at?.toISOString() ?? null,
    dueAt: d.dueAt.toISOString(),
    status: d.status,
    daysOverdue: d.daysOverdue,
  };
}

/** The due list: overdue first (longest overdue first), then due soon, then visited this cycle. */
export async function listDue(ctx: Ctx, q: DueQuery, now = new Date()) {
  const params: unknown[] = [];
  const where = await scopeCondition(ctx, 'r.node_path', q.nodeCode, params);
  const [rows, freq] = await Promise.all([repo.careSubjects(ctx.db, where, params), repo.tagFrequencies(ctx.db)]);
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const list = dueList(rows.map((r) => ({ residentId: Number(r.id), tags: r.tags, registeredAt: r.created_at, lastVisitAt: r.last_visit_at })), freq, now);
  const counts = countByStatus(list);
  const items = list.filter((d) => !q.status || d.status === q.status).slice(0, q.limit).map((d) => presentDue(d, byId.get(d.residentId)!));
  return { items, counts };
}

/**
 * Records a visit. With `openCase` a case is opened too (channel patrol,
 * through the normal intake) and the visit points to it, in the case's
 * transaction: both commit or neither does. Throws 404
 * NOT_FOUND for a resident outside the caller's area, 403 without
 * visit.record there, 400 naming the field for a future time or bad location.
 */
export async function recordVisit(ctx: Ctx, body: RecordVisitBody) {
  const r = await repo.findResident(ctx.db, body.residentId);
  if (!r || !isInScope(ctx.actor, r.node_path)) throw new AppError('NOT_FOUND', 'no such resident in your area');
  if (!can(ctx.actor, 'visit.record', r.node_path)) throw new AppError('FORBIDDEN', 'you may not record visits here');
  if (r.status !== 'active') throw fieldError('residentId', 'the resident is no longer active');
  const visitedAt = body.visitedAt ? new Date(body.visitedAt) : new Date();
  if (visitedAt.getTime() > Date.now() + 5 * 60_000) throw fieldError('visitedAt', 'must not be in the future');
  let lng: number | null = null;
  let lat: number | null = null;
  if (body.location) {
    const bad = coordinateProblem(body.location.lng, body.location.lat);
    if (bad) throw fieldError(`location.${bad.field}`, bad.reason, 'COORDINATES_OUT_OF_RANGE');
    ({ lng, lat } = toWgs84(body.location, body.location.crs ?? 'wgs84'));
  }
  const photos = resolvePhotos(ctx.config.uploadDir, body.photos, 'photos').map((p) => p.sha256);
  const write = async (trx: Transaction, caseId: number | null) => {
    const v = await repo.insertVisit(trx, {
      cityCode: r.city_code, residentId: Number(r.id), householdId: r.household_id === null ? null : Number(r.household_id), nodeCode: r.node_code, nodePath: r.node_path,
      visitorId: ctx.actor.userId, visitedAt, kind: body.kind ?? 'home', lng, lat, findings: body.findings, photos, caseId,
    });
    if (caseId !== null) await trx.query(`UPDATE cases SET household_id = coalesce(household_id, $2) WHERE id = $1`, [caseId, r.household_id]);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'visit.record', resource: 'visit', resourceId: String(v.id), result: 'ok', cityCode: r.city_code, detail: { residentId: Number(r.id), caseId } });
    return presentVisit(v);
  };
  if (!body.openCase) return ctx.db.transaction((trx) => write(trx, null));
  // The case, the visit pointing at it and its audit entry commit together or not at all.
  let visit: ReturnType<typeof presentVisit> | undefined;
  await createCase(
    ctx,
    {
      channel: 'patrol',
      categoryCode: body.openCase.categoryCode,
      description: body.openCase.description ?? body.findings,
      ...(lng !== null && lat !== null ? { location: { lng, lat } } : { nodeCode: r.node_code }),
      photos: body.photos,
      attributes: { visit: { residentId: Number(r.id) } },
    },
    undefined,
    { link: async (trx, c) => { visit = await write(trx, c.id); } },
  );
  return visit!;
}

export function presentVisit(v: repo.VisitRow) {
  return {
    id: Number(v.id), residentId: Number(v.resident_id), residentName: v.resident_name, nodeCode: v.node_code, visitorId: v.visitor_id, visitorName: v.visitor_name,
    visitedAt: v.visited_at.toISOString(), kind: v.kind, lng: v.lng, lat: v.lat, findings: v.findings, photos: v.photos, caseId: v.case_id === null ? null : Number(v.case_id),
  };
}

export async function listVisits(ctx: Ctx, q: ListVisitsQuery) {
  const params: unknown[] = [];
  let where = await scopeCondition(ctx, 'v.node_path', q.nodeCode, params);
  if (q.residentId) {
    const r = await repo.findResident(ctx.db, q.residentId);
    if (!r || !isInScope(ctx.actor, r.node_path)) throw new AppError('NOT_FOUND', 'no such resident in your area');
    params.push(q.residentId);
    where += ` AND v.resident_id = $${params.length}`;
  }
  return { items: (await repo.listVisits(ctx.db, where, params, q.limit)).map(presentVisit) };
}

/** Due/done/overdue per grid under a node (the figures the assessment reads). */
export async function gridCounts(ctx: Ctx, q: CountsQuery, now = new Date()) {
  const params: unknown[] = [];
  const where = await scopeCondition(ctx, 'r.node_path', q.nodeCode, params);
  const [rows, freq] = await Promise.all([repo.careSubjects(ctx.db, where, params), repo.tagFrequencies(ctx.db)]);
  const perGrid = new Map<string, VisitDue[]>();
  for (const r of rows) {
    const d = visitDue({ residentId: Number(r.id), tags: r.tags, registeredAt: r.created_at, lastVisitAt: r.last_visit_at }, freq, now);
    if (!d) continue;
    const list = perGrid.get(r.node_code) ?? [];
    list.push(d);
    perGrid.set(r.node_code, list);
  }
  const node = q.nodeCode ? await repo.findNode(ctx.db, q.nodeCode) : undefined;
  const done = await repo.visitsPerGrid(ctx.db, node?.path ?? null, new Date(now.getTime() - q.days * 86_400_000));
  const codes = [...new Set([...perGrid.keys(), ...[...done.keys()].filter((c) => perGrid.has(c) || q.nodeCode)])].sort();
  const names = await repo.nodeNames(ctx.db, codes);
  return {
    items: codes.map((code) => ({ nodeCode: code, nodeName: names.get(code) ?? code, ...countByStatus(perGrid.get(code) ?? []), visits: done.get(code) ?? 0 })),
  };
}
