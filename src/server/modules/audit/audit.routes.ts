import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';

const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ format: 'uuid', description: 'Only this user\'s actions' })),
    action: Type.Optional(Type.String({ maxLength: 100, description: 'Action prefix, e.g. user. or POST' })),
    result: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('denied'), Type.Literal('failed')])),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'Page backwards: entries with id below this' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);
type AuditQuery = Static<typeof AuditQuery>;

/**
 * The audit log, newest first. A whole-tree administrator sees everything;
 * others see the entries of the cities their roles lie in.
 */
export async function auditRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  app.get('/', { config: { permission: 'audit.read' }, schema: { tags: ['audit'], summary: 'Audit log entries', querystring: AuditQuery } }, async (req) => {
    const ctx = ctxOf(req, deps);
    const q = req.query as AuditQuery;
    const params: unknown[] = [];
    const conds: string[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      conds.push(sql.replace('?', `$${params.length}`));
    };
    const paths = ctx.actor.grants.filter((g) => g.role === 'administrator' || g.role === 'leader').map((g) => g.nodePath);
    // A role at a province covers its cities (44%); any deeper role covers its city (4413).
    if (!paths.includes('')) add('city_code LIKE ANY(?::text[])', [...new Set(paths.map((p) => p.split('.')[1] ?? `${p}%`))]);
    if (q.actor) add('actor_id = ?', q.actor);
    if (q.action) add(`action LIKE ? || '%'`, q.action.replace(/[\\%_]/g, (m) => '\\' + m));
    if (q.result) add('result = ?', q.result);
    if (q.from) add('at >= ?::timestamptz', q.from);
    if (q.to) add('at < ?::timestamptz', q.to);
    if (q.before) add('id < ?', q.before);
    params.push(q.limit);
    const rows = await ctx.db.query<Record<string, unknown>>(
      `SELECT id, city_code AS "cityCode", at, actor_id AS "actorId", actor_name AS "actorName", ip, action, resource,
              resource_id AS "resourceId", result, status_code AS "statusCode", detail
         FROM audit_log WHERE ${conds.join(' AND ') || 'TRUE'} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return { items: rows };
  });
}
