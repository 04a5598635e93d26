/**
 * Schemas of the grid-tree API (网格体系). They validate input, shape the JSON
 * out (camelCase) and feed the OpenAPI document at /docs.
 */
import { Type, type Static } from '@sinclair/typebox';
import { GRID_KINDS, LEVELS, NODE_KINDS } from '../../../domain/tree.js';

/** A union of string literals, typed as the literal union (TypeBox's map() would widen it to string). */
const literals = <T extends readonly string[]>(values: T, description: string) =>
  Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v)), { description }));

export const LevelSchema = literals(LEVELS, 'Level: province, city, district, street, community (official divisions), grid, unit, cell');
export const KindSchema = literals(NODE_KINDS, "'admin' for a division; for grids: comprehensive 综合, special 专属, professional 专业, online 线上");

export const CodeParams = Type.Object({
  code: Type.String({ pattern: '^[0-9]{2,19}$', description: 'Node code: 2–12 digits for divisions, +3 for a grid, +2 for a unit, +2 for a cell' }),
});

/** A node of the grid tree as the API shows it. */
export const NodeSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: LevelSchema,
  kind: KindSchema,
  parentCode: Type.Union([Type.String(), Type.Null()]),
  path: Type.String({ description: 'Codes from the province down, joined by dots' }),
  depth: Type.Integer({ description: '1 = province … 8 = cell' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('retired')]),
  households: Type.Union([Type.Integer(), Type.Null()], { description: 'Households (户) recorded for this node' }),
  attributes: Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form attributes' }),
  hasBoundary: Type.Boolean(),
  childCount: Type.Integer({ description: 'Active children' }),
  retiredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  retiredReason: Type.Union([Type.String(), Type.Null()]),
});
export type NodeDto = Static<typeof NodeSchema>;

export const NodeRef = Type.Object({ code: Type.String(), name: Type.String(), level: LevelSchema });
export type NodeRefDto = Static<typeof NodeRef>;

export const NodeList = Type.Object({ items: Type.Array(NodeSchema) });
export const NodeDetail = Type.Composite([NodeSchema, Type.Object({ ancestors: Type.Array(NodeRef, { description: 'Root first, the node itself excluded' }) })]);
export const NodeWithWarnings = Type.Composite([
  NodeSchema,
  Type.Object({ warnings: Type.Array(Type.String(), { description: 'Accepted, but worth a look: boundary repaired, outside its parent, overlapping a sibling' }) }),
]);
export const PathList = Type.Object({ items: Type.Array(NodeRef, { description: 'Root first, ending with the node' }) });

export const ChildrenQuery = Type.Object(
  {
    status: Type.Union([Type.Literal('active'), Type.Literal('retired'), Type.Literal('all')], { default: 'active', description: 'Which children (default active)' }),
  },
  { additionalProperties: false },
);
export type ChildrenQuery = Static<typeof ChildrenQuery>;

export const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 50, description: 'Part of the name to look for' }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'At most this many (default 20, max 100)' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('retired'), Type.Literal('all')], { default: 'active', description: 'Which nodes (default active)' }),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;

export const SearchResult = Type.Object({
  items: Type.Array(
    Type.Composite([NodeSchema, Type.Object({ pathNames: Type.String({ description: 'Names from the searched node down to the hit, joined by " / "' }) })]),
    { description: 'Shallowest first, then by code' },
  ),
});

export const CountsResult = Type.Object({
  code: Type.String(),
  counts: Type.Record(Type.String(), Type.Integer(), { description: 'Active nodes under this one, per level' }),
  households: Type.Integer({
    description: 'Households in the subtree: a figure recorded at a node covers its subtree; below nodes without one, their children add up',
  }),
});

export const GeojsonQuery = Type.Object(
  {
    simplify: Type.Optional(Type.Number({ minimum: 0, maximum: 0.1, description: 'Simplification tolerance in degrees (0.0001 ≈ 10 m); topology kept' })),
  },
  { additionalProperties: false },
);
export type GeojsonQuery = Static<typeof GeojsonQuery>;

/** A GeoJSON Polygon or MultiPolygon in WGS-84; checked in full by the service (ranges, closed rings, validity). */
export const BoundaryInput = Type.Object(
  {
    type: Type.Union([Type.Literal('Polygon'), Type.Literal('MultiPolygon')]),
    coordinates: Type.Array(Type.Unknown(), { minItems: 1 }),
  },
  { description: 'GeoJSON Polygon or MultiPolygon, WGS-84 longitude/latitude' },
);

const Households = Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Households (户)' });
const Attributes = Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form attributes (replaces the stored object)' });
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'Name, e.g. 东一社区第三网格' });

export const CreateGridBody = Type.Object(
  {
    name: Name,
    kind: Type.Optional(literals(GRID_KINDS, 'Grid kind; default comprehensive (a unit or cell takes its parent grid’s kind)')),
    boundary: Type.Optional(BoundaryInput),
    households: Type.Optional(Households),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false },
);
export type CreateGridBody = Static<typeof CreateGridBody>;
export type BoundaryInputDto = Static<typeof BoundaryInput>;

export const UpdateNodeBody = Type.Object(
  {
    name: Type.Optional(Name),
    boundary: Type.Optional(Type.Union([BoundaryInput, Type.Null()], { description: 'New boundary, or null to clear it' })),
    households: Type.Optional(Type.Union([Households, Type.Null()])),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false },
);
export type UpdateNodeBody = Static<typeof UpdateNodeBody>;

export const RetireBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S', description: 'Why the grid is retired (撤销), e.g. merged into grid 002' }) },
  { additionalProperties: false },
);
export type RetireBody = Static<typeof RetireBody>;
