import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import { ListNoticesQuery, Notice, NoticePage, NoticeParams } from './notices.schemas.js';
import * as svc from './notices.service.js';

/** The signed-in user's inbox (消息). */
export async function noticesRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['notices'];
  const permission = 'notice.read';
  app.get('/', { config: { permission }, schema: { tags, summary: 'Your notices, newest first', querystring: ListNoticesQuery, response: { 200: NoticePage } } }, (req) =>
    svc.listNotices(ctxOf(req, deps), req.query as ListNoticesQuery),
  );
  app.get(
    '/unread-count',
    { config: { permission }, schema: { tags, summary: 'How many of your notices are unread (for the badge)', response: { 200: Type.Object({ unread: Type.Integer() }) } } },
    (req) => svc.unreadCount(ctxOf(req, deps)),
  );
  app.post('/read-all', { config: { permission }, schema: { tags, summary: 'Mark all your notices read', response: { 200: Type.Object({ marked: Type.Integer(), unread: Type.Integer() }) } } }, (req) =>
    svc.markAllRead(ctxOf(req, deps)),
  );
  app.post('/:id/read', { config: { permission }, schema: { tags, summary: 'Mark one of your notices read', params: NoticeParams, response: { 200: Notice } } }, (req) =>
    svc.markRead(ctxOf(req, deps), (req.params as { id: number }).id),
  );
}
