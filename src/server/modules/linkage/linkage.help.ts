/**
 * Help requests (求助) up the tree: a resident asks in their level-1 group,
 * the neighbour service team (友邻服务队, volunteer residents) of that group
 * claims and completes it; an unclaimed request moves up one level (to the
 * parent group, whose volunteers then see it) after a configurable time, up
 * to the community. Staff may turn a request into a case.
 */
import type { Executor } from '../../db/db.js';
import { can, isInScope } from '../../../domain/permissions.js';
import type { Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import { createCase } from '../cases/cases.intake.js';
import { nudgeOutbox } from '../cases/outbox-signal.js';
import { residentOf } from './linkage.broadcasts.js';

/** Minutes an open request waits before going up a level; app_meta 'linkage.help_escalate_minutes' overrides. */
export const DEFAULT_HELP_ESCALATE_MINUTES = 30;

export async function helpEscalateMinutes(ex: Executor): Promise<number> {
  const [r] = await ex.query<{ value: unknown }>(`SELECT value FROM app_meta WHERE key = 'linkage.help_escalate_minutes'`);
  const v = Number(r?.value);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_HELP_ESCALATE_MINUTES;
}

interface HelpRow {
  id: number;
  city_code: string;
  resident_id: number;
  resident_name: string;
  requester_id: string | null;
  group_id: number;
  group_name: string | null;
  group_path: string;
  level: number;
  node_code: string;
  node_path: string;
  title: string;
  body: string | null;
  status: string;
  claimed_by: string | null;
  claimed_by_name: string | null;
  claimed_at: Date | null;
  done_at: Date | null;
  result: string | null;
  escalate_at: Date | null;
  case_id: number | null;
  created_at: Date;
}

const SELECT = `SELECT h.id, h.city_code, h.resident_id, r.name AS resident_name, h.requester_id, h.group_id, g.name AS group_name, h.group_path::text AS group_path, h.level,
    h.node_code, h.node_path::text AS node_path, h.title, h.body, h.status, h.claimed_by, cu.display_name AS claimed_by_name, h.claimed_at, h.done_at, h.result,
    h.escalate_at, h.case_id, h.created_at
  FROM help_requests h JOIN residents r ON r.id = h.resident_id LEFT JOIN linkage_groups g ON g.id = h.group_id LEFT JOIN users cu ON cu.id = h.claimed_by`;

function present(h: HelpRow) {
  return {
    id: Number(h.id), residentName: h.resident_name, groupId: Number(h.group_id), groupName: h.group_name, level: Number(h.level), nodeCode: h.node_code,
    title: h.title, body: h.body, status: h.status, claimedByName: h.claimed_by_name, claimedAt: h.claimed_at?.toISOString() ?? null,
    doneAt: h.done_at?.toISOString() ?? null, result: h.result, escalateAt: h.escalate_at?.toISOString() ?? null, caseId: h.case_id === null ? null : Number(h.case_id),
    createdAt: h.created_at.toISOString(),
  };
}

const find = async (ex: Executor, id: number) => (await ex.query<HelpRow>(`${SELECT} WHERE h.id = $1`, [id]))[0];

/** The level-1 group of a household (the first, if a hand-made tree put it in two). */
async function levelOneGroupOf(ex: Executor, householdId: number) {
  return (await ex.query<{ id: number; path: string; owner_resident_id: number | null }>(
    `SELECT g.id, g.path::text AS path, g.owner_resident_id FROM linkage_members m JOIN linkage_groups g ON g.id = m.group_id AND g.level = 1 WHERE m.household_id = $1 ORDER BY g.id LIMIT 1`,
    [householdId],
  ))[0];
}

/** Volunteers with accounts whose level-1 group lies under `groupPath` (whom to tell). */
async function volunteerUsers(ex: Executor, groupPath: string, except: number): Promise<string[]> {
  const rows = await ex.query<{ user_id: string }>(
    `SELECT DISTINCT r.user_id::text AS user_id FROM linkage_groups g JOIN linkage_members m ON m.group_id = g.id JOIN residents r ON r.household_id = m.household_id
      WHERE g.level = 1 AND g.path <@ $1::ltree AND r.volunteer AND r.status = 'active' AND r.user_id IS NOT NULL AND r.id <> $2 LIMIT 200`,
    [groupPath, except],
  );
  return rows.map((r) => r.user_id);
}

/** A resident asks for help in their level-1 group. 409 CONFLICT when the account is not linked to a household in a linkage group. */
export async function requestHelp(ctx: Ctx, body: { title: string; body?: string }) {
  const me = await residentOf(ctx.db, ctx.actor.userId);
  if (!me?.household_id) throw new AppError('CONFLICT', 'your account is not linked to a household in the registry: ask your grid worker');
  const g = await levelOneGroupOf(ctx.db, me.household_id);
  if (!g) throw new AppError('CONFLICT', 'your household is not in a linkage group yet: ask your grid worker');
  const minutes = await helpEscalateMinutes(ctx.db);
  const volunteers = await volunteerUsers(ctx.db, g.path, Number(me.id));
  const id = await ctx.db.transaction(async (trx) => {
    const [h] = await trx.query<{ id: number }>(
      `INSERT INTO help_requests (city_code, resident_id, requester_id, origin_group_id, group_id, group_path, level, node_code, node_path, title, body, escalate_at)
       VALUES ($1, $2, $3, $4, $4, $5::ltree, 1, $6, $7::ltree, $8, $9, now() + make_interval(mins => $10::int)) RETURNING id`,
      [me.city_code, me.id, ctx.actor.userId, g.id, g.path, me.node_code, me.node_path, body.title, body.body ?? null, minutes],
    );
    if (volunteers.length)
      await trx.query(`INSERT INTO outbox (city_code, topic, payload) VALUES ($1, 'linkage.help_requested', $2)`, [
        me.city_code, JSON.stringify({ helpRequestId: h!.id, notify: [{ userIds: volunteers, kind: 'help_request', title: `邻里求助：${body.title}`, body: body.body ?? null }] }),
      ]);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'help.request', resource: 'help_request', resourceId: String(h!.id), result: 'ok', cityCode: me.city_code });
    return Number(h!.id);
  });
  nudgeOutbox();
  return present((await find(ctx.db, id))!);
}

/**
 * mine: the caller's own requests; serve: open requests a volunteer may take
 * (their level-1 group lies under the request's current group) and those they
 * took; area: staff view of the caller's part of the tree.
 */
export async function listHelp(ctx: Ctx, q: { view: 'mine' | 'serve' | 'area'; limit: number }) {
  let rows: HelpRow[];
  if (q.view === 'mine') rows = await ctx.db.query<HelpRow>(`${SELECT} WHERE h.requester_id = $1 ORDER BY h.created_at DESC LIMIT $2`, [ctx.actor.userId, q.limit]);
  else if (q.view === 'serve') {
    const me = await residentOf(ctx.db, ctx.actor.userId);
    const g = me?.household_id && me.volunteer ? await levelOneGroupOf(ctx.db, me.household_id) : undefined;
    if (!g) return { items: [] };
    rows = await ctx.db.query<HelpRow>(
      `${SELECT} WHERE (h.status = 'open' AND h.group_path @> $1::ltree AND h.resident_id <> $2) OR h.claimed_by = $3 ORDER BY h.status = 'open' DESC, h.created_at LIMIT $4`,
      [g.path, me!.id, ctx.actor.userId, q.limit],
    );
  } else {
    if (!can(ctx.actor, 'linkage.read')) throw new AppError('FORBIDDEN', 'you may not see the requests of an area');
    const { whereInScope } = await import('../../lib/scope.js');
    const params: unknown[] = [];
    const where = whereInScope(ctx.actor, 'h.node_path', params);
    params.push(q.limit);
    rows = await ctx.db.query<HelpRow>(`${SELECT} WHERE ${where} ORDER BY h.created_at DESC LIMIT $${params.length}`, params);
  }
  return { items: rows.map(present) };
}

/** A volunteer under the request's current group claims it. 404 out of reach; 409 when no longer open. */
export async function claimHelp(ctx: Ctx, id: number) {
  const h = await find(ctx.db, id);
  const me = await residentOf(ctx.db, ctx.actor.userId);
  const g = me?.household_id ? await levelOneGroupOf(ctx.db, me.household_id) : undefined;
  if (!h || !g || !(g.path === h.group_path || g.path.startsWith(`${h.group_path}.`))) throw new AppError('NOT_FOUND', 'no such request within your reach');
  if (!me!.volunteer) throw new AppError('FORBIDDEN', 'only members of the neighbour service team take requests');
  if (Number(me!.id) === Number(h.resident_id)) throw new AppError('FORBIDDEN', 'you cannot take your own request');
  const ok = await ctx.db.transaction(async (trx) => {
    const rows = await trx.query(`UPDATE help_requests SET status = 'claimed', claimed_by = $2, claimed_at = now(), escalate_at = NULL, updated_at = now() WHERE id = $1 AND status = 'open' RETURNING id`, [id, ctx.actor.userId]);
    if (!rows.length) return false;
    if (h.requester_id)
      await trx.query(`INSERT INTO outbox (city_code, topic, payload) VALUES ($1, 'linkage.help_claimed', $2)`, [h.city_code, JSON.stringify({ helpRequestId: id, notify: [{ userIds: [h.requester_id], kind: 'help_claimed', title: `${me!.name} 接下了您的求助`, body: h.title }] })]);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'help.claim', resource: 'help_request', resourceId: String(id), result: 'ok', cityCode: h.city_code });
    return true;
  });
  if (!ok) throw new AppError('CONFLICT', 'the request is no longer open');
  nudgeOutbox();
  return present((await find(ctx.db, id))!);
}

export async function completeHelp(ctx: Ctx, id: number, body: { result: string }) {
  const h = await find(ctx.db, id);
  if (!h || (h.claimed_by !== ctx.actor.userId && h.requester_id !== ctx.actor.userId)) throw new AppError('NOT_FOUND', 'no such request of yours');
  if (h.claimed_by !== ctx.actor.userId) throw new AppError('FORBIDDEN', 'only the volunteer who took it completes it');
  const rows = await ctx.db.transaction(async (trx) => {
    const rows = await trx.query(`UPDATE help_requests SET status = 'done', done_at = now(), result = $2, updated_at = now() WHERE id = $1 AND status = 'claimed' RETURNING id`, [id, body.result]);
    if (rows.length) await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'help.complete', resource: 'help_request', resourceId: String(id), result: 'ok', cityCode: h.city_code });
    return rows;
  });
  if (!rows.length) throw new AppError('CONFLICT', 'the request is not in progress');
  return present((await find(ctx.db, id))!);
}

/** Staff turn a request into a case (channel linkage). 404 out of scope; 403 without case.create there; 409 when already closed. */
export async function helpToCase(ctx: Ctx, id: number, body: { categoryCode: string; description?: string }) {
  const h = await find(ctx.db, id);
  if (!h || !isInScope(ctx.actor, h.node_path) || !can(ctx.actor, 'linkage.read', h.node_path)) throw new AppError('NOT_FOUND', 'no such request in your area');
  if (!can(ctx.actor, 'case.create', h.node_path)) throw new AppError('FORBIDDEN', 'you may not open cases here');
  if (h.status === 'done' || h.status === 'case' || h.status === 'cancelled') throw new AppError('CONFLICT', `the request is ${h.status}`);
  if (!body.categoryCode) throw fieldError('categoryCode', 'required');
  const input = { channel: 'linkage' as const, categoryCode: body.categoryCode, description: body.description ?? `${h.title}${h.body ? `：${h.body}` : ''}`, nodeCode: h.node_code, attributes: { help_request_id: id } };
  // The case and the request pointing at it commit together; a request closed or converted meanwhile rolls the case back (409).
  await createCase(ctx, input, undefined, {
    link: async (trx, c) => {
      const rows = await trx.query(
        `UPDATE help_requests SET status = 'case', case_id = $2, escalate_at = NULL, updated_at = now() WHERE id = $1 AND status IN ('open','claimed') RETURNING id`,
        [id, c.id],
      );
      if (!rows.length) throw new AppError('CONFLICT', 'the request was closed or turned into a case meanwhile');
      await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'help.to_case', resource: 'help_request', resourceId: String(id), result: 'ok', cityCode: h.city_code, detail: { caseId: c.id } });
    },
  });
  return present((await find(ctx.db, id))!);
}

/**
 * The worker's step: open requests past escalate_at move to the parent group
 * (level + 1) and its volunteers and owner are told; at the community (level 4)
 * they stay, with no further escalation. One statement per batch.
 */
export async function escalateHelpRequests(ex: Executor, now = new Date(), limit = 200): Promise<number> {
  const minutes = await helpEscalateMinutes(ex);
  const rows = await ex.query<{ id: number; city_code: string; title: string; group_path: string; level: number; owner_user: string | null }>(
    `WITH due AS (
       SELECT h.id FROM help_requests h WHERE h.status = 'open' AND h.escalate_at <= $1 ORDER BY h.escalate_at LIMIT $3 FOR UPDATE SKIP LOCKED
     )
     UPDATE help_requests h SET group_id = p.id, group_path = p.path, level = p.level, escalated_at = $1, updated_at = $1,
            escalate_at = CASE WHEN p.level < 4 THEN $1::timestamptz + make_interval(mins => $2::int) END
       FROM due, linkage_groups g JOIN linkage_groups p ON p.id = g.parent_id
      WHERE h.id = due.id AND g.id = h.group_id
      RETURNING h.id, h.city_code, h.title, p.path::text AS group_path, p.level,
                coalesce(p.owner_user_id, (SELECT r.user_id FROM residents r WHERE r.id = p.owner_resident_id))::text AS owner_user`,
    [now, minutes, limit],
  );
  // A request whose group has no parent (hand-made tree) stops escalating.
  await ex.query(`UPDATE help_requests h SET escalate_at = NULL FROM linkage_groups g WHERE h.status = 'open' AND h.escalate_at <= $1 AND g.id = h.group_id AND g.parent_id IS NULL`, [now]);
  for (const r of rows) {
    const volunteers = await volunteerUsers(ex, r.group_path, 0);
    const userIds = [...new Set([...volunteers, ...(r.owner_user ? [r.owner_user] : [])])];
    if (userIds.length)
      await ex.query(`INSERT INTO outbox (city_code, topic, payload) VALUES ($1, 'linkage.help_escalated', $2)`, [
        r.city_code, JSON.stringify({ helpRequestId: r.id, notify: [{ userIds, kind: 'help_escalated', title: `求助无人接单，已上升至${r.level}级联户群：${r.title}`, dedupeKey: `help:${r.id}:level:${r.level}` }] }),
      ]);
  }
  return rows.length;
}
