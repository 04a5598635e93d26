/**
 * SQL of the demo city generator: shapes, tilings, grids, households,
 * departments, users, app_meta. Every function takes the executor it is
 * given (the generator's one transaction).
 */
import type { Executor } from '../db/db.js';
import { cityCodeOf, depthOf, pathOf, type Level } from '../../domain/tree.js';
import type { GridPlan } from './demo-plan.js';

/*
 * Every overlay (ST_Intersection, ST_Union) here passes a grid size of 1e-9
 * degrees (0.1 mm): the fixed-precision overlay. The default floating
 * overlay falls back on an internal exception for some inputs, and PGlite's
 * WebAssembly build of GEOS cannot catch it: the statement then returns no
 * rows and no error. Snap-rounding never takes that path, and gives the
 * same coordinates to the shared edges of neighbouring cells.
 */

/** Sets a district's boundary from GeoJSON, repaired (the published shapes have self-touching rings). */
export async function setBoundaryFromGeoJson(ex: Executor, code: string, geometry: unknown): Promise<boolean> {
  const rows = await ex.query(
    `UPDATE nodes SET boundary = ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)), 3)), updated_at = now()
      WHERE city_code = $1 AND code = $3 RETURNING code`,
    [cityCodeOf(code), JSON.stringify(geometry), code],
  );
  return rows.length > 0;
}

/** The city's boundary: the union of its districts' boundaries. */
export async function setCityBoundaryFromDistricts(ex: Executor, cityCode: string): Promise<void> {
  await ex.query(
    `UPDATE nodes c SET boundary = u.g, updated_at = now()
       FROM (SELECT ST_Multi(ST_CollectionExtract(ST_Union(boundary, 1e-9), 3)) AS g FROM nodes
              WHERE city_code = $1 AND level = 'district' AND boundary IS NOT NULL) u
      WHERE c.city_code = $1 AND c.code = $1 AND u.g IS NOT NULL`,
    [cityCode],
  );
}

/**
 * Tiles each parent with its active children: random points inside the
 * parent (ST_GeneratePoints, fixed seed), one Lloyd step (Voronoi → centroid
 * of each clipped cell → Voronoi again) so cells come out rounder and of more
 * even size, cells clipped to the parent. Cells are matched to children by
 * position (north to south, then west to east) against code order, so
 * neighbouring codes tend to lie near each other. A parent with one child
 * gives it its own shape. Children's areas add up to the parent's and do not
 * overlap, by construction.
 *
 * @returns the number of children that got a boundary.
 */
export async function tileChildren(ex: Executor, cityCode: string, parents: { code: string; seed: number }[]): Promise<number> {
  if (!parents.length) return 0;
  const rows = await ex.query<{ n: number }>(
    `WITH kids AS MATERIALIZED (
       SELECT c.parent_code, c.code, row_number() OVER (PARTITION BY c.parent_code ORDER BY c.code)::int AS ord
         FROM nodes c
        WHERE c.city_code = $1 AND c.parent_code = ANY($2::text[]) AND c.status = 'active'
     ),
     parents AS MATERIALIZED (
       SELECT p.code, p.boundary AS g, s.seed, (SELECT count(*) FROM kids k WHERE k.parent_code = p.code)::int AS k
         FROM unnest($2::text[], $3::int[]) AS s(code, seed)
         JOIN nodes p ON p.city_code = $1 AND p.code = s.code
        WHERE p.boundary IS NOT NULL AND NOT ST_IsEmpty(p.boundary)
     ),
     -- ST_GeneratePoints shares the points among a multipolygon's parts by rounding each part's share of the area,
     -- so it can return fewer than asked: ask for one more per part, then keep k of them in a seeded order.
     candidates AS (
       SELECT p.code, d.path[1] AS i, d.geom AS pt
         FROM parents p
         CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(p.g, p.k + ST_NumGeometries(p.g) + 1, p.seed)) AS d
        WHERE p.k > 1
     ),
     seeds AS (
       SELECT code, ST_Collect(pt) AS pts
         FROM (SELECT c.code, c.pt, row_number() OVER (PARTITION BY c.code ORDER BY md5(c.code || ':' || c.i)) AS r FROM candidates c) x
         JOIN parents p USING (code)
        WHERE r <= p.k
        GROUP BY code
     ),
     first_cells AS (
       SELECT p.code, p.g, (ST_Dump(ST_VoronoiPolygons(s.pts, 0, ST_Expand(ST_Envelope(p.g), 0.01)))).geom AS cell
         FROM seeds s JOIN parents p USING (code)
     ),
     clipped1 AS MATERIALIZED (
       SELECT code, ST_CollectionExtract(ST_Intersection(cell, g, 1e-9), 3) AS c FROM first_cells
     ),
     relaxed AS (
       SELECT code, ST_Collect(CASE WHEN ST_Intersects(ST_Centroid(c), c) THEN ST_Centroid(c) ELSE ST_PointOnSurface(c) END) AS pts
         FROM clipped1 WHERE NOT ST_IsEmpty(c) GROUP BY code
     ),
     cells AS MATERIALIZED (
       SELECT p.code, ST_Multi(ST_CollectionExtract(ST_Intersection(v.cell, p.g, 1e-9), 3)) AS b
         FROM relaxed r
         JOIN parents p USING (code)
         CROSS JOIN LATERAL ST_Dump(ST_VoronoiPolygons(r.pts, 0, ST_Expand(ST_Envelope(p.g), 0.01))) AS v(path, cell)
     ),
     ranked AS (
       SELECT code, b, row_number() OVER (PARTITION BY code ORDER BY ST_Y(pos) DESC, ST_X(pos))::int AS ord
         FROM (SELECT code, b, ST_PointOnSurface(b) AS pos FROM cells WHERE NOT ST_IsEmpty(b)) x
       UNION ALL
       SELECT code, ST_Multi(g), 1 FROM parents WHERE k = 1
     ),
     done AS (
       UPDATE nodes n SET boundary = r.b, updated_at = now()
         FROM ranked r JOIN kids k ON k.parent_code = r.code AND k.ord = r.ord
        WHERE n.city_code = $1 AND n.code = k.code
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM done`,
    [cityCode, parents.map((p) => p.code), parents.map((p) => p.seed)],
  );
  return rows[0]?.n ?? 0;
}

/** Children of the given parents (in one city) without a usable boundary: should be none after tiling. */
export async function countUntiled(ex: Executor, cityCode: string, parentCodes: string[]): Promise<number> {
  const rows = await ex.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM nodes
      WHERE city_code = $1 AND parent_code = ANY($2::text[]) AND status = 'active' AND (boundary IS NULL OR ST_IsEmpty(boundary))`,
    [cityCode, parentCodes],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Inserts the planned grids (source 'demo'), or brings them back to the plan
 * when a previous demo left them; boundaries come from tileChildren after.
 */
export async function upsertGrids(ex: Executor, grids: GridPlan[]): Promise<void> {
  if (!grids.length) return;
  const level: Level = 'grid';
  await ex.query(
    `INSERT INTO nodes AS n (city_code, code, parent_code, name, level, kind, path, depth, households, attributes, source)
     SELECT t.city_code, t.code, t.parent_code, t.name, $8, t.kind, t.path::ltree, $9, t.households, t.attributes::jsonb, 'demo'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $10::text[])
            AS t(city_code, code, parent_code, name, kind, path, households, attributes)
     ON CONFLICT (city_code, code) DO UPDATE
        SET name = EXCLUDED.name, kind = EXCLUDED.kind, households = EXCLUDED.households, attributes = EXCLUDED.attributes,
            boundary = NULL, status = 'active', retired_at = NULL, updated_at = now()`,
    [
      grids.map((g) => cityCodeOf(g.code)),
      grids.map((g) => g.code),
      grids.map((g) => g.communityCode),
      grids.map((g) => g.name),
      grids.map((g) => g.kind),
      grids.map((g) => pathOf(g.code)),
      grids.map((g) => g.households),
      level,
      depthOf(level),
      grids.map((g) => JSON.stringify(g.attributes)),
    ],
  );
}

/**
 * Sets each parent's households to the sum of its children's, one level at a
 * time from `childLevel` up (bottom-up, so each level sums the one below).
 */
export async function rollUpHouseholds(ex: Executor, parentCityCode: string, childCityCode: string, childLevel: Level): Promise<void> {
  await ex.query(
    `UPDATE nodes p SET households = s.h, updated_at = now()
       FROM (SELECT parent_code, sum(households)::int AS h FROM nodes
              WHERE city_code = $2 AND level = $3 AND status = 'active' AND households IS NOT NULL GROUP BY parent_code) s
      WHERE p.city_code = $1 AND p.code = s.parent_code AND p.households IS DISTINCT FROM s.h`,
    [parentCityCode, childCityCode, childLevel],
  );
}

export interface NodeRow {
  code: string;
  name: string;
  parent_code: string | null;
  level: Level;
  attributes: { shortName?: string };
}

export async function listNodes(ex: Executor, cityCode: string, level: Level, parentCodes: string[]): Promise<NodeRow[]> {
  return ex.query<NodeRow>(
    `SELECT code, name, parent_code, level, attributes FROM nodes
      WHERE city_code = $1 AND level = $2 AND parent_code = ANY($3::text[]) AND status = 'active' ORDER BY code`,
    [cityCode, level, parentCodes],
  );
}

export async function getNode(ex: Executor, code: string): Promise<{ code: string; name: string } | undefined> {
  const rows = await ex.query<{ code: string; name: string }>(`SELECT code, name FROM nodes WHERE city_code = $1 AND code = $2`, [cityCodeOf(code), code]);
  return rows[0];
}

/** Creates the department or keeps the one of that name; returns its id. */
export async function upsertDepartment(ex: Executor, nodeCode: string, name: string, kind: string): Promise<number> {
  const rows = await ex.query<{ id: number }>(
    `INSERT INTO departments (city_code, node_code, name, kind) VALUES ($1, $2, $3, $4)
     ON CONFLICT (city_code, node_code, name) DO UPDATE SET kind = EXCLUDED.kind, status = 'active', updated_at = now()
     RETURNING id`,
    [cityCodeOf(nodeCode), nodeCode, name, kind],
  );
  return rows[0]!.id;
}

/**
 * Creates the demo user, or resets an existing account of that name to the
 * demo state (password, unlocked, only the demo role): demo mode promises
 * these logins work.
 */
export async function upsertDemoUser(
  ex: Executor,
  u: { username: string; displayName: string; passwordHash: string; role: string; nodeCode: string; departmentId: number | null },
): Promise<string> {
  const city = cityCodeOf(u.nodeCode);
  const rows = await ex.query<{ id: string }>(
    `INSERT INTO users (city_code, username, display_name, password_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username) DO UPDATE
        SET display_name = EXCLUDED.display_name, password_hash = EXCLUDED.password_hash, city_code = EXCLUDED.city_code,
            status = 'active', failed_logins = 0, locked_until = NULL, must_change_password = false, updated_at = now()
     RETURNING id`,
    [city, u.username, u.displayName, u.passwordHash],
  );
  const id = rows[0]!.id;
  await ex.query(`DELETE FROM role_assignments WHERE user_id = $1`, [id]);
  await ex.query(`INSERT INTO role_assignments (city_code, user_id, role, node_code, department_id) VALUES ($1, $2, $3, $4, $5)`, [
    city,
    id,
    u.role,
    u.nodeCode,
    u.departmentId,
  ]);
  return id;
}

/** Centre (centroid) and bounding box of a node's boundary, rounded to 6 decimals. */
export async function extentOf(ex: Executor, code: string): Promise<{ center: [number, number]; bbox: [number, number, number, number] } | undefined> {
  const rows = await ex.query<{ cx: number; cy: number; x0: number; y0: number; x1: number; y1: number }>(
    `SELECT ST_X(c)::float8 AS cx, ST_Y(c)::float8 AS cy, ST_XMin(boundary)::float8 AS x0, ST_YMin(boundary)::float8 AS y0,
            ST_XMax(boundary)::float8 AS x1, ST_YMax(boundary)::float8 AS y1
       FROM (SELECT boundary, ST_Centroid(boundary) AS c FROM nodes WHERE city_code = $1 AND code = $2 AND boundary IS NOT NULL) x`,
    [cityCodeOf(code), code],
  );
  const r = rows[0];
  if (!r) return undefined;
  const f = (n: number) => Math.round(n * 1e6) / 1e6;
  return { center: [f(r.cx), f(r.cy)], bbox: [f(r.x0), f(r.y0), f(r.x1), f(r.y1)] };
}

export async function setMeta(ex: Executor, key: string, value: unknown): Promise<void> {
  await ex.query(
    `INSERT INTO app_meta (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [key, JSON.stringify(value)],
  );
}

export async function getMeta<T>(ex: Executor, key: string): Promise<T | undefined> {
  const rows = await ex.query<{ value: T }>(`SELECT value FROM app_meta WHERE key = $1`, [key]);
  return rows[0]?.value;
}
