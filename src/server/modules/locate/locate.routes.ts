/**
 * Locate under /api/locate: which grid a point (or many) lies in.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';
import { BatchBody, BatchResult, LocateQuery, LocateResult } from './locate.schemas.js';
import * as svc from './locate.service.js';

export async function locateRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['locate'];
  app.get(
    '/',
    {
      config: { permission: 'node.locate' },
      schema: {
        tags,
        summary: 'The deepest active grid containing a point (or the deepest division when no grid does)',
        querystring: LocateQuery,
        response: { 200: LocateResult },
      },
    },
    (req) => svc.locate(deps.db, req.query as LocateQuery),
  );
  app.post(
    '/batch',
    {
      config: { permission: 'node.locate' },
      schema: { tags, summary: 'Locate up to 10,000 points in one call', body: BatchBody, response: { 200: BatchResult } },
    },
    (req) => svc.locateBatch(deps.db, req.body as BatchBody),
  );
}
