/**
 * SQL of the monthly review. Every case query is bounded by city code, the
 * subtree (node_path <@ the node) and a report-time window, and leaves out
 * merged duplicates and cancelled reports: a duplicate is the same report
 * twice, not the problem coming back.
 */
import type { Executor } from '../../db/db.js';

export interface NodeRow {
  city_code: string;
  code: string;
  name: string;
  level: string;
  path: string;
}

export async function findNode(ex: Executor, code: string): Promise<NodeRow | undefined> {
  const [n] = await ex.query<NodeRow>(`SELECT city_code, code, name, level, path::text AS path FROM nodes WHERE code = $1`, [code]);
  return n;
}

/** The window: $1 city, $2 node path, $3 from, $4 to. */
const IN_WINDOW = `c.city_code = $1 AND c.node_path <@ $2::ltree AND c.created_at >= $3 AND c.created_at < $4 AND c.status NOT IN ('merged','cancelled')`;

export interface Window {
  city: string;
  path: string;
  /** Start of the previous month (counts for comparison start here). */
  prevFrom: Date;
  from: Date;
  to: Date;
}

export interface CountRow {
  code: string;
  name_zh: string;
  name_en: string;
  count: number;
  previous_count: number;
}

/** Reports per (leaf) category, this month and last. */
export async function countByCategory(ex: Executor, w: Window): Promise<CountRow[]> {
  return ex.query<CountRow>(
    `SELECT c.category_code AS code, k.name_zh, k.name_en,
            count(*) FILTER (WHERE c.created_at >= $5) AS count,
            count(*) FILTER (WHERE c.created_at < $5) AS previous_count
       FROM cases c JOIN categories k ON k.code = c.category_code
      WHERE ${IN_WINDOW}
      GROUP BY c.category_code, k.name_zh, k.name_en`,
    [w.city, w.path, w.prevFrom, w.to, w.from],
  );
}

export interface PlaceRow {
  code: string;
  name: string;
  level: string;
  count: number;
  previous_count: number;
}

/** Reports per node they sit in (the grid, or the deepest node placed), this month and last. */
export async function countByNode(ex: Executor, w: Window): Promise<PlaceRow[]> {
  return ex.query<PlaceRow>(
    `SELECT c.node_code AS code, n.name, n.level,
            count(*) FILTER (WHERE c.created_at >= $5) AS count,
            count(*) FILTER (WHERE c.created_at < $5) AS previous_count
       FROM cases c JOIN nodes n ON n.city_code = c.city_code AND n.code = c.node_code
      WHERE ${IN_WINDOW}
      GROUP BY c.node_code, n.name, n.level`,
    [w.city, w.path, w.prevFrom, w.to, w.from],
  );
}

/** Addresses given in two or more reports of the month, spaces and letter case ignored. */
export async function topAddresses(ex: Executor, w: Window, limit: number): Promise<{ address: string; count: number }[]> {
  return ex.query(
    `SELECT min(c.address) AS address, count(*) AS count
       FROM cases c
      WHERE ${IN_WINDOW} AND c.address IS NOT NULL AND btrim(c.address) <> ''
      GROUP BY lower(regexp_replace(c.address, '\\s+', '', 'g'))
     HAVING count(*) >= 2
      ORDER BY count(*) DESC, min(c.address)
      LIMIT $5`,
    [w.city, w.path, w.from, w.to, limit],
  );
}

export interface CaseTextRow {
  id: number;
  number: string;
  status: string;
  category_code: string;
  description: string;
  address: string | null;
  node_code: string | null;
  node_name: string | null;
  created_at: Date;
  total: number;
  located: number;
}

/**
 * The month's reports for text grouping: the latest `limit` of them, oldest
 * first (so a group's first case is its earliest), with the month's total
 * and located counts on every row.
 */
export async function monthCases(ex: Executor, w: Window, limit: number, only?: { categoryCode: string; ids?: readonly number[] }): Promise<CaseTextRow[]> {
  const params: unknown[] = [w.city, w.path, w.from, w.to, limit];
  let extra = '';
  if (only) {
    params.push(only.categoryCode);
    extra += ` AND c.category_code = $${params.length}`;
    if (only.ids) {
      params.push(only.ids);
      extra += ` AND c.id = ANY($${params.length}::bigint[])`;
    }
  }
  return ex.query<CaseTextRow>(
    `SELECT * FROM (
       SELECT c.id, c.number, c.status, c.category_code, c.description, c.address, c.node_code, n.name AS node_name, c.created_at,
              count(*) OVER () AS total, count(c.location) OVER () AS located
         FROM cases c LEFT JOIN nodes n ON n.city_code = c.city_code AND n.code = c.node_code
        WHERE ${IN_WINDOW}${extra}
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT $5) x
      ORDER BY created_at, id`,
    params,
  );
}

export interface ClusterRow {
  id: number;
  cluster: number;
  lng: number;
  lat: number;
  created_at: Date;
}

/**
 * Spatial clusters of the month's located reports: DBSCAN (ST_ClusterDBSCAN,
 * on both engines) on lng/lat scaled to metres around each point (x by
 * cos(lat)), so `eps` is in metres with no projection library. Reports in no
 * cluster are left out.
 */
export async function spatialClusters(ex: Executor, w: Window, epsM: number, minPoints: number, limit: number): Promise<ClusterRow[]> {
  return ex.query<ClusterRow>(
    `SELECT id, cluster, lng, lat, created_at FROM (
       SELECT c.id, c.created_at, ST_X(c.location) AS lng, ST_Y(c.location) AS lat,
              ST_ClusterDBSCAN(ST_MakePoint(ST_X(c.location) * $7 * cos(radians(ST_Y(c.location))), ST_Y(c.location) * $7),
                               eps := $5::float8, minpoints := $6::int) OVER () AS cluster
         FROM (SELECT * FROM cases c WHERE ${IN_WINDOW} AND c.location IS NOT NULL ORDER BY c.created_at DESC LIMIT $8) c
     ) x
     WHERE cluster IS NOT NULL
     ORDER BY cluster, created_at, id`,
    [w.city, w.path, w.from, w.to, epsM, minPoints, 111_195.08, limit],
  );
}

/** Case references by id (in one city), with their node names. */
export async function casesByIds(ex: Executor, city: string, ids: readonly number[]): Promise<CaseTextRow[]> {
  if (ids.length === 0) return [];
  return ex.query<CaseTextRow>(
    `SELECT c.id, c.number, c.status, c.category_code, c.description, c.address, c.node_code, n.name AS node_name, c.created_at,
            0 AS total, 0 AS located
       FROM cases c LEFT JOIN nodes n ON n.city_code = c.city_code AND n.code = c.node_code
      WHERE c.city_code = $1 AND c.id = ANY($2::bigint[])
      ORDER BY c.created_at, c.id`,
    [city, ids],
  );
}

export interface CategoryRow {
  code: string;
  name_zh: string;
  name_en: string;
  path: string;
}

export async function categories(ex: Executor, codes: readonly string[]): Promise<CategoryRow[]> {
  if (codes.length === 0) return [];
  return ex.query<CategoryRow>(`SELECT code, name_zh, name_en, path::text AS path FROM categories WHERE code = ANY($1::text[])`, [codes]);
}

// ---------------------------------------------------------------- follow-up items

export interface ItemRow {
  city_code: string;
  id: number;
  node_code: string;
  node_path: string;
  node_name: string;
  node_level: string;
  month: string;
  category_code: string;
  category_name_zh: string;
  category_name_en: string;
  category_path: string;
  title: string;
  keywords: string[];
  case_ids: number[];
  samples: string[];
  threshold: number;
  status: 'open' | 'in_progress' | 'solved' | 'dropped';
  note_seq: number;
  created_by_name: string | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

// bigint[] goes out as jsonb: the pg driver's int8[] parser is not usable (pg.types.arrayParser is an object in pg 8.23).
const ITEM_SELECT = `SELECT i.city_code, i.id, i.node_code, i.node_path::text AS node_path, n.name AS node_name, n.level AS node_level,
    to_char(i.month, 'YYYY-MM') AS month, i.category_code, k.name_zh AS category_name_zh, k.name_en AS category_name_en, k.path::text AS category_path,
    i.title, i.keywords, to_jsonb(i.case_ids) AS case_ids, i.samples, i.threshold, i.status, i.note_seq, i.created_by_name, i.created_at, i.updated_at, i.closed_at
  FROM analysis_items i
  JOIN nodes n ON n.city_code = i.city_code AND n.code = i.node_code
  JOIN categories k ON k.code = i.category_code`;

export async function findItem(ex: Executor, id: number): Promise<ItemRow | undefined> {
  const [r] = await ex.query<ItemRow>(`${ITEM_SELECT} WHERE i.id = $1`, [id]);
  return r;
}

/** Items whose node lies under `path` (a condition built by whereInScope on i.node_path may narrow further). */
export async function listItems(ex: Executor, where: string, params: unknown[]): Promise<ItemRow[]> {
  return ex.query<ItemRow>(`${ITEM_SELECT} WHERE ${where} ORDER BY i.created_at DESC, i.id DESC LIMIT 500`, params);
}

/** Items of a city that contain any of these cases (to show a group as already followed). */
export async function itemsWithCases(ex: Executor, city: string, caseIds: readonly number[]): Promise<{ id: number; status: ItemRow['status']; title: string; case_ids: number[] }[]> {
  if (caseIds.length === 0) return [];
  return ex.query(`SELECT id, status, title, to_jsonb(case_ids) AS case_ids FROM analysis_items WHERE city_code = $1 AND case_ids && $2::bigint[] ORDER BY id`, [city, caseIds]);
}

export interface NewItem {
  city: string;
  nodeCode: string;
  nodePath: string;
  month: string;
  categoryCode: string;
  title: string;
  keywords: string[];
  caseIds: number[];
  samples: string[];
  threshold: number;
  actorId: string;
  actorName: string;
}

export async function insertItem(ex: Executor, it: NewItem): Promise<number> {
  const [r] = await ex.query<{ id: number }>(
    `INSERT INTO analysis_items (city_code, node_code, node_path, month, category_code, title, keywords, case_ids, samples, threshold, created_by, created_by_name)
     VALUES ($1, $2, $3::ltree, ($4 || '-01')::date, $5, $6, $7::text[], $8::bigint[], $9::text[], $10, $11, $12) RETURNING id`,
    [it.city, it.nodeCode, it.nodePath, it.month, it.categoryCode, it.title, it.keywords, it.caseIds, it.samples, it.threshold, it.actorId, it.actorName],
  );
  return r!.id;
}

/**
 * Changes status and/or title only if the item is still at note `seq` (the
 * version the caller read); appends the note entry. Undefined when someone
 * else changed it first.
 */
export async function updateItem(
  ex: Executor,
  item: Pick<ItemRow, 'city_code' | 'id' | 'note_seq' | 'status'>,
  patch: { status?: ItemRow['status']; title?: string; note?: string; actorId: string; actorName: string },
): Promise<number | undefined> {
  const [r] = await ex.query<{ note_seq: number }>(
    `UPDATE analysis_items SET status = coalesce($4, status), title = coalesce($5, title), note_seq = note_seq + 1, updated_at = now(),
        closed_at = CASE WHEN coalesce($4, status) IN ('solved','dropped') THEN coalesce(closed_at, now()) ELSE NULL END
      WHERE city_code = $1 AND id = $2 AND note_seq = $3 RETURNING note_seq`,
    [item.city_code, item.id, item.note_seq, patch.status ?? null, patch.title ?? null],
  );
  if (!r) return undefined;
  await appendNote(ex, { city: item.city_code, itemId: item.id, seq: r.note_seq, actorId: patch.actorId, actorName: patch.actorName, from: patch.status ? item.status : null, to: patch.status ?? null, note: patch.note ?? null });
  return r.note_seq;
}

export async function appendNote(
  ex: Executor,
  n: { city: string; itemId: number; seq: number; actorId: string; actorName: string; from: string | null; to: string | null; note: string | null },
): Promise<void> {
  await ex.query(
    `INSERT INTO analysis_item_notes (city_code, item_id, seq, actor_id, actor_name, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [n.city, n.itemId, n.seq, n.actorId, n.actorName, n.from, n.to, n.note],
  );
}

export async function setNoteSeq(ex: Executor, city: string, id: number, seq: number): Promise<void> {
  await ex.query(`UPDATE analysis_items SET note_seq = $3 WHERE city_code = $1 AND id = $2`, [city, id, seq]);
}

export interface NoteRow {
  seq: number;
  at: Date;
  actor_name: string | null;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
}

export async function notes(ex: Executor, city: string, itemId: number): Promise<NoteRow[]> {
  return ex.query<NoteRow>(`SELECT seq, at, actor_name, from_status, to_status, note FROM analysis_item_notes WHERE city_code = $1 AND item_id = $2 ORDER BY seq`, [city, itemId]);
}

/**
 * Candidate later reports for an item: same category subtree, same node
 * subtree, reported from `from` on, not in the group already; newest first.
 */
export async function laterCases(ex: Executor, it: Pick<ItemRow, 'city_code' | 'node_path' | 'category_path' | 'case_ids'>, from: Date, limit: number): Promise<CaseTextRow[]> {
  return ex.query<CaseTextRow>(
    `SELECT c.id, c.number, c.status, c.category_code, c.description, c.address, c.node_code, n.name AS node_name, c.created_at, 0 AS total, 0 AS located
       FROM cases c LEFT JOIN nodes n ON n.city_code = c.city_code AND n.code = c.node_code
      WHERE c.city_code = $1 AND c.node_path <@ $2::ltree AND c.category_path <@ $3::ltree AND c.created_at >= $4
        AND c.status NOT IN ('merged','cancelled') AND NOT (c.id = ANY($5::bigint[]))
      ORDER BY c.created_at DESC, c.id DESC
      LIMIT $6`,
    [it.city_code, it.node_path, it.category_path, from, it.case_ids, limit],
  );
}
