import { Type, type Static } from '@sinclair/typebox';
import { ROLES } from '../../../domain/permissions.js';

export const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)), { description: 'Role name' });

export const RoleGrantInput = Type.Object(
  {
    role: RoleName,
    /** Node whose subtree the role covers. */
    nodeCode: Type.String({ pattern: '^\\d{2,19}$', description: 'Code of the node the role is held at' }),
    /** Required for department_staff: the department the user works in. */
    departmentId: Type.Optional(Type.Integer({ minimum: 1, description: 'Department (department_staff only)' })),
  },
  { additionalProperties: false },
);
export type RoleGrantInput = Static<typeof RoleGrantInput>;

export const CreateUserBody = Type.Object(
  {
    username: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{2,39}$', description: '3–40 letters, digits, _ . -; starts with a letter' }),
    displayName: Type.String({ minLength: 1, maxLength: 60, description: 'Name shown to others' }),
    phone: Type.Optional(Type.String({ pattern: '^1[3-9]\\d{9}$', description: 'Mainland mobile number (11 digits); stored encrypted' })),
    password: Type.String({ minLength: 1, maxLength: 128, description: '≥ 8 characters, 3 of 4 classes' }),
    roles: Type.Array(RoleGrantInput, { minItems: 1, maxItems: 20, description: 'Roles to grant' }),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    phone: Type.Optional(Type.Union([Type.String({ pattern: '^1[3-9]\\d{9}$' }), Type.Null()], { description: 'Mobile number, or null to clear' })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const ListUsersQuery = Type.Object(
  {
    node: Type.Optional(Type.String({ pattern: '^\\d{2,19}$', description: 'Only users holding a role in this subtree' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Part of the username or display name' })),
    role: Type.Optional(RoleName),
    page: Type.Integer({ minimum: 1, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
export type ListUsersQuery = Static<typeof ListUsersQuery>;

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'User id' }) });
export const RoleParams = Type.Object({ id: Type.String({ format: 'uuid' }), roleId: Type.Integer({ minimum: 1 }) });

export const RevealBody = Type.Object(
  { reason: Type.String({ minLength: 2, maxLength: 200, description: 'Why the full number is needed (logged)' }) },
  { additionalProperties: false },
);
