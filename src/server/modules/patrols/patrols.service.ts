/**
 * Patrols (巡查): a grid worker starts one, the phone sends its track in
 * batches (points named by the phone, so a batch sent twice or late lands
 * once and in time order), findings become cases with the patrol attached,
 * and the console draws the tracks. Out of scope → 404; not the patrol's own
 * worker → 403.
 */
import { can, isInScope } from '../../../domain/permissions.js';
import { coordinateProblem, toWgs84 } from '../../../domain/geo.js';
import { levelOfCode } from '../../../domain/tree.js';
import type { Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { whereInScope } from '../../lib/scope.js';
import { writeAudit } from '../../plugins/audit.js';
import { createCase } from '../cases/cases.intake.js';
import { nodeInScope } from '../visits/visits.service.js';
import * as repo from './patrols.repository.js';
import type { FindingBody, ListPatrolsQuery, PointsBody, StartBody, StopBody } from './patrols.schemas.js';

async function present(ctx: Ctx, p: repo.PatrolRow) {
  const findings = await repo.findingsOf(ctx.db, Number(p.id));
  return {
    id: Number(p.id), nodeCode: p.node_code, nodeName: p.node_name, workerId: p.worker_id, workerName: p.worker_name, status: p.status,
    startedAt: p.started_at.toISOString(), endedAt: p.ended_at?.toISOString() ?? null, note: p.note, points: Number(p.points), distanceM: Math.round(Number(p.distance_m) * 10) / 10,
    findings: findings.map((c) => ({ caseId: Number(c.id), number: c.number, status: c.status, categoryCode: c.category_code, description: c.description })),
  };
}

/** The patrol, visible to the caller (404 otherwise). */
async function loadInScope(ctx: Ctx, id: number) {
  const p = await repo.findPatrol(ctx.db, id);
  if (!p || !isInScope(ctx.actor, p.node_path)) throw new AppError('NOT_FOUND', 'no such patrol in your area');
  return p;
}

/** The caller's own patrol (403 for someone else's). */
async function loadOwn(ctx: Ctx, id: number) {
  const p = await loadInScope(ctx, id);
  if (p.worker_id !== ctx.actor.userId || !can(ctx.actor, 'patrol.record', p.node_path)) throw new AppError('FORBIDDEN', 'only the worker on this patrol may change it');
  return p;
}

/** Starts a patrol in the given grid or the caller's own; 409 CONFLICT when one is already running. */
export async function startPatrol(ctx: Ctx, body: StartBody) {
  const own = ctx.actor.grants.find((x) => x.nodeCode && x.nodeCode.length >= 15 && can({ ...ctx.actor, grants: [x] }, 'patrol.record'));
  const nodeCode = body.nodeCode ?? own?.nodeCode;
  if (!nodeCode) throw fieldError('nodeCode', 'give the grid you patrol');
  const n = await nodeInScope(ctx, nodeCode);
  if (!['grid', 'unit', 'cell'].includes(levelOfCode(nodeCode) ?? '')) throw fieldError('nodeCode', 'a patrol covers a grid');
  if (!can(ctx.actor, 'patrol.record', n.path)) throw new AppError('FORBIDDEN', 'you may not patrol here');
  const id = await ctx.db.transaction(async (trx) => {
    const id = await repo.insertPatrol(trx, { cityCode: nodeCode.slice(0, 4), nodeCode, nodePath: n.path, workerId: ctx.actor.userId, note: body.note ?? null });
    if (id === undefined) return undefined;
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'patrol.start', resource: 'patrol', resourceId: String(id), result: 'ok', cityCode: nodeCode.slice(0, 4) });
    return id;
  });
  if (id === undefined) {
    const active = await repo.activeOf(ctx.db, ctx.actor.userId);
    throw new AppError('CONFLICT', 'you already have a patrol running: stop it first', undefined, { patrolId: active ? Number(active.id) : null });
  }
  return present(ctx, (await repo.findPatrol(ctx.db, id))!);
}

export async function stopPatrol(ctx: Ctx, id: number, body: StopBody) {
  const p = await loadOwn(ctx, id);
  const ok = await ctx.db.transaction(async (trx) => {
    if (!(await repo.endPatrol(trx, id, body.note ?? null))) return false;
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'patrol.stop', resource: 'patrol', resourceId: String(id), result: 'ok', cityCode: p.city_code });
    return true;
  });
  if (!ok) throw new AppError('CONFLICT', 'the patrol has already ended');
  return present(ctx, (await repo.findPatrol(ctx.db, id))!);
}

/**
 * Stores a batch of track points (also after the patrol ended: a phone that
 * was offline sends its queue later). Duplicates are counted, not stored.
 */
export async function addPoints(ctx: Ctx, id: number, body: PointsBody) {
  const p = await loadOwn(ctx, id);
  const points = body.points.map((pt, i) => {
    const bad = coordinateProblem(pt.lng, pt.lat);
    if (bad) throw fieldError(`points.${i}.${bad.field}`, bad.reason, 'COORDINATES_OUT_OF_RANGE');
    if (new Date(pt.at).getTime() > Date.now() + 5 * 60_000) throw fieldError(`points.${i}.at`, 'must not be in the future');
    const w = toWgs84(pt, pt.crs ?? 'wgs84');
    return { id: pt.id, seq: pt.seq ?? null, at: pt.at, lng: w.lng, lat: w.lat, accuracy: pt.accuracy ?? null };
  });
  // One batch may carry the same point twice too: keep the first.
  const unique = [...new Map(points.map((x) => [x.id, x])).values()];
  const accepted = await repo.insertPoints(ctx.db, id, p.city_code, unique);
  return { accepted, duplicates: body.points.length - accepted, total: await repo.pointCount(ctx.db, id) };
}

/** A finding on the patrol becomes a case (channel patrol) with the patrol attached. */
export async function reportFinding(ctx: Ctx, id: number, body: FindingBody) {
  const p = await loadOwn(ctx, id);
  const created = await createCase(
    ctx,
    {
      channel: 'patrol',
      categoryCode: body.categoryCode,
      description: body.description,
      ...(body.location ? { location: body.location } : { nodeCode: p.node_code }),
      ...(body.address ? { address: body.address } : {}),
      photos: body.photos,
      attributes: { patrol_id: Number(p.id) },
      ...(body.selfResolved ? { selfResolved: body.selfResolved } : {}),
    },
    undefined,
    // The patrol (and the thing) are linked in the case's transaction: never a finding's case without its patrol.
    {
      link: async (trx, c) => {
        await trx.query(`UPDATE cases SET patrol_id = $3, thing_id = coalesce($4, thing_id) WHERE city_code = $1 AND id = $2`, [c.cityCode, c.id, id, body.thingId ?? null]);
      },
    },
  );
  const [c] = await ctx.db.query<{ number: string; status: string }>('SELECT number, status FROM cases WHERE id = $1', [created.id]);
  return { caseId: created.id, number: c!.number, status: c!.status, patrolId: Number(p.id) };
}

export async function getPatrol(ctx: Ctx, id: number) {
  return present(ctx, await loadInScope(ctx, id));
}

export async function listPatrols(ctx: Ctx, q: ListPatrolsQuery) {
  const params: unknown[] = [];
  let where: string;
  if (q.nodeCode) {
    const n = await nodeInScope(ctx, q.nodeCode);
    params.push(n.path);
    where = `p.node_path <@ $${params.length}::ltree`;
  } else where = whereInScope(ctx.actor, 'p.node_path', params);
  if (q.mine) { params.push(ctx.actor.userId); where += ` AND p.worker_id = $${params.length}`; }
  if (q.status) { params.push(q.status); where += ` AND p.status = $${params.length}`; }
  if (q.from) { params.push(q.from); where += ` AND p.started_at >= $${params.length}`; }
  if (q.to) { params.push(q.to); where += ` AND p.started_at < $${params.length}`; }
  const rows = await repo.listPatrols(ctx.db, where, params, q.limit);
  return { items: await Promise.all(rows.map((r) => present(ctx, r))) };
}

/** The track as a GeoJSON Feature (LineString in time order, times alongside) for the map. */
export async function patrolTrack(ctx: Ctx, id: number) {
  const p = await loadInScope(ctx, id);
  const t = await repo.trackOf(ctx.db, id);
  return {
    type: 'Feature' as const,
    geometry: { type: 'LineString' as const, coordinates: t.coords },
    properties: { patrolId: Number(p.id), workerName: p.worker_name, nodeCode: p.node_code, status: p.status, startedAt: p.started_at.toISOString(), endedAt: p.ended_at?.toISOString() ?? null, times: t.times },
  };
}
