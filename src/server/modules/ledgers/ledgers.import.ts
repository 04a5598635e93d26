/**
 * Bulk import of cases (批量导入): a spreadsheet (.xlsx) or CSV with Chinese
 * headers, e.g. the paper forms of a 说事箱 typed up at the community office,
 * or a partner's list. The file is checked as a whole first (a spreadsheet at
 * all, the headers, the row count): a file-level problem imports nothing.
 * Then every row is checked and reported by row number and column
 * ("第57行 类别 不存在"); each good row goes through `createCase` — the same
 * intake as every other channel (placement, routing, clocks) — with channel
 * 'import' and the Idempotency-Key "import:<file hash>:<row>", so uploading
 * the same file again creates nothing twice.
 */
import type ExcelJS from 'exceljs';
import { excel } from '../../lib/excel.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import type { Ctx } from '../../context.js';
import { AppError, type FieldError } from '../../errors.js';
import { coordinateProblem, CRS_LIST, type Crs } from '../../../domain/geo.js';
import { can } from '../../../domain/permissions.js';
import { createCase, placeCase, type IntakeInput } from '../cases/cases.intake.js';
import { routeFor } from '../responsibility/responsibility.service.js';
import { writeAudit } from '../../plugins/audit.js';
import { fromChinaWallClock } from './ledgers.labels.js';

/**
 * Rows per uploaded file: every row goes through the full intake (placement, routing, clocks), a few
 * dozen rows a second, so a request stays within a couple of minutes. The CLI takes larger files.
 */
export const IMPORT_MAX_ROWS = 2000;
/** Rows per file from the command line (`wangge import cases`), which has no request to time out. */
export const CLI_IMPORT_MAX_ROWS = 200_000;
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;

type Field = 'category' | 'description' | 'address' | 'lng' | 'lat' | 'crs' | 'node' | 'reporterName' | 'phone' | 'reportedAt' | 'urgent';

/** The template's columns: the header each field is known by, whether it is required, and how to fill it. */
export const IMPORT_COLUMNS: { field: Field; header: string; required: boolean; hint: string; width: number }[] = [
  { field: 'category', header: '类别', required: true, hint: '类别编码（如 city_env.garbage）或中文名称（见“类别”工作表）', width: 20 },
  { field: 'description', header: '问题描述', required: true, hint: '问题是什么，最多 4000 字', width: 50 },
  { field: 'address', header: '地址', required: false, hint: '发生地点；无经纬度时按地址中的社区/网格名称定位', width: 30 },
  { field: 'lng', header: '经度', required: false, hint: '如 114.415，与纬度同时填写', width: 12 },
  { field: 'lat', header: '纬度', required: false, hint: '如 23.112', width: 12 },
  { field: 'crs', header: '坐标系', required: false, hint: 'wgs84（GPS，默认）、gcj02（高德/腾讯）或 bd09（百度）', width: 10 },
  { field: 'node', header: '网格编码', required: false, hint: '已知所属网格或区域时填写其编码', width: 20 },
  { field: 'reporterName', header: '上报人', required: false, hint: '反映人姓名', width: 12 },
  { field: 'phone', header: '联系电话', required: false, hint: '11 位手机号（加密保存，导出时脱敏）', width: 14 },
  { field: 'reportedAt', header: '上报时间', required: false, hint: '如 2026-11-01 09:30（北京时间）；不填为导入时间', width: 18 },
  { field: 'urgent', header: '紧急', required: false, hint: '是 / 否', width: 6 },
];

/** Other headers people write for the same columns. */
const ALIASES: Record<string, Field> = {
  类别编码: 'category', 事件类别: 'category', 问题类别: 'category',
  描述: 'description', 事件描述: 'description', 诉求内容: 'description',
  事发地址: 'address', 区域编码: 'node', 反映人: 'reporterName', 姓名: 'reporterName',
  手机号: 'phone', 电话: 'phone', 反映时间: 'reportedAt', 时间: 'reportedAt', 是否紧急: 'urgent',
};
/** Columns people keep for themselves; ignored. */
const IGNORED = new Set(['序号', '备注']);

type Cell = string | number | boolean | Date | null;

export interface RowProblem {
  row: number;
  column: string;
  reason: string;
  /** "第57行 类别 不存在" */
  message: string;
}

export interface ImportReport {
  dryRun: boolean;
  fileHash: string;
  total: number;
  /** Rows that passed every check (created, already there, or would be created in a dry run). */
  accepted: number;
  created: number;
  /** Rows already imported from this file before (same Idempotency-Key): nothing new was written. */
  existing: number;
  rejected: number;
  problems: RowProblem[];
  cases: { row: number; id: number; number: string; created: boolean }[];
}

const problem = (row: number, column: string, reason: string): RowProblem => ({ row, column, reason, message: `第${row}行 ${column} ${reason}`.trim() });

function fileError(message: string, fields?: FieldError[], code: 'VALIDATION_FAILED' | 'UNSUPPORTED_MEDIA_TYPE' | 'PAYLOAD_TOO_LARGE' = 'VALIDATION_FAILED'): AppError {
  return new AppError(code, message, fields ?? [{ field: 'file', reason: message }]);
}

/** Plain value of an exceljs cell: rich text, hyperlinks and formulas give their text or result. */
function plain(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return plain((v as { result?: ExcelJS.CellValue }).result ?? null);
    if ('text' in v) return plain((v as { text: ExcelJS.CellValue }).text);
    if ('error' in v) return null;
  }
  return String(v);
}

/** Decodes CSV bytes: UTF-8 (with or without BOM), else GB18030 — what Excel on a Chinese Windows saves. */
function decodeText(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(buf);
  }
}

/** The sheet as rows of cells with their spreadsheet row numbers (header = row 1). File-level errors throw. */
export async function readSheet(buf: Buffer, maxRows = IMPORT_MAX_ROWS): Promise<{ header: string[]; rows: { row: number; cells: Cell[] }[] }> {
  if (!buf.length) throw fileError('文件为空');
  let table: { row: number; cells: Cell[] }[] = [];
  if (buf.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    const wb = new (await excel()).Workbook();
    try {
      await wb.xlsx.load(buf as unknown as ArrayBuffer);
    } catch {
      throw fileError('不是有效的 Excel（.xlsx）文件', undefined, 'UNSUPPORTED_MEDIA_TYPE');
    }
    const ws = wb.worksheets[0];
    if (!ws) throw fileError('工作簿中没有工作表');
    if (ws.actualRowCount > maxRows + 1) throw fileError(`行数超过上限 ${maxRows}，请拆分后分批导入`, undefined, 'PAYLOAD_TOO_LARGE');
    ws.eachRow({ includeEmpty: false }, (r, n) => {
      const values = r.values as ExcelJS.CellValue[]; // 1-based
      table.push({ row: n, cells: values.slice(1).map(plain) });
    });
  } else {
    // Binary that is not a zip (an old .xls, a photo, a PDF) has NUL bytes early on.
    if (buf.subarray(0, 4096).includes(0)) throw fileError('不是 Excel（.xlsx）或 CSV 文件（旧版 .xls 请另存为 .xlsx）', undefined, 'UNSUPPORTED_MEDIA_TYPE');
    let records: string[][];
    try {
      records = parseCsv(decodeText(buf), { relax_column_count: true, skip_empty_lines: false, bom: true }) as string[][];
    } catch (err) {
      throw fileError(`CSV 无法解析：${(err as Error).message}`);
    }
    table = records.map((cells, i) => ({ row: i + 1, cells: cells.map((c) => (c === '' ? null : c)) }));
  }
  table = table.filter((r) => r.cells.some((c) => c !== null && String(c).trim() !== ''));
  const first = table.shift();
  if (!first) throw fileError('文件中没有表头');
  if (table.length > maxRows) throw fileError(`行数超过上限 ${maxRows}，请拆分后分批导入`, undefined, 'PAYLOAD_TOO_LARGE');
  return { header: first.cells.map((c) => (c === null ? '' : String(c))), rows: table };
}

/** Which field each column holds; wrong or missing headers are a file-level error naming them. */
export function mapHeader(header: string[]): (Field | null)[] {
  const byHeader = new Map<string, Field>(IMPORT_COLUMNS.map((c) => [c.header, c.field]));
  const seen = new Set<Field>();
  const problems: FieldError[] = [];
  const map = header.map((raw, i) => {
    // "类别*" and "类别（必填）" as the template marks them.
    const h = raw.replace(/[\s*＊]/g, '').replace(/[（(](必填|选填)[）)]$/, '');
    if (h === '' || IGNORED.has(h)) return null;
    const f = byHeader.get(h) ?? ALIASES[h];
    if (!f) {
      problems.push({ field: raw, reason: `第${i + 1}列 表头“${raw}”无法识别` });
      return null;
    }
    if (seen.has(f)) problems.push({ field: raw, reason: `第${i + 1}列 表头“${raw}”重复` });
    seen.add(f);
    return f;
  });
  for (const c of IMPORT_COLUMNS) if (c.required && !seen.has(c.field)) problems.push({ field: c.header, reason: `缺少必填列“${c.header}”` });
  if (problems.length) throw new AppError('VALIDATION_FAILED', `表头不正确：${problems.map((p) => p.reason).join('；')}。请使用导入模板。`, problems);
  return map;
}

const str = (c: Cell | undefined): string => (c === null || c === undefined ? '' : c instanceof Date ? c.toISOString() : String(c).trim());

/** An Excel serial day number (1900 system) as a Beijing wall-clock instant. */
function fromExcelSerial(n: number): Date {
  const ms = Math.round((n - 25569) * 86_400_000); // 25569 = 1970-01-01
  const d = new Date(ms);
  return fromChinaWallClock(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

/** A report time from a date cell, a serial number or text such as 2026-11-01 09:30 / 2026/11/1 / 2026年11月1日. */
export function parseReportedAt(c: Cell): Date | 'invalid' | null {
  if (c === null || c === '') return null;
  // exceljs gives date cells as Dates whose UTC fields are the wall clock shown in the cell.
  if (c instanceof Date) return Number.isNaN(+c) ? 'invalid' : fromChinaWallClock(c.getUTCFullYear(), c.getUTCMonth() + 1, c.getUTCDate(), c.getUTCHours(), c.getUTCMinutes(), c.getUTCSeconds());
  if (typeof c === 'number') return c > 1 && c < 2958466 ? fromExcelSerial(c) : 'invalid';
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?)?$/.exec(String(c).trim());
  if (!m) return 'invalid';
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map((x) => x ?? undefined) as string[];
  const [Y, MO, D, H, MI, S] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (MO < 1 || MO > 12 || D < 1 || D > 31 || H > 23 || MI > 59 || S > 59) return 'invalid';
  const at = fromChinaWallClock(Y, MO, D, H, MI, S);
  // 2026-02-30 rolls over in Date.UTC: refuse it rather than import March 2nd.
  if (new Date(+at + 8 * 3_600_000).getUTCDate() !== D) return 'invalid';
  return at;
}

interface CategoryIndex {
  byCode: Map<string, string>;
  byName: Map<string, string[]>;
}

async function loadCategories(ctx: Ctx): Promise<CategoryIndex> {
  const rows = await ctx.db.query<{ code: string; name_zh: string }>('SELECT code, name_zh FROM categories WHERE active');
  const byName = new Map<string, string[]>();
  for (const r of rows) byName.set(r.name_zh, [...(byName.get(r.name_zh) ?? []), r.code]);
  return { byCode: new Map(rows.map((r) => [r.code, r.code])), byName };
}

interface CheckedRow {
  row: number;
  input: IntakeInput;
  reportedAt: Date | null;
}

/** Checks one row on its own (no database beyond the category list); returns its problems or the intake input. */
export function checkRow(row: number, cells: Cell[], map: (Field | null)[], cats: CategoryIndex, now = new Date()): RowProblem[] | CheckedRow {
  const v: Partial<Record<Field, Cell>> = {};
  map.forEach((f, i) => {
    if (f) v[f] = cells[i] ?? null;
  });
  const col = (f: Field) => IMPORT_COLUMNS.find((c) => c.field === f)!.header;
  const out: RowProblem[] = [];
  const bad = (f: Field, reason: string) => out.push(problem(row, col(f), reason));

  const catText = str(v.category);
  let categoryCode = '';
  if (!catText) bad('category', '必填');
  else if (cats.byCode.has(catText)) categoryCode = catText;
  else {
    const codes = cats.byName.get(catText) ?? [];
    if (codes.length === 1) categoryCode = codes[0]!;
    else if (codes.length > 1) bad('category', `名称“${catText}”对应多个类别，请填写类别编码`);
    else bad('category', '不存在');
  }
  const description = str(v.description);
  if (!description) bad('description', '必填');
  else if (description.length > 4000) bad('description', '超过 4000 字');

  const address = str(v.address);
  if (address.length > 300) bad('address', '超过 300 字');
  const lngText = str(v.lng);
  const latText = str(v.lat);
  let location: IntakeInput['location'];
  if (lngText || latText) {
    const lng = Number(lngText);
    const lat = Number(latText);
    if (!lngText) bad('lng', '必填（已填写纬度）');
    else if (!latText) bad('lat', '必填（已填写经度）');
    else if (!Number.isFinite(lng)) bad('lng', '不是数字');
    else if (!Number.isFinite(lat)) bad('lat', '不是数字');
    else {
      const p = coordinateProblem(lng, lat);
      if (p) bad(p.field === 'lat' ? 'lat' : 'lng', '超出范围');
      else {
        const crsText = str(v.crs).toLowerCase();
        if (crsText && !(CRS_LIST as readonly string[]).includes(crsText)) bad('crs', '应为 wgs84、gcj02 或 bd09');
        location = { lng, lat, crs: (crsText || 'wgs84') as Crs };
      }
    }
  }
  const node = str(v.node);
  if (node && !/^\d{2,19}$/.test(node)) bad('node', '格式不正确（应为 2–19 位数字编码）');
  if (!location && !address && !node) out.push(problem(row, `${col('lng')}/${col('address')}`, '无法定位：请填写经纬度、地址或网格编码'));

  const reporterName = str(v.reporterName);
  if (reporterName.length > 60) bad('reporterName', '超过 60 字');
  // Excel keeps a typed phone number as a number; spaces and dashes are how people write them.
  const phone = (typeof v.phone === 'number' ? String(Math.round(v.phone)) : str(v.phone)).replace(/[\s-]/g, '').replace(/^\+?86/, '');
  if (phone && !/^1[3-9]\d{9}$/.test(phone)) bad('phone', '格式不正确（应为 11 位手机号）');

  const at = parseReportedAt(v.reportedAt ?? null);
  if (at === 'invalid') bad('reportedAt', '时间格式不正确（如 2026-11-01 09:30）');
  else if (at && +at > +now + 5 * 60_000) bad('reportedAt', '不能晚于当前时间');
  else if (at && at.getUTCFullYear() < 2000) bad('reportedAt', '早于 2000 年');

  const urgentText = str(v.urgent);
  if (urgentText && !['是', '否', 'Y', 'N', 'y', 'n', '1', '0', 'true', 'false'].includes(urgentText)) bad('urgent', '应为“是”或“否”');

  if (out.length) return out;
  return {
    row,
    reportedAt: at === 'invalid' ? null : at,
    input: {
      channel: 'import',
      categoryCode,
      description,
      ...(location ? { location } : {}),
      ...(address ? { address } : {}),
      ...(node ? { nodeCode: node } : {}),
      ...(reporterName || phone ? { reporter: { ...(reporterName ? { name: reporterName } : {}), ...(phone ? { phone } : {}) } } : {}),
      urgent: ['是', 'Y', 'y', '1', 'true'].includes(urgentText),
      // The intake stamps the case with the time it enters the system; the time on the form is kept beside it.
      attributes: at && at !== 'invalid' ? { reportedAt: at.toISOString() } : {},
    },
  };
}

/** The column an intake error's field belongs to, and a reason in Chinese where we know one. */
const FIELD_COLUMN: Record<string, string> = {
  categoryCode: '类别', description: '问题描述', address: '地址', nodeCode: '网格编码', 'reporter.phone': '联系电话',
  location: '经度/地址', 'location.lng': '经度', 'location.lat': '纬度',
};
const REASON_ZH: [RegExp, string][] = [
  [/no such active node/, '不存在或已撤销'],
  [/outside your part of the tree/, '不在您的管辖范围内'],
  [/cannot be placed/, '无法定位：请填写经纬度、地址或网格编码'],
  [/category/i, '不存在或已停用'],
];
function intakeProblem(row: number, err: AppError): RowProblem {
  const f = err.fields?.[0];
  const column = (f && FIELD_COLUMN[f.field]) ?? (f?.field.startsWith('location') ? '经度' : '');
  const reason = f ? (REASON_ZH.find(([re]) => re.test(f.reason))?.[1] ?? f.reason) : err.message;
  return problem(row, column, reason);
}

/**
 * Imports (or with dryRun only checks) a case file. Throws 400/413/415 for a
 * file-level problem (nothing imported); otherwise returns the row report.
 * Rows are placed before they are written, and a row placed outside the part
 * of the tree where the caller dispatches cases is rejected.
 */
export async function importCases(
  ctx: Ctx,
  buf: Buffer,
  opts: { dryRun: boolean; fileName?: string; maxRows?: number; onProgress?: (done: number, total: number) => void },
): Promise<ImportReport> {
  const { header, rows } = await readSheet(buf, opts.maxRows ?? IMPORT_MAX_ROWS);
  const map = mapHeader(header);
  if (!rows.length) throw fileError('文件中没有数据行');
  const fileHash = createHash('sha256').update(buf).digest('hex');
  const cats = await loadCategories(ctx);
  const report: ImportReport = { dryRun: opts.dryRun, fileHash, total: rows.length, accepted: 0, created: 0, existing: 0, rejected: 0, problems: [], cases: [] };
  let done = 0;
  for (const r of rows) {
    const checked = checkRow(r.row, r.cells, map, cats);
    const problems = Array.isArray(checked) ? checked : await placeAndCreate(ctx, checked, fileHash, opts.dryRun, report);
    if (problems.length) {
      report.rejected++;
      report.problems.push(...problems);
    } else report.accepted++;
    opts.onProgress?.(++done, rows.length);
  }
  if (report.cases.length) {
    const numbers = new Map(
      (await ctx.db.query<{ id: number; number: string }>('SELECT id, number FROM cases WHERE id = ANY($1::bigint[])', [report.cases.map((c) => c.id)])).map((r) => [Number(r.id), r.number]),
    );
    for (const c of report.cases) c.number = numbers.get(c.id) ?? '';
  }
  if (!opts.dryRun && report.created) {
    await ctx.db.transaction((trx) =>
      writeAudit(trx, {
        actorId: ctx.actor.userId || null, actorName: ctx.actor.name, ip: ctx.ip ?? null, action: 'ledger.import_cases', resource: 'cases', result: 'ok', statusCode: 200,
        detail: { fileName: opts.fileName ?? null, fileHash, total: report.total, created: report.created, existing: report.existing, rejected: report.rejected },
      }),
    );
  }
  return report;
}

async function placeAndCreate(ctx: Ctx, c: CheckedRow, fileHash: string, dryRun: boolean, report: ImportReport): Promise<RowProblem[]> {
  try {
    const place = await placeCase(ctx.db, ctx, c.input);
    if (!can(ctx.actor, 'case.dispatch', place.nodePath)) return [problem(c.row, c.input.location ? '经度' : c.input.nodeCode ? '网格编码' : '地址', '不在您的管辖范围内')];
    if (dryRun) {
      await routeFor(ctx.db, c.input.categoryCode, place.nodePath); // the category must route here too
      return [];
    }
    const r = await createCase(ctx, c.input, `import:${fileHash.slice(0, 40)}:${c.row}`);
    report.cases.push({ row: c.row, id: r.id, number: '', created: r.created }); // numbers filled in at the end, in one query
    if (r.created) report.created++;
    else report.existing++;
    return [];
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return [intakeProblem(c.row, err)];
    throw err;
  }
}

/** The import template: the header row, a sheet of instructions and a sheet of the categories to choose from. */
export async function writeImportTemplate(ctx: Ctx): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  wb.creator = 'Wangge';
  const ws = wb.addWorksheet('事件导入');
  ws.columns = IMPORT_COLUMNS.map((c) => ({ header: c.required ? `${c.header}*` : c.header, key: c.field, width: c.width }));
  ws.getRow(1).font = { bold: true };
  ws.getColumn('reportedAt').numFmt = 'yyyy-mm-dd hh:mm';
  ws.getColumn('phone').numFmt = '@';
  for (let r = 2; r <= 500; r++) ws.getCell(r, IMPORT_COLUMNS.findIndex((c) => c.field === 'urgent') + 1).dataValidation = { type: 'list', allowBlank: true, formulae: ['"是,否"'] };
  const help = wb.addWorksheet('填写说明');
  help.columns = [{ header: '列', width: 12 }, { header: '必填', width: 6 }, { header: '说明', width: 70 }];
  help.getRow(1).font = { bold: true };
  for (const c of IMPORT_COLUMNS) help.addRow([c.header, c.required ? '是' : '', c.hint]);
  help.addRow([]);
  help.addRow(['', '', `每个文件最多 ${IMPORT_MAX_ROWS} 行；经纬度、地址、网格编码至少填一项。`]);
  help.addRow(['', '', '同一文件重复上传不会重复建事件；可先“试导入”检查，不写入任何数据。']);
  const cats = wb.addWorksheet('类别');
  cats.columns = [{ header: '类别编码', width: 28 }, { header: '类别名称', width: 24 }];
  cats.getRow(1).font = { bold: true };
  const rows = await ctx.db.query<{ code: string; name_zh: string }>('SELECT code, name_zh FROM categories WHERE active ORDER BY path');
  for (const r of rows) cats.addRow([r.code, r.name_zh]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
