import type { Executor } from '../../db/db.js';

export interface PatrolRow {
  id: number;
  city_code: string;
  node_code: string;
  node_path: string;
  node_name: string;
  worker_id: string;
  worker_name: string;
  status: 'active' | 'ended';
  started_at: Date;
  ended_at: Date | null;
  note: string | null;
  points: number;
  distance_m: number;
}

const SELECT = `SELECT p.id, p.city_code, p.node_code, p.node_path::text AS node_path, n.name AS node_name, p.worker_id, u.display_name AS worker_name,
    p.status, p.started_at, p.ended_at, p.note,
    (SELECT count(*)::int FROM patrol_points pp WHERE pp.patrol_id = p.id) AS points,
    coalesce((SELECT ST_Length(ST_MakeLine(pp.geom ORDER BY pp.recorded_at, pp.seq, pp.client_id)::geography) FROM patrol_points pp WHERE pp.patrol_id = p.id), 0) AS distance_m
  FROM patrols p JOIN nodes n ON n.code = p.node_code JOIN users u ON u.id = p.worker_id`;

export async function findPatrol(ex: Executor, id: number): Promise<PatrolRow | undefined> {
  return (await ex.query<PatrolRow>(`${SELECT} WHERE p.id = $1`, [id]))[0];
}

export async function listPatrols(ex: Executor, where: string, params: unknown[], limit: number): Promise<PatrolRow[]> {
  params.push(limit);
  return ex.query<PatrolRow>(`${SELECT} WHERE ${where} ORDER BY p.started_at DESC, p.id DESC LIMIT $${params.length}`, params);
}

export async function activeOf(ex: Executor, workerId: string): Promise<{ id: number } | undefined> {
  return (await ex.query<{ id: number }>(`SELECT id FROM patrols WHERE worker_id = $1 AND status = 'active'`, [workerId]))[0];
}

/** Starts a patrol; undefined when the worker already has an active one (the unique index decides). */
export async function insertPatrol(ex: Executor, p: { cityCode: string; nodeCode: string; nodePath: string; workerId: string; note: string | null }): Promise<number | undefined> {
  const rows = await ex.query<{ id: number }>(
    `INSERT INTO patrols (city_code, node_code, node_path, worker_id, note) VALUES ($1, $2, $3::ltree, $4, $5)
     ON CONFLICT (worker_id) WHERE status = 'active' DO NOTHING RETURNING id`,
    [p.cityCode, p.nodeCode, p.nodePath, p.workerId, p.note],
  );
  return rows[0] ? Number(rows[0].id) : undefined;
}

export async function endPatrol(ex: Executor, id: number, note: string | null): Promise<boolean> {
  const rows = await ex.query(`UPDATE patrols SET status = 'ended', ended_at = now(), note = coalesce($2, note) WHERE id = $1 AND status = 'active' RETURNING id`, [id, note]);
  return rows.length === 1;
}

/** Stores a batch in one statement; a point already stored (same client id) is skipped. Returns how many were new. */
export async function insertPoints(ex: Executor, patrolId: number, cityCode: string, points: { id: string; seq: number | null; at: string; lng: number; lat: number; accuracy: number | null }[]): Promise<number> {
  const rows = await ex.query(
    `INSERT INTO patrol_points (patrol_id, client_id, city_code, seq, recorded_at, geom, accuracy)
     SELECT $1, p.id, $2, p.seq, p.at, ST_SetSRID(ST_MakePoint(p.lng, p.lat), 4326), p.accuracy
       FROM jsonb_to_recordset($3::jsonb) AS p(id text, seq int, at timestamptz, lng float8, lat float8, accuracy real)
     ON CONFLICT (patrol_id, client_id) DO NOTHING RETURNING client_id`,
    [patrolId, cityCode, JSON.stringify(points)],
  );
  return rows.length;
}

export async function pointCount(ex: Executor, patrolId: number): Promise<number> {
  const [r] = await ex.query<{ n: number }>('SELECT count(*)::int AS n FROM patrol_points WHERE patrol_id = $1', [patrolId]);
  return Number(r?.n ?? 0);
}

export async function trackOf(ex: Executor, patrolId: number): Promise<{ coords: [number, number][]; times: string[] }> {
  const rows = await ex.query<{ lng: number; lat: number; recorded_at: Date }>(
    `SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat, recorded_at FROM patrol_points WHERE patrol_id = $1 ORDER BY recorded_at, seq, client_id`,
    [patrolId],
  );
  return { coords: rows.map((r) => [Number(r.lng), Number(r.lat)]), times: rows.map((r) => r.recorded_at.toISOString()) };
}

export async function findingsOf(ex: Executor, patrolId: number) {
  return ex.query<{ id: number; number: string; status: string; category_code: string; description: string }>(
    `SELECT id, number, status, category_code, description FROM cases WHERE patrol_id = $1 ORDER BY id`,
    [patrolId],
  );
}
