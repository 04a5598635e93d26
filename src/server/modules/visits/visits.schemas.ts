import { Type, type Static } from '@sinclair/typebox';
import { CRS_LIST } from '../../../domain/geo.js';

export const LocationInput = Type.Object(
  {
    lng: Type.Number({ description: 'Longitude' }),
    lat: Type.Number({ description: 'Latitude' }),
    crs: Type.Optional(Type.Union(CRS_LIST.map((c) => Type.Literal(c)), { description: 'Coordinate system of the phone (wgs84, gcj02, bd09); default wgs84' })),
  },
  { additionalProperties: false },
);

export const DueQuery = Type.Object(
  {
    nodeCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,19}$', description: 'A node in your scope (default: your own area)' })),
    status: Type.Optional(Type.Union([Type.Literal('overdue'), Type.Literal('due'), Type.Literal('done')], { description: 'Only this status' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 200, description: 'At most this many, overdue first' }),
  },
  { additionalProperties: false },
);
export type DueQuery = Static<typeof DueQuery>;

export const DueItem = Type.Object({
  residentId: Type.Integer(),
  name: Type.String({ description: 'Resident name' }),
  householdId: Type.Union([Type.Integer(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  nodeCode: Type.String({ description: 'The grid' }),
  tags: Type.Array(Type.String(), { description: 'The tags that set the visit interval' }),
  everyDays: Type.Integer({ description: 'Visit every this many days' }),
  lastVisitAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  dueAt: Type.String({ format: 'date-time' }),
  status: Type.String({ description: 'overdue | due | done (visited this cycle)' }),
  daysOverdue: Type.Integer(),
});

export const DueList = Type.Object({
  items: Type.Array(DueItem),
  counts: Type.Object({ total: Type.Integer(), overdue: Type.Integer(), due: Type.Integer(), done: Type.Integer() }),
});

export const RecordVisitBody = Type.Object(
  {
    residentId: Type.Integer({ minimum: 1, description: 'The resident visited' }),
    visitedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When (default now; not in the future)' })),
    kind: Type.Optional(Type.Union([Type.Literal('home'), Type.Literal('phone'), Type.Literal('other')], { description: 'Home visit (入户), phone call or other' })),
    location: Type.Optional(LocationInput),
    findings: Type.String({ minLength: 1, maxLength: 2000, description: 'What was found (走访情况)' }),
    photos: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' }), { maxItems: 9, description: 'Uploaded photo hashes (POST /api/cases/photos)' })),
    openCase: Type.Optional(
      Type.Object(
        {
          categoryCode: Type.String({ minLength: 1, description: 'Case category' }),
          description: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Case text (default: the findings)' })),
        },
        { additionalProperties: false, description: 'Open a case from this visit' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RecordVisitBody = Static<typeof RecordVisitBody>;

export const Visit = Type.Object({
  id: Type.Integer(),
  residentId: Type.Integer(),
  residentName: Type.String(),
  nodeCode: Type.String(),
  visitorId: Type.String(),
  visitorName: Type.String(),
  visitedAt: Type.String({ format: 'date-time' }),
  kind: Type.String(),
  lng: Type.Union([Type.Number(), Type.Null()]),
  lat: Type.Union([Type.Number(), Type.Null()]),
  findings: Type.String(),
  photos: Type.Array(Type.String()),
  caseId: Type.Union([Type.Integer(), Type.Null()]),
});

export const ListVisitsQuery = Type.Object(
  {
    residentId: Type.Optional(Type.Integer({ minimum: 1, description: 'Visits of one resident' })),
    nodeCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,19}$', description: 'Visits under a node' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
export type ListVisitsQuery = Static<typeof ListVisitsQuery>;

export const CountsQuery = Type.Object(
  {
    nodeCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,19}$', description: 'Counts for the grids under this node' })),
    days: Type.Integer({ minimum: 1, maximum: 366, default: 30, description: 'Visits done in the last this many days' }),
  },
  { additionalProperties: false },
);
export type CountsQuery = Static<typeof CountsQuery>;

export const GridCounts = Type.Object({
  items: Type.Array(
    Type.Object({
      nodeCode: Type.String({ description: 'Grid code' }),
      nodeName: Type.String(),
      total: Type.Integer({ description: 'Residents needing visits' }),
      overdue: Type.Integer(),
      due: Type.Integer(),
      done: Type.Integer({ description: 'Visited this cycle' }),
      visits: Type.Integer({ description: 'Visits recorded in the period' }),
    }),
  ),
});
