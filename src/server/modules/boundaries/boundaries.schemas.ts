/**
 * Schemas of the boundary import. The body is checked loosely here (a
 * FeatureCollection-shaped object) and feature by feature by the service, so
 * that one bad feature gets a line in the report instead of failing the file.
 */
import { Type, type Static } from '@sinclair/typebox';

export const ImportQuery = Type.Object(
  { dryRun: Type.Boolean({ default: false, description: 'Check and report only; write nothing' }) },
  { additionalProperties: false },
);
export type ImportQuery = Static<typeof ImportQuery>;

/** RFC 7946 allows foreign members (name, crs, bbox …), so other properties are let through. */
export const ImportBody = Type.Object(
  {
    type: Type.String({ description: 'Must be "FeatureCollection"' }),
    features: Type.Optional(
      Type.Array(Type.Unknown(), {
        description:
          'Features with a Polygon or MultiPolygon geometry (WGS-84) and properties.code (or id) of an existing node, ' +
          'or properties.name + properties.parentCode (a new grid is created under a community, grid or unit when no active child has that name; ' +
          'optional properties.kind and properties.households)',
      }),
    ),
  },
  { description: 'A GeoJSON FeatureCollection (application/json or application/geo+json, up to 32 MB)' },
);

const Overlap = Type.Object({ code: Type.String(), name: Type.String(), share: Type.Number({ description: 'Share of this feature’s area' }) });

export const FeatureReportSchema = Type.Object({
  index: Type.Integer({ description: 'Position in the file' }),
  code: Type.Union([Type.String(), Type.Null()], { description: 'The node (a new grid’s code is provisional in a dry run)' }),
  name: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('ok'), Type.Literal('repaired'), Type.Literal('rejected')]),
  action: Type.Union([Type.Literal('update'), Type.Literal('create'), Type.Null()]),
  problems: Type.Array(Type.String(), { description: 'Why it was rejected, or what was repaired' }),
  warnings: Type.Array(Type.String()),
  outsideShare: Type.Optional(Type.Number({ description: 'Share of its area outside the nearest ancestor with a boundary' })),
  overlaps: Type.Optional(Type.Array(Overlap, { description: 'Siblings (in the tree or the file) it overlaps by more than 0.1 %' })),
});

export const ImportReportSchema = Type.Object({
  dryRun: Type.Boolean(),
  written: Type.Boolean({ description: 'True when the boundaries were written' }),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  repaired: Type.Integer(),
  warnings: Type.Integer({ description: 'Warnings over all features' }),
  created: Type.Integer({ description: 'New grids' }),
  updated: Type.Integer({ description: 'Existing nodes given a boundary' }),
  features: Type.Array(FeatureReportSchema),
});
