/**
 * Schemas of locate (落格): which grid a point lies in.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CRS_LIST } from '../../../domain/geo.js';

const Crs = Type.Unsafe<(typeof CRS_LIST)[number]>(
  Type.Union(
    CRS_LIST.map((c) => Type.Literal(c)),
    { default: 'wgs84', description: 'Coordinate system of the input: wgs84 (GPS), gcj02 (AMap, Tencent, WeChat), bd09 (Baidu); default wgs84' },
  ),
);

export const LocateQuery = Type.Object(
  {
    lng: Type.Number({ description: 'Longitude, -180 … 180' }),
    lat: Type.Number({ description: 'Latitude, -90 … 90' }),
    crs: Crs,
  },
  { additionalProperties: false },
);
export type LocateQuery = Static<typeof LocateQuery>;

const Level = Type.String({ description: 'province … cell' });
const Ref = Type.Object({ code: Type.String(), name: Type.String(), level: Level });

export const LocateResult = Type.Object({
  point: Type.Object({ lng: Type.Number(), lat: Type.Number() }, { description: 'The point in WGS-84' }),
  node: Type.Object({ code: Type.String(), name: Type.String(), level: Level, kind: Type.String() }, { description: 'The deepest active node containing the point' }),
  path: Type.Array(Ref, { description: 'Root first, ending with the node' }),
  inGrid: Type.Boolean({ description: 'The node is a grid, unit grid or cell grid' }),
  outsideGrids: Type.Boolean({ description: 'No grid contains the point; the node is the deepest division that does' }),
});

export const BatchBody = Type.Object(
  {
    crs: Crs,
    points: Type.Array(Type.Object({ lng: Type.Number(), lat: Type.Number() }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 10_000,
      description: '1 … 10,000 points',
    }),
  },
  { additionalProperties: false },
);
export type BatchBody = Static<typeof BatchBody>;

export const BatchResult = Type.Object({
  results: Type.Array(
    Type.Object({
      index: Type.Integer({ description: 'Position in the points given' }),
      node: Type.Union([Ref, Type.Null()], { description: 'Deepest active node containing the point; null when none does' }),
      inGrid: Type.Boolean(),
      outsideGrids: Type.Boolean({ description: 'True when no grid contains the point (inside a division or outside everything)' }),
    }),
  ),
});
