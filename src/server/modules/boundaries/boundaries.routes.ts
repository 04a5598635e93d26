/**
 * Boundary import under /api/boundaries.
 */
import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import { ImportBody, ImportQuery, ImportReportSchema } from './boundaries.schemas.js';
import { importBoundaries } from './boundaries.service.js';

export async function boundariesRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  // .geojson files are often sent as application/geo+json: parse them like JSON (this plugin's routes only).
  app.addContentTypeParser('application/geo+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'ignore'));

  app.post(
    '/import',
    {
      config: { permission: 'node.import' },
      schema: {
        tags: ['boundaries'],
        summary:
          'Import boundaries from a GeoJSON FeatureCollection: all features or none (400 GEOJSON_INVALID with details.report when any is rejected)',
        querystring: ImportQuery,
        body: ImportBody,
        response: { 200: ImportReportSchema },
      },
    },
    (req) => {
      const ctx = ctxOf(req, deps);
      return importBoundaries(ctx.db, ctx.actor, req.body, { dryRun: (req.query as ImportQuery).dryRun, ip: ctx.ip });
    },
  );
}
