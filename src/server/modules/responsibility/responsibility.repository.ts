/** SQL of the responsibility list (责任清单) and the calendar overrides. Every function takes the executor it is given. */
import type { Executor } from '../../db/db.js';
import { cityCodeOf } from '../../../domain/tree.js';
import type { Deadlines, HandlingLevel, LeadUnit, ResponsibilityEntry } from '../../../domain/routing.js';

export interface EntryRow {
  id: number;
  city_code: string;
  node_code: string;
  node_path: string;
  node_name: string;
  category_code: string;
  category_path: string;
  category_name_zh: string;
  category_name_en: string;
  handling_level: HandlingLevel;
  lead: LeadUnit;
  co_handlers: string[];
  deadlines: Deadlines;
  auto_dispatch: boolean;
  note: string | null;
  created_at: Date;
  updated_at: Date;
  updated_by: string | null;
}

const SELECT = `SELECT e.id, e.city_code, e.node_code, e.node_path::text AS node_path, n.name AS node_name,
  e.category_code, e.category_path::text AS category_path, c.name_zh AS category_name_zh, c.name_en AS category_name_en,
  e.handling_level, e.lead, e.co_handlers, e.deadlines, e.auto_dispatch, e.note, e.created_at, e.updated_at, e.updated_by
  FROM responsibility_entries e
  JOIN nodes n ON n.city_code = e.city_code AND n.code = e.node_code
  JOIN categories c ON c.code = e.category_code`;

export interface ListFilter {
  /** Tops of the caller's readable subtrees; null = the whole tree. Entries at, under or above them are listed. */
  scope: string[] | null;
  nodePath?: string;
  categoryPath?: string;
  limit: number;
  offset: number;
}

/** Entries bearing on the filter, shallowest node first; with the total before paging. */
export async function listEntries(ex: Executor, f: ListFilter): Promise<{ rows: EntryRow[]; total: number }> {
  const params: unknown[] = [];
  const conds: string[] = [];
  const p = (v: unknown) => (params.push(v), `$${params.length}`);
  if (f.scope) {
    const s = p(f.scope);
    conds.push(`(e.node_path <@ ANY(${s}::ltree[]) OR e.node_path @> ANY(${s}::ltree[]))`);
  }
  if (f.nodePath !== undefined) {
    const s = p(f.nodePath);
    conds.push(`(e.node_path @> ${s}::ltree OR e.node_path <@ ${s}::ltree)`);
  }
  if (f.categoryPath !== undefined) {
    const s = p(f.categoryPath);
    conds.push(`(e.category_path @> ${s}::ltree OR e.category_path <@ ${s}::ltree)`);
  }
  const rows = await ex.query<EntryRow & { total: number }>(
    `${SELECT.replace('SELECT ', 'SELECT count(*) OVER () AS total, ')} WHERE ${conds.join(' AND ') || 'TRUE'}
     ORDER BY nlevel(e.node_path), e.node_path, e.category_path LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
    params,
  );
  return { rows, total: rows[0]?.total ?? 0 };
}

export async function findEntry(ex: Executor, id: number): Promise<EntryRow | undefined> {
  const [row] = await ex.query<EntryRow>(`${SELECT} WHERE e.id = $1`, [id]);
  return row;
}

export function findEntries(ex: Executor, ids: number[]): Promise<EntryRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return ex.query<EntryRow>(`${SELECT} WHERE e.id = ANY($1::bigint[])`, [ids]);
}

export async function findEntryId(ex: Executor, cityCode: string, nodeCode: string, categoryCode: string): Promise<number | undefined> {
  const [row] = await ex.query<{ id: number }>(
    'SELECT id FROM responsibility_entries WHERE city_code = $1 AND node_code = $2 AND category_code = $3',
    [cityCode, nodeCode, categoryCode],
  );
  return row?.id;
}

export interface NewEntry {
  cityCode: string;
  nodeCode: string;
  nodePath: string;
  categoryCode: string;
  categoryPath: string;
  handlingLevel: HandlingLevel;
  lead: LeadUnit;
  coHandlers: string[];
  deadlines: Deadlines;
  autoDispatch: boolean;
  note: string | null;
  updatedBy: string;
}

/** Inserts an entry; undefined when one exists for the same (node, category). */
export async function insertEntry(ex: Executor, e: NewEntry): Promise<number | undefined> {
  const [row] = await ex.query<{ id: number }>(
    `INSERT INTO responsibility_entries (city_code, node_code, node_path, category_code, category_path, handling_level, lead,
       co_handlers, deadlines, auto_dispatch, note, updated_by)
     VALUES ($1, $2, $3::ltree, $4, $5::ltree, $6, $7::jsonb, $8::text[], $9::jsonb, $10, $11, $12)
     ON CONFLICT (city_code, node_code, category_code) DO NOTHING RETURNING id`,
    [e.cityCode, e.nodeCode, e.nodePath, e.categoryCode, e.categoryPath, e.handlingLevel, JSON.stringify(e.lead), e.coHandlers, JSON.stringify(e.deadlines), e.autoDispatch, e.note, e.updatedBy],
  );
  return row?.id;
}

export interface EntryChanges {
  handlingLevel: HandlingLevel;
  lead: LeadUnit;
  coHandlers: string[];
  deadlines: Deadlines;
  autoDispatch: boolean;
  note: string | null;
  updatedBy: string;
}

export async function updateEntry(ex: Executor, id: number, c: EntryChanges): Promise<boolean> {
  const rows = await ex.query(
    `UPDATE responsibility_entries SET handling_level = $2, lead = $3::jsonb, co_handlers = $4::text[], deadlines = $5::jsonb,
       auto_dispatch = $6, note = $7, updated_by = $8, updated_at = now() WHERE id = $1 RETURNING id`,
    [id, c.handlingLevel, JSON.stringify(c.lead), c.coHandlers, JSON.stringify(c.deadlines), c.autoDispatch, c.note, c.updatedBy],
  );
  return rows.length === 1;
}

export async function deleteEntry(ex: Executor, id: number): Promise<boolean> {
  return (await ex.query('DELETE FROM responsibility_entries WHERE id = $1 RETURNING id', [id])).length === 1;
}

export interface RouteInputs {
  code: string;
  path: string;
  active: boolean;
  default_level: HandlingLevel;
  default_deadlines: Deadlines;
  default_department_kind: string | null;
  entries: ResponsibilityEntry[];
  /** Active departments on the case's path whose kind a matching entry or the category names as lead. */
  departments: { id: number; name: string; nodeCode: string; kind: string }[];
}

/**
 * Everything routing needs, in one round trip (PGlite pays ~0.8 ms per
 * statement, so intake cannot afford three): the category; every entry that
 * covers it at `nodePath` (entries at the node or above it, for the category
 * or a category above it: an indexed ltree containment, GiST on node_path);
 * and the active departments at the nodes of `nodePath` whose kind one of
 * those entries or the category's default could name as lead.
 */
export async function routeInputs(ex: Executor, categoryCode: string, nodePath: string): Promise<RouteInputs | undefined> {
  const codes = nodePath ? nodePath.split('.') : [];
  const [row] = await ex.query<RouteInputs>(
    `WITH c AS (
       SELECT code, path, active, default_level, default_deadlines, default_department_kind FROM categories WHERE code = $1
     ), m AS (
       SELECT e.id, e.node_path, e.category_path, e.handling_level, e.lead, e.co_handlers, e.deadlines, e.auto_dispatch
       FROM responsibility_entries e, c WHERE e.node_path @> $2::ltree AND e.category_path @> c.path
     )
     SELECT c.code, c.path::text AS path, c.active, c.default_level, c.default_deadlines, c.default_department_kind,
       coalesce((SELECT json_agg(json_build_object('id', m.id, 'nodePath', m.node_path::text, 'categoryPath', m.category_path::text,
                  'handlingLevel', m.handling_level, 'lead', m.lead, 'coHandlers', m.co_handlers, 'deadlines', m.deadlines,
                  'autoDispatch', m.auto_dispatch)) FROM m), '[]'::json) AS entries,
       coalesce((SELECT json_agg(json_build_object('id', d.id, 'name', d.name, 'nodeCode', d.node_code, 'kind', d.kind))
                 FROM departments d
                 WHERE d.city_code = ANY($4::text[]) AND d.node_code = ANY($3::text[]) AND d.status = 'active'
                   AND d.kind IN (SELECT m.lead->>'departmentKind' FROM m UNION ALL SELECT c.default_department_kind)), '[]'::json) AS departments
     FROM c`,
    [categoryCode, nodePath, codes, [...new Set(codes.map(cityCodeOf))]],
  );
  return row;
}

export interface NodeRow {
  city_code: string;
  code: string;
  path: string;
  name: string;
  level: string;
  status: string;
}

export async function findNode(ex: Executor, code: string): Promise<NodeRow | undefined> {
  const [row] = await ex.query<NodeRow>('SELECT city_code, code, path::text AS path, name, level, status FROM nodes WHERE city_code = $1 AND code = $2', [
    cityCodeOf(code),
    code,
  ]);
  return row;
}

export async function nodeNames(ex: Executor, codes: string[]): Promise<Map<string, string>> {
  // city_code leads the primary key: give it so the lookup is an index probe.
  const rows = await ex.query<{ code: string; name: string }>('SELECT code, name FROM nodes WHERE city_code = ANY($1::text[]) AND code = ANY($2::text[])', [
    [...new Set(codes.map(cityCodeOf))],
    codes,
  ]);
  return new Map(rows.map((r) => [r.code, r.name]));
}

export interface OverrideRow {
  day: string;
  is_workday: boolean;
  name: string | null;
}

export function listOverrides(ex: Executor, from?: string, to?: string): Promise<OverrideRow[]> {
  return ex.query<OverrideRow>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, is_workday, name FROM calendar_overrides
     WHERE ($1::date IS NULL OR day >= $1::date) AND ($2::date IS NULL OR day <= $2::date) ORDER BY day`,
    [from ?? null, to ?? null],
  );
}

export async function upsertOverride(ex: Executor, o: OverrideRow): Promise<void> {
  await ex.query(
    `INSERT INTO calendar_overrides (day, is_workday, name) VALUES ($1::date, $2, $3)
     ON CONFLICT (day) DO UPDATE SET is_workday = EXCLUDED.is_workday, name = EXCLUDED.name`,
    [o.day, o.is_workday, o.name],
  );
}

export async function deleteOverride(ex: Executor, day: string): Promise<boolean> {
  return (await ex.query('DELETE FROM calendar_overrides WHERE day = $1::date RETURNING day', [day])).length === 1;
}
