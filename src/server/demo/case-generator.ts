/**
 * Synthetic cases (演示案件) for the demo city and the benchmarks: a realistic
 * mix of categories, channels, handling levels and outcomes over a period,
 * each case with its whole timeline, written in bulk (INSERT … SELECT FROM
 * unnest(arrays), thousands of rows per statement). The rules of the mix and
 * of one case's life are pure, in src/domain/case-mix.ts; this file finds the
 * city's grids, units and users, turns plans into rows and writes them.
 *
 * Deterministic for a seed (given the same city, categories and `now`); case
 * ids come from the cases sequence, so they differ between databases.
 */
import chineseDays from 'chinese-days';
import type { Progress } from '../../cli/progress.js';
import { silentProgress } from '../../cli/progress.js';
import type { Db, Executor } from '../db/db.js';
import {
  categoryWeights,
  cumulative,
  fastCalendar,
  pickChannel,
  pickCumulative,
  planCase,
  reportInstant,
  rngFrom,
  type ActorKind,
  type CasePlan,
  type MixCategory,
  type NoteKind,
  type PlannedEvent,
  type Rng,
  type Unit,
} from '../../domain/case-mix.js';
import type { Deadlines, HandlingLevel } from '../../domain/routing.js';

export interface GenerateCasesOptions {
  cityCode: string;
  /** Cases are reported in [from, to); `to` later than `now` is cut to `now`. */
  from: Date;
  to: Date;
  count: number;
  seed?: number;
  progress?: Progress;
  /** Only grids under these nodes (default: every active grid of the city). */
  nodeCodes?: string[];
  /** The present: steps after it have not happened yet (default: the current time). */
  now?: Date;
  /** As the server's config (defaults: 7 days, 0.8, 24 hours). */
  ratingDays?: number;
  yellowShare?: number;
  autoEscalateHours?: number;
  /** Cases per statement (default 5,000). */
  batchSize?: number;
  /** A share of the cases placed in these grids (so demo users find work in their own grid). */
  focus?: { gridCodes: string[]; share: number };
}

export interface GenerateCasesResult {
  cases: number;
  events: number;
  ms: number;
}

/** A dispatcher at the city and one at a district, etc.: real users where the city has them. */
interface UserRow {
  user_id: string;
  display_name: string;
  role: string;
  node_code: string | null;
  department_id: number | null;
}

interface GridRow {
  code: string;
  name: string;
  path: string;
  households: number | null;
  kind: string;
  xs: number[] | null;
  ys: number[] | null;
  px: number;
  py: number;
}

interface CategoryRow {
  code: string;
  name_zh: string;
  kind: string;
  default_level: HandlingLevel;
  default_deadlines: Deadlines;
  default_department_kind: string | null;
}

interface Actor {
  id: string | null;
  name: string;
  role: string;
  unit: string | null;
}

/** Everything about the city the generator needs, read once. */
interface CityContext {
  cityCode: string;
  cityName: string;
  grids: GridRow[];
  gridCum: Float64Array;
  focus: { idx: number[]; share: number } | null;
  names: Map<string, string>;
  categories: (MixCategory & { nameZh: string })[];
  categoryCum: Float64Array;
  /** Active departments by node code and kind. */
  departments: Map<string, { id: number; name: string; nodeCode: string }>;
  usersByNode: Map<string, UserRow[]>;
  usersByDepartment: Map<number, UserRow>;
  residentsByGrid: Map<string, UserRow[]>;
}

const LEVEL_DEPTH: Record<HandlingLevel, number> = { city: 2, district: 3, street: 4, community: 5, grid: 6 };

/** FNV-1a: a stable 32-bit hash (per-grid seeds for ST_GeneratePoints). */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

async function loadContext(ex: Executor, opts: GenerateCasesOptions, pointsPerGrid: number): Promise<CityContext> {
  const city = opts.cityCode;
  const under = opts.nodeCodes?.length
    ? (await ex.query<{ path: string }>(`SELECT path::text AS path FROM nodes WHERE city_code = $1 AND code = ANY($2::text[])`, [city, opts.nodeCodes])).map((r) => r.path)
    : null;
  if (under && under.length !== new Set(opts.nodeCodes).size) throw new Error(`generateCases: some of ${opts.nodeCodes!.join(', ')} are not nodes of city ${city}`);
  const seed = opts.seed ?? 1;
  // Points inside each grid, made in SQL (ST_GeneratePoints, seeded per grid); cases draw from this pool.
  const gridRows = await ex.query<{ code: string; name: string; path: string; households: number | null; kind: string }>(
    `SELECT code, name, path::text AS path, households, kind FROM nodes
      WHERE city_code = $1 AND level = 'grid' AND status = 'active' AND boundary IS NOT NULL
        AND ($2::ltree[] IS NULL OR path <@ $2::ltree[])
      ORDER BY code`,
    [city, under],
  );
  if (!gridRows.length) throw new Error(`generateCases: city ${city} has no active grid with a boundary${under ? ' under the nodes given' : ''}`);
  const points = await ex.query<{ code: string; xs: number[] | null; ys: number[] | null; px: number; py: number }>(
    `SELECT g.code, p.xs, p.ys, ST_X(ST_PointOnSurface(g.boundary)) AS px, ST_Y(ST_PointOnSurface(g.boundary)) AS py
       FROM unnest($2::text[], $3::int[]) AS s(code, seed)
       JOIN nodes g ON g.city_code = $1 AND g.code = s.code
       LEFT JOIN LATERAL (
         SELECT array_agg(ST_X(d.geom) ORDER BY d.path) AS xs, array_agg(ST_Y(d.geom) ORDER BY d.path) AS ys
           FROM ST_Dump(ST_GeneratePoints(g.boundary, $4, s.seed)) AS d
       ) p ON true`,
    [city, gridRows.map((g) => g.code), gridRows.map((g) => (hash32(`${seed}:${g.code}`) % 2_147_483_646) + 1), pointsPerGrid],
  );
  const byCode = new Map(points.map((p) => [p.code, p]));
  const grids: GridRow[] = gridRows.map((g) => {
    const p = byCode.get(g.code)!;
    return { ...g, xs: p.xs, ys: p.ys, px: p.px, py: p.py };
  });
  // More households, more reports; special grids (a school, a market) have none but still see cases.
  const gridCum = cumulative(grids.map((g) => (g.households && g.households > 0 ? g.households : 150)));
  const focusSet = new Set(opts.focus?.gridCodes ?? []);
  const focusIdx = grids.flatMap((g, i) => (focusSet.has(g.code) ? [i] : []));

  const nameRows = await ex.query<{ code: string; name: string }>(
    `SELECT code, name FROM nodes WHERE city_code = $1 AND level IN ('city','district','street','community')`,
    [city],
  );
  const names = new Map(nameRows.map((r) => [r.code, r.name]));

  const cats = await ex.query<CategoryRow>(
    `SELECT code, name_zh, kind, default_level, default_deadlines, default_department_kind FROM categories WHERE active ORDER BY code`,
  );
  if (!cats.length) throw new Error('generateCases: no active categories');
  const categories = cats.map((c) => ({
    code: c.code,
    nameZh: c.name_zh,
    kind: c.kind,
    defaultLevel: c.default_level,
    deadlines: c.default_deadlines,
    departmentKind: c.default_department_kind,
  }));
  const categoryCum = cumulative(categoryWeights(categories.map((c) => c.code)));

  const depts = await ex.query<{ id: number; node_code: string; name: string; kind: string }>(
    `SELECT id, node_code, name, kind FROM departments WHERE city_code = $1 AND status = 'active' ORDER BY id`,
    [city],
  );
  const departments = new Map<string, { id: number; name: string; nodeCode: string }>();
  for (const d of depts) {
    const key = `${d.node_code}|${d.kind}`;
    if (!departments.has(key)) departments.set(key, { id: d.id, name: d.name, nodeCode: d.node_code });
  }

  const users = await ex.query<UserRow>(
    `SELECT r.user_id, u.display_name, r.role, r.node_code, r.department_id
       FROM role_assignments r JOIN users u ON u.id = r.user_id
      WHERE r.city_code = $1 AND u.status = 'active'
        AND r.role IN ('dispatcher','grid_worker','grid_leader','community_secretary','street_officer','department_staff','resident')
      ORDER BY r.id`,
    [city],
  );
  const usersByNode = new Map<string, UserRow[]>();
  const usersByDepartment = new Map<number, UserRow>();
  const residentsByGrid = new Map<string, UserRow[]>();
  for (const u of users) {
    if (u.role === 'department_staff' && u.department_id) {
      if (!usersByDepartment.has(u.department_id)) usersByDepartment.set(u.department_id, u);
    } else if (u.role === 'resident' && u.node_code) {
      residentsByGrid.set(u.node_code, [...(residentsByGrid.get(u.node_code) ?? []), u]);
    } else if (u.node_code) {
      usersByNode.set(u.node_code, [...(usersByNode.get(u.node_code) ?? []), u]);
    }
  }
  return {
    cityCode: city,
    cityName: names.get(city) ?? city,
    grids,
    gridCum,
    focus: focusIdx.length && opts.focus ? { idx: focusIdx, share: opts.focus.share } : null,
    names,
    categories,
    categoryCum,
    departments,
    usersByNode,
    usersByDepartment,
    residentsByGrid,
  };
}

// ---------------------------------------------------------------- words

const PLACES = [
  '小区东门', '小区南门', '菜市场旁', '3栋楼下', '公交站台附近', '学校门口', '十字路口', '商铺门前', '巷子里', '停车场',
  '公园入口', '河边步道', '农贸市场', '村口', '幼儿园旁', '地下通道', '超市门口', '医院附近', '工业园门口', '村委会旁',
  '5号楼后面', '篮球场边', '垃圾站旁', '桥底下', '老街',
];
const DESCRIPTIONS: ((place: string, what: string, rnd: Rng) => string)[] = [
  (p, w) => `${p}${w}，请尽快处理。`,
  (p, w, r) => `${p}发现${w}问题，已经${2 + Math.floor(r() * 6)}天了。`,
  (p, w) => `居民反映：${p}${w}，影响周边生活。`,
  (p, w) => `${p}${w}，希望有关部门尽快解决。`,
  (p, w) => `${p}一带${w}，多次反映未解决。`,
];
const PATROL = (p: string, w: string) => `巡查发现${p}${w}。`;
const NOTES: Record<Exclude<NoteKind, 'description' | 'rating'>, string[]> = {
  reject: ['不属于受理范围，已告知反映人', '诉求内容不明确，已联系反映人补充后另行上报', '属于诉讼程序处理事项，已引导至人民法院', '重复反映，已告知办理进度'],
  cancel: ['问题已自行解决，反映人撤销', '反映人撤回诉求'],
  merge: ['与同一地点同类事件重复，合并办理'],
  return: ['不属于本部门职责，请重新派遣', '该事项属属地管理，退回指挥中心指定'],
  escalate: ['超出本级处置能力，上报处理', '需多部门协调，提请上级处置'],
  progress: ['已到现场查看，正在协调处理', '已联系责任单位，预计明日完成', '已安排人员处置', '正在与当事人沟通'],
  resolve: ['已现场处置完毕', '已清理完成，现场恢复整洁', '已维修完成', '经调解双方达成一致', '已协调相关单位解决', '已答复反映人并落实'],
  check_pass: ['现场核查，已处置到位', '回访核实，问题已解决'],
  check_fail: ['现场核查未处置到位，需返工', '问题仍然存在，请重新处置'],
  supervise: ['已超过办理时限，系统自动督办'],
  unrated: ['评价期满未评价，按未评价结案'],
  self_resolve: ['已现场劝离', '已现场清理', '已当场处置完毕', '已现场协调解决'],
};
const COMMENTS: Record<string, (string | null)[]> = {
  satisfied: [null, null, '处理及时，很满意', '谢谢网格员', '效率很高'],
  basically_satisfied: [null, '基本解决了', '速度可以再快一点'],
  unsatisfied: ['问题没有彻底解决', '处理速度太慢', '还是老样子'],
};
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁叶';

// ---------------------------------------------------------------- one batch

/** Rows for one statement: the cases' columns and the events' columns, as parallel arrays. */
class Batch {
  readonly c = Object.fromEntries(CASE_COLS.map(([n]) => [n, []])) as unknown as CaseColumns;
  readonly e = Object.fromEntries(EVENT_COLS.map(([n]) => [n, []])) as unknown as EventColumns;
}

const sec = (t: number | null): number | null => (t === null ? null : t / 1000);

/** Turns plans into rows: who acted, what they wrote, where the case lies. */
class Rows {
  constructor(
    private readonly ctx: CityContext,
    private readonly rnd: Rng,
  ) {}

  private unitsCache = new Map<string, Partial<Record<HandlingLevel, Unit>>>();

  /** The units a case of this grid and department kind can reach. */
  units(grid: GridRow, deptKind: string | null): Partial<Record<HandlingLevel, Unit>> {
    const key = `${grid.code}|${deptKind}`;
    let u = this.unitsCache.get(key);
    if (u) return u;
    const labels = grid.path.split('.');
    const [, city, district, street, community] = labels;
    const name = (code: string | undefined) => (code ? (this.ctx.names.get(code) ?? code) : '');
    const office = (code: string, level: HandlingLevel): Unit => ({ type: 'node_office', nodeCode: code, departmentId: null, level, name: name(code) });
    const dept = (codes: (string | undefined)[], level: HandlingLevel): Unit | null => {
      if (!deptKind) return null;
      for (const c of codes) {
        const d = c ? this.ctx.departments.get(`${c}|${deptKind}`) : undefined;
        if (d) return { type: 'department', nodeCode: d.nodeCode, departmentId: d.id, level, name: d.name };
      }
      return null;
    };
    u = {
      grid: { type: 'grid_worker', nodeCode: grid.code, departmentId: null, level: 'grid', name: grid.name },
      ...(community ? { community: office(community, 'community') } : {}),
      ...(street ? { street: office(street, 'street') } : {}),
      // A department of the category's kind at the district, or the nearest above it (routeFor does the same).
      ...(district ? { district: dept([district, city], 'district') ?? office(district, 'district') } : {}),
      ...(city ? { city: dept([city], 'city') ?? office(city, 'city') } : {}),
    };
    this.unitsCache.set(key, u);
    return u;
  }

  private firstUser(node: string, roles: string[]): UserRow | undefined {
    return this.ctx.usersByNode.get(node)?.find((u) => roles.includes(u.role));
  }

  dispatcher(grid: GridRow): Actor {
    const labels = grid.path.split('.');
    const u = this.firstUser(labels[2] ?? '', ['dispatcher']) ?? this.firstUser(labels[1] ?? '', ['dispatcher']);
    return u ? { id: u.user_id, name: u.display_name, role: 'dispatcher', unit: u.node_code } : { id: null, name: `${this.ctx.cityName}指挥中心坐席`, role: 'dispatcher', unit: this.ctx.cityCode };
  }

  gridWorker(grid: GridRow): Actor {
    const u = this.firstUser(grid.code, ['grid_worker']);
    return u ? { id: u.user_id, name: u.display_name, role: 'grid_worker', unit: grid.code } : { id: null, name: `${grid.name}网格员`, role: 'grid_worker', unit: grid.code };
  }

  unitActor(unit: Unit, grid: GridRow): Actor {
    if (unit.type === 'grid_worker') return this.gridWorker(grid);
    if (unit.type === 'department') {
      const u = this.ctx.usersByDepartment.get(unit.departmentId!);
      return u ? { id: u.user_id, name: u.display_name, role: 'department_staff', unit: u.node_code } : { id: null, name: unit.name, role: 'department_staff', unit: unit.nodeCode };
    }
    const roles = unit.level === 'community' ? ['community_secretary', 'grid_leader'] : unit.level === 'street' ? ['street_officer'] : ['dispatcher'];
    const u = this.firstUser(unit.nodeCode, roles);
    if (u) return { id: u.user_id, name: u.display_name, role: u.role, unit: unit.nodeCode };
    const suffix = unit.level === 'community' ? '居委会' : unit.level === 'street' ? '办事处' : '指挥中心';
    return { id: null, name: `${unit.name}${suffix}`, role: roles[0]!, unit: unit.nodeCode };
  }

  reporterName(): string {
    return `${SURNAMES[Math.floor(this.rnd() * SURNAMES.length)]}${this.rnd() < 0.5 ? '先生' : '女士'}`;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
}

function noteText(rows: Rows, kind: NoteKind | null, ev: PlannedEvent, description: string): string | null {
  if (!kind) return null;
  if (kind === 'description') return description;
  if (kind === 'rating') return rows.pick(COMMENTS[(ev.data as { rating?: string } | null)?.rating ?? 'satisfied'] ?? [null]);
  return rows.pick(NOTES[kind]);
}

// ---------------------------------------------------------------- writing

type ColKind = 'bigint' | 'int' | 'float8' | 'boolean' | 'text';

/**
 * Columns travel as one parameter each, zipped back into rows by ROWS FROM:
 * numbers and booleans as array literals built with join(), text as a JSON
 * array (JSON.stringify is native; the driver's per-element array escaping
 * took longer than the database's work).
 */
function rowsFrom(cols: readonly (readonly [string, ColKind])[], first: number): string {
  const fns = cols.map(([, kind], i) => (kind === 'text' ? `json_array_elements_text($${first + i}::json)` : `unnest($${first + i}::${kind}[])`));
  return `ROWS FROM (${fns.join(', ')}) AS x(${cols.map(([n]) => n).join(', ')})`;
}

function param(kind: ColKind, values: readonly unknown[]): string {
  if (kind === 'text') return JSON.stringify(values);
  if (kind === 'boolean') return `{${values.map((v) => (v === null ? 'NULL' : v ? 't' : 'f')).join(',')}}`;
  return `{${values.map((v) => (v === null ? 'NULL' : String(v))).join(',')}}`;
}

const CASE_COLS = [
  ['id', 'bigint'], ['status', 'text'], ['channel', 'text'], ['reporter_id', 'text'], ['reporter_name', 'text'], ['created_by', 'text'],
  ['category', 'text'], ['description', 'text'], ['address', 'text'], ['lng', 'float8'], ['lat', 'float8'], ['node', 'text'], ['urgent', 'boolean'],
  ['level', 'text'], ['level0', 'text'], ['route_node', 'text'], ['lead_dept', 'bigint'], ['h_type', 'text'], ['h_node', 'text'], ['h_dept', 'bigint'],
  ['accept_due', 'float8'], ['sign_due', 'float8'], ['handle_due', 'float8'], ['clock_started', 'float8'], ['yellow_at', 'float8'], ['colour', 'text'],
  ['rating_due', 'float8'], ['supervised_at', 'float8'], ['event_seq', 'int'], ['reopen', 'int'], ['rework', 'int'], ['returns', 'int'],
  ['escalations', 'int'], ['accepted_at', 'float8'], ['responded_at', 'float8'], ['dispatched_at', 'float8'], ['signed_at', 'float8'],
  ['resolved_at', 'float8'], ['resolved_level', 'text'], ['on_time', 'boolean'], ['rating', 'text'], ['rating_comment', 'text'], ['rated_at', 'float8'],
  ['closed_at', 'float8'], ['close_reason', 'text'], ['merged_into', 'bigint'], ['rejected_reason', 'text'], ['created', 'float8'], ['updated', 'float8'],
] as const satisfies readonly (readonly [string, ColKind])[];

type CaseColumns = { [K in (typeof CASE_COLS)[number][0]]: unknown[] };

const CASE_SQL = `
INSERT INTO cases (city_code, id, number, status, channel, reporter_id, reporter_name, created_by, category_code, category_path,
  description, address, location, node_code, node_path, placed_by, urgent, handling_level, handler_type, handler_node_code,
  handler_node_path, handler_department_id, route, deadline_unit, accept_due_at, sign_due_at, handle_due_at, clock_started_at,
  yellow_at, clock_colour, rating_due_at, supervised_at, event_seq, reopen_count, rework_count, return_count, escalation_count,
  accepted_at, responded_at, dispatched_at, signed_at, resolved_at, resolved_level, resolved_on_time, rating, rating_comment, rated_at,
  closed_at, close_reason, merged_into_id, rejected_reason, created_at, updated_at)
SELECT $1, x.id, $1 || to_char(to_timestamp(x.created) AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad(x.id::text, greatest(7, length(x.id::text)), '0'),
  x.status, x.channel, x.reporter_id::uuid, x.reporter_name, x.created_by::uuid, x.category, k.path, x.description, x.address,
  ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326), x.node, g.path, 'location', x.urgent, x.level, x.h_type, x.h_node, h.path, x.h_dept,
  jsonb_build_object('source', 'category_default', 'entryId', NULL, 'handlingLevel', x.level0, 'handlingNodeCode', x.route_node,
    'lead', CASE WHEN x.lead_dept IS NOT NULL THEN jsonb_build_object('type', 'department', 'departmentKind', k.default_department_kind)
                 WHEN x.level0 = 'grid' THEN '{"type":"grid_worker"}'::jsonb ELSE '{"type":"node_office"}'::jsonb END,
    'leadDepartmentId', x.lead_dept, 'coHandlers', '[]'::jsonb, 'deadlines', k.default_deadlines, 'autoDispatch', false,
    'explanation', 'Generated case (synthetic demo data), handled at the ' || x.level0 || ' level.'),
  k.default_deadlines->'handle'->>'unit', to_timestamp(x.accept_due), to_timestamp(x.sign_due), to_timestamp(x.handle_due),
  to_timestamp(x.clock_started), to_timestamp(x.yellow_at), x.colour, to_timestamp(x.rating_due), to_timestamp(x.supervised_at),
  x.event_seq, x.reopen, x.rework, x.returns, x.escalations, to_timestamp(x.accepted_at), to_timestamp(x.responded_at),
  to_timestamp(x.dispatched_at), to_timestamp(x.signed_at), to_timestamp(x.resolved_at), x.resolved_level, x.on_time, x.rating,
  x.rating_comment, to_timestamp(x.rated_at), to_timestamp(x.closed_at), x.close_reason, x.merged_into, x.rejected_reason,
  to_timestamp(x.created), to_timestamp(x.updated)
FROM ${rowsFrom(CASE_COLS, 2)}
JOIN nodes g ON g.city_code = $1 AND g.code = x.node
JOIN categories k ON k.code = x.category
LEFT JOIN nodes h ON h.city_code = $1 AND h.code = x.h_node`;

/** Deadlines in the timeline's clock entries, as the services write them (ISO, UTC). */
const ISO = (col: string) => `to_char(to_timestamp(${col}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const EVENT_COLS = [
  ['case_id', 'bigint'], ['seq', 'int'], ['at', 'float8'], ['actor_id', 'text'], ['actor_name', 'text'], ['actor_role', 'text'], ['actor_unit', 'text'],
  ['action', 'text'], ['from_s', 'text'], ['to_s', 'text'], ['note', 'text'], ['data', 'text'], ['sign_due', 'float8'], ['handle_due', 'float8'],
] as const satisfies readonly (readonly [string, ColKind])[];

type EventColumns = { [K in (typeof EVENT_COLS)[number][0]]: unknown[] };

const EVENT_SQL = `
INSERT INTO case_events (city_code, case_id, seq, at, actor_id, actor_name, actor_role, actor_unit, action, from_status, to_status,
  note, photos, clock, data)
SELECT $1, x.case_id, x.seq, to_timestamp(x.at), x.actor_id::uuid, x.actor_name, x.actor_role, x.actor_unit, x.action, x.from_s, x.to_s,
  x.note, '[]'::jsonb,
  CASE WHEN x.sign_due IS NOT NULL OR x.handle_due IS NOT NULL
       THEN jsonb_strip_nulls(jsonb_build_object('signDueAt', ${ISO('x.sign_due')}, 'handleDueAt', ${ISO('x.handle_due')})) END,
  x.data::jsonb
FROM ${rowsFrom(EVENT_COLS, 2)}`;

async function writeBatch(ex: Executor, cityCode: string, b: Batch): Promise<void> {
  await ex.query(CASE_SQL, [cityCode, ...CASE_COLS.map(([n, kind]) => param(kind, b.c[n]))]);
  await ex.query(EVENT_SQL, [cityCode, ...EVENT_COLS.map(([n, kind]) => param(kind, b.e[n]))]);
}

/**
 * Plans `n` cases and appends their rows to a batch. `ids` are the cases'
 * ids, taken from the sequence beforehand; `lastInGrid` remembers each
 * grid's latest case (a duplicate is merged into it).
 */
function fillBatch(
  ctx: CityContext,
  rows: Rows,
  rnd: Rng,
  times: Float64Array,
  offset: number,
  ids: number[],
  state: { lastInGrid: Map<number, number> },
  opts: Required<Pick<GenerateCasesOptions, 'ratingDays' | 'yellowShare' | 'autoEscalateHours'>> & { now: number; calendar: ReturnType<typeof fastCalendar> },
): Batch {
  const b = new Batch();
  const c = b.c;
  const e = b.e;
  const system: Actor = { id: null, name: '系统', role: 'system', unit: null };
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const gi = ctx.focus && rnd() < ctx.focus.share ? ctx.focus.idx[Math.floor(rnd() * ctx.focus.idx.length)]! : pickCumulative(ctx.gridCum, rnd());
    const grid = ctx.grids[gi]!;
    const cat = ctx.categories[pickCumulative(ctx.categoryCum, rnd())]!;
    const channel = pickChannel(rnd);
    const units = rows.units(grid, cat.departmentKind);
    const mergeInto = state.lastInGrid.get(gi) ?? null;
    const plan: CasePlan = planCase(rnd, {
      reportedAt: times[offset + i]!,
      now: opts.now,
      category: cat,
      channel,
      units,
      calendar: opts.calendar,
      ratingDays: opts.ratingDays,
      yellowShare: opts.yellowShare,
      autoEscalateHours: opts.autoEscalateHours,
      canMerge: mergeInto !== null,
    });
    state.lastInGrid.set(gi, id);
    const s = plan.state;
    const place = rows.pick(PLACES);
    const description = channel === 'patrol' ? PATROL(place, cat.nameZh) : rows.pick(DESCRIPTIONS)(place, cat.nameZh, rnd);
    const community = grid.path.split('.')[4];
    const k = grid.xs?.length ? Math.floor(rnd() * grid.xs.length) : -1;
    // Residents who signed up in this grid report some of its cases themselves.
    const residents = channel === 'h5' || channel === 'resident_app' ? ctx.residentsByGrid.get(grid.code) : undefined;
    const resident = residents?.length && rnd() < 0.5 ? residents[Math.floor(rnd() * residents.length)]! : null;
    const dispatcher = rows.dispatcher(grid);
    const reporter: Actor = resident
      ? { id: resident.user_id, name: resident.display_name, role: 'resident', unit: grid.code }
      : channel === 'patrol' || channel === 'linkage'
        ? rows.gridWorker(grid)
        : channel === 'h5' || channel === 'resident_app'
          ? { id: null, name: rows.reporterName(), role: 'resident', unit: null }
          : dispatcher;
    const reporterName = resident ? resident.display_name : channel === 'patrol' || channel === 'linkage' ? null : rows.reporterName();
    const level0Unit = units[plan.level0];
    const routeNode = grid.path.split('.')[LEVEL_DEPTH[plan.level0] - 1] ?? grid.code;

    let ratingComment: string | null = null;
    let rejectedReason: string | null = null;
    plan.events.forEach((ev, j) => {
      const note = noteText(rows, ev.note, ev, description);
      if (ev.action.startsWith('rate_')) ratingComment = note;
      if (ev.action === 'reject') rejectedReason = note;
      const actorKind: ActorKind = ev.actor;
      const actor =
        actorKind === 'system' ? system
        : actorKind === 'dispatcher' ? dispatcher
        : actorKind === 'grid_worker' ? rows.gridWorker(grid)
        : actorKind === 'reporter' ? reporter
        : rows.unitActor(ev.unit!, grid);
      e.case_id.push(id);
      e.seq.push(j + 1);
      e.at.push(ev.at / 1000);
      e.actor_id.push(actor.id);
      e.actor_name.push(actor.name);
      e.actor_role.push(actor.role);
      e.actor_unit.push(actor.unit);
      e.action.push(ev.action);
      e.from_s.push(ev.from);
      e.to_s.push(ev.to);
      e.note.push(note);
      const data = ev.action === 'merge' ? { into: mergeInto } : ev.data;
      e.data.push(data ? JSON.stringify(data) : null);
      e.sign_due.push(sec(ev.signDueAt));
      e.handle_due.push(sec(ev.handleDueAt));
    });
    const last = plan.events[plan.events.length - 1]!;
    c.id.push(id);
    c.status.push(s.status);
    c.channel.push(channel);
    c.reporter_id.push(resident?.user_id ?? null);
    c.reporter_name.push(reporterName);
    c.created_by.push(reporter.id);
    c.category.push(cat.code);
    c.description.push(description);
    c.address.push(`${community ? (ctx.names.get(community) ?? '') : ''}${place}`);
    c.lng.push(k >= 0 ? grid.xs![k]! : grid.px);
    c.lat.push(k >= 0 ? grid.ys![k]! : grid.py);
    c.node.push(grid.code);
    c.urgent.push(plan.urgent);
    c.level.push(s.handlingLevel);
    c.level0.push(plan.level0);
    c.route_node.push(routeNode);
    c.lead_dept.push(level0Unit?.type === 'department' ? level0Unit.departmentId : null);
    c.h_type.push(s.handler?.type ?? null);
    c.h_node.push(s.handler?.nodeCode ?? null);
    c.h_dept.push(s.handler?.departmentId ?? null);
    c.accept_due.push(sec(s.acceptDueAt));
    c.sign_due.push(sec(s.signDueAt));
    c.handle_due.push(sec(s.handleDueAt));
    c.clock_started.push(sec(s.clockStartedAt));
    c.yellow_at.push(sec(s.yellowAt));
    c.colour.push(s.clockColour);
    c.rating_due.push(sec(s.ratingDueAt));
    c.supervised_at.push(sec(s.supervisedAt));
    c.event_seq.push(plan.events.length);
    c.reopen.push(s.reopenCount);
    c.rework.push(s.reworkCount);
    c.returns.push(s.returnCount);
    c.escalations.push(s.escalationCount);
    c.accepted_at.push(sec(s.acceptedAt));
    c.responded_at.push(sec(s.respondedAt));
    c.dispatched_at.push(sec(s.dispatchedAt));
    c.signed_at.push(sec(s.signedAt));
    c.resolved_at.push(sec(s.resolvedAt));
    c.resolved_level.push(s.resolvedLevel);
    c.on_time.push(s.resolvedOnTime);
    c.rating.push(s.rating);
    c.rating_comment.push(s.rating ? ratingComment : null);
    c.rated_at.push(sec(s.ratedAt));
    c.closed_at.push(sec(s.closedAt));
    c.close_reason.push(s.closeReason);
    c.merged_into.push(s.merged ? mergeInto : null);
    c.rejected_reason.push(s.rejected ? rejectedReason : null);
    c.created.push(plan.events[0]!.at / 1000);
    c.updated.push(last.at / 1000);
  }
  return b;
}

/** The working calendar: the database's overrides first, then the official one. */
async function loadDeadlineClock(ex: Executor) {
  const rows = await ex.query<{ day: string; is_workday: boolean }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, is_workday FROM calendar_overrides`);
  const overrides = new Map(rows.map((r) => [r.day, r.is_workday]));
  return fastCalendar((d) => overrides.get(d) ?? chineseDays.isWorkday(d));
}

/**
 * Writes `count` cases reported between `from` and `to` in the city's grids,
 * with their timelines, in batches (each batch one transaction: a case never
 * exists without its timeline). Two batches are in flight on PostgreSQL
 * while the next is planned; PGlite takes them one at a time.
 */
export async function generateCases(db: Db, opts: GenerateCasesOptions): Promise<GenerateCasesResult> {
  const pg = db.engine === 'postgres';
  return runGeneration(
    db,
    (fn) =>
      db.transaction(async (trx) => {
        // PostGIS' high cost estimates make the planner JIT-compile these statements for longer than they run.
        if (pg) await trx.query(`SET LOCAL jit = off`);
        await fn(trx);
      }),
    pg ? 2 : 1,
    opts,
  );
}

async function runGeneration(
  ex: Executor,
  write: (fn: (ex: Executor) => Promise<void>) => Promise<void>,
  inFlight: number,
  opts: GenerateCasesOptions,
): Promise<GenerateCasesResult> {
  const t0 = performance.now();
  const progress = opts.progress ?? silentProgress;
  const now = +(opts.now ?? new Date());
  const from = +opts.from;
  const to = Math.min(+opts.to, now);
  if (!(to > from)) throw new Error('generateCases: `from` must be before `to` (and before now)');
  if (!Number.isInteger(opts.count) || opts.count < 0) throw new Error('generateCases: count must be a whole number ≥ 0');
  const count = opts.count;
  const batchSize = opts.batchSize ?? 5000;
  const seed = opts.seed ?? 1;
  const rnd = rngFrom(seed);

  const gridCount = (await ex.query<{ n: number }>(`SELECT count(*)::int AS n FROM nodes WHERE city_code = $1 AND level = 'grid' AND status = 'active'`, [opts.cityCode]))[0]!.n;
  const pointsPerGrid = Math.max(4, Math.min(32, Math.ceil((2 * count) / Math.max(1, gridCount))));
  const ctx = await loadContext(ex, opts, pointsPerGrid);
  const calendar = await loadDeadlineClock(ex);
  const rows = new Rows(ctx, rnd);
  // Report instants for all cases, in time order: a duplicate is merged into an earlier case of its grid.
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) times[i] = reportInstant(rnd, from, to);
  times.sort();

  const planOpts = {
    now,
    calendar,
    ratingDays: opts.ratingDays ?? 7,
    yellowShare: opts.yellowShare ?? 0.8,
    autoEscalateHours: opts.autoEscalateHours ?? 24,
  };
  const state = { lastInGrid: new Map<number, number>() };
  progress.start('cases', count);
  let done = 0;
  let events = 0;
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  try {
    for (let offset = 0; offset < count; offset += batchSize) {
      const n = Math.min(batchSize, count - offset);
      const idRows = await ex.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('cases', 'id'))::bigint AS id FROM generate_series(1, $1::int)`, [n]);
      const ids = idRows.map((r) => r.id);
      const batch = fillBatch(ctx, rows, rnd, times, offset, ids, state, planOpts);
      while (pending.size >= inFlight) await Promise.race(pending);
      if (failure) throw failure;
      const p: Promise<void> = write((trx) => writeBatch(trx, opts.cityCode, batch))
        .then(() => {
          done += n;
          events += batch.e.case_id.length;
          progress.update(done);
        })
        .catch((err: unknown) => {
          failure ??= err;
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    await Promise.all(pending);
    if (failure) throw failure;
  } finally {
    progress.stop();
  }
  return { cases: done, events, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------- the demo

export interface DemoCasesOptions {
  cityCode: string;
  /** Months up to now (default 3). */
  months?: number;
  /** Cases per day (default DEMO_CASES_PER_DAY). */
  perDay?: number;
  seed?: number;
  progress?: Progress;
  now?: Date;
  ratingDays?: number;
  yellowShare?: number;
  autoEscalateHours?: number;
}

/**
 * Cases a day in the demo: enough for lively queues, maps and measures, small
 * enough that the first start stays fast on PGlite (measured: bench/README
 * figures in the case-generator report). Huizhou reports ~165 a day.
 */
export const DEMO_CASES_PER_DAY = 80;

/** app_meta key written when the demo cases are complete. */
export const DEMO_CASES_META = 'demo_cases';

/** Serializes demo case generation between processes sharing one database. */
const DEMO_CASES_LOCK_KEY = 0x5767_0002;

/**
 * Three months of cases up to now in the demo city, once: skipped when
 * app_meta has 'demo_cases'. All in ONE transaction that writes 'demo_cases'
 * last, so an interrupted start leaves no half set and the next start redoes
 * it. A share of the cases lies in the grids where demo users work (grid
 * workers, residents), so they find their own work.
 */
export async function generateDemoCases(db: Db, opts: DemoCasesOptions): Promise<GenerateCasesResult & { skipped: boolean }> {
  const progress = opts.progress ?? silentProgress;
  const has = async () => (await db.query(`SELECT 1 FROM app_meta WHERE key = $1`, [DEMO_CASES_META])).length > 0;
  if (await has()) return { skipped: true, cases: 0, events: 0, ms: 0 };
  const r = await db.withAdvisoryLock(DEMO_CASES_LOCK_KEY, async () => {
    if (await has()) return { skipped: true, cases: 0, events: 0, ms: 0 };
    const now = opts.now ?? new Date();
    const from = new Date(now);
    from.setMonth(from.getMonth() - (opts.months ?? 3));
    const days = (+now - +from) / 86_400_000;
    const count = Math.round(days * (opts.perDay ?? DEMO_CASES_PER_DAY));
    const focus = await db.query<{ code: string }>(
      `SELECT DISTINCT r.node_code AS code FROM role_assignments r JOIN nodes n ON n.city_code = r.city_code AND n.code = r.node_code
        WHERE r.city_code = $1 AND r.role IN ('grid_worker','resident') AND n.level = 'grid'`,
      [opts.cityCode],
    );
    progress.log(`demo: generating ${count.toLocaleString('en-US')} cases over ${opts.months ?? 3} months…`);
    const result = await db.transaction(async (trx) => {
      if (db.engine === 'postgres') await trx.query(`SET LOCAL jit = off`);
      const res = await runGeneration(trx, (fn) => fn(trx), 1, {
        cityCode: opts.cityCode,
        from,
        to: now,
        now,
        count,
        seed: opts.seed ?? 20_260_101,
        progress,
        ratingDays: opts.ratingDays,
        yellowShare: opts.yellowShare,
        autoEscalateHours: opts.autoEscalateHours,
        // About two cases a day in each demo user's grid, so their queues have work.
        focus: focus.length ? { gridCodes: focus.map((f) => f.code), share: Math.min(0.05, (2 * focus.length) / Math.max(1, opts.perDay ?? DEMO_CASES_PER_DAY)) } : undefined,
      });
      await trx.query(
        `INSERT INTO app_meta (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [DEMO_CASES_META, JSON.stringify({ createdAt: now.toISOString(), cases: res.cases, events: res.events, from: from.toISOString() })],
      );
      return res;
    });
    progress.log(`demo: ${result.cases.toLocaleString('en-US')} cases, ${result.events.toLocaleString('en-US')} timeline entries (${(result.ms / 1000).toFixed(1)} s)`);
    return { skipped: false, ...result };
  });
  return r ?? { skipped: true, cases: 0, events: 0, ms: 0 };
}

