/**
 * The console side of Open311: editing a category's extra questions (the
 * service definition partners read). Reading needs category.read; changing
 * needs category.manage held at city level or above, as for the category itself.
 */
import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps, type Ctx } from '../../context.js';
import { AppError, type FieldError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import { ROLE_PERMISSIONS } from '../../../domain/permissions.js';
import { definitionProblems, definitionsOf, type AttributeDef } from './open311.attributes.js';
import * as repo from './open311.repository.js';
import { AttributesBody, AttributesResponse, CategoryCodeParams } from './open311.schemas.js';

function present(r: { code: string; name_zh: string; name_en: string; attributes: unknown[] }) {
  return { code: r.code, nameZh: r.name_zh, nameEn: r.name_en, attributes: definitionsOf(r.attributes) };
}

export async function getAttributes(ctx: Ctx, code: string) {
  const r = await repo.categoryAttributes(ctx.db, code);
  if (!r) throw new AppError('NOT_FOUND', 'No such category.');
  return present(r);
}

/** Replaces the list. Throws NOT_FOUND (404), FORBIDDEN (403 below city level), VALIDATION_FAILED naming attributes.N.field. */
export async function setAttributes(ctx: Ctx, code: string, body: AttributesBody) {
  const r = await repo.categoryAttributes(ctx.db, code);
  if (!r) throw new AppError('NOT_FOUND', 'No such category.');
  const cityWide = ctx.actor.grants.some((g) => ROLE_PERMISSIONS[g.role].includes('category.manage') && (g.nodePath === '' || g.nodePath.split('.').length <= 2));
  if (!cityWide) throw new AppError('FORBIDDEN', 'Categories are changed at city level or above.');
  const defs = body.attributes.map((a) => ({ ...a, datatype_description: a.datatype_description ?? null })) as AttributeDef[];
  const problems = definitionProblems(defs);
  if (problems.length) {
    const fields: FieldError[] = problems.map(([field, reason]) => ({ field, reason }));
    throw new AppError('VALIDATION_FAILED', fields.map((f) => `${f.field}: ${f.reason}`).join('; '), fields);
  }
  await ctx.db.transaction(async (trx) => {
    await repo.setCategoryAttributes(trx, code, defs);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'category.attributes', resource: 'categories', resourceId: code, result: 'ok', detail: { count: defs.length } });
  });
  return present((await repo.categoryAttributes(ctx.db, code))!);
}

/** Routes under /api/open311. */
export async function open311AdminRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['open311'];
  const code = (req: { params: unknown }) => (req.params as { code: string }).code;
  app.get(
    '/services/:code/attributes',
    { config: { permission: 'category.read' }, schema: { tags, summary: "A category's extra questions (Open311 service definition)", params: CategoryCodeParams, response: { 200: AttributesResponse } } },
    (req) => getAttributes(ctxOf(req, deps), code(req)),
  );
  app.put(
    '/services/:code/attributes',
    { config: { permission: 'category.manage', auditInline: true }, schema: { tags, summary: "Replace a category's extra questions", params: CategoryCodeParams, body: AttributesBody, response: { 200: AttributesResponse } } },
    (req) => setAttributes(ctxOf(req, deps), code(req), req.body as AttributesBody),
  );
}
