import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import * as b from './linkage.broadcasts.js';
import * as help from './linkage.help.js';
import * as S from './linkage.schemas.js';
import * as svc from './linkage.service.js';

/** Four-level linkage (四级联户): trees, notices down them, help requests up them. */
export async function linkageRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['linkage'];
  const code = (req: { params: unknown }) => (req.params as { code: string }).code;
  const id = (req: { params: unknown }) => (req.params as { id: number }).id;

  app.get('/communities/:code/tree', { config: { permission: 'linkage.read' }, schema: { tags, summary: "A community's stored tree with its violations", params: S.CommunityParams, querystring: S.BoundsQuery, response: { 200: S.Tree } } }, (req) =>
    svc.getTree(ctxOf(req, deps), code(req), req.query as S.BoundsQuery),
  );
  app.get('/communities/:code/proposal', { config: { permission: 'linkage.manage' }, schema: { tags, summary: 'Propose a full tree from the registry (nothing stored)', params: S.CommunityParams, querystring: S.BoundsQuery, response: { 200: S.Tree } } }, (req) =>
    svc.proposeForCommunity(ctxOf(req, deps), code(req), req.query as S.BoundsQuery),
  );
  app.post('/communities/:code/tree', { config: { permission: 'linkage.manage' }, schema: { tags, summary: 'Build and store the proposed tree', params: S.CommunityParams, body: S.ApplyBody, response: { 200: S.Tree } } }, (req) =>
    svc.applyProposal(ctxOf(req, deps), code(req), req.body as S.ApplyBody),
  );
  app.get('/groups/:id', { config: { permission: 'linkage.read' }, schema: { tags, summary: 'One group with its members', params: S.IdParams, response: { 200: S.Group } } }, (req) => svc.getGroup(ctxOf(req, deps), id(req)));
  app.patch('/groups/:id', { config: { permission: 'linkage.manage' }, schema: { tags, summary: 'Adjust a group by hand (name, owner, parent)', params: S.IdParams, body: S.PatchGroupBody, response: { 200: S.Group } } }, (req) =>
    svc.patchGroup(ctxOf(req, deps), id(req), req.body as S.PatchGroupBody),
  );
  app.post('/groups/:id/members', { config: { permission: 'linkage.manage' }, schema: { tags, summary: 'Add a member', params: S.IdParams, body: S.MemberBody, response: { 200: S.Group } } }, (req) =>
    svc.addMember(ctxOf(req, deps), id(req), req.body as S.MemberBody),
  );
  app.delete('/groups/:id/members/:memberId', { config: { permission: 'linkage.manage' }, schema: { tags, summary: 'Remove a member', params: S.MemberParams, response: { 200: S.Group } } }, (req) =>
    svc.removeMember(ctxOf(req, deps), id(req), (req.params as { memberId: number }).memberId),
  );

  app.post('/broadcasts', { config: { permission: 'broadcast.send' }, schema: { tags, summary: 'Send a notice down the tree', body: S.SendBody, response: { 201: S.Broadcast } } }, async (req, reply) =>
    reply.code(201).send(await b.sendBroadcast(ctxOf(req, deps), req.body as S.SendBody)),
  );
  app.get('/broadcasts', { config: { permission: 'linkage.read' }, schema: { tags, summary: 'Notices sent in your area, newest first', querystring: S.ListBroadcastsQuery, response: { 200: Type.Object({ items: Type.Array(S.Broadcast) }) } } }, (req) =>
    b.listBroadcasts(ctxOf(req, deps), req.query as { nodeCode?: string; limit: number }),
  );
  app.get('/broadcasts/:id', { config: { permission: 'linkage.read' }, schema: { tags, summary: 'A notice with read receipts per level-1 group', params: S.IdParams, response: { 200: S.BroadcastDetail } } }, (req) =>
    b.getBroadcast(ctxOf(req, deps), id(req)),
  );
  app.get(
    '/broadcasts/:id/unread',
    { config: { permission: 'linkage.read' }, schema: { tags, summary: 'Households that have not read it', params: S.IdParams, querystring: S.PageQuery, response: { 200: Type.Object({ items: Type.Array(Type.Object({ householdId: Type.Integer(), address: Type.String(), groupId: Type.Integer(), groupName: Type.Union([Type.String(), Type.Null()]), ownerName: Type.Union([Type.String(), Type.Null()]) })) }) } } },
    (req) => b.listUnread(ctxOf(req, deps), id(req), req.query as { limit: number; offset: number }),
  );
  app.post('/broadcasts/:id/remind', { config: { permission: 'broadcast.send' }, schema: { tags, summary: 'Remind the owners of groups with unread households', params: S.IdParams, response: { 200: Type.Object({ groups: Type.Integer(), notified: Type.Integer() }) } } }, (req) =>
    b.remind(ctxOf(req, deps), id(req)),
  );
  app.post(
    '/broadcasts/:id/receipts/:householdId/read',
    { config: { permission: 'linkage.read' }, schema: { tags, summary: 'Confirm a household was told (by phone, at the door)', params: S.ReceiptParams, response: { 200: Type.Object({ id: Type.Integer(), householdId: Type.Integer(), read: Type.Boolean(), readAt: Type.String() }) } } },
    (req) => b.markHouseholdRead(ctxOf(req, deps), id(req), (req.params as { householdId: number }).householdId),
  );
  app.get(
    '/my/broadcasts',
    { config: { permission: 'notice.read' }, schema: { tags, summary: "Notices that reached your household", response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String(), body: Type.String(), urgent: Type.Boolean(), senderName: Type.String(), createdAt: Type.String(), readAt: Type.Union([Type.String(), Type.Null()]), read: Type.Boolean() })) }) } } },
    (req) => b.myBroadcasts(ctxOf(req, deps)),
  );
  app.post('/my/broadcasts/:id/read', { config: { permission: 'notice.read' }, schema: { tags, summary: 'Mark a notice read for your household', params: S.IdParams, response: { 200: Type.Object({ id: Type.Integer(), read: Type.Boolean(), readAt: Type.String() }) } } }, (req) =>
    b.markMineRead(ctxOf(req, deps), id(req)),
  );

  app.post('/help', { config: { permission: 'help.request' }, schema: { tags, summary: 'Ask your level-1 group for help', body: S.HelpBody, response: { 201: S.HelpRequest } } }, async (req, reply) =>
    reply.code(201).send(await help.requestHelp(ctxOf(req, deps), req.body as { title: string; body?: string })),
  );
  app.get('/help', { config: { permission: 'help.request' }, schema: { tags, summary: 'Help requests: yours, those you may take, or your area', querystring: S.HelpQuery, response: { 200: Type.Object({ items: Type.Array(S.HelpRequest) }) } } }, (req) =>
    help.listHelp(ctxOf(req, deps), req.query as { view: 'mine' | 'serve' | 'area'; limit: number }),
  );
  app.get('/help/area', { config: { permission: 'linkage.read' }, schema: { tags, summary: 'Help requests in your area (staff)', querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }), response: { 200: Type.Object({ items: Type.Array(S.HelpRequest) }) } } }, (req) =>
    help.listHelp(ctxOf(req, deps), { view: 'area', limit: (req.query as { limit: number }).limit }),
  );
  app.post('/help/:id/claim', { config: { permission: 'help.serve' }, schema: { tags, summary: 'Take a request (neighbour service team)', params: S.IdParams, response: { 200: S.HelpRequest } } }, (req) =>
    help.claimHelp(ctxOf(req, deps), id(req)),
  );
  app.post('/help/:id/complete', { config: { permission: 'help.serve' }, schema: { tags, summary: 'Complete a request you took', params: S.IdParams, body: S.CompleteBody, response: { 200: S.HelpRequest } } }, (req) =>
    help.completeHelp(ctxOf(req, deps), id(req), req.body as { result: string }),
  );
  app.post('/help/:id/case', { config: { permission: 'linkage.read' }, schema: { tags, summary: 'Turn a request into a case', params: S.IdParams, body: S.HelpCaseBody, response: { 200: S.HelpRequest } } }, (req) =>
    help.helpToCase(ctxOf(req, deps), id(req), req.body as { categoryCode: string; description?: string }),
  );
}
