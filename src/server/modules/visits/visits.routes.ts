import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import { CountsQuery, DueList, DueQuery, GridCounts, ListVisitsQuery, RecordVisitBody, Visit } from './visits.schemas.js';
import * as svc from './visits.service.js';
import { Type } from '@sinclair/typebox';

/** Care visits (走访) to residents with care tags. */
export async function visitsRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['visits'];
  app.get('/due', { config: { permission: 'visit.read' }, schema: { tags, summary: 'Residents due for a visit, overdue first', querystring: DueQuery, response: { 200: DueList } } }, (req) =>
    svc.listDue(ctxOf(req, deps), req.query as DueQuery),
  );
  app.get('/counts', { config: { permission: 'visit.read' }, schema: { tags, summary: 'Visits due, done and overdue per grid', querystring: CountsQuery, response: { 200: GridCounts } } }, (req) =>
    svc.gridCounts(ctxOf(req, deps), req.query as CountsQuery),
  );
  app.get('/', { config: { permission: 'visit.read' }, schema: { tags, summary: 'Visits recorded, newest first', querystring: ListVisitsQuery, response: { 200: Type.Object({ items: Type.Array(Visit) }) } } }, (req) =>
    svc.listVisits(ctxOf(req, deps), req.query as ListVisitsQuery),
  );
  app.post('/', { config: { permission: 'visit.record' }, schema: { tags, summary: 'Record a visit (optionally opening a case)', body: RecordVisitBody, response: { 201: Visit } } }, async (req, reply) => {
    const v = await svc.recordVisit(ctxOf(req, deps), req.body as RecordVisitBody);
    return reply.code(201).send(v);
  });
}
