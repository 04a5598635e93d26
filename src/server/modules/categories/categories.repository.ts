/** SQL of the case categories (事件分类). Every function takes the executor it is given. */
import type { Executor } from '../../db/db.js';
import type { CategoryKind } from '../../../domain/category-catalogue.js';
import type { Deadlines, HandlingLevel } from '../../../domain/routing.js';

export interface CategoryRow {
  code: string;
  path: string;
  parent_code: string | null;
  name_zh: string;
  name_en: string;
  description: string | null;
  kind: CategoryKind;
  default_level: HandlingLevel;
  default_deadlines: Deadlines;
  default_department_kind: string | null;
  photo_required_on_resolve: boolean;
  duplicate_radius_m: number;
  duplicate_window_hours: number;
  keywords: string[];
  attributes: unknown[];
  active: boolean;
  sort: number;
  updated_at: Date;
}

const COLUMNS = `code, path::text AS path, parent_code, name_zh, name_en, description, kind, default_level, default_deadlines,
  default_department_kind, photo_required_on_resolve, duplicate_radius_m, duplicate_window_hours, keywords, attributes,
  active, sort, updated_at`;

/** All categories (or only active/inactive ones), parents before children, siblings by sort then code. */
export function listCategories(ex: Executor, active?: boolean): Promise<CategoryRow[]> {
  return ex.query<CategoryRow>(
    `SELECT ${COLUMNS} FROM categories WHERE ($1::boolean IS NULL OR active = $1) ORDER BY nlevel(path), sort, code`,
    [active ?? null],
  );
}

export async function findCategory(ex: Executor, code: string): Promise<CategoryRow | undefined> {
  const [row] = await ex.query<CategoryRow>(`SELECT ${COLUMNS} FROM categories WHERE code = $1`, [code]);
  return row;
}

/** The category and everything under it, parents first. */
export function findSubtree(ex: Executor, path: string): Promise<CategoryRow[]> {
  return ex.query<CategoryRow>(`SELECT ${COLUMNS} FROM categories WHERE path <@ $1::ltree ORDER BY nlevel(path), sort, code`, [path]);
}

export interface NewCategory {
  code: string;
  parentCode: string | null;
  nameZh: string;
  nameEn: string;
  description: string | null;
  kind: CategoryKind;
  defaultLevel: HandlingLevel;
  defaultDeadlines: Deadlines;
  defaultDepartmentKind: string | null;
  photoRequiredOnResolve: boolean;
  duplicateRadiusM: number;
  duplicateWindowHours: number;
  keywords: string[];
  active: boolean;
  sort: number;
}

/** Inserts a category; false when the code is taken (a concurrent create). */
export async function insertCategory(ex: Executor, c: NewCategory): Promise<boolean> {
  const rows = await ex.query(
    `INSERT INTO categories (code, path, parent_code, name_zh, name_en, description, kind, default_level, default_deadlines,
       default_department_kind, photo_required_on_resolve, duplicate_radius_m, duplicate_window_hours, keywords, active, sort)
     VALUES ($1, $16::ltree, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13::text[], $14, $15)
     ON CONFLICT (code) DO NOTHING RETURNING code`,
    [
      c.code,
      c.parentCode,
      c.nameZh,
      c.nameEn,
      c.description,
      c.kind,
      c.defaultLevel,
      JSON.stringify(c.defaultDeadlines),
      c.defaultDepartmentKind,
      c.photoRequiredOnResolve,
      c.duplicateRadiusM,
      c.duplicateWindowHours,
      c.keywords,
      c.active,
      c.sort,
      c.code,
    ],
  );
  return rows.length === 1;
}

/** Column → value of the fields to change (column names come from the service, never from input). */
export async function updateCategory(ex: Executor, code: string, set: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(set);
  if (!cols.length) return;
  const assignments = cols.map((c, i) => `${c} = $${i + 2}${c === 'default_deadlines' ? '::jsonb' : c === 'keywords' ? '::text[]' : ''}`);
  const values = cols.map((c) => (c === 'default_deadlines' ? JSON.stringify(set[c]) : set[c]));
  await ex.query(`UPDATE categories SET ${assignments.join(', ')}, updated_at = now() WHERE code = $1`, [code, ...values]);
}

/** Sets `active` on the category at `path` and every category under it; returns the codes that changed. */
export async function setSubtreeActive(ex: Executor, path: string, active: boolean): Promise<string[]> {
  const rows = await ex.query<{ code: string }>(
    `UPDATE categories SET active = $2, updated_at = now() WHERE path <@ $1::ltree AND active <> $2 RETURNING code`,
    [path, active],
  );
  return rows.map((r) => r.code);
}
