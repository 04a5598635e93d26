import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import { FindingBody, ListPatrolsQuery, Patrol, PatrolParams, PointsBody, PointsResult, StartBody, StopBody } from './patrols.schemas.js';
import * as svc from './patrols.service.js';

const Track = Type.Object({
  type: Type.Literal('Feature'),
  geometry: Type.Object({ type: Type.Literal('LineString'), coordinates: Type.Array(Type.Array(Type.Number())) }),
  properties: Type.Object({}, { additionalProperties: true }),
});

/** Patrols (巡查) with their tracks and findings. */
export async function patrolsRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['patrols'];
  const id = (req: { params: unknown }) => (req.params as { id: number }).id;
  app.post('/', { config: { permission: 'patrol.record' }, schema: { tags, summary: 'Start a patrol', body: StartBody, response: { 201: Patrol } } }, async (req, reply) =>
    reply.code(201).send(await svc.startPatrol(ctxOf(req, deps), req.body as StartBody)),
  );
  app.get('/', { config: { permission: 'patrol.read' }, schema: { tags, summary: 'Patrols, newest first', querystring: ListPatrolsQuery, response: { 200: Type.Object({ items: Type.Array(Patrol) }) } } }, (req) =>
    svc.listPatrols(ctxOf(req, deps), req.query as ListPatrolsQuery),
  );
  app.get('/:id', { config: { permission: 'patrol.read' }, schema: { tags, summary: 'One patrol with its findings', params: PatrolParams, response: { 200: Patrol } } }, (req) =>
    svc.getPatrol(ctxOf(req, deps), id(req)),
  );
  app.get('/:id/track', { config: { permission: 'patrol.read' }, schema: { tags, summary: 'The track as GeoJSON (LineString in time order)', params: PatrolParams, response: { 200: Track } } }, (req) =>
    svc.patrolTrack(ctxOf(req, deps), id(req)),
  );
  app.post('/:id/points', { config: { permission: 'patrol.record' }, schema: { tags, summary: 'Send a batch of track points (idempotent per point id)', params: PatrolParams, body: PointsBody, response: { 200: PointsResult } } }, (req) =>
    svc.addPoints(ctxOf(req, deps), id(req), req.body as PointsBody),
  );
  app.post('/:id/stop', { config: { permission: 'patrol.record' }, schema: { tags, summary: 'End the patrol', params: PatrolParams, body: Type.Optional(StopBody), response: { 200: Patrol } } }, (req) =>
    svc.stopPatrol(ctxOf(req, deps), id(req), (req.body ?? {}) as StopBody),
  );
  app.post(
    '/:id/findings',
    { config: { permission: 'patrol.record' }, schema: { tags, summary: 'Report a finding: it becomes a case with the patrol attached', params: PatrolParams, body: FindingBody, response: { 201: Type.Object({ caseId: Type.Integer(), number: Type.String(), status: Type.String(), patrolId: Type.Integer() }) } } },
    async (req, reply) => reply.code(201).send(await svc.reportFinding(ctxOf(req, deps), id(req), req.body as FindingBody)),
  );
}
