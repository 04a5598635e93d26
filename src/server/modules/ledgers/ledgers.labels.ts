/**
 * Chinese names for the codes a ledger (台账) shows: the people who open the
 * spreadsheet read 待受理 and 热线, not `reported` and `hotline`. The web
 * app keeps its own copies for the screens; these are the server's, for files.
 */
export const STATUS_ZH: Record<string, string> = {
  reported: '待受理',
  accepted: '已受理',
  dispatched: '已派遣',
  in_progress: '处置中',
  returned: '已退回',
  resolved: '待核查',
  awaiting_rating: '待评价',
  suspended: '挂起',
  closed: '已结案',
  rejected: '不予受理',
  cancelled: '已撤销',
  merged: '已合并',
};

export const CHANNEL_ZH: Record<string, string> = {
  h5: '手机网页',
  resident_app: '居民App',
  hotline: '热线',
  patrol: '网格巡查',
  console: '坐席录入',
  station: '说事站',
  linkage: '联户群',
  partner: '合作系统',
  import: '批量导入',
};

export const CLOCK_ZH: Record<string, string> = { green: '正常', yellow: '预警', red: '超时' };
export const LEVEL_ZH: Record<string, string> = { grid: '网格', community: '社区/村', street: '街道/乡镇', district: '区县', city: '市' };
export const RATING_ZH: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' };
export const HANDLER_TYPE_ZH: Record<string, string> = { department: '职能部门', node_office: '属地办理', grid_worker: '网格员' };

/** A code's Chinese name, or the code itself when a newer code has no name yet (never blank). */
export function zh(map: Record<string, string>, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '';
  return map[code] ?? code;
}

/** China has one time zone and no daylight saving: UTC+8 all year. */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/**
 * The Date whose UTC fields read as Beijing wall-clock time. Excel cells have
 * no time zone: exceljs writes a Date's UTC fields, so a case reported at
 * 09:00 in Huizhou must be shifted to show 09:00, not 01:00.
 */
export function asChinaWallClock(d: Date): Date {
  return new Date(d.getTime() + CHINA_OFFSET_MS);
}

/** 2026-11-22 09:05:00 in Beijing time (CSV and HTML). */
export function formatChinaTime(d: Date | null | undefined): string {
  if (!d) return '';
  return asChinaWallClock(d).toISOString().slice(0, 19).replace('T', ' ');
}

/** The instant a Beijing wall-clock date-time names (inverse of asChinaWallClock). */
export function fromChinaWallClock(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date {
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s) - CHINA_OFFSET_MS);
}

/**
 * Free text (descriptions, addresses) may carry a phone or ID number typed by
 * the reporter ("请联系 13800138000"): masked in files, which get mailed around.
 */
export function scrubFreeText(text: string | null): string | null {
  if (!text) return text;
  return text
    .replace(/(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])/g, '$1********$3') // resident ID number (身份证号)
    .replace(/(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)/g, '$1****$3') // mobile
    .replace(/(?<!\d)(0\d{2,3})[- ]?(\d{3,4})(\d{4})(?!\d)/g, '$1-****$3'); // landline
}
