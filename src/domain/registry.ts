/**
 * The registry of people, places and things (人、地、事、物): tag kinds, relations
 * to the head of household, place and thing kinds, address keys, and the
 * columns of the ledgers (台账) imported and exported with Chinese headers.
 * Pure: the server, the import, the demo and the screens share it.
 */

/** Care and attention tags (重点人群). Mirrors the seed rows of migrations/0023_registry.sql. */
export interface TagKind {
  code: string;
  zh: string;
  en: string;
  /** Default visit interval in days; null = no regular visits. */
  visitEveryDays: number | null;
  /** Shown only to those who may reveal personal data (resident.reveal). */
  sensitive: boolean;
}

export const TAG_KINDS: readonly TagKind[] = [
  { code: 'elderly_alone', zh: '独居老人', en: 'Elderly living alone', visitEveryDays: 7, sensitive: false },
  { code: 'elderly', zh: '老年人', en: 'Elderly', visitEveryDays: null, sensitive: false },
  { code: 'pregnant', zh: '孕产妇', en: 'Pregnant or postpartum', visitEveryDays: 30, sensitive: false },
  { code: 'disabled', zh: '残疾人', en: 'Disabled', visitEveryDays: 30, sensitive: false },
  { code: 'left_behind_child', zh: '留守儿童', en: 'Left-behind child', visitEveryDays: 30, sensitive: false },
  { code: 'low_income', zh: '低保户', en: 'Low-income (dibao)', visitEveryDays: 30, sensitive: false },
  { code: 'community_correction', zh: '社区矫正对象', en: 'Under community correction', visitEveryDays: 30, sensitive: true },
  { code: 'serious_mental_illness', zh: '严重精神障碍患者', en: 'Serious mental illness', visitEveryDays: 14, sensitive: true },
  { code: 'released_prisoner', zh: '刑满释放人员', en: 'Released prisoner', visitEveryDays: 90, sensitive: true },
  { code: 'drug_rehabilitation', zh: '社区戒毒康复人员', en: 'Drug rehabilitation', visitEveryDays: 30, sensitive: true },
  { code: 'veteran', zh: '退役军人', en: 'Veteran', visitEveryDays: null, sensitive: false },
  { code: 'floating', zh: '流动人口', en: 'Floating population', visitEveryDays: null, sensitive: false },
];
export const TAG_CODES = TAG_KINDS.map((t) => t.code);
export const SENSITIVE_TAGS = new Set(TAG_KINDS.filter((t) => t.sensitive).map((t) => t.code));

/** Relation to the head of household (与户主关系). */
export const RELATIONS = {
  head: { zh: '户主', en: 'Head' },
  spouse: { zh: '配偶', en: 'Spouse' },
  child: { zh: '子女', en: 'Child' },
  parent: { zh: '父母', en: 'Parent' },
  grandchild: { zh: '孙子女', en: 'Grandchild' },
  grandparent: { zh: '祖父母', en: 'Grandparent' },
  sibling: { zh: '兄弟姐妹', en: 'Sibling' },
  child_in_law: { zh: '儿媳/女婿', en: 'Child-in-law' },
  tenant: { zh: '租户', en: 'Tenant' },
  other: { zh: '其他', en: 'Other' },
} as const;
export type Relation = keyof typeof RELATIONS;
export const RELATION_CODES = Object.keys(RELATIONS) as Relation[];

export const PLACE_KINDS = {
  building: { zh: '楼栋', en: 'Building' },
  compound: { zh: '小区', en: 'Residential compound' },
  shop: { zh: '商铺', en: 'Shop' },
  enterprise: { zh: '企业', en: 'Enterprise' },
  school: { zh: '学校', en: 'School' },
  hospital: { zh: '医院', en: 'Hospital' },
  other: { zh: '其他', en: 'Other' },
} as const;
export type PlaceKind = keyof typeof PLACE_KINDS;
export const PLACE_KIND_CODES = Object.keys(PLACE_KINDS) as PlaceKind[];

/** City components (城市部件) with the case category that matches a fault in them. */
export const THING_KINDS = {
  street_light: { zh: '路灯', en: 'Street light', category: 'facility.street_light' },
  manhole: { zh: '井盖', en: 'Manhole cover', category: 'facility.manhole_cover' },
  hydrant: { zh: '消防栓', en: 'Hydrant', category: 'facility.hydrant' },
  fitness_equipment: { zh: '健身器材', en: 'Fitness equipment', category: 'facility.fitness_equipment' },
  camera: { zh: '监控摄像头', en: 'Camera', category: 'facility.surveillance_camera' },
  trash_bin: { zh: '垃圾箱', en: 'Trash bin', category: 'facility.trash_bin' },
  public_toilet: { zh: '公厕', en: 'Public toilet', category: 'facility.public_toilet' },
  traffic_light: { zh: '交通信号灯', en: 'Traffic light', category: 'road_traffic.traffic_light' },
  traffic_sign: { zh: '交通标志', en: 'Traffic sign', category: 'road_traffic.traffic_sign' },
  guardrail: { zh: '护栏', en: 'Guardrail', category: 'road_traffic.guardrail' },
  tree: { zh: '行道树', en: 'Street tree', category: 'greenery.fallen_tree' },
  other: { zh: '其他部件', en: 'Other component', category: null },
} as const;
export type ThingKind = keyof typeof THING_KINDS;
export const THING_KIND_CODES = Object.keys(THING_KINDS) as ThingKind[];

export const THING_STATES = {
  normal: { zh: '正常', en: 'Normal' },
  faulty: { zh: '故障', en: 'Faulty' },
  out_of_service: { zh: '停用', en: 'Out of service' },
  removed: { zh: '已拆除', en: 'Removed' },
} as const;
export type ThingState = keyof typeof THING_STATES;

export const GENDERS = { male: { zh: '男', en: 'Male' }, female: { zh: '女', en: 'Female' } } as const;

/** Full-width digits and letters to half-width, spaces out, lower case: "３栋 ２单元" = "3栋2单元". */
export function normaliseText(s: string): string {
  return s
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000]+/g, '')
    .toLowerCase();
}

/** One active household per address: the key a re-imported ledger matches on. */
export function addressKey(address: string, building?: string | null, unit?: string | null, room?: string | null): string {
  return [address, building ?? '', unit ?? '', room ?? ''].map(normaliseText).join('|');
}

/** A place is the same place when kind, name and address match. */
export function placeKey(kind: string, name: string, address?: string | null): string {
  return [kind, name, address ?? ''].map(normaliseText).join('|');
}

/** Reads a code from its code or either name (e.g. tag "独居老人" or "elderly_alone"). */
export function lookupCode<K extends string>(table: Record<K, { zh: string; en: string }>, value: string): K | undefined {
  let index = LOOKUPS.get(table) as Map<string, K> | undefined;
  if (!index) {
    // Built once per table: an import looks up several cells per row, a million rows long.
    index = new Map<string, K>();
    for (const [code, names] of Object.entries(table) as [K, { zh: string; en: string }][]) {
      for (const n of [code, names.zh, names.en]) if (!index.has(normaliseText(n))) index.set(normaliseText(n), code);
    }
    LOOKUPS.set(table, index);
  }
  return index.get(normaliseText(value));
}
const LOOKUPS = new WeakMap<object, Map<string, string>>();

export const TAG_TABLE: Record<string, { zh: string; en: string }> = Object.fromEntries(TAG_KINDS.map((t) => [t.code, { zh: t.zh, en: t.en }]));

/** Splits a tag cell on Chinese or Latin separators. */
export function splitList(cell: string): string[] {
  return cell
    .split(/[、,，;；|/\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Ledgers that can be imported and exported. */
export const LEDGER_KINDS = ['residents', 'places', 'things'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** One column of a ledger: the field, its Chinese header (and accepted aliases), whether it must be filled. */
export interface LedgerColumn {
  key: string;
  header: string;
  aliases?: string[];
  required?: boolean;
}

/**
 * The columns of each ledger, in export order. The households+residents
 * ledger has one row per resident with the household's address columns.
 */
export const LEDGER_COLUMNS: Record<LedgerKind, readonly LedgerColumn[]> = {
  residents: [
    { key: 'nodeCode', header: '网格编码', aliases: ['网格代码', '所属网格'] },
    { key: 'address', header: '地址', aliases: ['住址', '详细地址', '房屋地址'], required: true },
    { key: 'building', header: '楼栋', aliases: ['栋'] },
    { key: 'unit', header: '单元' },
    { key: 'room', header: '房号', aliases: ['门牌号', '室'] },
    { key: 'name', header: '姓名', required: true },
    { key: 'gender', header: '性别' },
    { key: 'birthDate', header: '出生日期' },
    { key: 'idNumber', header: '身份证号', aliases: ['身份证号码', '公民身份号码'] },
    { key: 'phone', header: '联系电话', aliases: ['手机号', '电话', '手机号码'] },
    { key: 'relation', header: '与户主关系', aliases: ['关系'] },
    { key: 'registeredResidence', header: '户籍地', aliases: ['户籍地址'] },
    { key: 'actualResidence', header: '现居住地', aliases: ['实际居住地'] },
    { key: 'tags', header: '标签', aliases: ['人员类别', '重点人群'] },
    { key: 'volunteer', header: '友邻服务队', aliases: ['服务队', '志愿者'] },
    { key: 'lng', header: '经度' },
    { key: 'lat', header: '纬度' },
  ],
  places: [
    { key: 'nodeCode', header: '网格编码', aliases: ['网格代码', '所属网格'] },
    { key: 'kind', header: '类型', aliases: ['场所类型'], required: true },
    { key: 'name', header: '名称', aliases: ['场所名称'], required: true },
    { key: 'address', header: '地址', aliases: ['详细地址'] },
    { key: 'specialNodeCode', header: '专属网格编码', aliases: ['专属网格'] },
    { key: 'contactName', header: '联系人' },
    { key: 'phone', header: '联系电话', aliases: ['电话', '手机号'] },
    { key: 'lng', header: '经度' },
    { key: 'lat', header: '纬度' },
  ],
  things: [
    { key: 'nodeCode', header: '网格编码', aliases: ['网格代码', '所属网格'] },
    { key: 'kind', header: '类型', aliases: ['部件类型'], required: true },
    { key: 'name', header: '名称', aliases: ['部件名称'], required: true },
    { key: 'code', header: '编号', aliases: ['部件编号', '资产编号'] },
    { key: 'categoryCode', header: '事件分类', aliases: ['分类编码'] },
    { key: 'state', header: '状态' },
    { key: 'lng', header: '经度' },
    { key: 'lat', header: '纬度' },
  ],
};

/**
 * Maps a header row to column keys. Unknown headers are ignored; returns the
 * missing required headers (a file-level error: nothing is imported).
 */
export function mapHeaders(kind: LedgerKind, headers: readonly string[]): { keys: (string | null)[]; missing: string[]; duplicated: string[] } {
  const cols = LEDGER_COLUMNS[kind];
  const seen = new Set<string>();
  const duplicated: string[] = [];
  const keys = headers.map((h) => {
    const n = normaliseText(String(h ?? '').replace(/^\uFEFF/, '').replace(/[*＊]/g, ''));
    const col = cols.find((c) => normaliseText(c.header) === n || c.aliases?.some((a) => normaliseText(a) === n) || normaliseText(c.key) === n);
    if (!col) return null;
    if (seen.has(col.key)) duplicated.push(col.header);
    seen.add(col.key);
    return col.key;
  });
  const missing = cols.filter((c) => c.required && !seen.has(c.key)).map((c) => c.header);
  return { keys, missing, duplicated };
}

/** The Chinese header of a column key, for error reports ("第57行 身份证号 校验位错误"). */
export function headerOf(kind: LedgerKind, key: string): string {
  return LEDGER_COLUMNS[kind].find((c) => c.key === key)?.header ?? key;
}

/** Yes/no cells: 是/否, Y/N, 1/0, true/false. */
export function parseYesNo(cell: string): boolean | undefined {
  const v = normaliseText(cell);
  if (['是', 'y', 'yes', '1', 'true', '√'].includes(v)) return true;
  if (['否', 'n', 'no', '0', 'false', ''].includes(v)) return false;
  return undefined;
}

/** Dates as 1950-03-07, 1950/3/7, 1950.3.7 or 19500307. */
export function parseDateCell(cell: string): string | undefined {
  const v = normaliseText(cell);
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(v) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
