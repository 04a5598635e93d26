import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import * as s from './categories.schemas.js';
import * as svc from './categories.service.js';

/** /api/categories: the case-category tree (事件分类). */
export async function categoriesRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['categories'];
  app.get(
    '/',
    { config: { permission: 'category.read' }, schema: { tags, summary: 'The category tree (or a flat list with ?flat=true)', querystring: s.ListCategoriesQuery } },
    (req) => svc.listCategories(ctxOf(req, deps), req.query as s.ListCategoriesQuery),
  );
  app.get(
    '/:code',
    { config: { permission: 'category.read' }, schema: { tags, summary: 'One category with its subtree', params: s.CategoryParams } },
    (req) => svc.getCategory(ctxOf(req, deps), (req.params as { code: string }).code),
  );
  app.post(
    '/',
    { config: { permission: 'category.manage' }, schema: { tags, summary: 'Create a category (city-level administrators)', body: s.CreateCategoryBody } },
    async (req, reply) => reply.status(201).send(await svc.createCategory(ctxOf(req, deps), req.body as s.CreateCategoryBody)),
  );
  app.patch(
    '/:code',
    {
      config: { permission: 'category.manage' },
      schema: { tags, summary: 'Change names, defaults, duplicate settings, keywords, order; (de)activate a subtree', params: s.CategoryParams, body: s.UpdateCategoryBody },
    },
    (req) => svc.updateCategory(ctxOf(req, deps), (req.params as { code: string }).code, req.body as s.UpdateCategoryBody),
  );
}
