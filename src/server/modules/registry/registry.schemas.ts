import { Type, type Static } from '@sinclair/typebox';
import { PLACE_KIND_CODES, RELATION_CODES, TAG_CODES, THING_KIND_CODES } from '../../../domain/registry.js';

const NodeCode = (description: string) => Type.String({ pattern: '^\\d{2,19}$', description });
const Text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description });
const OptText = (max: number, description: string) => Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()], { description }));
const Lng = Type.Optional(Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()], { description: 'Longitude (WGS-84)' }));
const Lat = Type.Optional(Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()], { description: 'Latitude (WGS-84)' }));
const Attributes = Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form extra facts' }));
const Literals = <T extends string>(values: readonly T[], description: string) => Type.Union(values.map((v) => Type.Literal(v)), { description });

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'Record id' }) });
export type IdParams = Static<typeof IdParams>;
export const CodeParams = Type.Object({ code: Type.String({ pattern: '^[a-z_]{2,40}$', description: 'Tag code' }) });

const Paging = {
  page: Type.Integer({ minimum: 1, default: 1, description: 'Page, from 1' }),
  pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Rows per page' }),
};

// ---------------------------------------------------------------- households

export const ListHouseholdsQuery = Type.Object(
  {
    node: Type.Optional(NodeCode('Only households in this subtree')),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the address (building, unit, room)' })),
    status: Type.Optional(Literals(['active', 'moved_out'] as const, 'Household status (default active)')),
    ...Paging,
  },
  { additionalProperties: false },
);
export type ListHouseholdsQuery = Static<typeof ListHouseholdsQuery>;

export const CreateHouseholdBody = Type.Object(
  {
    nodeCode: NodeCode('The grid (or unit/cell) the household lives in'),
    address: Text(200, 'Street address (e.g. 东平路1号 幸福小区)'),
    building: OptText(40, 'Building (楼栋)'),
    unit: OptText(40, 'Unit (单元)'),
    room: OptText(40, 'Room (房号)'),
    placeId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The building or compound place' })),
    lng: Lng,
    lat: Lat,
    attributes: Attributes,
  },
  { additionalProperties: false },
);
export type CreateHouseholdBody = Static<typeof CreateHouseholdBody>;

export const UpdateHouseholdBody = Type.Object(
  {
    address: Type.Optional(Text(200, 'Street address')),
    building: OptText(40, 'Building'),
    unit: OptText(40, 'Unit'),
    room: OptText(40, 'Room'),
    placeId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The building or compound place' })),
    lng: Lng,
    lat: Lat,
    status: Type.Optional(Literals(['active', 'moved_out'] as const, 'moved_out when the whole household has left')),
    attributes: Attributes,
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateHouseholdBody = Static<typeof UpdateHouseholdBody>;

export const MoveHouseholdBody = Type.Object(
  {
    toNodeCode: NodeCode('The grid the household moves to'),
    note: Type.Optional(Type.String({ maxLength: 200, description: 'Why (kept in the history)' })),
  },
  { additionalProperties: false },
);
export type MoveHouseholdBody = Static<typeof MoveHouseholdBody>;

// ----------------------------------------------------------------- residents

export const Tags = Type.Array(Literals(TAG_CODES, 'Care or attention tag (see /api/registry/tag-kinds)'), { maxItems: 12, uniqueItems: true, description: 'Tags' });

const residentFields = {
  name: Text(50, 'Full name'),
  gender: Type.Optional(Type.Union([Literals(['male', 'female'] as const, 'Gender'), Type.Null()], { description: 'Gender (taken from the ID number when omitted)' })),
  birthDate: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'YYYY-MM-DD (taken from the ID number when omitted)' })),
  idNumber: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 20 }), Type.Null()], { description: 'Resident ID number (GB 11643, checked); stored encrypted, shown masked' })),
  phone: Type.Optional(Type.Union([Type.String({ pattern: '^1[3-9]\\d{9}$' }), Type.Null()], { description: 'Mobile number; stored encrypted, shown masked' })),
  relation: Type.Optional(Type.Union([Literals(RELATION_CODES, 'Relation to the head of household'), Type.Null()])),
  registeredResidence: OptText(200, 'Registered residence (户籍地)'),
  actualResidence: OptText(200, 'Actual residence (现居住地)'),
  tags: Type.Optional(Tags),
  volunteer: Type.Optional(Type.Boolean({ description: 'Member of the neighbour service team (友邻服务队)' })),
  attributes: Attributes,
};

export const CreateResidentBody = Type.Object(
  { householdId: Type.Integer({ minimum: 1, description: 'The household the resident belongs to' }), ...residentFields },
  { additionalProperties: false },
);
export type CreateResidentBody = Static<typeof CreateResidentBody>;

export const UpdateResidentBody = Type.Object(
  {
    ...residentFields,
    name: Type.Optional(Text(50, 'Full name')),
    status: Type.Optional(Literals(['active', 'moved_out', 'deceased'] as const, 'Resident status')),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateResidentBody = Static<typeof UpdateResidentBody>;

export const ListResidentsQuery = Type.Object(
  {
    node: Type.Optional(NodeCode('Only residents in this subtree')),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Name, or its beginning' })),
    tag: Type.Optional(Literals(TAG_CODES, 'Only residents with this tag')),
    volunteer: Type.Optional(Type.Boolean({ description: 'Only members of the neighbour service team' })),
    householdId: Type.Optional(Type.Integer({ minimum: 1, description: 'Only members of this household' })),
    status: Type.Optional(Literals(['active', 'moved_out', 'deceased'] as const, 'Resident status (default active)')),
    ...Paging,
  },
  { additionalProperties: false },
);
export type ListResidentsQuery = Static<typeof ListResidentsQuery>;

/** Search by personal data goes in a POST body, so ID numbers and phones never land in URLs and access logs. */
export const SearchResidentsBody = Type.Object(
  {
    node: Type.Optional(NodeCode('Only residents in this subtree')),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Name, or its beginning' })),
    idNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'Full ID number: exact match through the keyed hash' })),
    phone: Type.Optional(Type.String({ pattern: '^1[3-9]\\d{9}$', description: 'Full mobile number: exact match through the keyed hash' })),
    tag: Type.Optional(Literals(TAG_CODES, 'Only residents with this tag')),
    page: Type.Optional(Type.Integer({ minimum: 1, description: 'Page, from 1 (default 1)' })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Rows per page (default 50)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SearchResidentsBody = Static<typeof SearchResidentsBody>;

export const MoveResidentBody = Type.Object(
  {
    toHouseholdId: Type.Integer({ minimum: 1, description: 'The household the resident joins' }),
    relation: Type.Optional(Literals(RELATION_CODES, 'Relation to the head of the new household')),
    note: Type.Optional(Type.String({ maxLength: 200, description: 'Why (kept in the history)' })),
  },
  { additionalProperties: false },
);
export type MoveResidentBody = Static<typeof MoveResidentBody>;

export const RevealBody = Type.Object(
  { reason: Type.String({ minLength: 2, maxLength: 200, description: 'Why the full ID number and phone are needed (logged)' }) },
  { additionalProperties: false },
);
export type RevealBody = Static<typeof RevealBody>;

// ------------------------------------------------------------ places, things

export const ListPlacesQuery = Type.Object(
  {
    node: Type.Optional(NodeCode('Only places in this subtree')),
    kind: Type.Optional(Literals(PLACE_KIND_CODES, 'Place kind')),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the name or address' })),
    ...Paging,
  },
  { additionalProperties: false },
);
export type ListPlacesQuery = Static<typeof ListPlacesQuery>;

export const PlaceBody = Type.Object(
  {
    nodeCode: NodeCode('The grid the place sits in'),
    kind: Literals(PLACE_KIND_CODES, 'Place kind'),
    name: Text(100, 'Name'),
    address: OptText(200, 'Address'),
    specialNodeCode: Type.Optional(Type.Union([NodeCode('The special grid (专属网格) it belongs to'), Type.Null()])),
    contactName: OptText(50, 'Contact person'),
    phone: Type.Optional(Type.Union([Type.String({ pattern: '^1[3-9]\\d{9}$|^0\\d{2,3}-?\\d{7,8}$' }), Type.Null()], { description: 'Contact phone; stored encrypted' })),
    lng: Lng,
    lat: Lat,
    status: Type.Optional(Literals(['active', 'closed'] as const, 'Status')),
    attributes: Attributes,
  },
  { additionalProperties: false },
);
export type PlaceBody = Static<typeof PlaceBody>;
export const UpdatePlaceBody = Type.Partial(PlaceBody, { additionalProperties: false, minProperties: 1 });
export type UpdatePlaceBody = Static<typeof UpdatePlaceBody>;

export const ListThingsQuery = Type.Object(
  {
    node: Type.Optional(NodeCode('Only things in this subtree')),
    kind: Type.Optional(Literals(THING_KIND_CODES, 'Component kind')),
    state: Type.Optional(Literals(['normal', 'faulty', 'out_of_service', 'removed'] as const, 'State')),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the name or asset code' })),
    ...Paging,
  },
  { additionalProperties: false },
);
export type ListThingsQuery = Static<typeof ListThingsQuery>;

export const ThingBody = Type.Object(
  {
    nodeCode: NodeCode('The grid the thing stands in'),
    kind: Literals(THING_KIND_CODES, 'Component kind (城市部件)'),
    name: Text(100, 'Name'),
    code: OptText(60, 'Asset tag (unique in the city; a re-import matches on it)'),
    categoryCode: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], { description: 'Case category matching a fault (default from the kind)' })),
    placeId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The place it belongs to' })),
    lng: Lng,
    lat: Lat,
    state: Type.Optional(Literals(['normal', 'faulty', 'out_of_service', 'removed'] as const, 'State')),
    attributes: Attributes,
  },
  { additionalProperties: false },
);
export type ThingBody = Static<typeof ThingBody>;
export const UpdateThingBody = Type.Partial(ThingBody, { additionalProperties: false, minProperties: 1 });
export type UpdateThingBody = Static<typeof UpdateThingBody>;

export const TagFrequencyBody = Type.Object(
  { visitEveryDays: Type.Union([Type.Integer({ minimum: 1, maximum: 366 }), Type.Null()], { description: 'Visit interval in days; null = no regular visits' }) },
  { additionalProperties: false },
);

// ------------------------------------------------------------------- ledgers

export const ExportQuery = Type.Object(
  {
    node: Type.Optional(NodeCode('Only this subtree')),
    format: Type.Optional(Literals(['xlsx', 'csv'] as const, 'File format (default xlsx)')),
    reveal: Type.Optional(Type.Boolean({ description: 'Full ID numbers and phones (needs resident.reveal; logged as a reveal)' })),
    reason: Type.Optional(Type.String({ minLength: 2, maxLength: 200, description: 'Why the full data is needed (required with reveal)' })),
  },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;
