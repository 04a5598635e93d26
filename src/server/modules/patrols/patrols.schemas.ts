import { Type, type Static } from '@sinclair/typebox';
import { LocationInput } from '../visits/visits.schemas.js';
import { CRS_LIST } from '../../../domain/geo.js';

export const PatrolParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'Patrol id' }) });

export const StartBody = Type.Object(
  {
    nodeCode: Type.Optional(Type.String({ pattern: '^[0-9]{15,19}$', description: 'The grid patrolled (default: your own grid)' })),
    note: Type.Optional(Type.String({ maxLength: 500, description: 'Purpose of the patrol' })),
  },
  { additionalProperties: false },
);
export type StartBody = Static<typeof StartBody>;

export const StopBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 500, description: 'Summary of the patrol' })) }, { additionalProperties: false });
export type StopBody = Static<typeof StopBody>;

export const TrackPoint = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, description: "The phone's id for this point: a point sent twice is stored once" }),
    seq: Type.Optional(Type.Integer({ minimum: 0, description: 'Sequence number on the phone' })),
    at: Type.String({ format: 'date-time', description: 'When the phone recorded it' }),
    lng: Type.Number(),
    lat: Type.Number(),
    crs: Type.Optional(Type.Union(CRS_LIST.map((c) => Type.Literal(c)))),
    accuracy: Type.Optional(Type.Number({ minimum: 0, description: 'Accuracy in metres' })),
  },
  { additionalProperties: false },
);
export type TrackPoint = Static<typeof TrackPoint>;

export const PointsBody = Type.Object(
  { points: Type.Array(TrackPoint, { minItems: 1, maxItems: 1000, description: 'A batch of track points, in any order; retries welcome' }) },
  { additionalProperties: false },
);
export type PointsBody = Static<typeof PointsBody>;

export const PointsResult = Type.Object({
  accepted: Type.Integer({ description: 'New points stored' }),
  duplicates: Type.Integer({ description: 'Points already stored (ignored)' }),
  total: Type.Integer({ description: 'Points of the patrol now' }),
});

export const FindingBody = Type.Object(
  {
    categoryCode: Type.String({ minLength: 1, description: 'Case category' }),
    description: Type.String({ minLength: 1, maxLength: 2000, description: 'What was found' }),
    location: Type.Optional(LocationInput),
    address: Type.Optional(Type.String({ maxLength: 300 })),
    photos: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' }), { maxItems: 9 })),
    thingId: Type.Optional(Type.Integer({ minimum: 1, description: 'The thing (城市部件) it concerns' })),
    selfResolved: Type.Optional(Type.Object({ result: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false, description: 'Solved on the spot (自处置)' })),
  },
  { additionalProperties: false },
);
export type FindingBody = Static<typeof FindingBody>;

export const Patrol = Type.Object({
  id: Type.Integer(),
  nodeCode: Type.String(),
  nodeName: Type.String(),
  workerId: Type.String(),
  workerName: Type.String(),
  status: Type.String({ description: 'active | ended' }),
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  points: Type.Integer(),
  distanceM: Type.Number({ description: 'Length of the track in metres' }),
  findings: Type.Array(Type.Object({ caseId: Type.Integer(), number: Type.String(), status: Type.String(), categoryCode: Type.String(), description: Type.String() })),
});

export const ListPatrolsQuery = Type.Object(
  {
    nodeCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,19}$', description: 'Patrols in grids under this node' })),
    mine: Type.Optional(Type.Boolean({ description: 'Only your own patrols' })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('ended')])),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Started at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Started before' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
export type ListPatrolsQuery = Static<typeof ListPatrolsQuery>;
