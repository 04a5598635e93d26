import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ctxOf, type AppDeps } from '../../context.js';
import * as S from './registry.schemas.js';
import * as svc from './registry.service.js';
import { ledgerRoutes } from './registry.ledger.routes.js';

const id = (req: { params: unknown }) => (req.params as S.IdParams).id;
const LinkBody = Type.Object({ caseId: Type.Integer({ minimum: 1, description: 'The case that concerns this record' }) }, { additionalProperties: false });

/** The registry of people, places and things (人、地、事、物). */
export async function registryRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const w = { auditInline: true } as const;

  // Households (户)
  let tags = ['registry: households'];
  app.get('/households', { config: { permission: 'household.read' }, schema: { tags, summary: 'Households in your part of the tree', querystring: S.ListHouseholdsQuery } }, (req) =>
    svc.listHouseholds(ctxOf(req, deps), req.query as S.ListHouseholdsQuery),
  );
  app.post('/households', { config: { permission: 'household.write', ...w }, schema: { tags, summary: 'Register a household at an address in a grid', body: S.CreateHouseholdBody } }, async (req, reply) =>
    reply.status(201).send(await svc.createHousehold(ctxOf(req, deps), req.body as S.CreateHouseholdBody)),
  );
  app.get('/households/:id', { config: { permission: 'household.read' }, schema: { tags, summary: 'A household with its members (masked), moves and cases', params: S.IdParams } }, (req) =>
    svc.getHousehold(ctxOf(req, deps), id(req)),
  );
  app.patch('/households/:id', { config: { permission: 'household.write', ...w }, schema: { tags, summary: 'Change a household', params: S.IdParams, body: S.UpdateHouseholdBody } }, (req) =>
    svc.updateHousehold(ctxOf(req, deps), id(req), req.body as S.UpdateHouseholdBody),
  );
  app.post('/households/:id/move', { config: { permission: 'household.write', ...w }, schema: { tags, summary: 'Move a household (and its members) to another grid, kept in its history', params: S.IdParams, body: S.MoveHouseholdBody } }, (req) =>
    svc.moveHousehold(ctxOf(req, deps), id(req), req.body as S.MoveHouseholdBody),
  );
  app.post('/households/:id/cases', { config: { permission: 'household.write', ...w }, schema: { tags, summary: 'Point a case at this household', params: S.IdParams, body: LinkBody } }, (req) =>
    svc.linkCase(ctxOf(req, deps), 'household', id(req), (req.body as { caseId: number }).caseId),
  );

  // Residents (人)
  tags = ['registry: residents'];
  app.get('/residents', { config: { permission: 'household.read' }, schema: { tags, summary: 'Residents in your part of the tree (personal data masked)', querystring: S.ListResidentsQuery } }, (req) =>
    svc.listResidents(ctxOf(req, deps), req.query as S.ListResidentsQuery),
  );
  app.post('/residents/search', { config: { permission: 'household.read' }, schema: { tags, summary: 'Find residents by name, or exactly by ID number or phone (keyed hash)', body: S.SearchResidentsBody } }, (req) =>
    svc.searchResidents(ctxOf(req, deps), req.body as S.SearchResidentsBody),
  );
  app.post('/residents', { config: { permission: 'household.write', ...w }, schema: { tags, summary: 'Register a resident in a household (ID number checked, stored encrypted)', body: S.CreateResidentBody } }, async (req, reply) =>
    reply.status(201).send(await svc.createResident(ctxOf(req, deps), req.body as S.CreateResidentBody)),
  );
  app.get('/residents/:id', { config: { permission: 'household.read' }, schema: { tags, summary: 'A resident (masked) with moves between households', params: S.IdParams } }, (req) =>
    svc.getResident(ctxOf(req, deps), id(req)),
  );
  app.patch('/residents/:id', { config: { permission: 'household.write', ...w }, schema: { tags, summary: 'Change a resident', params: S.IdParams, body: S.UpdateResidentBody } }, (req) =>
    svc.updateResident(ctxOf(req, deps), id(req), req.body as S.UpdateResidentBody),
  );
  app.post('/residents/:id/move', { config: { permission: 'household.write', ...w }, schema: { tags, summary: 'Move a resident to another household, kept in the history', params: S.IdParams, body: S.MoveResidentBody } }, (req) =>
    svc.moveResident(ctxOf(req, deps), id(req), req.body as S.MoveResidentBody),
  );
  app.post('/residents/:id/reveal', { config: { permission: 'resident.reveal', ...w }, schema: { tags, summary: 'Show the full ID number and phone (logged with who, when and why)', params: S.IdParams, body: S.RevealBody } }, (req) =>
    svc.revealResident(ctxOf(req, deps), id(req), (req.body as S.RevealBody).reason),
  );
  app.get('/tag-kinds', { config: { permission: 'household.read' }, schema: { tags, summary: 'Care and attention tags with their visit intervals' } }, (req) => svc.listTagKinds(ctxOf(req, deps)));
  app.patch('/tag-kinds/:code', { config: { permission: 'household.write', ...w }, schema: { tags, summary: "Change a tag's visit interval (city administrators)", params: S.CodeParams, body: S.TagFrequencyBody } }, (req) =>
    svc.setTagFrequency(ctxOf(req, deps), (req.params as { code: string }).code, (req.body as { visitEveryDays: number | null }).visitEveryDays),
  );

  // Places (地)
  tags = ['registry: places'];
  app.get('/places', { config: { permission: 'place.read' }, schema: { tags, summary: 'Places in your part of the tree', querystring: S.ListPlacesQuery } }, (req) =>
    svc.listPlaces(ctxOf(req, deps), req.query as S.ListPlacesQuery),
  );
  app.post('/places', { config: { permission: 'place.write', ...w }, schema: { tags, summary: 'Register a place (building, shop, enterprise, school …)', body: S.PlaceBody } }, async (req, reply) =>
    reply.status(201).send(await svc.createPlace(ctxOf(req, deps), req.body as S.PlaceBody)),
  );
  app.get('/places/:id', { config: { permission: 'place.read' }, schema: { tags, summary: 'A place with its households, things and cases', params: S.IdParams } }, (req) =>
    svc.getPlace(ctxOf(req, deps), id(req)),
  );
  app.patch('/places/:id', { config: { permission: 'place.write', ...w }, schema: { tags, summary: 'Change a place', params: S.IdParams, body: S.UpdatePlaceBody } }, (req) =>
    svc.updatePlace(ctxOf(req, deps), id(req), req.body as S.UpdatePlaceBody),
  );
  app.post('/places/:id/cases', { config: { permission: 'place.write', ...w }, schema: { tags, summary: 'Point a case at this place', params: S.IdParams, body: LinkBody } }, (req) =>
    svc.linkCase(ctxOf(req, deps), 'place', id(req), (req.body as { caseId: number }).caseId),
  );

  // Things (物, 城市部件)
  tags = ['registry: things'];
  app.get('/things', { config: { permission: 'place.read' }, schema: { tags, summary: 'Things (city components) in your part of the tree', querystring: S.ListThingsQuery } }, (req) =>
    svc.listThings(ctxOf(req, deps), req.query as S.ListThingsQuery),
  );
  app.post('/things', { config: { permission: 'place.write', ...w }, schema: { tags, summary: 'Register a thing (street light, manhole, hydrant …)', body: S.ThingBody } }, async (req, reply) =>
    reply.status(201).send(await svc.createThing(ctxOf(req, deps), req.body as S.ThingBody)),
  );
  app.get('/things/:id', { config: { permission: 'place.read' }, schema: { tags, summary: 'A thing with the cases reported about it', params: S.IdParams } }, (req) =>
    svc.getThing(ctxOf(req, deps), id(req)),
  );
  app.patch('/things/:id', { config: { permission: 'place.write', ...w }, schema: { tags, summary: 'Change a thing (its state: normal, faulty …)', params: S.IdParams, body: S.UpdateThingBody } }, (req) =>
    svc.updateThing(ctxOf(req, deps), id(req), req.body as S.UpdateThingBody),
  );
  app.post('/things/:id/cases', { config: { permission: 'place.write', ...w }, schema: { tags, summary: 'Point a case at this thing', params: S.IdParams, body: LinkBody } }, (req) =>
    svc.linkCase(ctxOf(req, deps), 'thing', id(req), (req.body as { caseId: number }).caseId),
  );

  await app.register(ledgerRoutes, { deps });
}
