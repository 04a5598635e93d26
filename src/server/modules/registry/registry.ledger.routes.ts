import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import { ctxOf, type AppDeps } from '../../context.js';
import { fieldError } from '../../errors.js';
import { LEDGER_KINDS } from '../../../domain/registry.js';
import { ExportQuery } from './registry.schemas.js';
import { importLedger } from './registry.import.js';
import { exportLedger } from './registry.export.js';

/** Largest ledger file accepted over HTTP (the CLI reads files of any size). */
export const MAX_LEDGER_BYTES = 512 * 1024 * 1024;

const ImportQuery = Type.Object(
  {
    kind: Type.Union(LEDGER_KINDS.map((k) => Type.Literal(k)), { description: 'residents (households and residents, one row per resident), places or things' }),
    dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Check every row and report, but keep nothing' })),
    nodeCode: Type.Optional(Type.String({ pattern: '^\\d{15,19}$', description: 'The grid for rows without a 网格编码 cell' })),
  },
  { additionalProperties: false },
);
type ImportQuery = Static<typeof ImportQuery>;

/** Ledgers in and out (台账导入导出). */
export async function ledgerRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['registry: ledgers'];
  await app.register(multipart, { limits: { fileSize: MAX_LEDGER_BYTES, files: 1, fields: 5 } });

  app.post(
    '/import',
    {
      config: { permission: 'ledger.import', auditInline: true },
      schema: { tags, summary: 'Import a ledger (.xlsx or .csv with Chinese headers, multipart field "file"); report of rejected rows', querystring: ImportQuery },
    },
    async (req) => {
      if (!req.isMultipart()) throw fieldError('file', 'send multipart/form-data with the ledger file', 'UNSUPPORTED_MEDIA_TYPE');
      const part = await req.file();
      if (!part) throw fieldError('file', 'no file received');
      const q = req.query as ImportQuery;
      try {
        return await importLedger(deps.db, deps.pd, req.actor!, { kind: q.kind, input: part.file, filename: part.filename, dryRun: q.dryRun, defaultNodeCode: q.nodeCode, ip: req.ip });
      } finally {
        // A file refused half-way is drained, so the request completes and the answer goes out.
        part.file.resume();
      }
    },
  );

  // One route per ledger: the people ledger needs household.read, places and things place.read.
  for (const kind of LEDGER_KINDS) {
    app.get(
      `/export/${kind}`,
      {
        config: { permission: kind === 'residents' ? 'household.read' : 'place.read' },
        schema: { tags, summary: `Export the ${kind} ledger (masked unless you may reveal and ask to, with a reason: then logged as a reveal)`, querystring: ExportQuery },
      },
      async (req, reply) => {
        const f = await exportLedger(ctxOf(req, deps), kind, req.query as ExportQuery);
        return reply
          .header('content-type', f.contentType)
          .header('content-disposition', `attachment; filename="ledger.${f.filename.split('.').pop()}"; filename*=UTF-8''${encodeURIComponent(f.filename)}`)
          .header('cache-control', 'no-store')
          .send(f.stream);
      },
    );
  }
}
