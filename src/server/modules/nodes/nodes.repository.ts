/**
 * SQL of the grid tree. Every function takes the executor it is given (the
 * pool or a transaction). Single nodes are looked up by (city_code, code), the
 * primary key, so that a distributed (Citus) table routes to one shard.
 */
import type { Executor } from '../../db/db.js';
import { one } from '../../db/db.js';
import { cityCodeOf, type Level, type NodeKind } from '../../../domain/tree.js';
import { GEOJSON_DECIMALS } from '../../../domain/geo.js';

export interface NodeRow {
  code: string;
  name: string;
  level: Level;
  kind: NodeKind;
  parent_code: string | null;
  path: string;
  depth: number;
  status: 'active' | 'retired';
  households: number | null;
  attributes: Record<string, unknown>;
  has_boundary: boolean;
  child_count: number;
  retired_at: Date | null;
  retired_reason: string | null;
}

export interface NodeRefRow {
  code: string;
  name: string;
  level: Level;
}

export type StatusFilter = 'active' | 'retired' | 'all';

const statuses = (s: StatusFilter): string[] => (s === 'all' ? ['active', 'retired'] : [s]);

/** The columns of a NodeRow from `nodes n`. */
const NODE_COLUMNS = `n.code, n.name, n.level, n.kind, n.parent_code, n.path::text AS path, n.depth, n.status,
  n.households, n.attributes, n.boundary IS NOT NULL AS has_boundary, n.retired_at, n.retired_reason,
  (SELECT count(*) FROM nodes c WHERE c.parent_code = n.code AND c.status = 'active') AS child_count`;

/** Primary-key pairs for a list of codes, as two parallel arrays for unnest(). */
function keys(codes: readonly string[]): [string[], string[]] {
  return [codes.map(cityCodeOf), [...codes]];
}

export async function findNode(ex: Executor, code: string): Promise<NodeRow | undefined> {
  return one<NodeRow>(ex, `SELECT ${NODE_COLUMNS} FROM nodes n WHERE n.city_code = $1 AND n.code = $2`, [cityCodeOf(code), code]);
}

/** Nodes by code, in code order; codes that do not exist are skipped. */
export async function findNodes(ex: Executor, codes: readonly string[]): Promise<NodeRow[]> {
  if (codes.length === 0) return [];
  return ex.query<NodeRow>(
    `SELECT ${NODE_COLUMNS}
       FROM unnest($1::text[], $2::text[]) AS k(city_code, code)
       JOIN nodes n ON n.city_code = k.city_code AND n.code = k.code
      ORDER BY n.code`,
    keys(codes),
  );
}

/** The nodes without a parent (provinces, or whatever tops a partial import). */
export async function listTopNodes(ex: Executor): Promise<NodeRow[]> {
  return ex.query<NodeRow>(`SELECT ${NODE_COLUMNS} FROM nodes n WHERE n.parent_code IS NULL ORDER BY n.code`);
}

export async function listChildren(ex: Executor, code: string, status: StatusFilter): Promise<NodeRow[]> {
  return ex.query<NodeRow>(`SELECT ${NODE_COLUMNS} FROM nodes n WHERE n.parent_code = $1 AND n.status = ANY($2) ORDER BY n.code`, [
    code,
    statuses(status),
  ]);
}

/** Code, name and level of the given codes, shallowest first (the codes of a path). */
export async function refsOf(ex: Executor, codes: readonly string[]): Promise<NodeRefRow[]> {
  if (codes.length === 0) return [];
  return ex.query<NodeRefRow>(
    `SELECT n.code, n.name, n.level
       FROM unnest($1::text[], $2::text[]) AS k(city_code, code)
       JOIN nodes n ON n.city_code = k.city_code AND n.code = k.code
      ORDER BY n.depth`,
    keys(codes),
  );
}

/**
 * Nodes in the subtree of `path` (itself excluded) whose name contains `q`,
 * shallowest first. `pathNames` runs from the searched node down to the hit.
 */
export async function searchSubtree(
  ex: Executor,
  root: { path: string; depth: number },
  q: string,
  limit: number,
  status: StatusFilter,
): Promise<(NodeRow & { path_names: string })[]> {
  // LIKE wildcards in the user's text are literal characters.
  const pattern = `%${q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  return ex.query(
    `SELECT ${NODE_COLUMNS},
            (SELECT string_agg(a.name, ' / ' ORDER BY a.depth) FROM nodes a
              WHERE a.path @> n.path AND a.depth >= $4) AS path_names
       FROM nodes n
      WHERE n.path <@ $1::ltree AND n.path <> $1::ltree AND n.status = ANY($5)
        AND n.name ILIKE $2
      ORDER BY n.depth, n.code
      LIMIT $3`,
    [root.path, pattern, limit, root.depth, statuses(status)],
  );
}

/** Active nodes strictly under `path`, per level. */
export async function countByLevel(ex: Executor, path: string): Promise<Record<string, number>> {
  const rows = await ex.query<{ level: string; n: number }>(
    `SELECT level, count(*) AS n FROM nodes WHERE path <@ $1::ltree AND path <> $1::ltree AND status = 'active' GROUP BY level`,
    [path],
  );
  return Object.fromEntries(rows.map((r) => [r.level, r.n]));
}

/**
 * Households in a subtree: a figure recorded at a node covers its whole
 * subtree (it is not added to its children's); below a node without one, its
 * active children's figures add up. The walk stops at the first recorded
 * figure on each branch, so it reads no more rows than the tree above them.
 */
export async function householdsOf(ex: Executor, code: string): Promise<number> {
  const row = await one<{ households: number }>(
    ex,
    `WITH RECURSIVE walk AS (
       SELECT code, households FROM nodes WHERE city_code = $1 AND code = $2
       UNION ALL
       SELECT c.code, c.households FROM walk w JOIN nodes c ON c.parent_code = w.code
        WHERE w.households IS NULL AND c.status = 'active'
     )
     SELECT coalesce(sum(households), 0)::bigint AS households FROM walk`,
    [cityCodeOf(code), code],
  );
  return row?.households ?? 0;
}

/**
 * The node's own boundary and its active children's, as GeoJSON text. Built
 * in SQL as text: no round trip of geometry through JS objects.
 */
export async function featureCollection(ex: Executor, code: string, simplify: number | undefined): Promise<string> {
  const feature = (alias: string, role: string) => `'{"type":"Feature","id":' || to_json(${alias}.code)::text
      || ',"geometry":' || ST_AsGeoJSON(CASE WHEN $3::float8 > 0 THEN ST_SimplifyPreserveTopology(${alias}.boundary, $3::float8) ELSE ${alias}.boundary END, ${GEOJSON_DECIMALS})
      || ',"properties":' || json_build_object('code', ${alias}.code, 'name', ${alias}.name, 'level', ${alias}.level, 'kind', ${alias}.kind,
           'status', ${alias}.status, 'households', ${alias}.households, 'role', '${role}')::text || '}'`;
  const row = await one<{ body: string }>(
    ex,
    `SELECT '{"type":"FeatureCollection","features":[' || coalesce(string_agg(f, ',' ORDER BY ord, code), '') || ']}' AS body
       FROM (SELECT 0 AS ord, n.code, ${feature('n', 'self')} AS f
               FROM nodes n WHERE n.city_code = $1 AND n.code = $2 AND n.boundary IS NOT NULL
             UNION ALL
             SELECT 1, c.code, ${feature('c', 'child')}
               FROM nodes c WHERE c.parent_code = $2 AND c.status = 'active' AND c.boundary IS NOT NULL) x`,
    [cityCodeOf(code), code, simplify ?? 0],
  );
  return row!.body;
}

/** Locks a node row until the transaction ends (serialises child-code allocation under it). */
export async function lockNode(trx: Executor, code: string): Promise<void> {
  await trx.query(`SELECT 1 FROM nodes WHERE city_code = $1 AND code = $2 FOR UPDATE`, [cityCodeOf(code), code]);
}

/** Codes of every child, retired ones included: codes are never reused. */
export async function childCodes(ex: Executor, parentCodes: readonly string[]): Promise<{ code: string; parent_code: string; name: string; status: string }[]> {
  if (parentCodes.length === 0) return [];
  return ex.query(`SELECT code, parent_code, name, status FROM nodes WHERE parent_code = ANY($1) ORDER BY code`, [parentCodes]);
}

export interface NewNode {
  code: string;
  parentCode: string;
  name: string;
  level: Level;
  kind: NodeKind;
  path: string;
  depth: number;
  households: number | null;
  attributes: Record<string, unknown>;
  source: 'manual' | 'import';
}

/**
 * Inserts nodes; with `stagedBoundary` each takes its boundary from the
 * boundary check stage (see boundaries.repository), matched by code.
 */
export async function insertNodes(trx: Executor, nodes: readonly NewNode[], stagedBoundary: boolean): Promise<void> {
  if (nodes.length === 0) return;
  const col = <K extends keyof NewNode>(k: K) => nodes.map((n) => n[k]);
  await trx.query(
    `INSERT INTO nodes (city_code, code, parent_code, name, level, kind, path, depth, households, attributes, source, boundary)
     SELECT x.city_code, x.code, x.parent_code, x.name, x.level, x.kind, x.path::ltree, x.depth, x.households, x.attributes::jsonb, x.source,
            ${stagedBoundary ? '(SELECT s.geom FROM wangge_boundary_stage s WHERE s.code = x.code AND s.area > 0)' : 'NULL'}
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int[], $10::text[], $11::text[])
            AS x(city_code, code, parent_code, name, level, kind, path, depth, households, attributes, source)`,
    [
      nodes.map((n) => cityCodeOf(n.code)),
      col('code'),
      col('parentCode'),
      col('name'),
      col('level'),
      col('kind'),
      col('path'),
      col('depth'),
      col('households'),
      nodes.map((n) => JSON.stringify(n.attributes)),
      col('source'),
    ],
  );
}

export interface NodeChanges {
  name?: string;
  households?: number | null;
  attributes?: Record<string, unknown>;
  /** 'staged' = take the boundary from the check stage; null = clear it. */
  boundary?: 'staged' | null;
}

/** Applies changes to an active node; false when it is no longer active. */
export async function updateNode(trx: Executor, code: string, c: NodeChanges): Promise<boolean> {
  const sets: string[] = ['updated_at = now()'];
  const params: unknown[] = [cityCodeOf(code), code];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    sets.push(sql.replace('?', `$${params.length}`));
  };
  if (c.name !== undefined) add('name = ?', c.name);
  if (c.households !== undefined) add('households = ?', c.households);
  if (c.attributes !== undefined) add('attributes = ?::jsonb', JSON.stringify(c.attributes));
  if (c.boundary === null) sets.push('boundary = NULL');
  if (c.boundary === 'staged') sets.push('boundary = (SELECT s.geom FROM wangge_boundary_stage s WHERE s.code = nodes.code AND s.area > 0)');
  const rows = await trx.query(
    `UPDATE nodes SET ${sets.join(', ')} WHERE city_code = $1 AND code = $2 AND status = 'active' RETURNING code`,
    params,
  );
  return rows.length > 0;
}

/** Sets the boundaries of existing nodes from the check stage (the import). */
export async function setStagedBoundaries(trx: Executor, codes: readonly string[]): Promise<number> {
  if (codes.length === 0) return 0;
  const rows = await trx.query(
    `UPDATE nodes n SET boundary = s.geom, updated_at = now()
       FROM wangge_boundary_stage s
      WHERE s.code = ANY($2) AND n.city_code = s.city_code AND n.code = s.code AND s.area > 0 AND n.status = 'active'
        AND n.city_code = ANY($1)
      RETURNING n.code`,
    keys(codes),
  );
  return rows.length;
}

/**
 * Retires a node and its active descendants. Returns the codes retired, the
 * node first; empty when the node was not active (someone else won).
 */
export async function retireSubtree(trx: Executor, code: string, path: string, reason: string): Promise<string[]> {
  const self = await trx.query<{ code: string }>(
    `UPDATE nodes SET status = 'retired', retired_at = now(), retired_reason = $3, updated_at = now()
      WHERE city_code = $1 AND code = $2 AND status = 'active' RETURNING code`,
    [cityCodeOf(code), code, reason],
  );
  if (self.length === 0) return [];
  const below = await trx.query<{ code: string }>(
    `UPDATE nodes SET status = 'retired', retired_at = now(), retired_reason = $2, updated_at = now()
      WHERE path <@ $1::ltree AND path <> $1::ltree AND status = 'active' RETURNING code`,
    [path, `retired with ${code}: ${reason}`],
  );
  return [code, ...below.map((r) => r.code).sort()];
}
