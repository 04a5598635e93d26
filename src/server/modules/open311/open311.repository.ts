import type { Executor } from '../../db/db.js';

export interface ServiceRow {
  code: string;
  name_zh: string;
  name_en: string;
  description: string | null;
  keywords: string[];
  attributes: unknown[];
  group_zh: string | null;
  group_en: string | null;
  updated_at: Date;
}

/** Active categories as services; the group is the top-level category. */
export async function listServices(ex: Executor, code?: string): Promise<ServiceRow[]> {
  return ex.query<ServiceRow>(
    `SELECT k.code, k.name_zh, k.name_en, k.description, k.keywords, k.attributes, g.name_zh AS group_zh, g.name_en AS group_en, k.updated_at
       FROM categories k LEFT JOIN categories g ON g.path = subpath(k.path, 0, 1)
      WHERE k.active AND ($1::text IS NULL OR k.code = $1)
      ORDER BY k.path`,
    [code ?? null],
  );
}

export async function lastCatalogueChange(ex: Executor): Promise<Date | null> {
  const [r] = await ex.query<{ at: Date | null }>('SELECT max(updated_at) AS at FROM categories');
  return r?.at ?? null;
}

export async function isCity(ex: Executor, code: string): Promise<boolean> {
  return (await ex.query(`SELECT 1 FROM nodes WHERE code = $1 AND level = 'city'`, [code])).length > 0;
}

/** The city when the installation holds exactly one (the usual case), else undefined. */
export async function onlyCity(ex: Executor): Promise<string | undefined> {
  const rows = await ex.query<{ code: string }>(`SELECT code FROM nodes WHERE level = 'city' AND status = 'active' LIMIT 2`);
  return rows.length === 1 ? rows[0]!.code : undefined;
}

export interface RequestRow {
  id: number;
  city_code: string;
  number: string;
  status: string;
  channel: string;
  category_code: string;
  name_zh: string;
  name_en: string;
  description: string;
  rejected_reason: string | null;
  merged_into_id: number | null;
  close_reason: string | null;
  rating: string | null;
  agency: string | null;
  created_at: Date;
  updated_at: Date;
  handle_due_at: Date | null;
  accept_due_at: Date | null;
  address: string | null;
  lng: number | null;
  lat: number | null;
  node_code: string | null;
  node_path: string | null;
  handling_level: string | null;
  urgent: boolean;
  attributes: Record<string, unknown>;
}

export const REQUEST_SELECT = `SELECT c.id, c.city_code, c.number, c.status, c.channel, c.category_code, k.name_zh, k.name_en, c.description,
  c.rejected_reason, c.merged_into_id, c.close_reason, c.rating, coalesce(d.name, hn.name) AS agency,
  c.created_at, c.updated_at, c.handle_due_at, c.accept_due_at, c.address, ST_X(c.location) AS lng, ST_Y(c.location) AS lat,
  c.node_code, c.node_path::text AS node_path, c.handling_level, c.urgent, c.attributes
  FROM cases c JOIN categories k ON k.code = c.category_code
  LEFT JOIN departments d ON d.id = c.handler_department_id
  LEFT JOIN nodes hn ON hn.code = c.handler_node_code`;

/** Requests matching `where` (conditions on c and k), newest first. */
export async function listRequests(ex: Executor, where: string[], params: unknown[], limit: number, offset: number): Promise<RequestRow[]> {
  params.push(limit, offset);
  return ex.query<RequestRow>(
    `${REQUEST_SELECT} WHERE ${where.join(' AND ') || 'TRUE'} ORDER BY c.created_at DESC, c.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
}

export interface EventRow {
  city_code: string;
  case_id: number;
  seq: number;
  at: Date;
  action: string;
  to_status: string | null;
  note: string | null;
  data: Record<string, unknown> | null;
}

/** Timeline entries of the given cases (one city per call: the key leads with city_code). */
export async function eventsOf(ex: Executor, cityCode: string, ids: number[]): Promise<EventRow[]> {
  return ex.query<EventRow>(
    `SELECT city_code, case_id, seq, at, action, to_status, note, data FROM case_events
      WHERE city_code = $1 AND case_id = ANY($2::bigint[]) ORDER BY case_id, seq`,
    [cityCode, ids],
  );
}

/** Timeline entries after the report, between two times, of cases matching `where`. */
export async function listUpdates(ex: Executor, where: string[], params: unknown[], limit: number): Promise<(EventRow & { case_status: string })[]> {
  params.push(limit);
  return ex.query(
    `SELECT e.city_code, e.case_id, e.seq, e.at, e.action, e.to_status, e.note, e.data, c.status AS case_status
       FROM case_events e JOIN cases c ON c.city_code = e.city_code AND c.id = e.case_id
       JOIN categories k ON k.code = c.category_code
      WHERE e.seq > 1 AND ${where.join(' AND ')}
      ORDER BY e.at, e.case_id, e.seq LIMIT $${params.length}`,
    params,
  );
}

export async function findByToken(ex: Executor, token: string): Promise<{ id: number; status: string } | undefined> {
  const rows = await ex.query<{ id: number; status: string }>(
    `SELECT id, status FROM cases WHERE channel = 'partner' AND attributes ? 'open311' AND attributes -> 'open311' ->> 'token' = $1`,
    [token],
  );
  return rows[0];
}

export async function findCommentByPartnerUpdate(ex: Executor, cityCode: string, caseId: number, partnerId: number, updateId: string): Promise<number | undefined> {
  const rows = await ex.query<{ seq: number }>(
    `SELECT seq FROM case_events WHERE city_code = $1 AND case_id = $2 AND action = 'comment'
        AND data ->> 'partnerId' = $3 AND data ->> 'partnerUpdateId' = $4`,
    [cityCode, caseId, String(partnerId), updateId],
  );
  return rows[0]?.seq;
}

export async function setCategoryAttributes(ex: Executor, code: string, attributes: unknown[]): Promise<boolean> {
  const rows = await ex.query(`UPDATE categories SET attributes = $2::jsonb, updated_at = now() WHERE code = $1 RETURNING code`, [code, JSON.stringify(attributes)]);
  return rows.length > 0;
}

export async function categoryAttributes(ex: Executor, code: string): Promise<{ code: string; name_zh: string; name_en: string; attributes: unknown[] } | undefined> {
  return (await ex.query<{ code: string; name_zh: string; name_en: string; attributes: unknown[] }>('SELECT code, name_zh, name_en, attributes FROM categories WHERE code = $1', [code]))[0];
}
