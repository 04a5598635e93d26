import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import { CreateUserBody, IdParams, ListUsersQuery, RevealBody, RoleGrantInput, RoleParams, UpdateUserBody } from './users.schemas.js';
import * as svc from './users.service.js';

export async function usersRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['users'];
  app.get('/', { config: { permission: 'user.read' }, schema: { tags, summary: 'Users holding a role in your part of the tree', querystring: ListUsersQuery } }, (req) =>
    svc.listUsers(ctxOf(req, deps), req.query as ListUsersQuery),
  );
  app.post('/', { config: { permission: 'user.create' }, schema: { tags, summary: 'Create a user with roles (must change the password at first sign-in)', body: CreateUserBody } }, async (req, reply) =>
    reply.status(201).send(await svc.createUser(ctxOf(req, deps), req.body as CreateUserBody)),
  );
  app.get('/:id', { config: { permission: 'user.read' }, schema: { tags, summary: 'One user', params: IdParams } }, (req) =>
    svc.getUser(ctxOf(req, deps), (req.params as { id: string }).id),
  );
  app.patch('/:id', { config: { permission: 'user.update' }, schema: { tags, summary: 'Change name, phone or status', params: IdParams, body: UpdateUserBody } }, (req) =>
    svc.updateUser(ctxOf(req, deps), (req.params as { id: string }).id, req.body as UpdateUserBody),
  );
  app.post('/:id/roles', { config: { permission: 'role.assign' }, schema: { tags, summary: 'Grant a role at a node', params: IdParams, body: RoleGrantInput } }, async (req, reply) =>
    reply.status(201).send(await svc.addRole(ctxOf(req, deps), (req.params as { id: string }).id, req.body as RoleGrantInput)),
  );
  app.delete('/:id/roles/:roleId', { config: { permission: 'role.assign' }, schema: { tags, summary: 'Revoke a role', params: RoleParams } }, (req) => {
    const p = req.params as { id: string; roleId: number };
    return svc.removeRole(ctxOf(req, deps), p.id, p.roleId);
  });
  app.post('/:id/unlock', { config: { permission: 'user.update' }, schema: { tags, summary: 'Lift a sign-in lockout', params: IdParams } }, (req) =>
    svc.unlockUser(ctxOf(req, deps), (req.params as { id: string }).id),
  );
  app.post('/:id/password-reset', { config: { permission: 'user.update' }, schema: { tags, summary: 'Set a one-time password (shown once)', params: IdParams } }, (req) =>
    svc.resetPassword(ctxOf(req, deps), (req.params as { id: string }).id),
  );
  app.post('/:id/reveal-phone', { config: { permission: 'user.reveal_phone' }, schema: { tags, summary: 'Show the full phone number (logged with the reason)', params: IdParams, body: RevealBody } }, (req) =>
    svc.revealPhone(ctxOf(req, deps), (req.params as { id: string }).id, (req.body as { reason: string }).reason),
  );
}
