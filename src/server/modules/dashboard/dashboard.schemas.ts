/** Query schemas of /api/dashboard (TypeBox; they feed the OpenAPI document). */
import { Type, type Static } from '@sinclair/typebox';

const Node = Type.Optional(Type.String({ pattern: '^\\d{2,19}$', description: 'Node code (default: your scope root)' }));
const Day = (description: string) => Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description }));

export const NodeQuery = Type.Object({ node: Node }, { additionalProperties: false });
export type NodeQuery = Static<typeof NodeQuery>;

export const OverdueQuery = Type.Object(
  { node: Node, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Rows to list (default 50); the total is always counted' })) },
  { additionalProperties: false },
);
export type OverdueQuery = Static<typeof OverdueQuery>;

export const RankingQuery = Type.Object(
  {
    node: Node,
    by: Type.Union(['grid', 'community', 'street', 'district', 'child', 'department'].map((x) => Type.Literal(x)), {
      description: 'Rank the nodes of this level under the node (child = the next level), or departments',
    }),
    measure: Type.Union(['response', 'resolution', 'onTime', 'satisfaction', 'rework', 'return'].map((x) => Type.Literal(x)), { description: 'The measure to rank by' }),
    order: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')], { description: 'desc (best rate first for the good measures) or asc' })),
    from: Day('First day YYYY-MM-DD (UTC+8; default the 1st of this month)'),
    to: Day('Last day YYYY-MM-DD (default today)'),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Rows (default 20)' })),
  },
  { additionalProperties: false },
);
export type RankingQuery = Static<typeof RankingQuery>;

export const PointsQuery = Type.Object(
  {
    node: Node,
    bbox: Type.String({ maxLength: 200, description: 'minLng,minLat,maxLng,maxLat (WGS-84)' }),
    open: Type.Optional(Type.Boolean({ description: 'Open cases only (default true)' })),
    from: Day('Reported on or after this day'),
    to: Day('Reported on or before this day'),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, description: 'At most this many points (default 2000); newest first' })),
  },
  { additionalProperties: false },
);
export type PointsQuery = Static<typeof PointsQuery>;

export const DensityQuery = Type.Object({ node: Node, from: Day('First day (default the 1st of this month)'), to: Day('Last day (default today)') }, { additionalProperties: false });
export type DensityQuery = Static<typeof DensityQuery>;
