/**
 * Schemas of the case-category API (事件分类). They validate input and feed the
 * OpenAPI document at /docs; range rules that span fields (deadlines) live in
 * src/domain/category-catalogue.ts and are checked by the service.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CATEGORY_CODE_PATTERN, CATEGORY_KINDS, CATEGORY_LABEL_PATTERN } from '../../../domain/category-catalogue.js';
import { DEPARTMENT_KINDS } from '../../../domain/departments.js';
import { HANDLING_LEVELS } from '../../../domain/routing.js';

/** A union of string literals, typed as the literal union. */
const literals = <T extends readonly string[]>(values: T, description: string) =>
  Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v)), { description }));

export const HandlingLevelSchema = literals(HANDLING_LEVELS, 'Handling level (办理层级): grid, community, street, district, city');
export const DepartmentKindSchema = literals(DEPARTMENT_KINDS, 'Department kind (职能部门类别), e.g. urban_management, police, justice');
export const CategoryKindSchema = literals(CATEGORY_KINDS, 'What the category holds: event, component, dispute, hazard, request, care, suggestion, wish');

export const DeadlineSpecSchema = Type.Object(
  {
    amount: Type.Number({ description: 'How long: > 0, at most 720 hours or 60 working days (whole days)' }),
    unit: Type.Union([Type.Literal('hours'), Type.Literal('workdays')], { description: 'Natural hours, or Chinese working days (holidays and 调休 counted)' }),
  },
  { additionalProperties: false },
);

/** 时限: acceptance (受理), signing-for (签收) and handling (处置); accept and sign never longer than handle. */
export const deadlinesSchema = (description = 'Deadlines for acceptance, signing-for and handling') =>
  Type.Object({ accept: DeadlineSpecSchema, sign: DeadlineSpecSchema, handle: DeadlineSpecSchema }, { additionalProperties: false, description });
export const DeadlinesSchema = deadlinesSchema();

export const categoryCodeSchema = (description = "Dotted path of labels, e.g. 'dispute.neighbour'") =>
  Type.String({ pattern: CATEGORY_CODE_PATTERN, maxLength: 160, description });
export const CategoryCodeSchema = categoryCodeSchema();
export const CategoryParams = Type.Object({ code: CategoryCodeSchema });

export const ListCategoriesQuery = Type.Object(
  {
    flat: Type.Optional(Type.Boolean({ description: 'A flat list in tree order (depth-first) instead of a nested tree' })),
    active: Type.Optional(Type.Boolean({ description: 'Only active (true) or only inactive (false) categories; both when omitted' })),
  },
  { additionalProperties: false },
);
export type ListCategoriesQuery = Static<typeof ListCategoriesQuery>;

// Null comes first in nullable unions: with coerceTypes, ajv would otherwise coerce null to "" in the string branch.
const Keywords = Type.Array(Type.String({ minLength: 1, maxLength: 30 }), { maxItems: 30, description: 'Words that suggest this category when classifying a report' });
const Radius = Type.Integer({ minimum: 0, maximum: 5000, description: 'Open cases of this category within this many metres are suggested as duplicates' });
const Window = Type.Integer({ minimum: 0, maximum: 8760, description: '… reported within this many hours' });
const Sort = Type.Integer({ minimum: -100000, maximum: 100000, description: 'Order among siblings (ascending)' });
const NameZh = Type.String({ minLength: 1, maxLength: 40, description: 'Chinese name' });
const NameEn = Type.String({ minLength: 1, maxLength: 80, description: 'English name' });
const Description = Type.String({ maxLength: 500, description: 'What belongs here, for dispatchers and residents' });

export const CreateCategoryBody = Type.Object(
  {
    parentCode: Type.Optional(Type.Union([Type.Null(), CategoryCodeSchema], { description: 'Parent category; omitted or null for a top-level category' })),
    label: Type.String({ pattern: CATEGORY_LABEL_PATTERN, description: "The new category's own label; its code is parentCode + '.' + label" }),
    nameZh: NameZh,
    nameEn: NameEn,
    description: Type.Optional(Type.Union([Type.Null(), Description])),
    /** Inherited from the parent when omitted; required at top level, as are defaultLevel and defaultDeadlines. */
    kind: Type.Optional(CategoryKindSchema),
    defaultLevel: Type.Optional(HandlingLevelSchema),
    defaultDeadlines: Type.Optional(DeadlinesSchema),
    defaultDepartmentKind: Type.Optional(Type.Union([Type.Null(), DepartmentKindSchema])),
    photoRequiredOnResolve: Type.Optional(Type.Boolean({ description: 'A resolution must carry a photo' })),
    duplicateRadiusM: Type.Optional(Radius),
    duplicateWindowHours: Type.Optional(Window),
    keywords: Type.Optional(Keywords),
    active: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Sort),
  },
  { additionalProperties: false },
);
export type CreateCategoryBody = Static<typeof CreateCategoryBody>;

export const UpdateCategoryBody = Type.Object(
  {
    nameZh: Type.Optional(NameZh),
    nameEn: Type.Optional(NameEn),
    description: Type.Optional(Type.Union([Type.Null(), Description])),
    defaultLevel: Type.Optional(HandlingLevelSchema),
    defaultDeadlines: Type.Optional(DeadlinesSchema),
    defaultDepartmentKind: Type.Optional(Type.Union([Type.Null(), DepartmentKindSchema])),
    photoRequiredOnResolve: Type.Optional(Type.Boolean()),
    duplicateRadiusM: Type.Optional(Radius),
    duplicateWindowHours: Type.Optional(Window),
    keywords: Type.Optional(Keywords),
    active: Type.Optional(Type.Boolean({ description: 'Applies to the whole subtree: deactivating (or reactivating) a category does the same to every category under it' })),
    sort: Type.Optional(Sort),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateCategoryBody = Static<typeof UpdateCategoryBody>;
