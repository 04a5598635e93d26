import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import * as s from './responsibility.schemas.js';
import * as svc from './responsibility.service.js';

type IdParams = { id: number };

/** /api/responsibility: the responsibility list (责任清单), route explanations, calendar overrides. */
export async function responsibilityRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['responsibility'];
  app.get(
    '/',
    { config: { permission: 'responsibility.read' }, schema: { tags, summary: 'Entries bearing on your part of the tree (filter by node and category)', querystring: s.ListEntriesQuery } },
    (req) => svc.listEntries(ctxOf(req, deps), req.query as s.ListEntriesQuery),
  );
  app.get(
    '/explain',
    {
      config: { permission: 'responsibility.read' },
      schema: { tags, summary: 'Where a case of a category at a node or point would go, and which entry decided it', querystring: s.ExplainQuery },
    },
    (req) => svc.explainRoute(ctxOf(req, deps), req.query as s.ExplainQuery),
  );
  app.get(
    '/calendar-overrides',
    { config: { permission: 'responsibility.read' }, schema: { tags, summary: 'Days that differ from the official working calendar', querystring: s.CalendarQuery } },
    (req) => svc.listCalendarOverrides(ctxOf(req, deps), req.query as s.CalendarQuery),
  );
  app.put(
    '/calendar-overrides',
    {
      config: { permission: 'responsibility.manage' },
      schema: { tags, summary: 'Set or remove calendar overrides (city-level administrators)', body: s.PutCalendarBody },
    },
    (req) => svc.putCalendarOverrides(ctxOf(req, deps), req.body as s.PutCalendarBody),
  );
  app.get(
    '/:id',
    { config: { permission: 'responsibility.read' }, schema: { tags, summary: 'One entry', params: s.EntryParams } },
    (req) => svc.getEntry(ctxOf(req, deps), (req.params as IdParams).id),
  );
  app.post(
    '/',
    { config: { permission: 'responsibility.manage' }, schema: { tags, summary: 'Add an entry for a node and a category', body: s.CreateEntryBody } },
    async (req, reply) => reply.status(201).send(await svc.createEntry(ctxOf(req, deps), req.body as s.CreateEntryBody)),
  );
  app.patch(
    '/:id',
    { config: { permission: 'responsibility.manage' }, schema: { tags, summary: 'Change an entry (cases already dispatched keep their route)', params: s.EntryParams, body: s.UpdateEntryBody } },
    (req) => svc.updateEntry(ctxOf(req, deps), (req.params as IdParams).id, req.body as s.UpdateEntryBody),
  );
  app.delete(
    '/:id',
    { config: { permission: 'responsibility.manage' }, schema: { tags, summary: 'Remove an entry', params: s.EntryParams } },
    async (req, reply) => {
      await svc.deleteEntry(ctxOf(req, deps), (req.params as IdParams).id);
      return reply.status(204).send();
    },
  );
}
