import { Type } from '@sinclair/typebox';

const lit = <T extends string>(xs: readonly T[], description?: string) => Type.Union(xs.map((x) => Type.Literal(x)), { description });

/** The queue's filters (GET /api/cases), without paging: the export takes every matching case. */
export const ExportQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ pattern: '^(open|[a-z_]+(,[a-z_]+)*)$', description: 'open, or states separated by commas' })),
    category: Type.Optional(Type.String({ maxLength: 100, description: 'Category code (its subtree)' })),
    clock: Type.Optional(lit(['green', 'yellow', 'red'] as const, 'Clock colour')),
    handler: Type.Optional(Type.String({ maxLength: 40, description: 'department:<id> or node:<code>' })),
    node: Type.Optional(Type.String({ pattern: '^\\d{2,19}$', description: 'Cases in this node\'s subtree' })),
    channel: Type.Optional(Type.String({ maxLength: 30, description: 'Intake channel' })),
    urgent: Type.Optional(Type.Boolean({ description: 'Urgent cases only (true) or non-urgent only (false)' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Case number, or words of the description' })),
    mine: Type.Optional(lit(['handling', 'reported'] as const, 'My work (handling) or my own reports')),
    // Accepted and ignored, so the queue's own query string can be passed as it is.
    sort: Type.Optional(lit(['newest', 'oldest', 'due'] as const, 'Ignored: exports are newest first')),
    page: Type.Optional(Type.Integer({ minimum: 1, description: 'Ignored: exports hold every matching case' })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, description: 'Ignored' })),
  },
  { additionalProperties: false },
);

export const ImportQuery = Type.Object(
  { dryRun: Type.Boolean({ default: false, description: 'Only check the file and report each row; write nothing (试导入)' }) },
  { additionalProperties: false },
);

const month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'Month, YYYY-MM (Beijing time)' });
const node = Type.String({ pattern: '^\\d{2,19}$', description: 'Node code (its subtree); defaults to your own node' });

export const MonthlyReportQuery = Type.Object({ node: Type.Optional(node), month }, { additionalProperties: false });

export const MeasuresExportQuery = Type.Object(
  {
    node: Type.Optional(node),
    from: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'First day (YYYY-MM-DD, Beijing time)' }),
    to: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Last day, inclusive (YYYY-MM-DD)' }),
    by: Type.Optional(lit(['child', 'category', 'channel', 'day', 'month'] as const, 'Breakdown: child nodes, categories, channels, or a trend by day / month')),
  },
  { additionalProperties: false },
);
