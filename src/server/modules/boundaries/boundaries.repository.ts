/**
 * SQL of boundary checks. Candidate boundaries go into a temporary "stage"
 * table inside the caller's transaction (dropped at its end); the checks then
 * run as set queries over it, and the writes take the checked, repaired
 * geometry from it. The same stage serves the file import (thousands of
 * features) and a single grid's create or edit.
 */
import type { Executor, Transaction } from '../../db/db.js';
import { cityCodeOf, pathOf } from '../../../domain/tree.js';

export interface StageCandidate {
  /** Position in the caller's list (the feature index of an import). */
  idx: number;
  code: string;
  /** The parent the node has (or will have); null for a province. */
  parentCode: string | null;
  name: string;
  /** GeoJSON geometry text, already checked by checkGeometry (domain/geo). */
  geojson: string;
}

export interface StagedCheck {
  idx: number;
  code: string;
  /** ST_IsValidReason of the geometry as given; null when it was valid. */
  invalidReason: string | null;
  /** Area in square degrees after repair; 0 means nothing of it is left. */
  area: number;
}

export interface Containment {
  idx: number;
  containerCode: string;
  containerName: string;
  outsideShare: number;
}

export interface Overlap {
  idx: number;
  code: string;
  name: string;
  share: number;
}

const STAGE = 'wangge_boundary_stage';

/** Creates the (empty) stage for this transaction. */
export async function createStage(trx: Transaction): Promise<void> {
  await trx.exec(
    `CREATE TEMP TABLE IF NOT EXISTS ${STAGE} (
       idx int PRIMARY KEY, code text NOT NULL, city_code text NOT NULL, parent_code text, name text NOT NULL,
       anc text[] NOT NULL, anc_city text[] NOT NULL,
       raw geometry, invalid_reason text, geom geometry, area float8
     ) ON COMMIT DROP;
     CREATE UNIQUE INDEX IF NOT EXISTS ${STAGE}_code ON ${STAGE} (code);
     CREATE INDEX IF NOT EXISTS ${STAGE}_parent ON ${STAGE} (parent_code);
     CREATE INDEX IF NOT EXISTS ${STAGE}_geom ON ${STAGE} USING gist (geom);
     DELETE FROM ${STAGE};`,
  );
}

/**
 * Gathers statistics on the filled stage: temporary tables get none from
 * autovacuum, and without them the checks below are planned as if it were
 * empty (nested seq scans: minutes for a few thousand features).
 */
export async function analyzeStage(trx: Executor): Promise<void> {
  await trx.query(`ANALYZE ${STAGE}`);
}

/**
 * Adds candidates to the stage: parses them, records ST_IsValidReason, and
 * keeps the geometry repaired (ST_MakeValid, polygons only, as MultiPolygon).
 * Heights are dropped: boundaries are 2-D.
 */
export async function stageCandidates(trx: Executor, cands: readonly StageCandidate[]): Promise<void> {
  if (cands.length === 0) return;
  // Ancestors nearest first, for "the nearest ancestor with a boundary".
  const ancestors = cands.map((c) => (c.parentCode ? pathOf(c.parentCode).split('.').reverse() : []));
  await trx.query(
    `INSERT INTO ${STAGE} (idx, code, city_code, parent_code, name, anc, anc_city, raw)
     SELECT x.idx, x.code, x.city_code, x.parent_code, x.name,
            CASE WHEN x.anc = '' THEN '{}'::text[] ELSE string_to_array(x.anc, ',') END,
            CASE WHEN x.anc_city = '' THEN '{}'::text[] ELSE string_to_array(x.anc_city, ',') END,
            ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(x.g), 4326))
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            AS x(idx, code, city_code, parent_code, name, anc, anc_city, g)`,
    [
      cands.map((c) => c.idx),
      cands.map((c) => c.code),
      cands.map((c) => cityCodeOf(c.code)),
      cands.map((c) => c.parentCode),
      cands.map((c) => c.name),
      ancestors.map((a) => a.join(',')),
      ancestors.map((a) => a.map(cityCodeOf).join(',')),
      cands.map((c) => c.geojson),
    ],
  );
  // ST_IsValidReason rather than ST_IsValid: same test, the reason in one call, and no NOTICE noise.
  await trx.query(`UPDATE ${STAGE} SET invalid_reason = NULLIF(ST_IsValidReason(raw), 'Valid Geometry') WHERE geom IS NULL`);
  await trx.query(
    `UPDATE ${STAGE} SET geom = g, area = coalesce(ST_Area(g), 0)
       FROM (SELECT idx AS i, ST_Multi(CASE WHEN invalid_reason IS NULL THEN raw ELSE ST_CollectionExtract(ST_MakeValid(raw), 3) END) AS g
               FROM ${STAGE} WHERE geom IS NULL) v
      WHERE idx = v.i`,
  );
}

/** Validity and area of each staged candidate. */
export async function stagedChecks(ex: Executor): Promise<StagedCheck[]> {
  return ex.query<StagedCheck>(`SELECT idx, code, invalid_reason AS "invalidReason", area FROM ${STAGE} ORDER BY idx`);
}

/** Marks candidates that will not be written, so that they take no part in the later checks. */
export async function dropFromStage(ex: Executor, idxs: readonly number[]): Promise<void> {
  if (idxs.length) await ex.query(`DELETE FROM ${STAGE} WHERE idx = ANY($1::int[])`, [idxs]);
}

/**
 * For each staged candidate with area, the nearest ancestor that has a
 * boundary (in the stage, i.e. being written in the same import, or else in
 * the tree) and the share of the candidate's area outside it.
 */
export async function containment(ex: Executor): Promise<Containment[]> {
  return ex.query<Containment>(
    `SELECT f.idx, c.code AS "containerCode", c.name AS "containerName",
            CASE WHEN ST_CoveredBy(f.geom, c.geom) THEN 0
                 ELSE ST_Area(ST_Difference(f.geom, c.geom)) / f.area END AS "outsideShare"
       FROM ${STAGE} f
       CROSS JOIN LATERAL (
         SELECT x.code, x.name, x.geom FROM (
           SELECT s.code, s.name, s.geom, array_position(f.anc, s.code) AS pos
             FROM ${STAGE} s WHERE s.code = ANY(f.anc) AND s.area > 0
           UNION ALL
           SELECT n.code, n.name, n.boundary, array_position(f.anc, n.code)
             FROM nodes n
            WHERE n.city_code = ANY(f.anc_city) AND n.code = ANY(f.anc) AND n.boundary IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ${STAGE} s2 WHERE s2.code = n.code)
         ) x ORDER BY x.pos LIMIT 1
       ) c
      WHERE f.area > 0
      ORDER BY f.idx`,
  );
}

/**
 * Pairs of siblings (same parent) whose interiors overlap, with the share of
 * the candidate's area covered by the other. Siblings are the other staged
 * candidates and the active nodes in the tree that the stage does not replace.
 * ST_Relate '2********' (interiors meet in an area) skips mere neighbours
 * sharing an edge before any intersection is computed.
 */
export async function siblingOverlaps(ex: Executor): Promise<Overlap[]> {
  return ex.query<Overlap>(
    `SELECT f.idx, o.code, o.name, ST_Area(ST_Intersection(f.geom, o.geom)) / f.area AS share
       FROM ${STAGE} f
       JOIN LATERAL (
         SELECT s.code, s.name, s.geom FROM ${STAGE} s
          WHERE s.parent_code = f.parent_code AND s.idx <> f.idx AND s.area > 0 AND s.geom && f.geom
         UNION ALL
         SELECT n.code, n.name, n.boundary FROM nodes n
          WHERE n.parent_code = f.parent_code AND n.code <> f.code
            AND n.status = 'active' AND n.boundary IS NOT NULL AND n.boundary && f.geom
            AND NOT EXISTS (SELECT 1 FROM ${STAGE} s2 WHERE s2.code = n.code)
       ) o ON ST_Relate(f.geom, o.geom, '2********')
      WHERE f.area > 0 AND f.parent_code IS NOT NULL
      ORDER BY f.idx, o.code`,
  );
}
