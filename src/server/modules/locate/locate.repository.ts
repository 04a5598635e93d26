/**
 * Point-in-polygon SQL. Both statements take the deepest hit in two steps:
 * first among the grid levels (grid, unit, cell: depth ≥ 6), and only when no
 * grid contains the point, among the divisions (depth < 6). Each step repeats
 * the predicates of its partial GiST index (status = 'active' AND boundary IS
 * NOT NULL AND the depth range, see migration 0003) so that the planner uses
 * it, and orders by depth DESC LIMIT 1. The single point goes through the
 * locate_node() function of migration 0003 (planned once per connection).
 */
import type { Executor, Transaction } from '../../db/db.js';
import type { Level, NodeKind } from '../../../domain/tree.js';

export interface LocatedRow {
  code: string;
  name: string;
  level: Level;
  kind: NodeKind;
  path: { code: string; name: string; level: Level }[];
}

/**
 * The two steps of locate_node() for the point `pt` (an SQL expression), as
 * LATERAL joins g and d: `g.code IS NULL` makes the division step a one-time
 * filter, skipped whenever a grid was found. Inline rather than calling the
 * function per point: a function call per row costs more than the probe.
 */
const deepest = (pt: string, cols: string) => `
  LEFT JOIN LATERAL (
    SELECT ${cols} FROM nodes
     WHERE status = 'active' AND boundary IS NOT NULL AND depth >= 6
       AND ST_Intersects(boundary, ${pt})
     ORDER BY depth DESC, code LIMIT 1
  ) g ON true
  LEFT JOIN LATERAL (
    SELECT ${cols} FROM (
      SELECT ${cols}, depth, boundary FROM nodes
       WHERE g.code IS NULL AND status = 'active' AND boundary IS NOT NULL AND depth < 6
         AND boundary && ${pt}
       ORDER BY depth DESC, code OFFSET 0
    ) c
     WHERE ST_Intersects(c.boundary, ${pt}) LIMIT 1
  ) d ON true`;

/** The single-point statement ($1 = lng, $2 = lat): the node and its path, root first. */
export function locatePointSql(): string {
  return `SELECT code, name, level, kind, path FROM locate_node($1, $2)`;
}

const LOCATE_POINT = locatePointSql();

export async function locatePoint(ex: Executor, lng: number, lat: number): Promise<LocatedRow | undefined> {
  const rows = await ex.query<LocatedRow>(LOCATE_POINT, [lng, lat]);
  return rows[0];
}

/** The batch statement ($1 = longitudes, $2 = latitudes), exported for the benchmark's EXPLAIN. */
export function locatePointsSql(): string {
  return `SELECT (p.i - 1)::int AS i, coalesce(g.code, d.code) AS code, coalesce(g.name, d.name) AS name, coalesce(g.level, d.level) AS level
       FROM (SELECT lng, lat, i, ST_SetSRID(ST_MakePoint(lng, lat), 4326) AS pt
               FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(lng, lat, i)) p
       ${deepest('p.pt', 'code, name, level')}
      ORDER BY p.i`;
}

const LOCATE_POINTS = locatePointsSql();

export interface BatchRow {
  i: number;
  code: string | null;
  name: string | null;
  level: Level | null;
}

/**
 * Many points in one statement: unnest the coordinates, one index probe per
 * point (LATERAL). JIT is switched off for it: the plan's cost estimate grows
 * with the points and crosses the JIT thresholds, and compiling costs more
 * than this nested loop of index probes ever gains.
 */
export async function locatePoints(trx: Transaction, lngs: readonly number[], lats: readonly number[]): Promise<BatchRow[]> {
  await trx.query(`SET LOCAL jit = off`);
  return trx.query<BatchRow>(LOCATE_POINTS, [lngs, lats]);
}
