/**
 * Notices down the tree (通知/预警): from any linkage group, or from a node of
 * the grid tree, to every household of the level-1 groups under it, with read
 * receipts, the list of who has not read, and reminders to the group owners.
 *
 * The fan-out writes receipts set-based (INSERT … SELECT) one chunk of level-1
 * groups per short transaction, yielding between chunks, so a district's
 * 400,000 households never hold the (single, on PGlite) connection for long.
 * A small notice fans out before the response; a large one is left to the
 * linkage worker (status 'sending') and the response says so.
 */
import type { Db, Executor } from '../../db/db.js';
import { can, isInScope } from '../../../domain/permissions.js';
import { isWithin } from '../../../domain/tree.js';
import type { Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import { nudgeOutbox } from '../cases/outbox-signal.js';
import { groupInScope } from './linkage.service.js';

/**
 * Level-1 groups per fan-out chunk (about 7 households each). PGlite is one
 * connection: smaller chunks there keep other requests' waits short.
 */
export const FANOUT_CHUNK_GROUPS = 1_000;
export const FANOUT_CHUNK_GROUPS_PGLITE = 300;
const chunkFor = (db: Db) => (db.engine === 'pglite' ? FANOUT_CHUNK_GROUPS_PGLITE : FANOUT_CHUNK_GROUPS);
/** Notices reaching at most this many level-1 groups fan out before the response. */
export const INLINE_FANOUT_GROUPS = 2_000;

export interface SendBody {
  groupId?: number;
  nodeCode?: string;
  title: string;
  body: string;
  urgent?: boolean;
}

interface BroadcastRow {
  id: number;
  city_code: string;
  group_id: number | null;
  group_path: string | null;
  node_code: string;
  node_path: string;
  sender_id: string;
  sender_name: string;
  title: string;
  body: string;
  urgent: boolean;
  status: 'sending' | 'sent';
  recipients: number;
  read: number;
  created_at: Date;
  sent_at: Date | null;
  reminded_at: Date | null;
  group_name: string | null;
}

const SELECT = `SELECT b.id, b.city_code, b.group_id, b.group_path::text AS group_path, b.node_code, b.node_path::text AS node_path, b.sender_id, u.display_name AS sender_name,
    b.title, b.body, b.urgent, b.status, b.recipients, b.created_at, b.sent_at, b.reminded_at, g.name AS group_name,
    (SELECT count(*)::int FROM broadcast_receipts rc WHERE rc.broadcast_id = b.id AND rc.read_at IS NOT NULL) AS read
  FROM broadcasts b JOIN users u ON u.id = b.sender_id LEFT JOIN linkage_groups g ON g.id = b.group_id`;

function present(b: BroadcastRow) {
  return {
    id: Number(b.id), title: b.title, body: b.body, urgent: b.urgent, status: b.status, nodeCode: b.node_code, groupId: b.group_id === null ? null : Number(b.group_id), groupName: b.group_name,
    senderName: b.sender_name, recipients: Number(b.recipients), read: Number(b.read), unread: Number(b.recipients) - Number(b.read),
    createdAt: b.created_at.toISOString(), sentAt: b.sent_at?.toISOString() ?? null, remindedAt: b.reminded_at?.toISOString() ?? null,
  };
}

async function findBroadcast(ex: Executor, id: number): Promise<BroadcastRow | undefined> {
  return (await ex.query<BroadcastRow>(`${SELECT} WHERE b.id = $1`, [id]))[0];
}

/** The level-1 groups a broadcast reaches: under its group, or in grids under its node. */
function targetCondition(b: { group_path: string | null; node_path: string }, params: unknown[]): string {
  if (b.group_path) {
    params.push(b.group_path);
    return `g.path <@ $${params.length}::ltree`;
  }
  params.push(b.node_path);
  return `g.node_path <@ $${params.length}::ltree`;
}

/**
 * One chunk: receipts for the next FANOUT_CHUNK_GROUPS level-1 groups after
 * the cursor, in one statement; the broadcast row is locked for the chunk so
 * two processes never interleave. Returns whether the fan-out is finished.
 */
export async function fanOutChunk(db: Db, id: number, chunkGroups = chunkFor(db)): Promise<{ done: boolean; inserted: number }> {
  return db.transaction(async (trx) => {
    const [b] = await trx.query<{ id: number; city_code: string; group_path: string | null; node_path: string; cursor_group: number; status: string }>(
      `SELECT id, city_code, group_path::text AS group_path, node_path::text AS node_path, cursor_group, status FROM broadcasts WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!b || b.status !== 'sending') return { done: true, inserted: 0 };
    const params: unknown[] = [];
    const where = targetCondition(b, params);
    params.push(b.cursor_group, chunkGroups, id, b.city_code);
    const n = params.length;
    const [r] = await trx.query<{ last: number | null; groups: number; inserted: number }>(
      `WITH grp AS (
         SELECT g.id FROM linkage_groups g WHERE g.level = 1 AND ${where} AND g.id > $${n - 3} ORDER BY g.id LIMIT $${n - 2}
       ), ins AS (
         INSERT INTO broadcast_receipts (broadcast_id, household_id, city_code, group_id)
         SELECT $${n - 1}, m.household_id, $${n}, m.group_id FROM linkage_members m JOIN grp ON grp.id = m.group_id WHERE m.household_id IS NOT NULL
         ON CONFLICT (broadcast_id, household_id) DO NOTHING RETURNING 1
       )
       SELECT (SELECT max(id) FROM grp) AS last, (SELECT count(*)::int FROM grp) AS groups, (SELECT count(*)::int FROM ins) AS inserted`,
      params,
    );
    const groups = Number(r?.groups ?? 0);
    const inserted = Number(r?.inserted ?? 0);
    const done = groups < chunkGroups;
    await trx.query(
      `UPDATE broadcasts SET cursor_group = coalesce($2, cursor_group), recipients = recipients + $3,
              status = CASE WHEN $4 THEN 'sent' ELSE status END, sent_at = CASE WHEN $4 THEN now() ELSE sent_at END WHERE id = $1`,
      [id, r?.last ?? null, inserted, done],
    );
    return { done, inserted };
  });
}

/** Runs chunks until the broadcast is sent, yielding to other work between chunks. */
export async function fanOutBroadcast(db: Db, id: number, chunkGroups = chunkFor(db)): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await fanOutChunk(db, id, chunkGroups);
    total += r.inserted;
    if (r.done) return total;
    await new Promise((res) => setImmediate(res));
  }
}

/** Every broadcast still sending (the worker's step). */
export async function fanOutPending(db: Db, chunkGroups = chunkFor(db)): Promise<number> {
  const rows = await db.query<{ id: number }>(`SELECT id FROM broadcasts WHERE status = 'sending' ORDER BY id LIMIT 20`);
  let n = 0;
  for (const r of rows) n += await fanOutBroadcast(db, Number(r.id), chunkGroups);
  return n;
}

/**
 * Sends a notice down the tree from a group or a node. 404 when either is
 * outside the caller's area, 403 without broadcast.send there.
 */
export async function sendBroadcast(ctx: Ctx, body: SendBody) {
  if ((body.groupId === undefined) === (body.nodeCode === undefined)) throw fieldError('groupId', 'give exactly one of groupId or nodeCode');
  let target: { cityCode: string; groupId: number | null; groupPath: string | null; nodeCode: string; nodePath: string };
  if (body.groupId !== undefined) {
    const g = await groupInScope(ctx, body.groupId);
    if (!can(ctx.actor, 'broadcast.send', g.node_path)) throw new AppError('FORBIDDEN', 'you may not send notices here');
    target = { cityCode: g.city_code, groupId: Number(g.id), groupPath: g.path, nodeCode: g.node_code, nodePath: g.node_path };
  } else {
    const [n] = await ctx.db.query<{ code: string; path: string; city_code: string }>('SELECT code, path::text AS path, city_code FROM nodes WHERE code = $1', [body.nodeCode]);
    if (!n || !isInScope(ctx.actor, n.path)) throw new AppError('NODE_NOT_FOUND', 'no such node in your area');
    if (!can(ctx.actor, 'broadcast.send', n.path)) throw new AppError('FORBIDDEN', 'you may not send notices here');
    target = { cityCode: n.city_code, groupId: null, groupPath: null, nodeCode: n.code, nodePath: n.path };
  }
  const id = await ctx.db.transaction(async (trx) => {
    const [b] = await trx.query<{ id: number }>(
      `INSERT INTO broadcasts (city_code, group_id, group_path, node_code, node_path, sender_id, title, body, urgent)
       VALUES ($1, $2, $3::ltree, $4, $5::ltree, $6, $7, $8, $9) RETURNING id`,
      [target.cityCode, target.groupId, target.groupPath, target.nodeCode, target.nodePath, ctx.actor.userId, body.title, body.body, body.urgent ?? false],
    );
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'broadcast.send', resource: 'broadcast', resourceId: String(b!.id), result: 'ok', cityCode: target.cityCode, detail: { groupId: target.groupId, nodeCode: target.nodeCode, urgent: body.urgent ?? false } });
    return Number(b!.id);
  });
  const params: unknown[] = [];
  const where = targetCondition({ group_path: target.groupPath, node_path: target.nodePath }, params);
  const [{ n }] = (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM linkage_groups g WHERE g.level = 1 AND ${where} LIMIT ${INLINE_FANOUT_GROUPS + 1}) x`, params)) as [{ n: number }];
  if (Number(n) <= INLINE_FANOUT_GROUPS) await fanOutBroadcast(ctx.db, id);
  return present((await findBroadcast(ctx.db, id))!);
}

async function broadcastInScope(ctx: Ctx, id: number) {
  const b = await findBroadcast(ctx.db, id);
  // Visible in the sender's area and to everyone the notice reached down the tree (a grid worker under a community notice).
  if (!b || !(isInScope(ctx.actor, b.node_path) || ctx.actor.grants.some((g) => isWithin(g.nodePath, b.node_path)))) throw new AppError('NOT_FOUND', 'no such notice in your area');
  return b;
}

export async function listBroadcasts(ctx: Ctx, q: { nodeCode?: string; limit: number }) {
  const params: unknown[] = [];
  let where: string;
  if (q.nodeCode) {
    const [n] = await ctx.db.query<{ path: string }>('SELECT path::text AS path FROM nodes WHERE code = $1', [q.nodeCode]);
    if (!n || !isInScope(ctx.actor, n.path)) throw new AppError('NODE_NOT_FOUND', 'no such node in your area');
    params.push(n.path);
    where = `(b.node_path <@ $1::ltree OR b.node_path @> $1::ltree)`;
  } else {
    const { whereInScope } = await import('../../lib/scope.js');
    where = whereInScope(ctx.actor, 'b.node_path', params);
  }
  params.push(q.limit);
  const rows = await ctx.db.query<BroadcastRow>(`${SELECT} WHERE ${where} ORDER BY b.created_at DESC, b.id DESC LIMIT $${params.length}`, params);
  return { items: rows.map(present) };
}

export async function getBroadcast(ctx: Ctx, id: number) {
  const b = await broadcastInScope(ctx, id);
  // Unread per level-1 group, with its owner: whom to call.
  const groups = await ctx.db.query<{ group_id: number; name: string; owner_name: string | null; unread: number; total: number }>(
    `SELECT rc.group_id, g.name, coalesce(r.name, u.display_name) AS owner_name,
            count(*) FILTER (WHERE rc.read_at IS NULL)::int AS unread, count(*)::int AS total
       FROM broadcast_receipts rc LEFT JOIN linkage_groups g ON g.id = rc.group_id
       LEFT JOIN residents r ON r.id = g.owner_resident_id LEFT JOIN users u ON u.id = g.owner_user_id
      WHERE rc.broadcast_id = $1 GROUP BY rc.group_id, g.name, r.name, u.display_name
      ORDER BY unread DESC, rc.group_id LIMIT 200`,
    [id],
  );
  return { ...present(b), groups: groups.map((g) => ({ groupId: Number(g.group_id), name: g.name ?? '', ownerName: g.owner_name, unread: Number(g.unread), total: Number(g.total) })) };
}

/** Who has not read: households with their level-1 group and its owner. */
export async function listUnread(ctx: Ctx, id: number, q: { limit: number; offset: number }) {
  await broadcastInScope(ctx, id);
  const rows = await ctx.db.query<{ household_id: number; address: string; group_id: number; group_name: string | null; owner_name: string | null }>(
    `SELECT rc.household_id, h.address, rc.group_id, g.name AS group_name, r.name AS owner_name
       FROM broadcast_receipts rc JOIN households h ON h.id = rc.household_id LEFT JOIN linkage_groups g ON g.id = rc.group_id LEFT JOIN residents r ON r.id = g.owner_resident_id
      WHERE rc.broadcast_id = $1 AND rc.read_at IS NULL ORDER BY rc.group_id, rc.household_id LIMIT $2 OFFSET $3`,
    [id, q.limit, q.offset],
  );
  return { items: rows.map((r) => ({ householdId: Number(r.household_id), address: r.address, groupId: Number(r.group_id), groupName: r.group_name, ownerName: r.owner_name })) };
}

/**
 * Reminds the owners of level-1 groups that still have unread households (an
 * in-app notice through the outbox); a group whose owner has no account goes
 * to its grid worker (the level-3 owner). Returns how many were notified.
 */
export async function remindUnread(ex: Executor, id: number): Promise<{ groups: number; notified: number }> {
  const [b] = await ex.query<{ title: string; city_code: string }>('SELECT title, city_code FROM broadcasts WHERE id = $1', [id]);
  if (!b) return { groups: 0, notified: 0 };
  const rows = await ex.query<{ user_id: string; households: number; groups: number }>(
    `WITH unread AS (
       SELECT group_id, count(*)::int AS n FROM broadcast_receipts WHERE broadcast_id = $1 AND read_at IS NULL GROUP BY group_id
     ), target AS (
       SELECT u.group_id, u.n, coalesce(r.user_id, g3.owner_user_id) AS user_id
         FROM unread u JOIN linkage_groups g ON g.id = u.group_id
         LEFT JOIN residents r ON r.id = g.owner_resident_id
         LEFT JOIN linkage_groups g3 ON nlevel(g.path) >= 2 AND g3.id = ltree2text(subpath(g.path, 1, 1))::bigint
     )
     SELECT user_id::text AS user_id, sum(n)::int AS households, count(*)::int AS groups FROM target WHERE user_id IS NOT NULL GROUP BY user_id`,
    [id],
  );
  const stamp = Date.now();
  const notify = rows.map((r) => ({
    userIds: [r.user_id], kind: 'broadcast_reminder', title: `通知未读提醒：${b.title}`,
    body: `您负责的 ${r.groups} 个联户群还有 ${r.households} 户未读，请逐户告知。`, dedupeKey: `broadcast:${id}:remind:${stamp}`,
  }));
  if (notify.length) await ex.query(`INSERT INTO outbox (city_code, topic, payload) VALUES ($1, 'linkage.broadcast_reminder', $2)`, [b.city_code, JSON.stringify({ broadcastId: id, notify })]);
  await ex.query('UPDATE broadcasts SET reminded_at = now() WHERE id = $1', [id]);
  return { groups: rows.reduce((s, r) => s + Number(r.groups), 0), notified: rows.length };
}

export async function remind(ctx: Ctx, id: number) {
  const b = await broadcastInScope(ctx, id);
  if (!can(ctx.actor, 'broadcast.send', b.node_path)) throw new AppError('FORBIDDEN', 'you may not send reminders here');
  const r = await ctx.db.transaction(async (trx) => {
    const r = await remindUnread(trx, id);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'broadcast.remind', resource: 'broadcast', resourceId: String(id), result: 'ok', cityCode: b.city_code, detail: r });
    return r;
  });
  nudgeOutbox();
  return r;
}

/** The registry entry of the signed-in resident (undefined when the account is not linked). */
export async function residentOf(ex: Executor, userId: string) {
  return (await ex.query<{ id: number; household_id: number | null; volunteer: boolean; node_path: string; city_code: string; node_code: string; name: string }>(
    `SELECT id, household_id, volunteer, node_path::text AS node_path, city_code, node_code, name FROM residents WHERE user_id = $1 AND status = 'active'`,
    [userId],
  ))[0];
}

/** The notices that reached the signed-in resident's household. */
export async function myBroadcasts(ctx: Ctx) {
  const r = await residentOf(ctx.db, ctx.actor.userId);
  if (!r?.household_id) return { items: [] };
  const rows = await ctx.db.query<{ id: number; title: string; body: string; urgent: boolean; created_at: Date; read_at: Date | null; sender_name: string }>(
    `SELECT b.id, b.title, b.body, b.urgent, b.created_at, rc.read_at, u.display_name AS sender_name
       FROM broadcast_receipts rc JOIN broadcasts b ON b.id = rc.broadcast_id JOIN users u ON u.id = b.sender_id
      WHERE rc.household_id = $1 ORDER BY b.created_at DESC LIMIT 100`,
    [r.household_id],
  );
  return { items: rows.map((x) => ({ id: Number(x.id), title: x.title, body: x.body, urgent: x.urgent, senderName: x.sender_name, createdAt: x.created_at.toISOString(), readAt: x.read_at?.toISOString() ?? null, read: x.read_at !== null })) };
}

/** Marks the notice read for the resident's household (the first read time stays). 404 when it did not reach them. */
export async function markMineRead(ctx: Ctx, id: number) {
  const r = await residentOf(ctx.db, ctx.actor.userId);
  const rows = r?.household_id
    ? await ctx.db.query<{ read_at: Date }>(
        `UPDATE broadcast_receipts SET read_at = coalesce(read_at, now()), read_by = coalesce(read_by, $3) WHERE broadcast_id = $1 AND household_id = $2 RETURNING read_at`,
        [id, r.household_id, ctx.actor.userId],
      )
    : [];
  if (!rows.length) throw new AppError('NOT_FOUND', 'no such notice for your household');
  return { id, read: true, readAt: rows[0]!.read_at.toISOString() };
}

/** A group owner or worker confirms a household was told (by phone, at the door). */
export async function markHouseholdRead(ctx: Ctx, id: number, householdId: number) {
  const b = await broadcastInScope(ctx, id);
  const [h] = await ctx.db.query<{ node_path: string }>('SELECT node_path::text AS node_path FROM households WHERE id = $1', [householdId]);
  if (!h || !isInScope(ctx.actor, h.node_path)) throw new AppError('NOT_FOUND', 'no such household in your area');
  if (!can(ctx.actor, 'broadcast.send', h.node_path) && !can(ctx.actor, 'visit.record', h.node_path)) throw new AppError('FORBIDDEN', 'you may not confirm receipts here');
  const rows = await ctx.db.query<{ read_at: Date }>(
    `UPDATE broadcast_receipts SET read_at = coalesce(read_at, now()), read_by = coalesce(read_by, $3) WHERE broadcast_id = $1 AND household_id = $2 RETURNING read_at`,
    [id, householdId, ctx.actor.userId],
  );
  if (!rows.length) throw new AppError('NOT_FOUND', 'the notice did not go to this household');
  return { id, householdId, read: true, readAt: rows[0]!.read_at.toISOString() };
}
