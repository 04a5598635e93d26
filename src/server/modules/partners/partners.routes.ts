import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ctxOf, type AppDeps } from '../../context.js';
import { CreatePartnerBody, IssueKeyBody, IssuedKey, KeyParams, Partner, PartnerKey, PartnerParams, UpdatePartnerBody } from './partners.schemas.js';
import * as svc from './partners.service.js';

/** Partner systems and their Open311 API keys (合作系统接入密钥). */
export async function partnersRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['partners'];
  const permission = 'partner.manage';
  const auditInline = true;
  const params = (req: { params: unknown }) => req.params as { id: number; keyId: number };
  app.get('/', { config: { permission }, schema: { tags, summary: 'Partners in your part of the tree, with their keys', response: { 200: Type.Object({ items: Type.Array(Partner) }) } } }, (req) =>
    svc.listPartners(ctxOf(req, deps)),
  );
  app.post('/', { config: { permission, auditInline }, schema: { tags, summary: 'Register a partner system at a node', body: CreatePartnerBody, response: { 201: Partner } } }, async (req, reply) =>
    reply.status(201).send(await svc.createPartner(ctxOf(req, deps), req.body as CreatePartnerBody)),
  );
  app.patch(
    '/:id',
    { config: { permission, auditInline }, schema: { tags, summary: 'Change contact, id mode, or stop a partner', params: PartnerParams, body: UpdatePartnerBody, response: { 200: Partner } } },
    (req) => svc.updatePartner(ctxOf(req, deps), params(req).id, req.body as UpdatePartnerBody),
  );
  app.post(
    '/:id/keys',
    { config: { permission, auditInline }, schema: { tags, summary: 'Issue an API key; the key is returned once', params: PartnerParams, body: IssueKeyBody, response: { 201: IssuedKey } } },
    async (req, reply) => reply.status(201).send(await svc.issueKey(ctxOf(req, deps), params(req).id, (req.body ?? {}) as IssueKeyBody)),
  );
  app.post(
    '/:id/keys/:keyId/revoke',
    { config: { permission, auditInline }, schema: { tags, summary: 'Revoke a key at once', params: KeyParams, response: { 200: PartnerKey } } },
    (req) => svc.revokeKey(ctxOf(req, deps), params(req).id, params(req).keyId),
  );
}
