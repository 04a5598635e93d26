import { Type, type Static } from '@sinclair/typebox';

export const CommunityParams = Type.Object({ code: Type.String({ pattern: '^[0-9]{12}$', description: 'Community (社区/村) code' }) });
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const MemberParams = Type.Object({ id: Type.Integer({ minimum: 1 }), memberId: Type.Integer({ minimum: 1 }) });
export const ReceiptParams = Type.Object({ id: Type.Integer({ minimum: 1 }), householdId: Type.Integer({ minimum: 1 }) });

export const BoundsQuery = Type.Object(
  {
    level1Min: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'Fewest households in a level-1 group (default 5)' })),
    level1Max: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Most households in a level-1 group (default 10)' })),
  },
  { additionalProperties: false },
);
export type BoundsQuery = Static<typeof BoundsQuery>;

export const ApplyBody = Type.Object(
  {
    level1Min: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'Fewest households in a level-1 group (default 5)' })),
    level1Max: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Most households in a level-1 group (default 10)' })),
    replace: Type.Optional(Type.Boolean({ description: 'Replace an existing tree (hand adjustments are lost)' })),
  },
  { additionalProperties: false },
);
export type ApplyBody = Static<typeof ApplyBody>;

const Party = Type.Union([Type.Object({ kind: Type.String({ description: 'resident | user' }), id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]);

export const Tree = Type.Object({
  communityCode: Type.String(),
  communityName: Type.String(),
  stored: Type.Boolean({ description: 'false for a proposal not yet applied' }),
  stats: Type.Object({
    households: Type.Integer(),
    groups: Type.Object({ level1: Type.Integer(), level2: Type.Integer(), level3: Type.Integer(), level4: Type.Integer() }),
    residents: Type.Integer(),
    volunteers: Type.Integer({ description: 'Members of the neighbour service team (友邻服务队)' }),
    volunteerShare: Type.Number({ description: 'Volunteers ÷ residents (about a tenth is the aim)' }),
  }),
  groups: Type.Array(
    Type.Object({
      key: Type.String(),
      id: Type.Union([Type.Integer(), Type.Null()]),
      level: Type.Integer({ minimum: 1, maximum: 4 }),
      parentKey: Type.Union([Type.String(), Type.Null()]),
      name: Type.String(),
      nodeCode: Type.String(),
      owner: Party,
      households: Type.Integer(),
      members: Type.Integer(),
    }),
  ),
  violations: Type.Array(
    Type.Object({
      code: Type.String({ description: 'HOUSEHOLD_UNASSIGNED, HOUSEHOLD_IN_MANY_GROUPS, SIZE_BELOW_MIN, SIZE_ABOVE_MAX, OWNER_MISSING, OWNER_NOT_IN_PARENT …' }),
      groupKey: Type.Optional(Type.String()),
      householdId: Type.Optional(Type.Integer()),
      message: Type.String(),
      details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  ),
});

export const Group = Type.Object({
  id: Type.Integer(),
  level: Type.Integer(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  name: Type.String(),
  nodeCode: Type.String(),
  communityCode: Type.String(),
  owner: Party,
  members: Type.Array(Type.Object({ memberId: Type.Integer(), kind: Type.String({ description: 'household | resident | user' }), id: Type.String(), label: Type.String() })),
});

export const PatchGroupBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ownerResidentId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'A resident of the community as owner (levels 1–2)' })),
    ownerUserId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'A user as owner (grid worker, secretary)' })),
    parentId: Type.Optional(Type.Integer({ minimum: 1, description: 'Move under another group one level up' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchGroupBody = Static<typeof PatchGroupBody>;

export const MemberBody = Type.Object(
  {
    householdId: Type.Optional(Type.Integer({ minimum: 1, description: 'A household (level-1 groups)' })),
    residentId: Type.Optional(Type.Integer({ minimum: 1, description: 'A resident (levels 2–4)' })),
    userId: Type.Optional(Type.String({ format: 'uuid', description: 'A user (levels 2–4)' })),
  },
  { additionalProperties: false },
);
export type MemberBody = Static<typeof MemberBody>;

export const SendBody = Type.Object(
  {
    groupId: Type.Optional(Type.Integer({ minimum: 1, description: 'Send from this group down (give this or nodeCode)' })),
    nodeCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,19}$', description: 'Send to every group under this node' })),
    title: Type.String({ minLength: 1, maxLength: 100 }),
    body: Type.String({ minLength: 1, maxLength: 5000 }),
    urgent: Type.Optional(Type.Boolean({ description: 'An emergency warning (预警)' })),
  },
  { additionalProperties: false },
);
export type SendBody = Static<typeof SendBody>;

export const Broadcast = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  urgent: Type.Boolean(),
  status: Type.String({ description: 'sending (fan-out in progress) | sent' }),
  nodeCode: Type.String(),
  groupId: Type.Union([Type.Integer(), Type.Null()]),
  groupName: Type.Union([Type.String(), Type.Null()]),
  senderName: Type.String(),
  recipients: Type.Integer({ description: 'Households reached' }),
  read: Type.Integer(),
  unread: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  remindedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const BroadcastDetail = Type.Intersect([
  Broadcast,
  Type.Object({ groups: Type.Array(Type.Object({ groupId: Type.Integer(), name: Type.String(), ownerName: Type.Union([Type.String(), Type.Null()]), unread: Type.Integer(), total: Type.Integer() })) }),
]);

export const ListBroadcastsQuery = Type.Object(
  { nodeCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,19}$' })), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) },
  { additionalProperties: false },
);
export const PageQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), offset: Type.Integer({ minimum: 0, default: 0 }) },
  { additionalProperties: false },
);

export const HelpBody = Type.Object(
  { title: Type.String({ minLength: 1, maxLength: 100, description: 'What you need' }), body: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export const HelpQuery = Type.Object(
  {
    view: Type.Union([Type.Literal('mine'), Type.Literal('serve'), Type.Literal('area')], { default: 'mine', description: 'mine: your requests; serve: requests you may take; area: staff view' }),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
export const CompleteBody = Type.Object({ result: Type.String({ minLength: 1, maxLength: 2000, description: 'What was done' }) }, { additionalProperties: false });
export const HelpCaseBody = Type.Object(
  { categoryCode: Type.String({ minLength: 1 }), description: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) },
  { additionalProperties: false },
);

export const HelpRequest = Type.Object({
  id: Type.Integer(),
  residentName: Type.String(),
  groupId: Type.Integer(),
  groupName: Type.Union([Type.String(), Type.Null()]),
  level: Type.Integer({ description: 'The level it has reached (1 = own group)' }),
  nodeCode: Type.String(),
  title: Type.String(),
  body: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: 'open | claimed | done | cancelled | case' }),
  claimedByName: Type.Union([Type.String(), Type.Null()]),
  claimedAt: Type.Union([Type.String(), Type.Null()]),
  doneAt: Type.Union([Type.String(), Type.Null()]),
  result: Type.Union([Type.String(), Type.Null()]),
  escalateAt: Type.Union([Type.String(), Type.Null()]),
  caseId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
});
