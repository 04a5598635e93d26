import { Type, type Static } from '@sinclair/typebox';

const NodeCode = Type.String({ pattern: '^\\d{2,19}$', description: 'A node of the grid tree' });
const RequestIds = Type.Union([Type.Literal('immediate'), Type.Literal('after_acceptance')], {
  description:
    "How POST /open311/v2/requests answers this partner: 'immediate' gives the service_request_id at once (service type realtime); 'after_acceptance' gives a token that GET tokens/{token} exchanges for the id once a dispatcher has accepted or rejected the case (service type batch)",
});

export const CreatePartnerBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80, description: 'The partner system, e.g. "12345 政务服务便民热线"' }),
    nodeCode: NodeCode,
    contact: Type.Optional(Type.String({ maxLength: 200, description: 'Who to call about this partner (person, phone, e-mail)' })),
    requestIds: Type.Optional(RequestIds),
  },
  { additionalProperties: false },
);
export type CreatePartnerBody = Static<typeof CreatePartnerBody>;

export const UpdatePartnerBody = Type.Object(
  {
    contact: Type.Optional(Type.String({ maxLength: 200 })),
    requestIds: Type.Optional(RequestIds),
    active: Type.Optional(Type.Boolean({ description: 'False stops every key of the partner at once' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdatePartnerBody = Static<typeof UpdatePartnerBody>;

export const IssueKeyBody = Type.Object(
  {
    label: Type.Optional(Type.String({ maxLength: 80, description: 'What the key is for, e.g. "production server"' })),
    nodeCode: Type.Optional(Type.String({ pattern: '^\\d{2,19}$', description: "The part of the tree the key acts in (within the partner's node); default the partner's node" })),
  },
  { additionalProperties: false },
);
export type IssueKeyBody = Static<typeof IssueKeyBody>;

export const PartnerParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'Partner id' }) });
export const KeyParams = Type.Object({
  id: Type.Integer({ minimum: 1, description: 'Partner id' }),
  keyId: Type.Integer({ minimum: 1, description: 'Key id' }),
});

export const PartnerKey = Type.Object({
  id: Type.Integer(),
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart (the key itself is never shown again)' }),
  label: Type.Union([Type.String(), Type.Null()]),
  nodeCode: Type.String(),
  nodeName: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const Partner = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  nodeCode: Type.String(),
  nodeName: Type.Union([Type.String(), Type.Null()]),
  contact: Type.Union([Type.String(), Type.Null()]),
  requestIds: RequestIds,
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  keys: Type.Array(PartnerKey),
});

export const IssuedKey = Type.Intersect([
  PartnerKey,
  Type.Object({ key: Type.String({ description: 'The API key (api_key). Shown once: only its SHA-256 is stored.' }) }),
]);
