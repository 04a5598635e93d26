/**
 * SQL of the measures: sums of the roll-up (plus the deltas not yet folded in),
 * or a scan of a subtree's cases through case_measure_facts() — the SQL mirror of
 * src/domain/measures.ts (migrations/0021_measures_rollups.sql).
 */
import type { Executor } from '../../db/db.js';
import { COUNTERS, COUNTER_COLUMNS, emptyCounters, type Bucket, type Counters } from '../../../domain/measures.js';

const SUMS = COUNTERS.map((c) => `sum(${COUNTER_COLUMNS[c]})::int AS "${c}"`).join(', ');
const COLS = COUNTERS.map((c) => COUNTER_COLUMNS[c]).join(', ');

/** Where the figures come from: the roll-up (city/province/district, top category) or a case scan. */
export interface MeasureFilter {
  /** Province prefix (2 digits) for a province, '' for the whole tree. */
  provinceCode?: string;
  cityCode?: string;
  districtCode?: string;
  /** Node path for a scan below district level. */
  nodePath?: string;
  departmentId?: number;
  /** Category code; `categoryTop` when it is a top-level one (roll-up). */
  categoryPath?: string;
  categoryTop?: string;
  channel?: string;
  from: string;
  to: string;
  /** The node's code below district level (its grid-level prefix in measure_grid_rollup). */
  nodeCode?: string;
}

export type GroupedCounters = Counters & { bucket: string };

/** A time bucket, or one of the roll-up's own columns to group by. */
export type Grouping = Bucket | 'category_top' | 'channel' | 'district_code';

function bucketExpr(bucket: Grouping | undefined, col: string): string {
  if (!bucket) return `''`;
  if (bucket === 'category_top' || bucket === 'channel' || bucket === 'district_code') return col.replace(/day$/, bucket);
  if (bucket === 'day') return `to_char(${col}, 'YYYY-MM-DD')`;
  return `to_char(date_trunc('${bucket}', ${col})::date, 'YYYY-MM-DD')`;
}

function toCounters(r: Record<string, unknown>): Counters {
  const c = emptyCounters();
  for (const k of COUNTERS) c[k] = Number(r[k] ?? 0);
  return c;
}

/** True when the roll-up can answer this filter exactly. */
export function canUseRollup(f: MeasureFilter): boolean {
  return f.nodePath === undefined && f.departmentId === undefined && (f.categoryPath === undefined || f.categoryTop !== undefined);
}

const isMonthStart = (d: string) => d.endsWith('-01');
const isMonthEnd = (d: string) => {
  const next = new Date(Date.parse(d + 'T00:00:00Z') + 86_400_000).toISOString();
  return next.slice(8, 10) === '01';
};

/** True when the month × grid roll-up can answer: a node below district, whole months, no other filter. */
export function canUseGridRollup(f: MeasureFilter, bucket?: Bucket): boolean {
  return (
    f.nodeCode !== undefined && f.cityCode !== undefined && f.departmentId === undefined && f.categoryPath === undefined && f.channel === undefined &&
    isMonthStart(f.from) && isMonthEnd(f.to) && (bucket === undefined || bucket === 'month')
  );
}

/**
 * Sums from measure_grid_rollup + measure_deltas for the nodes under `prefix`
 * (codes nest), grouped by the first `keyLength` digits of the grid code when given
 * (rankings), else per month bucket when `bucket` is 'month', else in one row.
 */
export async function sumGridRollup(
  ex: Executor,
  f: { cityCode: string; prefix: string; from: string; to: string },
  group: { keyLength?: number; byMonth?: boolean } = {},
): Promise<GroupedCounters[]> {
  const key = group.keyLength ? `left(grid_code, ${Number(group.keyLength)})` : group.byMonth ? `to_char(month, 'YYYY-MM-DD')` : `''`;
  const lengthCond = group.keyLength ? ` AND length(grid_code) >= ${Number(group.keyLength)}` : '';
  const rows = await ex.query<Record<string, unknown>>(
    `SELECT ${key} AS bucket, ${SUMS}
       FROM (SELECT month, grid_code, ${COLS} FROM measure_grid_rollup
              WHERE city_code = $1 AND grid_code LIKE $2 AND month BETWEEN $3::date AND $4::date${lengthCond}
             UNION ALL
             SELECT date_trunc('month', day)::date, grid_code, ${COLS} FROM measure_deltas
              WHERE city_code = $1 AND grid_code LIKE $2 AND day BETWEEN $3::date AND $4::date${lengthCond}) AS x
      GROUP BY 1 ORDER BY 1`,
    [f.cityCode, f.prefix + '%', f.from, f.to],
  );
  return rows.filter((r) => r.reported !== null).map((r) => ({ ...toCounters(r), bucket: String(r.bucket) }));
}

/** Scan of a subtree grouped by the first `keyLength` digits of the grid code (rankings off whole months). */
export async function sumScanByNode(ex: Executor, f: MeasureFilter, keyLength: number): Promise<GroupedCounters[]> {
  const params: unknown[] = [f.from, f.to];
  const where = ['m.day BETWEEN $1::date AND $2::date', `length(m.grid_code) >= ${Number(keyLength)}`];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (f.nodePath !== undefined) add('c.node_path <@ ?::ltree', f.nodePath);
  else if (f.cityCode !== undefined) add('c.city_code = ?', f.cityCode);
  if (f.districtCode !== undefined && f.nodePath === undefined) add('measure_district(c.node_path) = ?', f.districtCode);
  const rows = await ex.query<Record<string, unknown>>(
    `SELECT left(m.grid_code, ${Number(keyLength)}) AS bucket, ${SUMS.replaceAll('sum(', 'sum(m.')}
       FROM cases c CROSS JOIN LATERAL case_measure_facts(c, 1) m
      WHERE ${where.join(' AND ')}
      GROUP BY 1 ORDER BY 1`,
    params,
  );
  return rows.filter((r) => r.reported !== null).map((r) => ({ ...toCounters(r), bucket: String(r.bucket) }));
}

/** Scan of cases grouped by their current handler department. */
export async function sumScanByDepartment(ex: Executor, f: MeasureFilter): Promise<GroupedCounters[]> {
  const params: unknown[] = [f.from, f.to];
  const where = ['m.day BETWEEN $1::date AND $2::date', 'c.handler_department_id IS NOT NULL'];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (f.nodePath !== undefined) add('c.node_path <@ ?::ltree', f.nodePath);
  else if (f.cityCode !== undefined) add('c.city_code = ?', f.cityCode);
  if (f.districtCode !== undefined && f.nodePath === undefined) add('measure_district(c.node_path) = ?', f.districtCode);
  const rows = await ex.query<Record<string, unknown>>(
    `SELECT c.handler_department_id::text AS bucket, ${SUMS.replaceAll('sum(', 'sum(m.')}
       FROM cases c CROSS JOIN LATERAL case_measure_facts(c, 1) m
      WHERE ${where.join(' AND ')}
      GROUP BY 1`,
    params,
  );
  return rows.map((r) => ({ ...toCounters(r), bucket: String(r.bucket) }));
}

/** ISO day arithmetic on 'YYYY-MM-DD' strings (UTC, no time zones involved). */
const addDays = (day: string, n: number) => new Date(Date.parse(day + 'T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10);
const monthStart = (day: string) => day.slice(0, 8) + '01';
const nextMonthStart = (day: string) => {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

/**
 * The whole months inside [from, to] as [first month's first day, last month's
 * first day], or undefined when the period holds no whole month.
 */
export function wholeMonths(from: string, to: string): [string, string] | undefined {
  const first = isMonthStart(from) ? from : nextMonthStart(from);
  const last = isMonthEnd(to) ? monthStart(to) : monthStart(addDays(monthStart(to), -1));
  return first <= last ? [first, last] : undefined;
}

/**
 * The SELECTs that cover the period $1..$2 from a pair of roll-ups: whole
 * months from `monthTable` (as `day` = the month's first day), the days at
 * either end from `dayTable`; days throughout when `daysOnly`.
 */
function periodSources(
  params: unknown[],
  f: { from: string; to: string },
  daysOnly: boolean,
  t: { dayTable: string; monthTable: string; dims: string; where: (w: string) => string },
): string[] {
  const months = daysOnly ? undefined : wholeMonths(f.from, f.to);
  if (!months) return [`SELECT day, ${t.dims}, ${COLS} FROM ${t.dayTable} WHERE ${t.where('day BETWEEN $1::date AND $2::date')}`];
  params.push(months[0], months[1], nextMonthStart(months[1]));
  const [m0, m1, afterM1] = [`$${params.length - 2}::date`, `$${params.length - 1}::date`, `$${params.length}::date`];
  return [
    `SELECT month AS day, ${t.dims}, ${COLS} FROM ${t.monthTable} WHERE ${t.where(`month BETWEEN ${m0} AND ${m1}`)}`,
    `SELECT day, ${t.dims}, ${COLS} FROM ${t.dayTable} WHERE ${t.where(`(day >= $1::date AND day < ${m0} OR day >= ${afterM1} AND day <= $2::date)`)}`,
  ];
}

/** Sums per handling department (bucket = its id) from the department roll-ups + deltas, for a city or a district. */
export async function sumDepartmentRollup(ex: Executor, f: MeasureFilter): Promise<GroupedCounters[]> {
  const params: unknown[] = [f.from, f.to];
  const rest: string[] = [];
  if (f.cityCode !== undefined) rest.push(`city_code = $${params.push(f.cityCode)}`);
  if (f.districtCode !== undefined) rest.push(`district_code = $${params.push(f.districtCode)}`);
  const and = (w: string) => [w, ...rest].join(' AND ');
  const parts = periodSources(params, f, false, { dayTable: 'measure_department_day', monthTable: 'measure_department_month', dims: 'department_id', where: and });
  parts.push(`SELECT day, department_id, ${COLS} FROM measure_deltas WHERE ${and('day BETWEEN $1::date AND $2::date AND department_id IS NOT NULL')}`);
  const rows = await ex.query<Record<string, unknown>>(
    `SELECT department_id::text AS bucket, ${SUMS} FROM (${parts.join(' UNION ALL ')}) AS x GROUP BY 1 ORDER BY 1`,
    params,
  );
  return rows.map((r) => ({ ...toCounters(r), bucket: String(r.bucket) }));
}

/**
 * Sums from the roll-ups + measure_deltas, per bucket when one is given: whole
 * months from measure_month_rollup, the days at either end from measure_rollup
 * (a bucket of days or weeks reads days throughout).
 */
export async function sumRollup(ex: Executor, f: MeasureFilter, bucket?: Grouping): Promise<GroupedCounters[]> {
  const params: unknown[] = [f.from, f.to];
  const rest: string[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    rest.push(sql.replace('?', `$${params.length}`));
  };
  if (f.cityCode !== undefined) add('city_code = ?', f.cityCode);
  else if (f.provinceCode) add('left(city_code, 2) = ?', f.provinceCode);
  if (f.districtCode !== undefined) add('district_code = ?', f.districtCode);
  if (f.categoryTop !== undefined) add('category_top = ?', f.categoryTop);
  if (f.channel !== undefined) add('channel = ?', f.channel);
  const and = (w: string) => [w, ...rest].join(' AND ');
  // Without a category or channel to filter or group by, the narrow district roll-ups hold the same sums in far fewer rows.
  const narrow = f.categoryTop === undefined && f.channel === undefined && bucket !== 'category_top' && bucket !== 'channel';
  const [dayTable, monthTable, dims] = narrow
    ? ['measure_district_day', 'measure_district_month', `'' AS category_top, '' AS channel, district_code`]
    : ['measure_rollup', 'measure_month_rollup', 'category_top, channel, district_code'];
  const parts = periodSources(params, f, bucket === 'day' || bucket === 'week', { dayTable, monthTable, dims, where: and });
  parts.push(`SELECT day, category_top, channel, district_code, ${COLS} FROM measure_deltas WHERE ${and('day BETWEEN $1::date AND $2::date')}`);
  const rows = await ex.query<Record<string, unknown>>(
    `SELECT ${bucketExpr(bucket, 'day')} AS bucket, ${SUMS} FROM (${parts.join(' UNION ALL ')}) AS x GROUP BY 1 ORDER BY 1`,
    params,
  );
  return rows.filter((r) => r.reported !== null).map((r) => ({ ...toCounters(r), bucket: String(r.bucket) }));
}

/** Counts the cases of a subtree (and department, category, channel) through case_measure_facts(). */
export async function sumScan(ex: Executor, f: MeasureFilter, bucket?: Grouping): Promise<GroupedCounters[]> {
  const params: unknown[] = [f.from, f.to];
  const where = ['m.day BETWEEN $1::date AND $2::date'];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (f.nodePath !== undefined) add('c.node_path <@ ?::ltree', f.nodePath);
  else if (f.cityCode !== undefined) add('c.city_code = ?', f.cityCode);
  else if (f.provinceCode) add('left(c.city_code, 2) = ?', f.provinceCode);
  if (f.districtCode !== undefined && f.nodePath === undefined) add('measure_district(c.node_path) = ?', f.districtCode);
  if (f.departmentId !== undefined) add('c.handler_department_id = ?', f.departmentId);
  if (f.categoryPath !== undefined) add('c.category_path <@ ?::ltree', f.categoryPath);
  if (f.channel !== undefined) add('c.channel = ?', f.channel);
  const rows = await ex.query<Record<string, unknown>>(
    `SELECT ${bucketExpr(bucket, 'm.day')} AS bucket, ${SUMS.replaceAll('sum(', 'sum(m.')}
       FROM cases c CROSS JOIN LATERAL case_measure_facts(c, 1) m
      WHERE ${where.join(' AND ')}
      GROUP BY 1 ORDER BY 1`,
    params,
  );
  return rows.filter((r) => r.reported !== null).map((r) => ({ ...toCounters(r), bucket: String(r.bucket) }));
}

/** One row per key of the full recount that differs from roll-up + deltas (empty = in step). */
export interface RollupDifference {
  city_code: string;
  day: string;
  district_code: string;
  category_top: string;
  channel: string;
  counter: string;
  recount: number;
  rollup: number;
  /** Set for a difference in the month × grid roll-up (day is then the month). */
  grid_code?: string;
}

/** A roll-up compared with the recount: its key columns, how the recount and the deltas compute them, how they print. */
interface RollupShape {
  table: string;
  /** Key columns of the table, the first being city_code. */
  key: string[];
  /** The same keys computed from the facts `m` of case_measure_facts() (and from a delta row, alias-free). */
  fromFacts: string[];
  /** What the difference row shows in day, district_code, category_top, channel and grid_code. */
  show: { day: string; district: string; category: string; channel: string; grid?: string };
  /** Facts and deltas this roll-up leaves out (a condition on them, alias-free). */
  only?: string;
}

const month = (col: string) => `date_trunc('month', ${col})::date`;
const SHAPES: RollupShape[] = [
  {
    table: 'measure_rollup',
    key: ['city_code', 'day', 'district_code', 'category_top', 'channel'],
    fromFacts: ['city_code', 'day', 'district_code', 'category_top', 'channel'],
    show: { day: `to_char(day, 'YYYY-MM-DD')`, district: 'district_code', category: 'category_top', channel: 'channel' },
  },
  {
    table: 'measure_grid_rollup',
    key: ['city_code', 'month', 'grid_code'],
    fromFacts: ['city_code', month('day'), 'grid_code'],
    show: { day: `to_char(month, 'YYYY-MM-DD')`, district: `''`, category: `''`, channel: `''`, grid: 'grid_code' },
  },
  {
    table: 'measure_month_rollup',
    key: ['city_code', 'month', 'district_code', 'category_top', 'channel'],
    fromFacts: ['city_code', month('day'), 'district_code', 'category_top', 'channel'],
    show: { day: `to_char(month, 'YYYY-MM')`, district: 'district_code', category: 'category_top', channel: 'channel' },
  },
  {
    table: 'measure_department_day',
    key: ['city_code', 'day', 'district_code', 'department_id'],
    fromFacts: ['city_code', 'day', 'district_code', 'department_id'],
    show: { day: `to_char(day, 'YYYY-MM-DD')`, district: 'district_code', category: `'department ' || department_id`, channel: `''` },
    only: 'department_id IS NOT NULL',
  },
  {
    table: 'measure_department_month',
    key: ['city_code', 'month', 'district_code', 'department_id'],
    fromFacts: ['city_code', month('day'), 'district_code', 'department_id'],
    show: { day: `to_char(month, 'YYYY-MM')`, district: 'district_code', category: `'department ' || department_id`, channel: `''` },
    only: 'department_id IS NOT NULL',
  },
];

/**
 * Compares a full recount of the cases (one city, or all) with each roll-up
 * plus the unfolded deltas, and the narrow district roll-ups with the wide ones
 * they are folded beside.
 */
export async function diffRollup(ex: Executor, cityCode?: string): Promise<RollupDifference[]> {
  const cond = cityCode ? 'WHERE city_code = $1' : '';
  const condC = cityCode ? 'WHERE c.city_code = $1' : '';
  const params = cityCode ? [cityCode] : [];
  const sums = COUNTERS.map((c) => `sum(${COUNTER_COLUMNS[c]})::int AS ${COUNTER_COLUMNS[c]}`).join(', ');
  const diffs = COUNTERS.map(
    (c) => `SELECT '${COUNTER_COLUMNS[c]}' AS counter, coalesce(a.${COUNTER_COLUMNS[c]}, 0) AS recount, coalesce(b.${COUNTER_COLUMNS[c]}, 0) AS rollup`,
  ).join(' UNION ALL ');
  /** Rows where `a` (the reference) and `b` (the roll-up) differ, both already grouped by `key`. */
  const compare = (a: string, b: string, key: string[], show: RollupShape['show']) => {
    const pick = (col: string) => (key.includes(col) ? `coalesce(a.${col}, b.${col})` : col);
    const shown = (expr: string) => expr.replace(/\b(day|month|district_code|category_top|channel|grid_code|department_id)\b/g, (col) => pick(col));
    return ex.query<RollupDifference>(
      `WITH a AS (${a}), b AS (${b})
       SELECT coalesce(a.city_code, b.city_code) AS city_code, ${shown(show.day)} AS day, ${shown(show.district)} AS district_code,
              ${shown(show.category)} AS category_top, ${shown(show.channel)} AS channel${show.grid ? `, ${shown(show.grid)} AS grid_code` : ''},
              d.counter, d.recount, d.rollup
         FROM a FULL JOIN b USING (${key.join(', ')})
         CROSS JOIN LATERAL (${diffs}) AS d
        WHERE d.recount <> d.rollup
        ORDER BY 1, 2, 3, 4, 5, 6
        LIMIT 1000`,
      params,
    );
  };
  const out: RollupDifference[] = [];
  for (const s of SHAPES) {
    const n = s.key.length;
    const groups = Array.from({ length: n }, (_, i) => i + 1).join(', ');
    const facts = (e: string) => e.replace(/\b(city_code|day|district_code|grid_code|category_top|channel|department_id)\b/g, 'm.$1');
    const only = (w: string, map: (e: string) => string) => (s.only ? `${w ? `${w} AND` : 'WHERE'} ${map(s.only)}` : w);
    const recount = `SELECT ${s.fromFacts.map((e, i) => `${facts(e)} AS ${s.key[i]}`).join(', ')},
                            ${COUNTERS.map((c) => `sum(m.${COUNTER_COLUMNS[c]})::int AS ${COUNTER_COLUMNS[c]}`).join(', ')}
                       FROM cases c CROSS JOIN LATERAL case_measure_facts(c, 1) m ${only(condC, facts)} GROUP BY ${groups}`;
    const rollup = `SELECT ${s.key.join(', ')}, ${sums}
                      FROM (SELECT ${s.key.join(', ')}, ${COLS} FROM ${s.table} ${cond}
                            UNION ALL SELECT ${s.fromFacts.map((e, i) => `${e} AS ${s.key[i]}`).join(', ')}, ${COLS} FROM measure_deltas ${only(cond, (x) => x)}) AS u
                     GROUP BY ${groups}`;
    out.push(...(await compare(recount, rollup, s.key, s.show)));
  }
  // The narrow district roll-ups hold the wide ones' sums (both come from the same deltas in one statement).
  for (const [table, wide, col] of [['measure_district_day', 'measure_rollup', 'day'], ['measure_district_month', 'measure_month_rollup', 'month']] as const) {
    out.push(
      ...(await compare(
        `SELECT city_code, ${col}, district_code, ${sums} FROM ${wide} ${cond} GROUP BY 1, 2, 3`,
        `SELECT city_code, ${col}, district_code, ${COLS} FROM ${table} ${cond}`,
        ['city_code', col, 'district_code'],
        { day: `to_char(${col}, 'YYYY-MM-DD')`, district: 'district_code', category: `'${table}'`, channel: `''` },
      )),
    );
  }
  return out;
}

/** Folds pending deltas into the roll-up, in batches; returns how many rows moved. */
export async function compact(ex: Executor, batch = 5000, maxBatches = 100): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const [r] = await ex.query<{ n: number }>('SELECT measure_compact($1) AS n', [batch]);
    total += r?.n ?? 0;
    if ((r?.n ?? 0) < batch) break;
  }
  return total;
}

export interface NodeRow {
  code: string;
  name: string;
  level: string;
  path: string;
  city_code: string;
}

export async function findNode(ex: Executor, code: string): Promise<NodeRow | undefined> {
  const [n] = await ex.query<NodeRow>('SELECT code, name, level, path::text AS path, city_code FROM nodes WHERE code = $1 LIMIT 1', [code]);
  return n;
}

export async function findDepartment(ex: Executor, id: number): Promise<{ id: number; name: string; path: string } | undefined> {
  const [d] = await ex.query<{ id: number; name: string; path: string }>(
    'SELECT d.id, d.name, n.path::text AS path FROM departments d JOIN nodes n ON n.code = d.node_code WHERE d.id = $1',
    [id],
  );
  return d;
}

export async function findCategory(ex: Executor, code: string): Promise<{ code: string; path: string } | undefined> {
  const [c] = await ex.query<{ code: string; path: string }>('SELECT code, path::text AS path FROM categories WHERE code = $1', [code]);
  return c;
}
