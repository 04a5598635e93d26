import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ctxOf, type AppDeps } from '../../context.js';
import { DEPARTMENT_KINDS } from '../../../domain/departments.js';
import * as svc from './departments.service.js';

const Kind = Type.Union(DEPARTMENT_KINDS.map((k) => Type.Literal(k)), { description: 'Department kind' });
export const CreateDepartmentBody = Type.Object(
  {
    nodeCode: Type.String({ pattern: '^\\d{2,12}$', description: 'The administrative node the department serves' }),
    name: Type.String({ minLength: 1, maxLength: 60 }),
    kind: Kind,
  },
  { additionalProperties: false },
);
export type CreateDepartmentBody = Static<typeof CreateDepartmentBody>;
export const UpdateDepartmentBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    kind: Type.Optional(Kind),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('retired')])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateDepartmentBody = Static<typeof UpdateDepartmentBody>;
const ListQuery = Type.Object(
  {
    node: Type.Optional(Type.String({ pattern: '^\\d{2,19}$', description: 'Departments serving this node: at it, above it, or below it' })),
    kind: Type.Optional(Kind),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export async function departmentsRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['departments'];
  app.get('/', { config: { permission: 'department.read' }, schema: { tags, summary: 'Departments in or above your part of the tree', querystring: ListQuery } }, (req) =>
    svc.listDepartments(ctxOf(req, deps), req.query as Static<typeof ListQuery>),
  );
  app.post('/', { config: { permission: 'department.create' }, schema: { tags, summary: 'Create a department at a node', body: CreateDepartmentBody } }, async (req, reply) =>
    reply.status(201).send(await svc.createDepartment(ctxOf(req, deps), req.body as CreateDepartmentBody)),
  );
  app.get('/:id', { config: { permission: 'department.read' }, schema: { tags, summary: 'One department with its members', params: IdParams } }, (req) =>
    svc.getDepartment(ctxOf(req, deps), (req.params as { id: number }).id),
  );
  app.patch('/:id', { config: { permission: 'department.update' }, schema: { tags, summary: 'Rename, change kind, retire', params: IdParams, body: UpdateDepartmentBody } }, (req) =>
    svc.updateDepartment(ctxOf(req, deps), (req.params as { id: number }).id, req.body as UpdateDepartmentBody),
  );
}
