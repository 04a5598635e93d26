/**
 * Streaming reading and writing of ledger files (台账): CSV (UTF-8 or GB18030,
 * as Excel on a Chinese Windows saves it) and .xlsx, row by row, so memory
 * stays flat however long the file is.
 */
import { Readable, Transform, type Writable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import type ExcelJS from 'exceljs';
import { excel } from '../../lib/excel.js';
import { AppError } from '../../errors.js';

export type SheetFormat = 'csv' | 'xlsx';

export interface SheetRow {
  /** Spreadsheet row number (the header is row 1). */
  line: number;
  cells: string[];
}

export function fileError(reason: string, code: 'VALIDATION_FAILED' | 'UNSUPPORTED_MEDIA_TYPE' | 'PAYLOAD_TOO_LARGE' = 'VALIDATION_FAILED'): AppError {
  return new AppError(code, reason, [{ field: 'file', reason }]);
}

/** Errors of the upload itself (too large) keep their meaning; anything else is a file the reader could not read. */
function readError(err: unknown, reason: string, code: 'VALIDATION_FAILED' | 'UNSUPPORTED_MEDIA_TYPE'): AppError {
  if (err instanceof AppError) return err;
  if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') return fileError('文件超过大小上限，请拆分后分批导入', 'PAYLOAD_TOO_LARGE');
  return fileError(`${reason}：${(err as Error).message}`, code);
}

/** .xlsx files are zip archives: they start with PK\x03\x04. */
export function sniffFormat(first: Buffer, filename?: string): SheetFormat {
  if (first.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'xlsx';
  if (first.subarray(0, 4096).includes(0)) throw fileError('不是 Excel（.xlsx）或 CSV 文件（旧版 .xls 请另存为 .xlsx）', 'UNSUPPORTED_MEDIA_TYPE');
  if (filename && /\.xlsx?$/i.test(filename)) throw fileError('不是有效的 Excel（.xlsx）文件', 'UNSUPPORTED_MEDIA_TYPE');
  return 'csv';
}

/**
 * Peeks at the first bytes of a stream without losing them: the returned
 * stream gives the head, then the rest. The input is read through one
 * iterator that is never returned early (that would destroy the input).
 */
export async function peek(input: Readable, bytes = 4096): Promise<{ head: Buffer; stream: Readable }> {
  const it = input.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as string);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  const stream = Readable.from(
    (async function* () {
      if (head.length) yield head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value as Buffer;
      }
    })(),
    { objectMode: false },
  );
  return { head, stream };
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Bytes → text in the encoding found in the head of the file. */
function decoder(encoding: 'utf-8' | 'gb18030'): Transform {
  const d = new TextDecoder(encoding);
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _enc, cb) {
      cb(null, d.decode(chunk, { stream: true }));
    },
    flush(cb) {
      cb(null, d.decode());
    },
  });
}

/** Plain text of an exceljs cell: rich text, hyperlinks and formulas give their text or result; dates YYYY-MM-DD. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(+v) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) >= 1e15 ? BigInt(Math.round(v)).toString() : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((t) => t.text).join('');
    if ('result' in o) return cellText(o.result);
    if ('text' in o) return cellText(o.text);
    if ('error' in o) return '';
  }
  return String(v);
}

/**
 * The rows of the first sheet, header first. Blank rows are skipped; a file
 * that cannot be read throws a file-level error (400/415), even half-way.
 */
export async function* readRows(input: Readable, filename?: string): AsyncGenerator<SheetRow> {
  const { head, stream } = await peek(input);
  if (head.length === 0) throw fileError('文件为空');
  const format = sniffFormat(head, filename);
  if (format === 'csv') {
    const text = stream.pipe(decoder(isUtf8(head.subarray(0, head.length)) ? 'utf-8' : 'gb18030'));
    const parser = text.pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: true, info: true }));
    try {
      for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        if (rec.record.every((c) => c.trim() === '')) continue;
        yield { line: rec.info.lines, cells: rec.record };
      }
    } catch (err) {
      throw readError(err, 'CSV 无法解析', 'VALIDATION_FAILED');
    }
    return;
  }
  const reader = new (await excel()).stream.xlsx.WorkbookReader(stream, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = (row.values as unknown[]).slice(1).map(cellText);
        if (values.every((c) => c.trim() === '')) continue;
        yield { line: row.number, cells: values };
      }
      // Only the first sheet is a ledger; the rest (notes, dictionaries) are ignored.
      break;
    }
  } catch (err) {
    throw readError(err, '不是有效的 Excel（.xlsx）文件', 'UNSUPPORTED_MEDIA_TYPE');
  }
}

/** One CSV field, quoted when needed. A leading = + - @ is prefixed so a spreadsheet never runs it as a formula. */
function csvField(v: string): string {
  const s = /^[=+\-@]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A row writer for a ledger file: CSV with a BOM (Excel opens it as UTF-8) or a streamed .xlsx sheet. */
export interface SheetWriter {
  write(cells: readonly (string | number | null)[]): Promise<void>;
  end(): Promise<void>;
}

export function sheetWriter(format: SheetFormat, out: Writable, sheetName: string, widths: number[] = []): SheetWriter {
  if (format === 'csv') {
    out.write('\uFEFF');
    return {
      async write(cells) {
        const line = cells.map((c) => csvField(c == null ? '' : String(c))).join(',') + '\r\n';
        if (!out.write(line)) await new Promise((r) => out.once('drain', r));
      },
      async end() {
        out.end();
      },
    };
  }
  // The workbook is opened on the first write (exceljs loads on first use, see lib/excel.ts).
  let book: { wb: ExcelJS.stream.xlsx.WorkbookWriter; ws: ExcelJS.Worksheet } | undefined;
  const open = async () => {
    if (!book) {
      const wb = new (await excel()).stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
      const ws = wb.addWorksheet(sheetName);
      if (widths.length) ws.columns = widths.map((w) => ({ width: w }));
      book = { wb, ws };
    }
    return book;
  };
  return {
    async write(cells) {
      // Text cells throughout: an 18-digit ID number as a number would lose its last digits.
      (await open()).ws.addRow(cells.map((c) => (c == null ? null : String(c)))).commit();
    },
    async end() {
      const { wb, ws } = await open();
      ws.commit();
      await wb.commit();
    },
  };
}
