/** SQL of the command-centre dashboard: current states, overdue cases, map points and densities. */
import type { Executor } from '../../db/db.js';
import type { NodeRow } from '../measures/measures.repository.js';

const TERMINAL = `('closed','rejected','cancelled','merged')`;

/** The WHERE fragment that limits cases to a node's subtree (null = the whole tree), appending its parameter. */
export function caseScope(n: NodeRow | null, params: unknown[], alias = 'c'): string {
  if (!n) return 'TRUE';
  params.push(n.level === 'province' || n.level === 'city' ? n.code : n.path);
  const p = `$${params.length}`;
  if (n.level === 'province') return `left(${alias}.city_code, 2) = ${p}`;
  if (n.level === 'city') return `${alias}.city_code = ${p}`;
  params.push(n.city_code);
  return `${alias}.city_code = $${params.length} AND ${alias}.node_path <@ ${p}::ltree`;
}

/**
 * Like caseScope, but below city level by node-code prefix (codes nest): lets the
 * (city_code, created_at) INCLUDE (status, node_code, merged_into_id) index answer alone.
 */
export function caseScopeByCode(n: NodeRow | null, params: unknown[], alias = 'c'): string {
  if (!n || n.level === 'province' || n.level === 'city') return caseScope(n, params, alias);
  params.push(n.city_code, n.code + '%');
  return `${alias}.city_code = $${params.length - 1} AND ${alias}.node_code LIKE $${params.length}`;
}

/** Cases reported in [fromTs, toTs) per child node (merged duplicates and cancelled reports left out, as in the measures). */
export async function reportedByChild(ex: Executor, n: NodeRow | null, childCodeLength: number, fromTs: Date, toTs: Date) {
  const params: unknown[] = [fromTs, toTs];
  const scope = caseScopeByCode(n, params);
  return ex.query<{ code: string; n: number }>(
    `SELECT left(c.node_code, ${Number(childCodeLength)}) AS code, count(*)::int AS n
       FROM cases c WHERE ${scope} AND c.created_at >= $1 AND c.created_at < $2
        AND c.status NOT IN ('merged','cancelled') AND c.merged_into_id IS NULL AND length(c.node_code) >= ${Number(childCodeLength)}
      GROUP BY 1`,
    params,
  );
}

/** Cases reported since `monthStart` by state, with those since `todayStart` beside. */
export async function countByState(ex: Executor, n: NodeRow | null, monthStart: Date, todayStart: Date) {
  const params: unknown[] = [monthStart, todayStart];
  const scope = caseScopeByCode(n, params);
  return ex.query<{ status: string; month: number; today: number }>(
    `SELECT c.status, count(*)::int AS month, count(*) FILTER (WHERE c.created_at >= $2)::int AS today
       FROM cases c WHERE ${scope} AND c.created_at >= $1 GROUP BY 1`,
    params,
  );
}

/** Open cases now by clock colour. */
export async function countClocks(ex: Executor, n: NodeRow | null) {
  const params: unknown[] = [];
  const scope = caseScope(n, params);
  return ex.query<{ clock_colour: string; n: number }>(
    `SELECT c.clock_colour, count(*)::int AS n FROM cases c WHERE ${scope} AND c.status NOT IN ${TERMINAL} GROUP BY 1`,
    params,
  );
}

export interface OverdueRow {
  id: number;
  number: string;
  status: string;
  category_code: string;
  name_zh: string;
  name_en: string;
  description: string;
  node_code: string | null;
  node_name: string | null;
  handler_type: string | null;
  handler_department_id: number | null;
  handler_node_code: string | null;
  handler_name: string | null;
  urgent: boolean;
  due_at: Date;
  supervised_at: Date | null;
}

const OVERDUE = `c.clock_colour = 'red' AND c.status IN ('reported','dispatched','in_progress')`;

/** Overdue open cases (red clock), longest overdue first, and how many there are. */
export async function listOverdue(ex: Executor, n: NodeRow | null, limit: number): Promise<{ total: number; rows: OverdueRow[] }> {
  const params: unknown[] = [limit];
  const scope = caseScope(n, params);
  const rows = await ex.query<OverdueRow>(
    `SELECT c.id, c.number, c.status, c.category_code, cat.name_zh, cat.name_en, left(c.description, 200) AS description,
            c.node_code, nd.name AS node_name, c.handler_type, c.handler_department_id, c.handler_node_code,
            coalesce(d.name, hn.name) AS handler_name, c.urgent,
            CASE WHEN c.status = 'reported' THEN c.accept_due_at ELSE c.handle_due_at END AS due_at, c.supervised_at
       FROM (SELECT * FROM cases c WHERE ${scope} AND ${OVERDUE}
              ORDER BY CASE WHEN c.status = 'reported' THEN c.accept_due_at ELSE c.handle_due_at END ASC NULLS LAST, c.id
              LIMIT $1) AS c
       JOIN categories cat ON cat.code = c.category_code
       LEFT JOIN nodes nd ON nd.code = c.node_code
       LEFT JOIN nodes hn ON hn.code = c.handler_node_code
       LEFT JOIN departments d ON d.id = c.handler_department_id
      ORDER BY due_at ASC NULLS LAST, c.id`,
    params,
  );
  const cparams: unknown[] = [];
  const cscope = caseScope(n, cparams);
  const [t] = await ex.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases c WHERE ${cscope} AND ${OVERDUE}`, cparams);
  return { total: t?.n ?? 0, rows };
}

export interface PointRow {
  id: number;
  number: string;
  status: string;
  clock_colour: string;
  category_code: string;
  urgent: boolean;
  created_at: Date;
  lng: number;
  lat: number;
}

/** Case points within a bbox, newest first, at most `limit` + 1 (the extra says "truncated"). */
export async function listPoints(
  ex: Executor,
  n: NodeRow | null,
  q: { bbox: [number, number, number, number]; open: boolean; fromTs?: Date; toTs?: Date; limit: number },
): Promise<PointRow[]> {
  const params: unknown[] = [...q.bbox, q.limit + 1];
  const where = [caseScope(n, params), 'c.location && ST_MakeEnvelope($1, $2, $3, $4, 4326)'];
  if (q.open) where.push(`c.status NOT IN ${TERMINAL}`);
  if (q.fromTs) {
    params.push(q.fromTs);
    where.push(`c.created_at >= $${params.length}`);
  }
  if (q.toTs) {
    params.push(q.toTs);
    where.push(`c.created_at < $${params.length}`);
  }
  return ex.query<PointRow>(
    `SELECT c.id, c.number, c.status, c.clock_colour, c.category_code, c.urgent, c.created_at, ST_X(c.location) AS lng, ST_Y(c.location) AS lat
       FROM cases c WHERE ${where.join(' AND ')}
      ORDER BY c.created_at DESC LIMIT $5`,
    params,
  );
}

/** Open and overdue cases now per child node (by the child's code prefix). */
export async function openByChild(ex: Executor, n: NodeRow | null, childCodeLength: number) {
  const params: unknown[] = [];
  const scope = caseScope(n, params);
  return ex.query<{ code: string; open: number; overdue: number }>(
    `SELECT left(c.node_code, ${Number(childCodeLength)}) AS code, count(*)::int AS open,
            count(*) FILTER (WHERE ${OVERDUE})::int AS overdue
       FROM cases c WHERE ${scope} AND c.status NOT IN ${TERMINAL} AND length(c.node_code) >= ${Number(childCodeLength)}
      GROUP BY 1`,
    params,
  );
}

export interface ChildRow {
  code: string;
  name: string;
  level: string;
  households: number | null;
  geometry: unknown | null;
}

/** Active children of a node with their boundaries as GeoJSON (simplified for the map). */
export async function childrenWithShapes(ex: Executor, parentCode: string | null): Promise<ChildRow[]> {
  return ex.query<ChildRow>(
    `SELECT code, name, level, households,
            CASE WHEN boundary IS NULL THEN NULL ELSE ST_AsGeoJSON(ST_SimplifyPreserveTopology(boundary, 0.0002), 6)::json END AS geometry
       FROM nodes WHERE ${parentCode === null ? 'parent_code IS NULL' : 'parent_code = $1'} AND status = 'active' ORDER BY code`,
    parentCode === null ? [] : [parentCode],
  );
}

export async function namesOf(ex: Executor, codes: string[]): Promise<Map<string, { name: string; level: string }>> {
  if (!codes.length) return new Map();
  const rows = await ex.query<{ code: string; name: string; level: string }>('SELECT code, name, level FROM nodes WHERE code = ANY($1::text[])', [codes]);
  return new Map(rows.map((r) => [r.code, { name: r.name, level: r.level }]));
}

export async function departmentNames(ex: Executor, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await ex.query<{ id: number; name: string }>('SELECT id, name FROM departments WHERE id = ANY($1::bigint[])', [ids]);
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

export async function categoryNames(ex: Executor, codes: string[]): Promise<Map<string, { name_zh: string; name_en: string }>> {
  if (!codes.length) return new Map();
  const rows = await ex.query<{ code: string; name_zh: string; name_en: string }>('SELECT code, name_zh, name_en FROM categories WHERE path::text = ANY($1::text[])', [codes]);
  return new Map(rows.map((r) => [r.code, r]));
}
