import type { FastifyInstance, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import { PassThrough } from 'node:stream';
import { ctxOf, type AppDeps } from '../../context.js';
import { fieldError } from '../../errors.js';
import { ExportQuery, ImportQuery, MeasuresExportQuery, MonthlyReportQuery } from './ledgers.schemas.js';
import { measureRows, measuresCsv, measuresXlsx, type MeasuresLedgerQuery } from './ledgers.measures.js';
import { monthlyReportData, renderMonthlyReport } from './ledgers.report.js';
import { prepareCaseExport, writeCasesCsv, writeCasesXlsx, type ExportFilters } from './ledgers.export.js';
import { IMPORT_MAX_BYTES, importCases, writeImportTemplate } from './ledgers.import.js';
import { formatChinaTime } from './ledgers.labels.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An attachment name in Chinese with an ASCII fallback for old clients (RFC 6266 / 5987). */
function attachment(reply: FastifyReply, ascii: string, utf8: string): void {
  reply.header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(utf8)}`);
  reply.header('cache-control', 'no-store');
}

const stamp = () => formatChinaTime(new Date()).replace(/[-: ]/g, '').slice(0, 12);

/**
 * Ledgers (台账): case lists and measures out to Excel/CSV, the printable
 * monthly report, and bulk case import.
 */
export async function ledgersRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['ledgers'];
  await app.register(multipart, { limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 5 } });

  const exportRoute = (format: 'xlsx' | 'csv') =>
    app.get(
      `/cases.${format}`,
      {
        config: { permission: 'case.export' },
        schema: { tags, summary: `Export the filtered case list (the queue's filters) as ${format === 'xlsx' ? 'Excel' : 'CSV'}, streamed; your part of the tree only`, querystring: ExportQuery },
      },
      async (req, reply) => {
        const ctx = ctxOf(req, deps);
        const { sort: _s, page: _p, pageSize: _ps, ...filters } = req.query as ExportFilters & { sort?: string; page?: number; pageSize?: number };
        // Filters are checked (400 naming one) before the first byte goes out.
        const reader = await prepareCaseExport(ctx, filters);
        const out = new PassThrough();
        attachment(reply, `cases-${stamp()}.${format}`, `事件台账-${stamp()}.${format}`);
        reply.type(format === 'xlsx' ? XLSX : 'text/csv; charset=utf-8');
        const write = format === 'xlsx' ? writeCasesXlsx(reader, out) : writeCasesCsv(reader, out);
        write.then(
          (rows) => req.log.info({ rows, format }, 'case ledger exported'),
          (err: unknown) => {
            // Headers are gone: all we can do is cut the download short so it is not mistaken for a whole file.
            req.log.error({ err }, 'case ledger export failed');
            out.destroy(err as Error);
          },
        );
        return reply.send(out);
      },
    );
  exportRoute('xlsx');
  exportRoute('csv');

  for (const format of ['xlsx', 'csv'] as const) {
    app.get(
      `/measures.${format}`,
      {
        config: { permission: 'measure.read' },
        schema: { tags, summary: `The measures of a node and period, each rate with its counts, broken down by child node, category, channel, day or month (${format})`, querystring: MeasuresExportQuery },
      },
      async (req, reply) => {
        const ledger = await measureRows(ctxOf(req, deps), req.query as MeasuresLedgerQuery);
        attachment(reply, `measures-${stamp()}.${format}`, `考核指标-${stamp()}.${format}`);
        return format === 'xlsx' ? reply.type(XLSX).send(await measuresXlsx(ledger)) : reply.type('text/csv; charset=utf-8').send(measuresCsv(ledger));
      },
    );
  }

  app.get(
    '/monthly-report',
    {
      config: { permission: 'measure.read' },
      schema: { tags, summary: 'The printable monthly report (月度报告) of a node: an A4 HTML page with the figures, tables and server-rendered SVG charts', querystring: MonthlyReportQuery },
    },
    async (req, reply) => {
      const data = await monthlyReportData(ctxOf(req, deps), req.query as { node?: string; month: string });
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderMonthlyReport(data));
    },
  );

  app.get(
    '/cases/import-template.xlsx',
    { config: { permission: 'case.dispatch' }, schema: { tags, summary: 'The case import template (.xlsx): headers, instructions, the categories' } },
    async (req, reply) => {
      const buf = await writeImportTemplate(ctxOf(req, deps));
      attachment(reply, 'case-import-template.xlsx', '事件导入模板.xlsx');
      return reply.type(XLSX).send(buf);
    },
  );

  app.post(
    '/cases/import',
    {
      // Bulk entry of reports taken elsewhere is the command centre's job (受理): the dispatch permission,
      // and each row must land where the caller dispatches cases.
      config: { permission: 'case.dispatch', auditInline: true },
      schema: {
        tags,
        summary: 'Import cases from an .xlsx or .csv file (multipart, field "file"); each row is reported; dryRun=true writes nothing. Re-uploading a file creates nothing twice.',
        querystring: ImportQuery,
      },
    },
    async (req) => {
      if (!req.isMultipart()) throw fieldError('file', 'send multipart/form-data with one .xlsx or .csv file in the field "file"', 'UNSUPPORTED_MEDIA_TYPE');
      const part = await req.file();
      if (!part) throw fieldError('file', 'no file received');
      if (part.fieldname !== 'file') throw fieldError('file', `the file must be sent in the field "file", not "${part.fieldname}"`);
      const buf = await part.toBuffer().catch((e: { code?: string }) => {
        if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw fieldError('file', `larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB`, 'PAYLOAD_TOO_LARGE');
        throw e;
      });
      return importCases(ctxOf(req, deps), buf, { dryRun: (req.query as { dryRun: boolean }).dryRun, fileName: part.filename });
    },
  );
}
