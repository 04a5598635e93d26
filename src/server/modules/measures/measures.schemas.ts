/** Request and response schemas of /api/measures (TypeBox; they feed the OpenAPI document). */
import { Type, type Static } from '@sinclair/typebox';
import { INTAKE_CHANNELS as CASE_CHANNELS } from '../cases/cases.intake.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Calendar day YYYY-MM-DD in China Standard Time (UTC+8), inclusive' });

export const MeasureQuery = Type.Object(
  {
    node: Type.Optional(Type.String({ pattern: '^\\d{2,19}$', description: 'Node code: figures of its subtree (default: your scope root)' })),
    department: Type.Optional(Type.Integer({ minimum: 1, description: 'Department id: cases that department handles' })),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Category code (with its sub-categories)' })),
    channel: Type.Optional(Type.Union(CASE_CHANNELS.map((c) => Type.Literal(c)), { description: 'Intake channel' })),
    from: Type.Optional({ ...Day, description: 'First day (default: the 1st of this month)' }),
    to: Type.Optional({ ...Day, description: 'Last day (default: today)' }),
  },
  { additionalProperties: false },
);
export type MeasureQuery = Static<typeof MeasureQuery>;

export const TrendQuery = Type.Object(
  {
    ...MeasureQuery.properties,
    bucket: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], { description: 'Bucket size; weeks start on Monday' }),
  },
  { additionalProperties: false },
);
export type TrendQuery = Static<typeof TrendQuery>;

export const RateSchema = Type.Object(
  {
    rate: Type.Union([Type.Number(), Type.Null()], { description: 'numerator ÷ denominator; null when the denominator is 0' }),
    numerator: Type.Integer(),
    denominator: Type.Integer(),
  },
  { description: 'A rate with its counts' },
);

const Levels = ['grid', 'community', 'street', 'district', 'city'] as const;
const MeasureKeys = ['response', 'resolution', 'onTime', 'satisfaction', 'rework', 'return'] as const;
const obj = (keys: readonly string[], s: ReturnType<typeof Type.Integer> | typeof RateSchema) => Type.Object(Object.fromEntries(keys.map((k) => [k, s])));

export const CountsSchema = Type.Object({
  reported: Type.Integer(),
  respondedOnTime: Type.Integer(),
  accepted: Type.Integer(),
  acceptedClosed: Type.Integer(),
  resolved: Type.Integer(),
  resolvedOnTime: Type.Integer(),
  reworked: Type.Integer(),
  dispatched: Type.Integer(),
  returned: Type.Integer(),
  rated: Type.Integer(),
  satisfied: Type.Integer(),
  resolvedByLevel: obj(Levels, Type.Integer()),
});

export const FiguresProps = {
  measures: obj(MeasureKeys, RateSchema),
  levelShares: obj(Levels, RateSchema),
  counts: CountsSchema,
};

export const NodeRefSchema = Type.Object({ code: Type.String(), name: Type.String(), level: Type.String(), path: Type.String() });
const DepartmentRef = Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]);
const Source = Type.Union([Type.Literal('rollup'), Type.Literal('scan')], { description: 'roll-up table or a scan of the cases' });

export const MeasuresResult = Type.Object({
  node: Type.Union([NodeRefSchema, Type.Null()]),
  department: DepartmentRef,
  category: Type.Union([Type.String(), Type.Null()]),
  channel: Type.Union([Type.String(), Type.Null()]),
  from: Type.String(),
  to: Type.String(),
  source: Source,
  ...FiguresProps,
});

export const TrendResult = Type.Object({
  node: Type.Union([NodeRefSchema, Type.Null()]),
  department: DepartmentRef,
  bucket: Type.String(),
  from: Type.String(),
  to: Type.String(),
  source: Source,
  points: Type.Array(Type.Object({ start: Type.String(), end: Type.String(), ...FiguresProps })),
});
