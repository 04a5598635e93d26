import type { Executor } from '../../db/db.js';

export interface CareSubjectRow {
  id: number;
  name: string;
  household_id: number | null;
  address: string | null;
  node_code: string;
  tags: string[];
  created_at: Date;
  last_visit_at: Date | null;
}

/**
 * Active residents under `where` (a condition on r.node_path) with at least one
 * tag that needs visits, and their last visit (one index probe each).
 */
export async function careSubjects(ex: Executor, where: string, params: unknown[]): Promise<CareSubjectRow[]> {
  return ex.query<CareSubjectRow>(
    `SELECT r.id, r.name, r.household_id, h.address, r.node_code, r.tags, r.created_at, lv.visited_at AS last_visit_at
       FROM residents r
       LEFT JOIN households h ON h.id = r.household_id
       LEFT JOIN LATERAL (SELECT v.visited_at FROM visits v WHERE v.resident_id = r.id ORDER BY v.visited_at DESC LIMIT 1) lv ON true
      WHERE r.status = 'active' AND ${where}
        AND r.tags && (SELECT array_agg(code) FROM tag_kinds WHERE visit_every_days IS NOT NULL)`,
    params,
  );
}

export async function tagFrequencies(ex: Executor): Promise<Map<string, number | null>> {
  const rows = await ex.query<{ code: string; visit_every_days: number | null }>('SELECT code, visit_every_days FROM tag_kinds');
  return new Map(rows.map((r) => [r.code, r.visit_every_days]));
}

export interface ResidentRow {
  id: number;
  city_code: string;
  name: string;
  household_id: number | null;
  node_code: string;
  node_path: string;
  status: string;
}

export async function findResident(ex: Executor, id: number): Promise<ResidentRow | undefined> {
  const [r] = await ex.query<ResidentRow>('SELECT id, city_code, name, household_id, node_code, node_path::text AS node_path, status FROM residents WHERE id = $1', [id]);
  return r;
}

export async function findNode(ex: Executor, code: string): Promise<{ code: string; path: string; name: string; level: string } | undefined> {
  const [n] = await ex.query<{ code: string; path: string; name: string; level: string }>('SELECT code, path::text AS path, name, level FROM nodes WHERE code = $1', [code]);
  return n;
}

export interface VisitRow {
  id: number;
  resident_id: number;
  resident_name: string;
  node_code: string;
  visitor_id: string;
  visitor_name: string;
  visited_at: Date;
  kind: string;
  lng: number | null;
  lat: number | null;
  findings: string;
  photos: string[];
  case_id: number | null;
}

const SELECT_VISIT = `SELECT v.id, v.resident_id, r.name AS resident_name, v.node_code, v.visitor_id, u.display_name AS visitor_name, v.visited_at, v.kind,
    ST_X(v.location) AS lng, ST_Y(v.location) AS lat, v.findings, v.photos, v.case_id
  FROM visits v JOIN residents r ON r.id = v.resident_id JOIN users u ON u.id = v.visitor_id`;

export async function insertVisit(
  ex: Executor,
  v: { cityCode: string; residentId: number; householdId: number | null; nodeCode: string; nodePath: string; visitorId: string; visitedAt: Date; kind: string; lng: number | null; lat: number | null; findings: string; photos: string[]; caseId: number | null },
): Promise<VisitRow> {
  const [row] = await ex.query<{ id: number }>(
    `INSERT INTO visits (city_code, resident_id, household_id, node_code, node_path, visitor_id, visited_at, kind, location, findings, photos, case_id)
     VALUES ($1, $2, $3, $4, $5::ltree, $6, $7, $8, CASE WHEN $9::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($9::float8, $10::float8), 4326) END, $11, $12::jsonb, $13)
     RETURNING id`,
    [v.cityCode, v.residentId, v.householdId, v.nodeCode, v.nodePath, v.visitorId, v.visitedAt, v.kind, v.lng, v.lat, v.findings, JSON.stringify(v.photos), v.caseId],
  );
  return (await ex.query<VisitRow>(`${SELECT_VISIT} WHERE v.id = $1`, [row!.id]))[0]!;
}

export async function listVisits(ex: Executor, where: string, params: unknown[], limit: number): Promise<VisitRow[]> {
  params.push(limit);
  return ex.query<VisitRow>(`${SELECT_VISIT} WHERE ${where} ORDER BY v.visited_at DESC, v.id DESC LIMIT $${params.length}`, params);
}

/** Visits recorded per grid since `since`, under a node path. */
export async function visitsPerGrid(ex: Executor, path: string | null, since: Date): Promise<Map<string, number>> {
  const rows = await ex.query<{ node_code: string; n: number }>(
    `SELECT node_code, count(*)::int AS n FROM visits WHERE visited_at >= $1 AND ($2::ltree IS NULL OR node_path <@ $2::ltree) GROUP BY node_code`,
    [since, path],
  );
  return new Map(rows.map((r) => [r.node_code, Number(r.n)]));
}

export async function nodeNames(ex: Executor, codes: string[]): Promise<Map<string, string>> {
  if (!codes.length) return new Map();
  const rows = await ex.query<{ code: string; name: string }>('SELECT code, name FROM nodes WHERE code = ANY($1::text[])', [codes]);
  return new Map(rows.map((r) => [r.code, r.name]));
}
