/**
 * /api/measures: the rates with their counts for a subtree, department,
 * category, channel and period, and their trend. Scope and role per node are
 * checked by the service (404 out of scope, 403 without measure.read there).
 */
import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import { MeasureQuery, MeasuresResult, TrendQuery, TrendResult } from './measures.schemas.js';
import * as svc from './measures.service.js';

export async function measuresRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['measures'];
  app.get(
    '/',
    {
      config: { permission: 'measure.read' },
      schema: {
        tags,
        summary: 'Response, resolution, on-time, satisfaction, rework and return rates with counts, and the level shares',
        querystring: MeasureQuery,
        response: { 200: MeasuresResult },
      },
    },
    (req) => svc.getMeasures(ctxOf(req, deps), req.query as MeasureQuery),
  );
  app.get(
    '/trend',
    {
      config: { permission: 'measure.read' },
      schema: { tags, summary: 'The measures per day, week or month', querystring: TrendQuery, response: { 200: TrendResult } },
    },
    (req) => svc.getTrend(ctxOf(req, deps), req.query as TrendQuery),
  );
}
