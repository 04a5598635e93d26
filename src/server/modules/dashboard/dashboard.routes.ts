/**
 * /api/dashboard: the command centre (指挥中心) — overview, overdue list,
 * rankings, map points and density, and live case events (server-sent events).
 * Scope and role per node are checked by the service (404 / 403).
 */
import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import { resolveNode } from '../measures/measures.service.js';
import { DensityQuery, NodeQuery, OverdueQuery, PointsQuery, RankingQuery } from './dashboard.schemas.js';
import * as svc from './dashboard.service.js';
import { eventWithin, LiveHub } from './dashboard.live.js';

export async function dashboardRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['dashboard'];
  const hub = new LiveHub(deps.db);
  const streams = new Set<() => void>();
  app.addHook('onClose', async () => {
    for (const end of streams) end();
    await hub.close();
  });

  app.get(
    '/overview',
    { config: { permission: 'measure.read' }, schema: { tags, summary: "Today's and this month's counts by state, the rates with counts, categories, channels, level shares, clocks", querystring: NodeQuery } },
    (req) => svc.getOverview(ctxOf(req, deps), req.query as NodeQuery),
  );
  app.get(
    '/overdue',
    { config: { permission: 'measure.read' }, schema: { tags, summary: 'Overdue open cases (red clock), longest overdue first', querystring: OverdueQuery } },
    (req) => svc.getOverdue(ctxOf(req, deps), req.query as OverdueQuery),
  );
  app.get(
    '/rankings',
    { config: { permission: 'measure.read' }, schema: { tags, summary: 'Grids, communities, streets, districts or departments ranked by a measure', querystring: RankingQuery } },
    (req) => svc.getRankings(ctxOf(req, deps), req.query as Parameters<typeof svc.getRankings>[1]),
  );
  app.get(
    '/map/points',
    { config: { permission: 'measure.read' }, schema: { tags, summary: 'Case points in a bbox (GeoJSON) by clock colour, limited', querystring: PointsQuery } },
    (req) => svc.getPoints(ctxOf(req, deps), req.query as PointsQuery),
  );
  app.get(
    '/map/density',
    { config: { permission: 'measure.read' }, schema: { tags, summary: 'Cases per child node with the child polygons (GeoJSON)', querystring: DensityQuery } },
    (req) => svc.getDensity(ctxOf(req, deps), req.query as DensityQuery),
  );
  app.get(
    '/live',
    {
      config: { permission: 'measure.read' },
      schema: { tags, summary: 'Live case events (text/event-stream): new case, change of state, overdue; filtered to the node\'s subtree', querystring: NodeQuery },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, deps);
      const node = await resolveNode(ctx.db, ctx.actor, (req.query as NodeQuery).node);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(`retry: 3000\n: subscribed ${node?.code ?? 'all'}\n\n`);
      let closed = false;
      const unsubscribe = await hub.subscribe((e) => {
        if (!closed && eventWithin(e, node)) res.write(`event: case\nid: ${e.caseId}-${Date.parse(e.at) || Date.now()}\ndata: ${JSON.stringify(e)}\n\n`);
      });
      // A comment line now and then keeps proxies from closing an idle stream.
      const ping = setInterval(() => res.write(': ping\n\n'), 20_000);
      const end = () => {
        if (closed) return;
        closed = true;
        clearInterval(ping);
        unsubscribe();
        streams.delete(end);
        res.end();
      };
      streams.add(end);
      req.raw.on('close', end);
    },
  );
}
