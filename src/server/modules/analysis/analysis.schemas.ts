import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DEFAULT_MIN_GROUP_SIZE, DEFAULT_THRESHOLD } from '../../../domain/similarity.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const NodeCode = Type.String({ pattern: '^\\d{2,19}$', description: 'Node code (GB/T 2260 division, street, community, grid …)' });
const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: "The month analysed, 'YYYY-MM' in China time (cases count in the month they were reported)" });

export const ITEM_STATUSES = ['open', 'in_progress', 'solved', 'dropped'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
const ItemStatus = Type.Union(
  ITEM_STATUSES.map((s) => Type.Literal(s)),
  { description: "open (marked, not started), in_progress (work at the source under way), solved (the cause is removed), dropped (not pursued; say why)" },
);

export const MonthlyQuery = Type.Object(
  {
    node: NodeCode,
    month: Month,
    threshold: Type.Optional(Type.Number({ minimum: 0.05, maximum: 1, default: DEFAULT_THRESHOLD, description: 'Text similarity (weighted Jaccard over characters and bigrams) at which two reports count as the same problem' })),
    minGroupSize: Type.Optional(Type.Integer({ minimum: 2, maximum: 100, default: DEFAULT_MIN_GROUP_SIZE, description: 'Reports a group of similar reports needs to be listed' })),
    radiusM: Type.Optional(Type.Integer({ minimum: 10, maximum: 5000, default: 100, description: 'Hot spots: reports within this many metres of each other cluster (DBSCAN eps)' })),
    minCases: Type.Optional(Type.Integer({ minimum: 2, maximum: 100, default: 3, description: 'Hot spots: reports a hot spot needs (DBSCAN minpoints, and the least in one burst)' })),
    gapDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, default: 7, description: 'Hot spots: a quiet spell longer than this splits a place\'s reports into separate bursts' })),
  },
  { additionalProperties: false },
);
export type MonthlyQuery = Static<typeof MonthlyQuery>;

const NodeRef = Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() });
const CategoryRef = Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });

export const CaseRef = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  description: Type.String(),
  address: Nullable(Type.String()),
  status: Type.String(),
  categoryCode: Type.String(),
  nodeCode: Nullable(Type.String()),
  nodeName: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
export type CaseRef = Static<typeof CaseRef>;

const Tracked = Nullable(Type.Object({ id: Type.Integer(), status: ItemStatus, title: Type.String() }, { description: 'The follow-up item this group is already marked as, if any' }));

export const MonthlyAnalysis = Type.Object({
  node: NodeRef,
  month: Type.String(),
  from: Type.String({ format: 'date-time', description: 'Start of the month in China time (inclusive)' }),
  to: Type.String({ format: 'date-time', description: 'Start of the next month (exclusive)' }),
  params: Type.Object({ threshold: Type.Number(), minGroupSize: Type.Integer(), radiusM: Type.Integer(), minCases: Type.Integer(), gapDays: Type.Integer() }),
  totals: Type.Object({
    cases: Type.Integer({ description: 'Reports in the month in the subtree (merged duplicates and cancelled reports left out)' }),
    previousMonth: Type.Integer({ description: 'The same for the month before, for comparison' }),
    located: Type.Integer({ description: 'Reports of the month with a map location (the hot spots use these)' }),
    analysed: Type.Integer({ description: 'Reports whose text was compared (all of them unless `truncated`)' }),
  }),
  truncated: Type.Boolean({ description: 'True when the month has more reports than are compared at once: groups cover the most recent ones' }),
  topCategories: Type.Array(Type.Intersect([CategoryRef, Type.Object({ count: Type.Integer(), previousCount: Type.Integer(), share: Type.Number({ description: 'count ÷ totals.cases' }) })])),
  topPlaces: Type.Array(Type.Intersect([NodeRef, Type.Object({ count: Type.Integer(), previousCount: Type.Integer() })]), { description: 'The nodes (grids, or the deepest node a report sits in) with the most reports' }),
  topAddresses: Type.Array(Type.Object({ address: Type.String(), count: Type.Integer() }), { description: 'Addresses given in two or more reports (spaces and case ignored)' }),
  hotSpots: Type.Array(
    Type.Object({
      lng: Type.Number(),
      lat: Type.Number(),
      radiusM: Type.Number({ description: 'From the centre to the farthest report' }),
      count: Type.Integer(),
      from: Type.String({ format: 'date-time', description: 'First report of the burst' }),
      to: Type.String({ format: 'date-time', description: 'Last report of the burst' }),
      categories: Type.Array(Type.Intersect([CategoryRef, Type.Object({ count: Type.Integer() })])),
      nodes: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), count: Type.Integer() })),
      caseIds: Type.Array(Type.Integer()),
      examples: Type.Array(CaseRef),
    }),
  ),
  groups: Type.Array(
    Type.Object({
      key: Type.String({ description: 'Stable within a month: category and the group\'s first case id' }),
      category: CategoryRef,
      count: Type.Integer(),
      keywords: Type.Array(Type.String()),
      cohesion: Type.Number({ description: 'Mean similarity of the reports to the group\'s most typical one' }),
      caseIds: Type.Array(Type.Integer()),
      examples: Type.Array(CaseRef, { description: 'The most typical report first, then the latest' }),
      places: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), count: Type.Integer() })),
      tracked: Tracked,
    }),
  ),
});
export type MonthlyAnalysis = Static<typeof MonthlyAnalysis>;

export const CreateItemBody = Type.Object(
  {
    nodeCode: NodeCode,
    month: Month,
    categoryCode: Type.String({ minLength: 1, maxLength: 100, description: 'The category of the group' }),
    caseIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 2000, uniqueItems: true, description: 'The group\'s reports (from the analysis); new reports are matched against their texts' }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 120, description: 'A name for people; default: the category and the keywords' })),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Why it is to be solved at the source, and by whom' })),
    threshold: Type.Optional(Type.Number({ minimum: 0.05, maximum: 1, description: 'Similarity at which a new report counts as the same problem (default: the analysis default)' })),
  },
  { additionalProperties: false },
);
export type CreateItemBody = Static<typeof CreateItemBody>;

export const UpdateItemBody = Type.Object(
  {
    status: Type.Optional(ItemStatus),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Progress note; required when the status becomes solved or dropped' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateItemBody = Static<typeof UpdateItemBody>;

export const ItemParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'Follow-up item id' }) });

export const ItemsQuery = Type.Object(
  {
    node: Type.Optional(NodeCode),
    status: Type.Optional(Type.String({ pattern: '^(open|in_progress|solved|dropped)(,(open|in_progress|solved|dropped))*$', description: 'States separated by commas' })),
  },
  { additionalProperties: false },
);
export type ItemsQuery = Static<typeof ItemsQuery>;

const ItemNote = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actorName: Nullable(Type.String()),
  fromStatus: Nullable(Type.String()),
  toStatus: Nullable(Type.String()),
  note: Nullable(Type.String()),
});

export const Item = Type.Object({
  id: Type.Integer(),
  node: NodeRef,
  month: Type.String(),
  category: CategoryRef,
  title: Type.String(),
  keywords: Type.Array(Type.String()),
  status: ItemStatus,
  threshold: Type.Number(),
  caseCount: Type.Integer({ description: 'Reports in the group when it was marked' }),
  newCaseCount: Type.Integer({ description: 'Reports of the same problem since the end of the analysed month' }),
  lastNewCaseAt: Nullable(Type.String({ format: 'date-time' })),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  closedAt: Nullable(Type.String({ format: 'date-time' })),
  abilities: Type.Array(Type.String(), { description: "What the caller may do: 'update'" }),
});
export type Item = Static<typeof Item>;

export const ItemDetail = Type.Intersect([
  Item,
  Type.Object({
    notes: Type.Array(ItemNote),
    cases: Type.Array(CaseRef, { description: 'The reports of the group when it was marked' }),
    newCases: Type.Array(Type.Intersect([CaseRef, Type.Object({ similarity: Type.Number() })]), { description: 'Later reports of the same problem, newest first (at most 200)' }),
  }),
]);
export type ItemDetail = Static<typeof ItemDetail>;
