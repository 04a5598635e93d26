/**
 * The grid-tree API under /api/nodes: schema + permission + a call to the
 * service. Scope (404) and role (403) per node are checked by the service.
 */
import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import {
  ChildrenQuery,
  CodeParams,
  CountsResult,
  CreateGridBody,
  GeojsonQuery,
  NodeDetail,
  NodeList,
  NodeSchema,
  NodeWithWarnings,
  PathList,
  RetireBody,
  SearchQuery,
  SearchResult,
  UpdateNodeBody,
} from './nodes.schemas.js';
import * as svc from './nodes.service.js';

export async function nodesRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['nodes'];
  const code = (req: { params: unknown }) => (req.params as { code: string }).code;

  app.get(
    '/roots',
    { config: { permission: 'node.read' }, schema: { tags, summary: 'The tops of your part of the tree (the provinces for a whole-tree administrator)', response: { 200: NodeList } } },
    (req) => svc.listRoots(ctxOf(req, deps)),
  );
  app.get(
    '/:code',
    { config: { permission: 'node.read' }, schema: { tags, summary: 'One node with its ancestors', params: CodeParams, response: { 200: NodeDetail } } },
    (req) => svc.getNode(ctxOf(req, deps), code(req)),
  );
  app.get(
    '/:code/children',
    {
      config: { permission: 'node.read' },
      schema: { tags, summary: 'Children of a node, by code', params: CodeParams, querystring: ChildrenQuery, response: { 200: NodeList } },
    },
    (req) => svc.listChildren(ctxOf(req, deps), code(req), (req.query as ChildrenQuery).status),
  );
  app.get(
    '/:code/path',
    { config: { permission: 'node.read' }, schema: { tags, summary: 'The path from the root down to the node', params: CodeParams, response: { 200: PathList } } },
    (req) => svc.getPath(ctxOf(req, deps), code(req)),
  );
  app.get(
    '/:code/search',
    {
      config: { permission: 'node.read' },
      schema: { tags, summary: 'Nodes under this one whose name contains q, shallowest first', params: CodeParams, querystring: SearchQuery, response: { 200: SearchResult } },
    },
    (req) => svc.searchNodes(ctxOf(req, deps), code(req), req.query as SearchQuery),
  );
  app.get(
    '/:code/counts',
    {
      config: { permission: 'node.read' },
      schema: { tags, summary: 'Active nodes under this one per level, and households', params: CodeParams, response: { 200: CountsResult } },
    },
    (req) => svc.countNodes(ctxOf(req, deps), code(req)),
  );
  app.get(
    '/:code/geojson',
    {
      config: { permission: 'node.read' },
      schema: {
        tags,
        summary: "GeoJSON FeatureCollection (WGS-84) of the node's boundary (role self) and its active children's (role child)",
        params: CodeParams,
        querystring: GeojsonQuery,
      },
    },
    async (req, reply) => {
      const body = await svc.nodeGeojson(ctxOf(req, deps), code(req), (req.query as GeojsonQuery).simplify);
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
  app.post(
    '/:code/grids',
    {
      config: { permission: 'node.create' },
      schema: {
        tags,
        summary: 'Draw a grid under a community, a unit grid under a grid, or a cell grid under a unit',
        params: CodeParams,
        body: CreateGridBody,
        response: { 201: NodeWithWarnings },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.createGrid(ctxOf(req, deps), code(req), req.body as CreateGridBody)),
  );
  app.patch(
    '/:code',
    {
      config: { permission: 'node.update' },
      schema: { tags, summary: 'Rename, redraw, or set households and attributes', params: CodeParams, body: UpdateNodeBody, response: { 200: NodeWithWarnings } },
    },
    (req) => svc.updateNode(ctxOf(req, deps), code(req), req.body as UpdateNodeBody),
  );
  app.post(
    '/:code/retire',
    {
      config: { permission: 'node.retire' },
      schema: { tags, summary: 'Retire a grid (and everything under it); its rows and history stay', params: CodeParams, body: RetireBody, response: { 200: NodeSchema } },
    },
    (req) => svc.retireNode(ctxOf(req, deps), code(req), (req.body as RetireBody).reason),
  );
}
