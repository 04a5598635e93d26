import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { CRS_LIST } from '../../../domain/geo.js';
import { RATINGS } from '../../../domain/case-lifecycle.js';

const lit = <T extends string>(xs: readonly T[], description?: string) => Type.Union(xs.map((x) => Type.Literal(x)), { description });
const PhotoIds = Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' }), { maxItems: 9, description: 'Ids (SHA-256) of photos uploaded to /api/cases/photos' });
const Text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description });

export const CreateCaseBody = Type.Object(
  {
    channel: lit(['resident_app', 'h5', 'hotline', 'patrol', 'console', 'station', 'linkage'] as const, 'Where the report came in'),
    categoryCode: Type.String({ minLength: 1, maxLength: 100, description: 'Case category code, e.g. city_env.garbage' }),
    description: Text(4000, 'What the problem is'),
    location: Type.Optional(
      Type.Object(
        {
          lng: Type.Number({ description: 'Longitude' }),
          lat: Type.Number({ description: 'Latitude' }),
          crs: Type.Optional(lit(CRS_LIST, 'Coordinate system: wgs84 (GPS), gcj02 (Chinese map SDKs, phones), bd09 (Baidu)')),
        },
        { additionalProperties: false },
      ),
    ),
    address: Type.Optional(Type.String({ maxLength: 300, description: 'Address as the reporter gave it' })),
    nodeCode: Type.Optional(Type.String({ pattern: '^\\d{2,19}$', description: 'The grid or node, when the operator chooses it' })),
    reporter: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ maxLength: 60 })),
          phone: Type.Optional(Type.String({ pattern: '^1[3-9]\\d{9}$', description: 'Caller\'s mobile number (stored encrypted)' })),
        },
        { additionalProperties: false },
      ),
    ),
    urgent: Type.Optional(Type.Boolean({ description: 'Urgent: the node\'s leaders are told at once (高位联动)' })),
    photos: Type.Optional(PhotoIds),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Answers to the category\'s extra questions' })),
    selfResolved: Type.Optional(
      Type.Object({ result: Text(2000, 'What the grid worker did on the spot (自处置)'), photos: Type.Optional(PhotoIds) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type CreateCaseBody = Static<typeof CreateCaseBody>;

export const QueueQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ pattern: '^(open|[a-z_]+(,[a-z_]+)*)$', description: 'open, or states separated by commas' })),
    category: Type.Optional(Type.String({ maxLength: 100, description: 'Category code (its subtree)' })),
    clock: Type.Optional(lit(['green', 'yellow', 'red'] as const)),
    handler: Type.Optional(Type.String({ maxLength: 40, description: 'department:<id> or node:<code>' })),
    node: Type.Optional(Type.String({ pattern: '^\\d{2,19}$', description: 'Cases in this node\'s subtree' })),
    channel: Type.Optional(Type.String({ maxLength: 30 })),
    urgent: Type.Optional(Type.Boolean()),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Case number, or words of the description' })),
    mine: Type.Optional(lit(['handling', 'reported'] as const, 'My work (handling) or my own reports')),
    sort: Type.Optional(lit(['newest', 'oldest', 'due'] as const)),
    page: Type.Integer({ minimum: 1, maximum: 10000, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'Case id' }) });

const Handler = Type.Object(
  {
    type: lit(['department', 'node_office', 'grid_worker'] as const),
    departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
    nodeCode: Type.Optional(Type.String({ pattern: '^\\d{2,19}$' })),
  },
  { additionalProperties: false },
);

const note = Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'Note for the timeline' }));
const reason = (required: boolean) =>
  required ? Text(2000, 'Why (required; shown in the timeline)') : Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Why' }));
const body = <P extends TProperties>(props: P) => Type.Object(props, { additionalProperties: false });

/** Each action's body; required fields are checked by the schema, rules by the service. */
export const ACTION_BODIES = {
  accept: body({ note }),
  reject: body({ reason: reason(true), into: Type.Optional(Type.Integer({ minimum: 1, description: 'Rejected as a duplicate of this case' })) }),
  cancel: body({ reason: reason(false) }),
  merge: body({ into: Type.Integer({ minimum: 1, description: 'The original case' }), reason: reason(false) }),
  dispatch: body({ handler: Type.Optional(Handler), reason: reason(false), note, mode: Type.Optional(lit(['designate', 'negotiate'] as const, '指定 or 商定 after a return')) }),
  redispatch: body({ handler: Handler, reason: reason(true) }),
  sign: body({ note }),
  note: body({ note: Text(4000, 'Progress note'), photos: Type.Optional(PhotoIds) }),
  return: body({ reason: reason(true) }),
  escalate: body({ reason: reason(true), departmentId: Type.Optional(Type.Integer({ minimum: 1, description: 'Hand it to this department (吹哨报到) instead of the level above' })) }),
  summon: body({ departmentIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10 }), note }),
  co_report: body({ note: Text(4000, 'What your department did'), departmentId: Type.Optional(Type.Integer({ minimum: 1 })), photos: Type.Optional(PhotoIds) }),
  resolve: body({ note: Text(4000, 'The result'), photos: Type.Optional(PhotoIds) }),
  check_pass: body({ note, photos: Type.Optional(PhotoIds) }),
  check_fail: body({ reason: reason(true), photos: Type.Optional(PhotoIds) }),
  request_extension: body({
    reason: reason(true),
    extension: Type.Object(
      { amount: Type.Integer({ minimum: 1, maximum: 720 }), unit: lit(['hours', 'workdays'] as const) },
      { additionalProperties: false, description: 'How much more time' },
    ),
  }),
  approve_extension: body({ note }),
  deny_extension: body({ reason: reason(true) }),
  request_suspension: body({ reason: reason(true) }),
  approve_suspension: body({ note }),
  deny_suspension: body({ reason: reason(true) }),
  resume: body({ note }),
  supervise: body({ note }),
  flag_urgent: body({ note }),
} as const;

export const RateBody = Type.Object(
  {
    rating: lit(RATINGS, 'satisfied 满意 / basically_satisfied 基本满意 / unsatisfied 不满意'),
    comment: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const PhoneQuery = Type.Object({ phone: Type.String({ pattern: '^1[3-9]\\d{9}$', description: 'Caller\'s mobile number' }) }, { additionalProperties: false });
export const CountQuery = Type.Object({ node: Type.Optional(Type.String({ pattern: '^\\d{2,19}$' })) }, { additionalProperties: false });
export const PhotoParams = Type.Object({ id: Type.Integer({ minimum: 1 }), sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) });
