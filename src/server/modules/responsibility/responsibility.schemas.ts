/**
 * Schemas of the responsibility-list API (责任清单) and the calendar overrides.
 * Rules that span fields (a lead's department kind, deadlines, grid-worker
 * leads only at grid level) are checked by the service and answered 400 with
 * the field named.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CRS_LIST } from '../../../domain/geo.js';
import { categoryCodeSchema, deadlinesSchema, DeadlinesSchema, DepartmentKindSchema, HandlingLevelSchema } from '../categories/categories.schemas.js';

const nodeCode = (description: string) => Type.String({ pattern: '^[0-9]{2,19}$', description });

/**
 * 主办: a department of a kind (found at the handling node or the nearest above
 * it), the handling node's own office, or the grid worker of the case's grid.
 */
export const LeadSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('department'), Type.Literal('node_office'), Type.Literal('grid_worker')], {
      description: "department (give departmentKind), node_office (the handling node's own office) or grid_worker (handling level grid only)",
    }),
    departmentKind: Type.Optional(Type.String({ maxLength: 40, description: 'Department kind, for type department only' })),
  },
  { additionalProperties: false },
);
export type LeadInput = Static<typeof LeadSchema>;

const CoHandlers = Type.Array(DepartmentKindSchema, { maxItems: 10, uniqueItems: true, description: 'Department kinds that assist (协办)' });
const Note = Type.String({ maxLength: 500, description: 'Why the entry exists, for the next administrator' });

export const CreateEntryBody = Type.Object(
  {
    nodeCode: nodeCode('The entry covers this node and its subtree'),
    categoryCode: categoryCodeSchema('The entry covers this category and its subtree'),
    handlingLevel: HandlingLevelSchema,
    lead: LeadSchema,
    coHandlers: Type.Optional(CoHandlers),
    deadlines: Type.Optional(deadlinesSchema("The category's default deadlines when omitted")),
    autoDispatch: Type.Optional(Type.Boolean({ description: 'Dispatch on acceptance without a dispatcher (default false)' })),
    note: Type.Optional(Type.Union([Type.Null(), Note])),
  },
  { additionalProperties: false },
);
export type CreateEntryBody = Static<typeof CreateEntryBody>;

export const UpdateEntryBody = Type.Object(
  {
    handlingLevel: Type.Optional(HandlingLevelSchema),
    lead: Type.Optional(LeadSchema),
    coHandlers: Type.Optional(CoHandlers),
    deadlines: Type.Optional(DeadlinesSchema),
    autoDispatch: Type.Optional(Type.Boolean()),
    note: Type.Optional(Type.Union([Type.Null(), Note])),
  },
  { additionalProperties: false, minProperties: 1, description: 'Node and category are fixed: delete the entry and create another to move it' },
);
export type UpdateEntryBody = Static<typeof UpdateEntryBody>;

export const EntryParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'Entry id' }) });

export const ListEntriesQuery = Type.Object(
  {
    node: Type.Optional(nodeCode('Entries that bear on this node: at it, above it (they apply to it) or below it')),
    category: Type.Optional(categoryCodeSchema('Entries that bear on this category: for it, for a category above it, or below it')),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: 'At most this many (default 200)' }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
export type ListEntriesQuery = Static<typeof ListEntriesQuery>;

export const ExplainQuery = Type.Object(
  {
    category: categoryCodeSchema('The category of the would-be case'),
    node: Type.Optional(nodeCode('Where the case is (a grid or any node); or give lng and lat')),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180, description: 'Longitude of the case' })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, description: 'Latitude of the case' })),
    crs: Type.Union(CRS_LIST.map((c) => Type.Literal(c)), { default: 'wgs84', description: 'Coordinate system of lng/lat: wgs84 (default), gcj02 (AMap, WeChat), bd09 (Baidu)' }),
  },
  { additionalProperties: false },
);
export type ExplainQuery = Static<typeof ExplainQuery>;

const day = (description = 'A China date, YYYY-MM-DD') => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description });

export const CalendarQuery = Type.Object(
  {
    from: Type.Optional(day('First day (inclusive)')),
    to: Type.Optional(day('Last day (inclusive)')),
  },
  { additionalProperties: false },
);
export type CalendarQuery = Static<typeof CalendarQuery>;

export const PutCalendarBody = Type.Object(
  {
    set: Type.Optional(
      Type.Array(
        Type.Object(
          {
            day: day(),
            isWorkday: Type.Boolean({ description: 'true: a working day (e.g. a make-up Saturday 调休上班); false: a day off' }),
            name: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 40 })], { description: 'e.g. 国庆节' })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 400, description: 'Days to add or change' },
      ),
    ),
    remove: Type.Optional(Type.Array(day(), { maxItems: 400, description: 'Days to return to the official calendar' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PutCalendarBody = Static<typeof PutCalendarBody>;
