/**
 * The inbox (消息/待办): notices the outbox worker wrote for a user. Each user
 * sees and changes only their own; someone else's notice answers 404.
 */
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import * as repo from './notices.repository.js';
import type { ListNoticesQuery } from './notices.schemas.js';

function present(n: repo.NoticeRow) {
  return {
    id: n.id,
    kind: n.kind,
    title: n.title,
    body: n.body,
    caseId: n.case_id,
    caseNumber: n.case_number,
    createdAt: n.created_at.toISOString(),
    readAt: n.read_at?.toISOString() ?? null,
    read: n.read_at !== null,
  };
}

export async function listNotices(ctx: Ctx, q: ListNoticesQuery) {
  const unreadOnly = q.unread === true;
  const [rows, c] = await Promise.all([
    repo.listForUser(ctx.db, ctx.actor.userId, unreadOnly, q.pageSize, (q.page - 1) * q.pageSize),
    repo.counts(ctx.db, ctx.actor.userId),
  ]);
  return { items: rows.map(present), total: unreadOnly ? c.unread : c.total, unread: c.unread, page: q.page, pageSize: q.pageSize };
}

export async function unreadCount(ctx: Ctx) {
  return { unread: await repo.unreadCount(ctx.db, ctx.actor.userId) };
}

/**
 * Marks one notice read. Throws NOTICE_NOT_FOUND (404) for a notice that is
 * not the caller's. Reading one's own inbox is not audited beyond the
 * request log: it changes nothing anyone else sees.
 */
export async function markRead(ctx: Ctx, id: number) {
  const n = await repo.markRead(ctx.db, ctx.actor.userId, id);
  if (!n) throw new AppError('NOTICE_NOT_FOUND', 'No such notice in your inbox.');
  return present(n);
}

export async function markAllRead(ctx: Ctx) {
  const marked = await repo.markAllRead(ctx.db, ctx.actor.userId);
  return { marked, unread: 0 };
}
