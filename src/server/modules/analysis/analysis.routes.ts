import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ctxOf, type AppDeps } from '../../context.js';
import { CreateItemBody, Item, ItemDetail, ItemParams, ItemsQuery, MonthlyAnalysis, MonthlyQuery, UpdateItemBody } from './analysis.schemas.js';
import * as svc from './analysis.service.js';

/**
 * The monthly review of recurring problems (每月研判) and the problems
 * followed at the source (源头治理).
 */
export async function analysisRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['analysis'];
  const id = (req: { params: unknown }) => (req.params as { id: number }).id;

  app.get(
    '/monthly',
    {
      config: { permission: 'measure.read' },
      schema: { tags, summary: 'A month\'s review of a node: top categories and places, hot spots, groups of similar reports', querystring: MonthlyQuery, response: { 200: MonthlyAnalysis } },
    },
    (req) => svc.monthlyAnalysis(ctxOf(req, deps), req.query as MonthlyQuery),
  );
  app.get(
    '/monthly.xlsx',
    {
      config: { permission: 'case.export' },
      schema: { tags, summary: 'The same review as an Excel workbook (one sheet per part, with the problems followed at the source)', querystring: MonthlyQuery },
    },
    async (req, reply) => {
      const q = req.query as MonthlyQuery;
      const body = await svc.exportMonthly(ctxOf(req, deps), q);
      const name = `每月研判-${q.node}-${q.month}.xlsx`;
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="analysis-${q.node}-${q.month}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(body);
    },
  );
  app.get(
    '/items',
    { config: { permission: 'measure.read' }, schema: { tags, summary: 'Problems followed at the source in your part of the tree, newest first', querystring: ItemsQuery, response: { 200: Type.Object({ items: Type.Array(Item) }) } } },
    (req) => svc.listItems(ctxOf(req, deps), req.query as ItemsQuery),
  );
  app.post(
    '/items',
    {
      config: { permission: 'analysis.manage', auditInline: true },
      schema: { tags, summary: 'Mark a group of similar reports to be solved at the source (源头治理)', body: CreateItemBody, response: { 201: ItemDetail } },
    },
    async (req, reply) => reply.status(201).send(await svc.createItem(ctxOf(req, deps), req.body as CreateItemBody)),
  );
  app.get(
    '/items/:id',
    { config: { permission: 'measure.read' }, schema: { tags, summary: 'A followed problem: history, its reports, later reports of the same problem', params: ItemParams, response: { 200: ItemDetail } } },
    (req) => svc.getItem(ctxOf(req, deps), id(req)),
  );
  app.patch(
    '/items/:id',
    {
      config: { permission: 'analysis.manage', auditInline: true },
      schema: { tags, summary: 'Change a followed problem\'s status or title, or add a progress note', params: ItemParams, body: UpdateItemBody, response: { 200: ItemDetail } },
    },
    (req) => svc.updateItem(ctxOf(req, deps), id(req), req.body as UpdateItemBody),
  );
}
