/**
 * Point-in-polygon SQL. Both queries repeat the predicates of the partial
 * GiST index nodes_boundary_gist (status = 'active' AND boundary IS NOT NULL)
 * so that the planner can use it, and take the deepest hit (depth DESC LIMIT 1):
 * a cell inside a unit inside a grid inside a community … all contain the point.
 * ST_Intersects counts a point on an edge as inside; the code breaks ties
 * between neighbours sharing that edge, so the answer is stable.
 */
import type { Executor } from '../../db/db.js';
import type { Level, NodeKind } from '../../../domain/tree.js';

export interface LocatedRow {
  code: string;
  name: string;
  level: Level;
  kind: NodeKind;
  path: { code: string; name: string; level: Level }[];
}

export async function locatePoint(ex: Executor, lng: number, lat: number): Promise<LocatedRow | undefined> {
  const rows = await ex.query<LocatedRow>(
    `SELECT n.code, n.name, n.level, n.kind,
            (SELECT json_agg(json_build_object('code', a.code, 'name', a.name, 'level', a.level) ORDER BY a.depth)
               FROM nodes a WHERE a.path @> n.path) AS path
       FROM (SELECT code, name, level, kind, path FROM nodes
              WHERE status = 'active' AND boundary IS NOT NULL
                AND ST_Intersects(boundary, ST_SetSRID(ST_MakePoint($1, $2), 4326))
              ORDER BY depth DESC, code LIMIT 1) n`,
    [lng, lat],
  );
  return rows[0];
}

export interface BatchRow {
  i: number;
  code: string | null;
  name: string | null;
  level: Level | null;
}

/** Many points in one statement: unnest the coordinates, one index probe per point (LATERAL). */
export async function locatePoints(ex: Executor, lngs: readonly number[], lats: readonly number[]): Promise<BatchRow[]> {
  return ex.query<BatchRow>(
    `SELECT (p.i - 1)::int AS i, n.code, n.name, n.level
       FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(lng, lat, i)
       LEFT JOIN LATERAL (
         SELECT code, name, level FROM nodes
          WHERE status = 'active' AND boundary IS NOT NULL
            AND ST_Intersects(boundary, ST_SetSRID(ST_MakePoint(p.lng, p.lat), 4326))
          ORDER BY depth DESC, code LIMIT 1
       ) n ON true
      ORDER BY p.i`,
    [lngs, lats],
  );
}
