/**
 * Case ledger export (事件台账导出): any filtered case list as .xlsx or .csv,
 * streamed. Rows come from the database in batches by keyset on id (newest
 * first) and go straight to the writer, so memory stays flat however many
 * cases match; nothing holds a transaction between batches (PGlite has one
 * connection, and a slow client must not block it).
 */
import type ExcelJS from 'exceljs';
import { excel } from '../../lib/excel.js';
import type { Writable } from 'node:stream';
import type { Ctx } from '../../context.js';
import type { QueueQuery } from '../cases/cases.queries.js';
import { queueConditions } from '../cases/cases.queries.js';
import { asChinaWallClock, scrubFreeText, CHANNEL_ZH, CLOCK_ZH, formatChinaTime, HANDLER_TYPE_ZH, LEVEL_ZH, RATING_ZH, STATUS_ZH, zh } from './ledgers.labels.js';

export type ExportFilters = Omit<QueueQuery, 'page' | 'pageSize' | 'sort'>;

/** Rows per database round trip: large enough to amortise the query, small enough to keep memory flat. */
export const EXPORT_BATCH = 2000;
/** Excel's sheet limit is 1,048,576 rows including the header. */
export const XLSX_MAX_ROWS = 1_048_575;

interface ExportRow {
  id: number;
  number: string;
  status: string;
  category_code: string;
  category_name: string | null;
  description: string;
  address: string | null;
  node_code: string | null;
  node_name: string | null;
  channel: string;
  urgent: boolean;
  clock_colour: string;
  reporter_name: string | null;
  reporter_phone_masked: string | null;
  handling_level: string | null;
  handler_type: string | null;
  handler_name: string | null;
  created_at: Date;
  accept_due_at: Date | null;
  handle_due_at: Date | null;
  dispatched_at: Date | null;
  resolved_at: Date | null;
  resolved_level: string | null;
  resolved_on_time: boolean | null;
  rating: string | null;
  closed_at: Date | null;
  reopen_count: number;
  rework_count: number;
  return_count: number;
  lng: number | null;
  lat: number | null;
}

type Kind = 'text' | 'number' | 'date' | 'decimal';
interface Column {
  header: string;
  kind: Kind;
  width: number;
  value(r: ExportRow): string | number | Date | null;
}

const yesNo = (b: boolean | null) => (b === null ? '' : b ? '是' : '否');

/**
 * The ledger's columns, in order. Phones only ever masked (138****5678), also
 * inside descriptions and addresses: the plaintext never leaves the database in
 * a file that gets mailed around.
 */
export const CASE_COLUMNS: Column[] = [
  { header: '事件编号', kind: 'text', width: 22, value: (r) => r.number },
  { header: '状态', kind: 'text', width: 10, value: (r) => zh(STATUS_ZH, r.status) },
  { header: '类别', kind: 'text', width: 16, value: (r) => r.category_name ?? r.category_code },
  { header: '类别编码', kind: 'text', width: 20, value: (r) => r.category_code },
  { header: '问题描述', kind: 'text', width: 50, value: (r) => scrubFreeText(r.description) },
  { header: '地址', kind: 'text', width: 30, value: (r) => scrubFreeText(r.address) },
  { header: '所属网格/区域', kind: 'text', width: 24, value: (r) => r.node_name },
  { header: '区域编码', kind: 'text', width: 20, value: (r) => r.node_code },
  { header: '经度', kind: 'decimal', width: 12, value: (r) => r.lng },
  { header: '纬度', kind: 'decimal', width: 12, value: (r) => r.lat },
  { header: '来源渠道', kind: 'text', width: 12, value: (r) => zh(CHANNEL_ZH, r.channel) },
  { header: '紧急', kind: 'text', width: 6, value: (r) => yesNo(r.urgent) },
  { header: '时限状态', kind: 'text', width: 10, value: (r) => zh(CLOCK_ZH, r.clock_colour) },
  { header: '上报人', kind: 'text', width: 12, value: (r) => r.reporter_name },
  { header: '联系电话', kind: 'text', width: 14, value: (r) => r.reporter_phone_masked },
  { header: '办理层级', kind: 'text', width: 10, value: (r) => zh(LEVEL_ZH, r.handling_level) },
  { header: '办理类型', kind: 'text', width: 10, value: (r) => zh(HANDLER_TYPE_ZH, r.handler_type) },
  { header: '办理单位', kind: 'text', width: 24, value: (r) => r.handler_name },
  { header: '上报时间', kind: 'date', width: 18, value: (r) => r.created_at },
  { header: '受理时限', kind: 'date', width: 18, value: (r) => r.accept_due_at },
  { header: '派遣时间', kind: 'date', width: 18, value: (r) => r.dispatched_at },
  { header: '办理时限', kind: 'date', width: 18, value: (r) => r.handle_due_at },
  { header: '办结时间', kind: 'date', width: 18, value: (r) => r.resolved_at },
  { header: '办结层级', kind: 'text', width: 10, value: (r) => zh(LEVEL_ZH, r.resolved_level) },
  { header: '按期办结', kind: 'text', width: 8, value: (r) => yesNo(r.resolved_on_time) },
  { header: '评价', kind: 'text', width: 10, value: (r) => zh(RATING_ZH, r.rating) },
  { header: '结案时间', kind: 'date', width: 18, value: (r) => r.closed_at },
  { header: '重办次数', kind: 'number', width: 8, value: (r) => r.reopen_count },
  { header: '返工次数', kind: 'number', width: 8, value: (r) => r.rework_count },
  { header: '退件次数', kind: 'number', width: 8, value: (r) => r.return_count },
];

const EXPORT_COLUMNS = `c.id, c.number, c.status, c.category_code, k.name_zh AS category_name, c.description, c.address,
  c.node_code, n.name AS node_name, c.channel, c.urgent, c.clock_colour, c.reporter_name, c.reporter_phone_masked,
  c.handling_level, c.handler_type, coalesce(d.name, hn.name) AS handler_name, c.created_at, c.accept_due_at, c.handle_due_at,
  c.dispatched_at, c.resolved_at, c.resolved_level, c.resolved_on_time, c.rating, c.closed_at, c.reopen_count, c.rework_count,
  c.return_count, ST_X(c.location) AS lng, ST_Y(c.location) AS lat`;
const EXPORT_JOINS = `LEFT JOIN categories k ON k.code = c.category_code
  LEFT JOIN nodes n ON n.city_code = c.city_code AND n.code = c.node_code
  LEFT JOIN nodes hn ON hn.city_code = c.city_code AND hn.code = c.handler_node_code
  LEFT JOIN departments d ON d.id = c.handler_department_id`;

/**
 * Prepares an export: checks the filters (400 naming a bad one) before any
 * byte is sent, then returns a batch reader that walks the matching cases,
 * newest first, by keyset on id.
 */
export async function prepareCaseExport(ctx: Ctx, filters: ExportFilters) {
  const { where, params } = await queueConditions(ctx, filters);
  const n = params.length;
  const sql = `SELECT ${EXPORT_COLUMNS} FROM cases c ${EXPORT_JOINS}
    WHERE ${where.join(' AND ')} AND c.id < $${n + 1}::bigint ORDER BY c.id DESC LIMIT $${n + 2}`;
  let last: string | number = '9223372036854775807';
  let done = false;
  return {
    /** The next batch, or an empty array at the end. */
    async next(limit = EXPORT_BATCH): Promise<ExportRow[]> {
      if (done) return [];
      const rows = await ctx.db.query<ExportRow>(sql, [...params, last, limit]);
      if (rows.length < limit) done = true;
      if (rows.length) last = rows[rows.length - 1]!.id;
      return rows;
    },
  };
}

/** Waits while the destination is full, so a slow reader slows the database reads instead of filling memory. */
async function drained(out: Writable): Promise<void> {
  if (!out.writableNeedDrain || out.destroyed) return;
  await new Promise<void>((resolve) => {
    // Both listeners go once either fires: one per batch would pile up on a long export.
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** Writes the cases as an .xlsx workbook (one sheet 事件台账) to `out`; returns the number of rows. */
export async function writeCasesXlsx(reader: Awaited<ReturnType<typeof prepareCaseExport>>, out: Writable, opts: { title?: string } = {}): Promise<number> {
  // No shared strings: they would keep every distinct text in memory until the end.
  const wb = new (await excel()).stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  wb.creator = 'Wangge';
  wb.created = new Date();
  const ws = wb.addWorksheet(opts.title ?? '事件台账', { views: [{ state: 'frozen', ySplit: 1 }] });
  // One style object per column, shared by every cell of it: exceljs caches a style's id by object
  // identity, and a fresh object per cell (its default) costs a full style lookup per cell — most of the time.
  const styles: Partial<ExcelJS.Style>[] = CASE_COLUMNS.map((c) =>
    c.kind === 'date' ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : c.kind === 'decimal' ? { numFmt: '0.000000' } : c.kind === 'number' ? { numFmt: '0' } : {},
  );
  ws.columns = CASE_COLUMNS.map((c, i) => ({ header: c.header, key: String(i), width: c.width, style: styles[i] }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  let count = 0;
  for (let batch = await reader.next(); batch.length && count < XLSX_MAX_ROWS; batch = await reader.next()) {
    for (const r of batch) {
      if (count >= XLSX_MAX_ROWS) break;
      const row = ws.addRow(CASE_COLUMNS.map((c) => cellValue(c, r)));
      row.eachCell((cell, col) => {
        cell.style = styles[col - 1]!;
      });
      row.commit();
      count++;
    }
    await drained(out);
    // The client went away: stop reading. No commit either: it would wait for a 'finish' that never comes.
    if (out.destroyed) return count;
  }
  ws.commit();
  await wb.commit();
  return count;
}

function cellValue(c: Column, r: ExportRow): string | number | Date | null {
  const v = c.value(r);
  if (v instanceof Date) return asChinaWallClock(v);
  return v === '' ? null : v;
}

/** One CSV field: quoted when needed; a leading = + - @ neutralised so a spreadsheet never runs it as a formula. */
export function csvField(v: string | number | Date | null): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  let s = v instanceof Date ? formatChinaTime(v) : v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Writes the cases as CSV: UTF-8 with a byte-order mark (so Excel on a Chinese
 * Windows reads it as UTF-8, not GBK), CRLF lines, times in Beijing time.
 */
export async function writeCasesCsv(reader: Awaited<ReturnType<typeof prepareCaseExport>>, out: Writable): Promise<number> {
  out.write('\uFEFF' + CASE_COLUMNS.map((c) => csvField(c.header)).join(',') + '\r\n');
  let count = 0;
  for (let batch = await reader.next(); batch.length; batch = await reader.next()) {
    let chunk = '';
    for (const r of batch) chunk += CASE_COLUMNS.map((c) => csvField(c.value(r))).join(',') + '\r\n';
    count += batch.length;
    if (out.destroyed) return count;
    out.write(chunk);
    await drained(out);
  }
  out.end();
  return count;
}
