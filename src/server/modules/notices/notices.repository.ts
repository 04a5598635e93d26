import type { Executor } from '../../db/db.js';

export interface NoticeRow {
  id: number;
  kind: string;
  title: string;
  body: string | null;
  case_id: number | null;
  case_number: string | null;
  created_at: Date;
  read_at: Date | null;
}

const SELECT = `SELECT n.id, n.kind, n.title, n.body, n.case_id, c.number AS case_number, n.created_at, n.read_at
  FROM notices n LEFT JOIN cases c ON c.city_code = n.city_code AND c.id = n.case_id`;

/** One user's notices, newest first. */
export async function listForUser(ex: Executor, userId: string, unreadOnly: boolean, limit: number, offset: number): Promise<NoticeRow[]> {
  return ex.query<NoticeRow>(
    `${SELECT} WHERE n.user_id = $1 ${unreadOnly ? 'AND n.read_at IS NULL' : ''} ORDER BY n.created_at DESC, n.id DESC LIMIT $2 OFFSET $3`,
    [userId, limit, offset],
  );
}

export async function counts(ex: Executor, userId: string): Promise<{ total: number; unread: number }> {
  const [r] = await ex.query<{ total: number; unread: number }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread FROM notices WHERE user_id = $1`,
    [userId],
  );
  return { total: Number(r?.total ?? 0), unread: Number(r?.unread ?? 0) };
}

export async function unreadCount(ex: Executor, userId: string): Promise<number> {
  const [r] = await ex.query<{ n: number }>(`SELECT count(*) AS n FROM notices WHERE user_id = $1 AND read_at IS NULL`, [userId]);
  return Number(r?.n ?? 0);
}

/** Marks one of the user's notices read (a notice read before keeps its first read time). */
export async function markRead(ex: Executor, userId: string, id: number): Promise<NoticeRow | undefined> {
  const rows = await ex.query<{ id: number }>(
    `UPDATE notices SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING id`,
    [id, userId],
  );
  if (!rows.length) return undefined;
  return (await ex.query<NoticeRow>(`${SELECT} WHERE n.id = $1`, [id]))[0];
}

export async function markAllRead(ex: Executor, userId: string): Promise<number> {
  const rows = await ex.query(`UPDATE notices SET read_at = now() WHERE user_id = $1 AND read_at IS NULL RETURNING id`, [userId]);
  return rows.length;
}
