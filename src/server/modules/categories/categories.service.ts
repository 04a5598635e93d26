/**
 * Use cases of the case categories (事件分类). The catalogue is reference data
 * shared by every part of the tree (and every city of an installation), so
 * reading needs only `category.read` (residents pick a category when they
 * report) and changing it needs `category.manage` held at city level or above:
 * a district administrator may not change what the whole city reports under.
 *
 * Deactivation is a subtree operation: deactivating a category deactivates
 * every category under it, reactivating one reactivates its subtree, and a
 * category cannot be reactivated while its parent is inactive. Inactive
 * categories stay in the database (cases and responsibility entries point at
 * them); they are refused for new cases by routing.
 */
import type { Ctx } from '../../context.js';
import { AppError, fieldError, type FieldError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import { deadlineProblems, MAX_CATEGORY_DEPTH } from '../../../domain/category-catalogue.js';
import { ROLE_PERMISSIONS, type Actor, type Permission } from '../../../domain/permissions.js';
import type { Deadlines } from '../../../domain/routing.js';
import * as repo from './categories.repository.js';
import type { CreateCategoryBody, ListCategoriesQuery, UpdateCategoryBody } from './categories.schemas.js';

export interface CategoryDto {
  code: string;
  parentCode: string | null;
  depth: number;
  nameZh: string;
  nameEn: string;
  description: string | null;
  kind: string;
  defaultLevel: string;
  defaultDeadlines: Deadlines;
  defaultDepartmentKind: string | null;
  photoRequiredOnResolve: boolean;
  duplicateRadiusM: number;
  duplicateWindowHours: number;
  keywords: string[];
  attributes: unknown[];
  active: boolean;
  sort: number;
  updatedAt: string;
}
export type CategoryTreeDto = CategoryDto & { children: CategoryTreeDto[] };

export function presentCategory(r: repo.CategoryRow): CategoryDto {
  return {
    code: r.code,
    parentCode: r.parent_code,
    depth: r.path.split('.').length,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    description: r.description,
    kind: r.kind,
    defaultLevel: r.default_level,
    defaultDeadlines: r.default_deadlines,
    defaultDepartmentKind: r.default_department_kind,
    photoRequiredOnResolve: r.photo_required_on_resolve,
    duplicateRadiusM: r.duplicate_radius_m,
    duplicateWindowHours: r.duplicate_window_hours,
    keywords: r.keywords,
    attributes: r.attributes,
    active: r.active,
    sort: r.sort,
    updatedAt: r.updated_at.toISOString(),
  };
}

/** Nests rows (parents first) into trees; a row whose parent is not among them becomes a root. */
function buildTree(rows: repo.CategoryRow[]): CategoryTreeDto[] {
  const byCode = new Map<string, CategoryTreeDto>();
  const roots: CategoryTreeDto[] = [];
  for (const r of rows) {
    const n: CategoryTreeDto = { ...presentCategory(r), children: [] };
    byCode.set(r.code, n);
    const parent = r.parent_code ? byCode.get(r.parent_code) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  return roots;
}

function flattenTree(nodes: CategoryTreeDto[], out: CategoryDto[] = []): CategoryDto[] {
  for (const { children, ...c } of nodes) {
    out.push(c);
    flattenTree(children, out);
  }
  return out;
}

/**
 * True when the actor holds `perm` through a grant at city level or above
 * (whole tree, province or city): the grant's path has at most two labels.
 */
export function holdsCityWide(actor: Actor, perm: Permission): boolean {
  return actor.grants.some((g) => ROLE_PERMISSIONS[g.role].includes(perm) && (g.nodePath === '' || g.nodePath.split('.').length <= 2));
}

function authorizeManage(ctx: Ctx): void {
  if (!holdsCityWide(ctx.actor, 'category.manage')) {
    throw new AppError('FORBIDDEN', 'The category catalogue is shared by the whole city: only an administrator at city level or above may change it.');
  }
}

const notFound = (code: string) => new AppError('NOT_FOUND', `No category ${code}.`);

function failIfProblems(problems: FieldError[]): void {
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

/** The catalogue as a tree (default) or a flat list in tree order. */
export async function listCategories(ctx: Pick<Ctx, 'db'>, q: ListCategoriesQuery): Promise<{ items: CategoryDto[] | CategoryTreeDto[] }> {
  const tree = buildTree(await repo.listCategories(ctx.db, q.active));
  return { items: q.flat ? flattenTree(tree) : tree };
}

/** One category with its subtree. Throws NOT_FOUND. */
export async function getCategory(ctx: Pick<Ctx, 'db'>, code: string): Promise<CategoryTreeDto> {
  const c = await repo.findCategory(ctx.db, code);
  if (!c) throw notFound(code);
  return buildTree(await repo.findSubtree(ctx.db, c.path))[0]!;
}

/**
 * Creates a category under `parentCode` (or at top level), inheriting the
 * parent's defaults for what the body leaves out.
 * Throws FORBIDDEN, VALIDATION_FAILED (parentCode, kind, defaultLevel, defaultDeadlines…), DUPLICATE.
 */
export async function createCategory(ctx: Ctx, input: CreateCategoryBody): Promise<CategoryTreeDto> {
  authorizeManage(ctx);
  const parent = input.parentCode ? await repo.findCategory(ctx.db, input.parentCode) : undefined;
  if (input.parentCode && !parent) throw fieldError('parentCode', 'no such category');
  if (parent && !parent.active) throw fieldError('parentCode', 'the parent category is inactive; reactivate it first');
  const code = parent ? `${parent.code}.${input.label}` : input.label;
  if (code.split('.').length > MAX_CATEGORY_DEPTH) throw fieldError('parentCode', `categories nest at most ${MAX_CATEGORY_DEPTH} levels deep`);
  if (code.length > 160) throw fieldError('label', 'the resulting code is longer than 160 characters');
  const problems: FieldError[] = [];
  for (const f of ['kind', 'defaultLevel', 'defaultDeadlines'] as const) {
    if (!parent && input[f] === undefined) problems.push({ field: f, reason: 'is required for a top-level category' });
  }
  failIfProblems(problems);
  const deadlines = input.defaultDeadlines ?? parent!.default_deadlines;
  failIfProblems(deadlineProblems(deadlines, 'defaultDeadlines'));
  const row: repo.NewCategory = {
    code,
    parentCode: parent?.code ?? null,
    nameZh: input.nameZh,
    nameEn: input.nameEn,
    description: input.description ?? null,
    kind: input.kind ?? parent!.kind,
    defaultLevel: input.defaultLevel ?? parent!.default_level,
    defaultDeadlines: deadlines,
    defaultDepartmentKind: input.defaultDepartmentKind !== undefined ? input.defaultDepartmentKind : (parent?.default_department_kind ?? null),
    photoRequiredOnResolve: input.photoRequiredOnResolve ?? parent?.photo_required_on_resolve ?? false,
    duplicateRadiusM: input.duplicateRadiusM ?? parent?.duplicate_radius_m ?? 50,
    duplicateWindowHours: input.duplicateWindowHours ?? parent?.duplicate_window_hours ?? 72,
    keywords: input.keywords ?? [],
    active: input.active ?? true,
    sort: input.sort ?? 0,
  };
  await ctx.db.transaction(async (trx) => {
    if (!(await repo.insertCategory(trx, row))) {
      throw new AppError('DUPLICATE', `label: a category ${code} exists already`, [{ field: 'label', reason: `${code} exists already` }]);
    }
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'category.create', resource: 'categories', resourceId: code, result: 'ok', detail: { ...row } });
  });
  return getCategory(ctx, code);
}

const COLUMN: Record<Exclude<keyof UpdateCategoryBody, 'active'>, string> = {
  nameZh: 'name_zh',
  nameEn: 'name_en',
  description: 'description',
  defaultLevel: 'default_level',
  defaultDeadlines: 'default_deadlines',
  defaultDepartmentKind: 'default_department_kind',
  photoRequiredOnResolve: 'photo_required_on_resolve',
  duplicateRadiusM: 'duplicate_radius_m',
  duplicateWindowHours: 'duplicate_window_hours',
  keywords: 'keywords',
  sort: 'sort',
};

/**
 * Changes a category's names, defaults, duplicate settings, keywords, order or
 * `active` (which applies to its subtree). Responsibility entries and cases
 * keep what they copied. Throws FORBIDDEN, NOT_FOUND, VALIDATION_FAILED, CONFLICT
 * (reactivating under an inactive parent).
 */
export async function updateCategory(ctx: Ctx, code: string, input: UpdateCategoryBody): Promise<CategoryTreeDto> {
  authorizeManage(ctx);
  const c = await repo.findCategory(ctx.db, code);
  if (!c) throw notFound(code);
  if (input.defaultDeadlines) failIfProblems(deadlineProblems(input.defaultDeadlines, 'defaultDeadlines'));
  if (input.active === true && c.parent_code) {
    const parent = await repo.findCategory(ctx.db, c.parent_code);
    if (parent && !parent.active) {
      throw new AppError('CONFLICT', `active: the parent category ${parent.code} is inactive; reactivate it first`, [{ field: 'active', reason: `parent ${parent.code} is inactive` }]);
    }
  }
  const set: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(COLUMN) as [keyof typeof COLUMN, string][]) if (input[k] !== undefined) set[col] = input[k];
  await ctx.db.transaction(async (trx) => {
    await repo.updateCategory(trx, code, set);
    const toggled = input.active === undefined ? [] : await repo.setSubtreeActive(trx, c.path, input.active);
    const before = Object.fromEntries(Object.entries(COLUMN).filter(([k]) => k in input).map(([k]) => [k, presentCategory(c)[k as keyof CategoryDto]]));
    await writeAudit(trx, {
      actorId: ctx.actor.userId,
      actorName: ctx.actor.name,
      ip: ctx.ip,
      action: 'category.update',
      resource: 'categories',
      resourceId: code,
      result: 'ok',
      detail: { before, changes: input, ...(input.active !== undefined ? { activeChanged: toggled } : {}) },
    });
  });
  return getCategory(ctx, code);
}
